"""mlreport: tracked, scaled and audited models as a static report site."""

from __future__ import annotations

__version__ = "0.1.0"

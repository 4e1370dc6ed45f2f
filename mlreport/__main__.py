from __future__ import annotations

from mlreport.cli import main

main()

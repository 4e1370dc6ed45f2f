"""Files shipped with mlreport: templates, the MkDocs base config and site assets."""

from __future__ import annotations

from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent


def resource_dir(name: str) -> Path:
    """``templates`` or ``site_config``: inside the installed wheel, else at the source root."""
    for candidate in (_PACKAGE_DIR / name, _PACKAGE_DIR.parent / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"mlreport is installed without its {name}/ folder")


def plotly_js() -> Path:
    """The minified plotly.js bundled with the plotly package (served once per site)."""
    import plotly

    return Path(plotly.__file__).resolve().parent / "package_data" / "plotly.min.js"

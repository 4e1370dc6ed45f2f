"""Stable page paths derived from names, and relative links between pages."""

from __future__ import annotations

import functools
import hashlib
import posixpath
import re
import unicodedata


def slug(name: str) -> str:
    """A URL-safe, stable slug: the name itself when already safe, else slug + short hash."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    base = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")[:60].strip("-")
    if base == name:
        return base
    digest = hashlib.sha1(name.encode()).hexdigest()[:8]
    return f"{base}-{digest}" if base else digest


#: Source path of a site's home page.
HOME_PATH = "index.md"
#: Source path of the page listing every run.
RUNS_PATH = "runs.md"
#: Source path of the history page (trends across builds).
HISTORY_PATH = "history.md"


def experiment_path(name: str) -> str:
    """Source path (relative to the docs dir) of an experiment's page."""
    return f"experiments/{slug(name)}.md"


#: Pages of an experiment's folder that are not model pages.
_EXPERIMENT_PAGES = frozenset({"scaling", "fairness"})


def model_path(experiment: str, model: str) -> str:
    """Source path of the page of an experiment's best model of one model family."""
    name = slug(model)
    if name in _EXPERIMENT_PAGES:  # a model called "scaling" must not take that page
        name = f"{name}-{hashlib.sha1(model.encode()).hexdigest()[:8]}-model"
    return f"experiments/{slug(experiment)}/{name}.md"


def scaling_path(experiment: str) -> str:
    """Source path of an experiment's training-time scaling page."""
    return f"experiments/{slug(experiment)}/scaling.md"


def page_url(path: str) -> str:
    """The URL MkDocs gives a page (``use_directory_urls: false``)."""
    return path.removesuffix(".md") + ".html"


@functools.lru_cache(maxsize=4096)  # the runs page links each run to its experiment
def relative_url(from_path: str, to_path: str) -> str:
    """Link from one page's source path to another page."""
    start = posixpath.dirname(from_path) or "."
    return posixpath.relpath(page_url(to_path), start)


def fairness_overview_path(experiment: str) -> str:
    """Source path of an experiment's fairness-against-performance page."""
    return f"experiments/{slug(experiment)}/fairness.md"


def fairness_path(experiment: str, model: str) -> str:
    """Source path of the fairness report of an experiment's best model of one family."""
    return f"experiments/{slug(experiment)}/fairness/{slug(model)}.md"

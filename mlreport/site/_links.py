"""Stable page paths derived from names, and relative links between pages."""

from __future__ import annotations

import functools
import hashlib
import posixpath
import re
import unicodedata
from urllib.parse import quote


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
#: Source path of the run view: one page shows any run, named by ``?run=<run ref>``.
RUN_VIEW_PATH = "run.md"
#: Source path of the comparison view: ``?run=<run ref>&run=...``.
COMPARE_PATH = "compare.md"


def mlreport_group(name: str) -> str:
    """The key of an mlreport experiment's runs (their table and data files)."""
    return f"experiments/{slug(name)}"


def mlflow_group(experiment_id: str) -> str:
    """The key of the runs of an MLflow experiment mlreport did not create."""
    return f"mlflow/{slug(experiment_id)}"


def runs_table_path(group: str) -> str:
    """Source path of a group's runs table."""
    return f"{group}/runs.md"


def run_data_path(group: str, kind: str, part: int) -> str:
    """Path (under the docs dir) of one part of a group's run data: ``runs`` or
    ``history``."""
    return f"data/{group}/{kind}-{part}.js"


def run_ref(group: str, run_id: str) -> str:
    """How the run view and the comparison name a run: its group and its id. It stays the
    same across builds (names and ids do not change)."""
    return f"{group}/{run_id}"


def run_view_url(from_path: str, ref: str) -> str:
    """Link from a page to the run view of one run."""
    return f"{relative_url(from_path, RUN_VIEW_PATH)}?run={quote(ref, safe='/')}"


def experiment_path(name: str) -> str:
    """Source path (relative to the docs dir) of an experiment's page."""
    return f"experiments/{slug(name)}.md"


#: Pages of an experiment's folder that are not model pages.
_EXPERIMENT_PAGES = frozenset({"scaling", "fairness", "runs"})


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

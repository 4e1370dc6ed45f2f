"""Rebuilds: unchanged experiments keep their pages, unchanged pages keep their HTML, and
the result is the site a fresh build would give."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from mlreport.analysis import analyse
from mlreport.config import GateSettings, SiteSettings
from mlreport.dataset import RunFiles, read_dataset
from mlreport.site import SITE_RECORD, build_site, experiment_path, model_path, page_url
from mlreport.site._build import NAV_SECTION_PAGES
from tests.builders import DatasetBuilder
from tests.conftest import run_cli

pytestmark = pytest.mark.integration

#: More experiments (and model pages) than a navigation section lists.
EXPERIMENTS = NAV_SECTION_PAGES + 5
SETTINGS = SiteSettings(site_name="Rebuilds", site_url="https://example.org/reports/")


def write_export(
    folder: Path, *, changed: int | None = None, experiments: int = EXPERIMENTS
) -> Path:
    """Experiments with a model page each; experiment ``changed`` has one different trial
    score."""
    builder = DatasetBuilder()
    for i in range(experiments):
        builder.experiment(str(i), f"experiment-{i:02d}", description=f"Number {i}.")
        bump = 0.05 if i == changed else 0.0
        builder.search(
            str(i),
            f"experiment-{i:02d}",
            f"model-{i:02d}",
            primary="accuracy",
            trials=[
                ({"C": "1"}, {"cv_accuracy_mean": 0.6 + bump, "fit_time_s": 0.1, "rank": 1.0}),
                ({"C": "2"}, {"cv_accuracy_mean": 0.5, "fit_time_s": 0.2, "rank": 2.0}),
            ],
            test_scores={"accuracy": 0.55},
        )
        builder.predictions[f"model-{i:02d}-best"] = pd.DataFrame(
            {"y_true": ["a", "b", "a", "b"] * 10, "y_pred": ["a", "b", "b", "b"] * 10}
        )
    return builder.write(folder)


def html_files(site: Path) -> dict[str, bytes]:
    return {p.relative_to(site).as_posix(): p.read_bytes() for p in site.rglob("*.html")}


def data_files(site: Path) -> dict[str, str]:
    """The run data files of a site, by path."""
    return {str(p.relative_to(site)): p.read_text() for p in sorted((site / "data").rglob("*.js"))}


def search_entries(site: Path) -> list[str]:
    index = json.loads((site / "search" / "search_index.json").read_text())
    return sorted(json.dumps(entry, sort_keys=True) for entry in index["docs"])


def sitemap_locations(site: Path) -> list[str]:
    return sorted(re.findall(r"<loc>([^<]*)</loc>", (site / "sitemap.xml").read_text()))


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("rebuild")
    write_export(root / "export")
    first = build_site(root / "export", root / "site", settings=SETTINGS, work_dir=root / "work")
    # home, runs, compare, run view; per experiment its page, its model's and its runs table
    assert first.rebuilt == first.pages == 4 + 3 * EXPERIMENTS
    return root


def test_a_rebuild_without_change_carries_every_page_over(
    built: Path,
) -> None:
    site = built / "site"
    before = html_files(site)
    inode = (site / page_url(model_path("experiment-07", "model-07"))).stat().st_ino
    dataset = read_dataset(built / "export")
    summary = build_site(
        built / "export",
        site,
        settings=SETTINGS,
        work_dir=built / "work",
        analysis=analyse(dataset),
    )
    assert summary.rebuilt == 0
    assert isinstance(dataset.predictions, RunFiles)
    assert dataset.predictions.loaded == 0  # no model page was built again
    assert html_files(site) == before
    assert (site / page_url(model_path("experiment-07", "model-07"))).stat().st_ino == inode
    assert len(sitemap_locations(site)) == len(before) - 1  # every page but 404.html
    assert "https://example.org/reports/experiments/experiment-07/model-07.html" in (
        sitemap_locations(site)
    )


def test_a_change_in_one_experiment_rebuilds_its_pages_only_and_equals_a_fresh_build(
    built: Path, tmp_path: Path
) -> None:
    changed = write_export(tmp_path / "export", changed=7)
    site = tmp_path / "site"
    work = tmp_path / "work"
    import shutil

    shutil.copytree(built / "site", site)
    shutil.copytree(built / "work", work)
    summary = build_site(changed, site, settings=SETTINGS, work_dir=work)
    # experiment 7's page and the home page, which show its scores; its model page and
    # runs table were built again from the changed experiment but came out the same:
    # kept (the table's run data changed, and is the fresh build's)
    assert summary.rebuilt == 2
    fresh = build_site(
        changed, tmp_path / "fresh", settings=SETTINGS, work_dir=tmp_path / "fresh-work"
    )
    assert fresh.rebuilt == fresh.pages
    assert html_files(site) == html_files(tmp_path / "fresh")
    assert data_files(site) == data_files(tmp_path / "fresh") != data_files(built / "site")
    assert search_entries(site) == search_entries(tmp_path / "fresh")
    assert sitemap_locations(site) == sitemap_locations(tmp_path / "fresh")
    page = (site / page_url(experiment_path("experiment-07"))).read_text()
    assert "0.6500" in page  # the new score is shown


def test_pages_listed_in_the_navigation_are_carried_over_too(tmp_path: Path) -> None:
    """A small site lists every page in its navigation, which MkDocs needs to see."""
    write_export(tmp_path / "export", experiments=3)
    build_site(tmp_path / "export", tmp_path / "site", settings=SETTINGS, work_dir=tmp_path / "w")
    changed = write_export(tmp_path / "changed", changed=1, experiments=3)
    summary = build_site(changed, tmp_path / "site", settings=SETTINGS, work_dir=tmp_path / "w")
    assert summary.rebuilt == 2  # home and experiment 1's page
    build_site(changed, tmp_path / "fresh", settings=SETTINGS, work_dir=tmp_path / "fresh-w")
    assert html_files(tmp_path / "site") == html_files(tmp_path / "fresh")
    assert search_entries(tmp_path / "site") == search_entries(tmp_path / "fresh")
    assert sitemap_locations(tmp_path / "site") == sitemap_locations(tmp_path / "fresh")
    nav = (tmp_path / "site" / "runs.html").read_text()
    assert all(f"experiment-{i:02d}/model-{i:02d}.html" in nav for i in range(3))


def test_new_settings_or_an_unreadable_record_rebuild_every_page(
    built: Path, tmp_path: Path
) -> None:
    site = tmp_path / "site"
    shutil.copytree(built / "site", site)
    shutil.copytree(built / "work", tmp_path / "work")
    renamed = SiteSettings(site_name="Renamed", site_url=SETTINGS.site_url)
    summary = build_site(built / "export", site, settings=renamed, work_dir=tmp_path / "work")
    assert summary.rebuilt == summary.pages
    assert "Renamed" in (site / page_url(model_path("experiment-03", "model-03"))).read_text()
    (site / SITE_RECORD).write_text("{not json")
    summary = build_site(built / "export", site, settings=renamed, work_dir=tmp_path / "work")
    assert summary.rebuilt == summary.pages
    before = html_files(site)
    shutil.rmtree(tmp_path / "work")  # the kept Markdown is gone: built again, not lost
    summary = build_site(built / "export", site, settings=renamed, work_dir=tmp_path / "work")
    assert summary.rebuilt == 0
    assert html_files(site) == before


def test_a_big_site_lists_only_whole_store_pages_in_its_navigation(built: Path) -> None:
    page = (built / "site" / page_url(experiment_path("experiment-07"))).read_text()
    others = re.findall(r'href="[^"]*experiment-(\d\d)[^"]*"', page)
    assert set(others) == {"07"}  # links to its own model page, none to other experiments


def test_pages_built_by_worker_processes_equal_pages_built_in_one(
    built: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from concurrent.futures import ProcessPoolExecutor

    from mlreport.site import _build

    pools: list[int] = []

    class CountedPool(ProcessPoolExecutor):
        def __init__(self, workers: int, **kwargs: Any) -> None:
            pools.append(workers)
            super().__init__(workers, **kwargs)

    monkeypatch.setattr(_build, "ProcessPoolExecutor", CountedPool)
    monkeypatch.setattr(_build, "_usable_cores", lambda: 2)
    parallel = build_site(
        built / "export", tmp_path / "parallel", settings=SETTINGS, work_dir=tmp_path / "w1"
    )
    assert pools == [2]  # two worker processes built the 45 experiments' pages
    monkeypatch.setattr(_build, "PARALLEL_FROM", EXPERIMENTS + 1)
    serial = build_site(
        built / "export", tmp_path / "serial", settings=SETTINGS, work_dir=tmp_path / "w2"
    )
    assert pools == [2]  # and none this time
    assert parallel.rebuilt == serial.rebuilt == serial.pages
    assert html_files(tmp_path / "parallel") == html_files(tmp_path / "serial")
    assert search_entries(tmp_path / "parallel") == search_entries(tmp_path / "serial")


def test_a_page_changed_by_hand_or_new_libraries_are_built_again(
    built: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from mlreport.site import _build

    site, work = tmp_path / "site", tmp_path / "work"
    shutil.copytree(built / "site", site)
    shutil.copytree(built / "work", work)
    edited = site / page_url(model_path("experiment-04", "model-04"))
    edited.write_text(edited.read_text().replace("model-04", "edited"))
    summary = build_site(built / "export", site, settings=SETTINGS, work_dir=work)
    assert summary.rebuilt == 1  # the edited page, from its kept Markdown
    assert html_files(site) == html_files(built / "site")
    versions = _build.library_versions
    monkeypatch.setattr(
        _build, "library_versions", lambda names: [*versions(names), "plotly==0.0.1"]
    )
    summary = build_site(built / "export", site, settings=SETTINGS, work_dir=work)
    assert summary.rebuilt == summary.pages


def test_a_new_build_in_the_history_rebuilds_the_history_pages_only(
    built: Path, tmp_path: Path
) -> None:
    from mlreport.history import record_build

    site, work = tmp_path / "site", tmp_path / "work"
    shutil.copytree(built / "site", site)
    shutil.copytree(built / "work", work)
    export = tmp_path / "export"
    shutil.copytree(built / "export", export)
    analysis = record_build(
        export, analyse(read_dataset(export)), gates=GateSettings(), commit="abc"
    )
    first = build_site(export, site, settings=SETTINGS, work_dir=work, analysis=analysis)
    assert first.rebuilt == first.pages  # the navigation gained History: every page changes
    analysis = record_build(
        export, analyse(read_dataset(export)), gates=GateSettings(), commit="def"
    )
    dataset = analysis.dataset
    read = dataset.predictions.loaded  # type: ignore[attr-defined]  # the gates read them
    summary = build_site(export, site, settings=SETTINGS, work_dir=work, analysis=analysis)
    assert summary.rebuilt == 1  # the history page; every experiment's pages were kept
    assert "def" in (site / "history.html").read_text()
    assert dataset.predictions.loaded == read  # type: ignore[attr-defined]  # no page model


def test_an_unreadable_run_file_is_one_line_and_keeps_the_previous_site(
    built: Path, tmp_path: Path
) -> None:
    """Found while worker processes build pages: the error still reaches the command."""
    export = write_export(tmp_path / "export", changed=3)
    broken = export / "predictions" / "model-03-best.parquet"
    broken.write_bytes(b"not parquet")
    shutil.copytree(built / "site", tmp_path / "site")
    before = html_files(tmp_path / "site")
    done = run_cli("site", "--data", str(export), "--out", str(tmp_path / "site"), cwd=tmp_path)
    assert done.returncode == 1
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "predictions of run model-03-best" in lines[0], done.stderr
    assert html_files(tmp_path / "site") == before

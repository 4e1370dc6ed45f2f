"""Every page of a built site in a real browser: loads clean, offline, sorts, plots, is safe."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from mlreport.config import SiteSettings
from mlreport.site import build_site, experiment_path, page_url
from tests.builders import DatasetBuilder

pytestmark = pytest.mark.browser

PAYLOADS = [
    "<script>alert('script')</script>",
    "<img src=x onerror=alert('img')>",
    "[click](javascript:alert('md'))",
    "{{ alert('jinja') }}",
    "\"><svg onload=alert('attr')>",
]
HOSTILE = " ".join(PAYLOADS)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("browser")
    builder = DatasetBuilder()
    builder.experiment("1", "demo", description="Sorting and charts.")
    builder.search(
        "1",
        "demo",
        "lr",
        primary="roc_auc",
        trials=[
            (
                {"C": str(c)},
                {
                    "cv_roc_auc_mean": score,
                    "cv_roc_auc_std": 0.01,
                    "fit_time_s": 0.1 * (i + 1),
                    "rank": float(i + 1),
                },
            )
            for i, (c, score) in enumerate([(1, 0.7), (2, 0.9), (3, 0.8)])
        ],
        test_scores={"roc_auc": 0.88},
    )
    builder.hostile_experiment("2", HOSTILE)
    builder.experiment("3", "plain")
    builder.run("p1", "3", name=HOSTILE, params={"note": HOSTILE}, tags={"t": HOSTILE})
    builder.write(root / "export")
    build_site(
        root / "export",
        root / "site",
        settings=SiteSettings(site_name=HOSTILE),
        work_dir=root / "work",
    )
    return root / "site"


def open_page(browser: Any, url: str) -> tuple[Any, list[str]]:
    """Open a page, collecting console errors, dialogs and requests leaving the site."""
    page = browser.new_page()
    problems: list[str] = []
    page.on(
        "console", lambda m: problems.append(f"console: {m.text}") if m.type == "error" else None
    )
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    page.on("dialog", lambda d: (problems.append(f"dialog: {d.message}"), d.dismiss()))
    page.on(
        "request",
        lambda r: (
            problems.append(f"external request: {r.url}")
            if not r.url.startswith(url.split("/", 3)[0] + "//" + url.split("/", 3)[2])
            else None
        ),
    )
    page.goto(url, wait_until="load")
    page.wait_for_timeout(300)
    return page, problems


def test_every_page_loads_cleanly_offline_and_runs_no_payload(
    browser: Any, serve: Any, site: Path
) -> None:
    base = serve(site)
    pages = sorted(p.relative_to(site).as_posix() for p in site.rglob("*.html"))
    assert len(pages) >= 5
    for path in pages:
        page, problems = open_page(browser, base + path)
        if path.startswith("experiments/"):
            page.wait_for_selector(".mlreport-chart .main-svg", timeout=15000)
            page.evaluate(  # show a hover label: it carries the trial's params, payloads too
                "() => Plotly.Fx.hover(document.querySelector('.mlreport-chart'),"
                " [{curveNumber: 0, pointNumber: 0}])"
            )
            page.wait_for_selector(".hoverlayer .hovertext", timeout=5000)
        assert problems == [], path
        page.close()


def test_hostile_names_are_shown_as_text(browser: Any, serve: Any, site: Path) -> None:
    base = serve(site)
    page, problems = open_page(browser, base + page_url(experiment_path(HOSTILE)))
    assert HOSTILE in page.inner_text("article")
    assert page.locator("article img").count() == 0
    assert problems == []


def test_leaderboard_sorts_by_clicked_column(browser: Any, serve: Any, site: Path) -> None:
    base = serve(site)
    page, problems = open_page(browser, base + page_url(experiment_path("demo")))
    table = page.locator("#leaderboard")
    score_column = 'th:has-text("roc_auc score")'

    def scores() -> list[str]:
        return table.locator("tbody tr td:nth-child(4)").all_inner_texts()

    assert [s.split(" ± ")[0] for s in scores()] == ["0.9000", "0.8000", "0.7000"]
    table.locator(score_column).click()
    assert [s.split(" ± ")[0] for s in scores()] == ["0.7000", "0.8000", "0.9000"]
    table.locator(score_column).click()
    assert [s.split(" ± ")[0] for s in scores()] == ["0.9000", "0.8000", "0.7000"]
    table.locator('th:has-text("Params")').click()
    assert table.locator("tbody tr td:nth-child(3)").all_inner_texts() == ["C=1", "C=2", "C=3"]
    assert problems == []

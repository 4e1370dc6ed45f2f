"""Every page of a built site in a real browser: loads clean, offline, sorts, plots, is safe."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from mlreport.config import SiteSettings
from mlreport.site import build_site, experiment_path, model_path, page_url
from tests.builders import DatasetBuilder

pytestmark = pytest.mark.browser

#: Trials of the demo experiment's "forest" search: more than one table page, so the
#: leaderboard arrives as data and is paged, sorted and filtered by the browser.
LONG_TRIALS = 130


def long_score(i: int) -> float:
    """Scores that are not in trial order: (i * 37) mod 131 / 1000."""
    return (i * 37 % 131) / 1000


#: Script-injection payloads: tags, event handlers, javascript: and data: links, Markdown
#: link tricks, template syntax, attribute and comment breakouts, external loads. Each
#: would show a dialog or make a request the tests catch if it ever ran.
PAYLOADS = [
    "<script>alert('script')</script>",
    "<img src=x onerror=alert('img')>",
    "[click](javascript:alert('md'))",
    "{{ alert('jinja') }}",
    "\"><svg onload=alert('attr')>",
    "</script><script>alert('close')</script>",
    "javascript:alert('href')",
    "<a href=\"javascript:alert('a')\">link</a>",
    "'-alert('quote')-'",
    "<iframe srcdoc=\"<script>alert('iframe')</script>\"></iframe>",
    "<body onload=alert('body')>",
    "<details open ontoggle=alert('details')>",
    "<input autofocus onfocus=alert('focus')>",
    "![pic](x\" onerror=\"alert('mdimg'))",
    "[data](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "{% print('jinja-statement') %}",
    "${alert('template-literal')}",
    "<%= alert('erb') %>",
    "<!--<script>alert('comment')</script>-->",
    "<style>@import 'http://evil.example/x.css';</style>",
    "<link rel=stylesheet href=http://evil.example/y.css>",
    "<object data=\"javascript:alert('object')\"></object>",
    "`<script>alert('backtick')</script>`",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert('math')>",
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
    # a leaderboard long enough to be paged in the browser, its params carrying payloads
    builder.search(
        "1",
        "demo",
        "forest",
        primary="roc_auc",
        trials=[
            (
                {"depth": str(i), "note": PAYLOADS[i % len(PAYLOADS)]},
                {"cv_roc_auc_mean": long_score(i), "fit_time_s": 0.01 * i, "rank": float(i)},
            )
            for i in range(1, LONG_TRIALS + 1)
        ],
        test_scores={"roc_auc": 0.5},
    )
    builder.predictions["lr-best"] = pd.DataFrame(
        {
            "y_true": ["yes", "no", "yes", "no", "yes"] * 40,
            "y_pred": ["yes", "no", "no", "no", "yes"] * 40,
            "proba_no": [0.1, 0.8, 0.6, 0.7, 0.3] * 40,
            "proba_yes": [0.9, 0.2, 0.4, 0.3, 0.7] * 40,
            # a fairness report whose group names are payloads
            "sensitive_group": [PAYLOADS[0], PAYLOADS[1], "b", "c"] * 50,
        }
    )
    builder.hostile_experiment("2", HOSTILE)
    builder.experiment("4", "labels", description="Class labels carrying payloads.")
    builder.search(
        "4",
        "labels",
        "labels",
        primary="accuracy",
        trials=[({"C": "1"}, {"cv_accuracy_mean": 0.6, "fit_time_s": 0.2, "rank": 1.0})],
        test_scores={"accuracy": 0.5},
    )
    builder.predictions["labels-best"] = pd.DataFrame(
        {"y_true": [*PAYLOADS, "b"], "y_pred": ["b", *PAYLOADS[::-1]]}
    )
    builder.explanations["labels-best"] = pd.DataFrame(
        [
            (sample, feature, output, 0.1 * (sample - 2) * (rank + 1), float(sample))
            for sample in range(5)
            for output in (PAYLOADS[0], "b")
            for rank, feature in enumerate([*PAYLOADS, "age"])
        ],
        columns=["sample", "feature", "output", "shap_value", "feature_value"],
    )
    builder.weights["labels-best"] = pd.DataFrame(
        {"output": [PAYLOADS[1], "b"], "feature": [PAYLOADS[2], "age"], "weight": [1.5, -0.5]}
    )
    builder.scaling_run(
        "1",
        "demo",
        "lr",
        pd.DataFrame(
            {
                "kind": ["fit"] * 4 + ["search"] * 2,
                "rows": [100, 200, 400, 800, 800, 800],
                "workers": [1, 1, 1, 1, 1, 2],
                "repeat": [0] * 6,
                "fit_time_s": [0.01, 0.021, 0.039, 0.085, None, None],
                "peak_memory_bytes": [1e5, 2.1e5, 3.9e5, 8.2e5, None, None],
                "wall_time_s": [None] * 4 + [4.0, 2.5],
            }
        ),
        params={
            "train_rows": "800",
            "target_rows": "1000000",
            "time_budget_s": "3600",
            "fits_in_search": "16",
            "has_partial_fit": "False",
            "machine_cores": "2",
            "machine_memory_bytes": str(8 * 1024**3),
        },
    )
    builder.experiment("3", "plain")
    builder.run("p1", "3", name=HOSTILE, params={"note": HOSTILE}, tags={"t": HOSTILE})
    for i, payload in enumerate(PAYLOADS):  # run names, param, tag and metric keys
        builder.run(
            f"payload-{i}",
            "3",
            name=payload,
            params={payload: payload},
            tags={payload: payload},
            metrics={payload: float(i)},
        )
    for i, payload in enumerate(PAYLOADS[:3]):  # experiment names, one payload each
        builder.experiment(f"payload-experiment-{i}", payload)
        builder.run(f"payload-experiment-run-{i}", f"payload-experiment-{i}", name="r")
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
        if page.locator(".mlreport-chart").count():
            page.wait_for_selector(".mlreport-chart .main-svg", timeout=15000)
            charts = page.locator(".mlreport-chart").count()
            assert page.locator(".mlreport-chart .main-svg").count() >= charts, path
            # show a hover label: it carries names, params and labels, payloads too
            chart_type = "() => document.querySelector('.mlreport-chart').data[0].type"
            if page.evaluate(chart_type) == "heatmap":
                page.hover(".mlreport-chart .nsewdrag")  # the mouse over a heatmap cell
            else:
                page.evaluate(
                    "() => Plotly.Fx.hover(document.querySelector('.mlreport-chart'),"
                    " [{curveNumber: 0, pointNumber: 0}])"
                )
            page.wait_for_selector(".hoverlayer .hovertext", timeout=5000)
        assert problems == [], path
        page.close()


@pytest.mark.timeout(1500)
def test_every_page_of_the_example_site_loads_cleanly_offline(
    browser: Any, serve: Any, examples_project: Path
) -> None:
    """The bundled examples' site (``mlreport build``, the README's main job)."""
    site = examples_project / "site"
    base = serve(site)
    pages = sorted(p.relative_to(site).as_posix() for p in site.rglob("*.html"))
    assert len(pages) >= 20
    for path in pages:
        page, problems = open_page(browser, base + path)
        charts = page.locator(".mlreport-chart").count()
        if charts:
            page.wait_for_function(
                f"() => document.querySelectorAll('.mlreport-chart .main-svg').length >= {charts}",
                timeout=20000,
            )
        assert problems == [], path
        page.close()


def test_hostile_names_are_shown_as_text(browser: Any, serve: Any, site: Path) -> None:
    base = serve(site)
    page, problems = open_page(browser, base + page_url(experiment_path(HOSTILE)))
    assert HOSTILE in page.inner_text("article")
    assert page.locator("article img").count() == 0
    assert problems == []


def test_a_short_table_sorts_by_clicked_column(browser: Any, serve: Any, site: Path) -> None:
    base = serve(site)
    page, problems = open_page(browser, base + page_url(experiment_path("demo")))
    table = page.locator("#models")

    def models() -> list[str]:
        return table.locator("tbody tr td:nth-child(1)").all_inner_texts()

    assert models() == ["lr", "forest"]  # best test score first
    table.locator('th:has-text("Test roc_auc")').click()
    assert models() == ["forest", "lr"]
    table.locator('th:has-text("Trials")').click()
    assert models() == ["lr", "forest"]  # 3 trials, then 130
    table.locator('th:has-text("Trials")').click()
    assert models() == ["forest", "lr"]
    assert problems == []


def test_a_long_leaderboard_is_paged_sorted_and_filtered_in_the_browser(
    browser: Any, serve: Any, site: Path
) -> None:
    base = serve(site)
    page, problems = open_page(browser, base + page_url(experiment_path("demo")))
    table = page.locator("#leaderboard")
    status = page.locator(".mlreport-pager-status")
    total = 3 + LONG_TRIALS
    scores = [0.9, 0.8, 0.7, *sorted(long_score(i) for i in range(1, LONG_TRIALS + 1))[::-1]]

    # columns: the tick box, #, Model, Run, Params, the roc_auc score, ...
    number, params_column, score_column = 2, 5, 6

    def shown(column: int) -> list[str]:
        return table.locator(f"tbody tr td:nth-child({column})").all_inner_texts()

    def shown_scores() -> list[float]:
        return [float(text.split(" ± ")[0]) for text in shown(score_column)]

    assert status.inner_text() == f"Rows 1\N{EN DASH}50 of {total}"
    assert shown_scores() == scores[:50]
    assert shown(number) == [str(n) for n in range(1, 51)]
    page.locator(".mlreport-pager .mlreport-next").click()
    assert status.inner_text() == f"Rows 51\N{EN DASH}100 of {total}"
    assert shown_scores() == scores[50:100]
    page.locator(".mlreport-pager .mlreport-next").click()
    assert shown_scores() == scores[100:]
    assert page.locator(".mlreport-pager .mlreport-next").is_disabled()

    table.locator('th:has-text("roc_auc score")').click()  # sorts every row, not one page
    assert status.inner_text() == f"Rows 1\N{EN DASH}50 of {total}"
    assert shown_scores() == sorted(scores)[:50]
    table.locator('th:has-text("roc_auc score")').click()
    assert shown_scores() == scores[:50]

    page.locator(".mlreport-filter").fill("depth=12")  # depth 12 and 120 to 129
    assert status.inner_text() == f"Rows 1\N{EN DASH}11 of 11 (filtered from {total})"
    params = shown(params_column)
    assert len(params) == 11 and all("depth=12" in text for text in params)
    assert shown_scores() == sorted(shown_scores(), reverse=True)  # still sorted
    page.locator(".mlreport-filter").fill("no such row")
    assert status.inner_text() == "No row matches."
    page.locator(".mlreport-filter").fill("")
    assert status.inner_text() == f"Rows 1\N{EN DASH}50 of {total}"
    # cells are text: the payloads in params show as written, nothing became markup
    page.locator(".mlreport-pager .mlreport-next").click()
    assert any(PAYLOADS[1] in text for text in shown(params_column))
    assert table.locator("tbody img, tbody svg, tbody iframe, tbody script").count() == 0
    assert problems == []


def test_the_site_search_finds_an_experiment_by_name(browser: Any, serve: Any, site: Path) -> None:
    base = serve(site)
    page, problems = open_page(browser, base + "index.html")
    page.locator(".md-search__input").click()
    page.locator(".md-search__input").press_sequentially("labels", delay=30)  # as typed
    target = page_url(experiment_path("labels"))
    result = page.locator(f'.md-search-result__item a[href^="{base + target}?"]').first
    result.wait_for(timeout=10000)  # the experiment's page is among the results
    assert "labels" in result.inner_text()
    result.click()
    page.wait_for_url(base + target + "*")
    assert page.locator("h1").first.inner_text() == "labels"
    assert problems == []


def test_the_confusion_matrix_switch_changes_the_heatmap(
    browser: Any, serve: Any, site: Path
) -> None:
    base = serve(site)
    page, problems = open_page(browser, base + page_url(model_path("demo", "lr")))
    page.wait_for_selector("#chart-confusion .main-svg", timeout=15000)

    def cells() -> list[list[float]]:
        return page.evaluate("() => document.querySelector('#chart-confusion').data[0].z")

    assert cells() == [[80, 0], [40, 80]]  # rows: true no, yes; columns: predicted no, yes
    page.wait_for_selector("#chart-roc .main-svg", timeout=15000)  # and the binary curves
    page.wait_for_selector("#chart-pr .main-svg", timeout=15000)
    page.locator("#chart-confusion .updatemenu-button", has_text="normalised by true class").click()
    page.wait_for_function("() => document.querySelector('#chart-confusion').data[0].z[1][0] < 1")
    assert cells() == [[1.0, 0.0], [pytest.approx(1 / 3), pytest.approx(2 / 3)]]
    assert "33.3%" in page.inner_text("#chart-confusion")
    page.locator("#chart-confusion .updatemenu-button", has_text="predicted class").click()
    page.wait_for_function("() => document.querySelector('#chart-confusion').data[0].z[0][0] < 1")
    assert cells()[0] == [pytest.approx(2 / 3), 0.0]
    page.locator("#chart-confusion .updatemenu-button", has_text="counts").click()
    page.wait_for_function("() => document.querySelector('#chart-confusion').data[0].z[0][0] == 80")
    assert problems == []


def test_the_beeswarm_menu_switches_the_explained_class(
    browser: Any, serve: Any, site: Path
) -> None:
    import re

    base = serve(site)
    page, problems = open_page(browser, base + page_url(model_path("labels", "labels")))
    page.wait_for_selector("#chart-beeswarm .main-svg", timeout=15000)
    page.wait_for_selector("#chart-importance .main-svg", timeout=15000)
    visible = "() => document.querySelector('#chart-beeswarm').data.map(t => t.visible)"
    assert page.evaluate(visible) == [True, False]  # the first class explained
    page.locator("#chart-beeswarm .updatemenu-button", has_text=re.compile(r"^b$")).click()
    page.wait_for_function("() => document.querySelector('#chart-beeswarm').data[1].visible")
    assert page.evaluate(visible) == [False, True]
    assert PAYLOADS[2] in page.inner_text("#weights")  # eli5's table, the payload as text
    assert problems == []


def test_every_page_has_a_policy_that_refuses_inline_script(
    browser: Any, serve: Any, site: Path
) -> None:
    base = serve(site)
    pages = sorted(p.relative_to(site).as_posix() for p in site.rglob("*.html"))
    for path in pages:
        html = (site / path).read_text()
        assert html.count('http-equiv="Content-Security-Policy"') == 1, path
        assert "'unsafe-inline'" not in html.split("script-src", 1)[1].split(";", 1)[0], path
    page, _ = open_page(browser, base + page_url(experiment_path("demo")))
    with page.expect_console_message(lambda m: "Content Security Policy" in m.text):
        page.evaluate(
            "() => { const s = document.createElement('script');"
            " s.textContent = 'window.injected = true'; document.body.appendChild(s); }"
        )
    assert page.evaluate("() => window.injected") is None


#: Pages written around mlreport's escaping: what the policy and the table script must stop.
SMUGGLED = """---
title: "smuggled"
---
<div><script>window.smuggled = true</script>
<img src="x" onerror="window.handler = true"></div>
"""
HOSTILE_HREFS = [
    "javascript:window.linked = true",
    "java\tscript:window.linked = true",
    "\x01javascript:window.linked = true",
    " JavaScript:window.linked = true",
    "data:text/html,<script>window.linked = true</script>",
    "vbscript:msgbox(1)",
]


@pytest.fixture(scope="module")
def crafted_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A site whose pages carry what escaping would never let through: a raw script and
    an event handler in a page's content, and table links with hostile schemes."""
    from mlreport.site import Cell, Column, RunsPage, Table
    from mlreport.site._build import _build_html, _render, template_environment
    from mlreport.site._rebuild import MarkdownStore, RenderedPage, SiteRecord

    root = tmp_path_factory.mktemp("crafted")
    store = MarkdownStore(root / "work" / "pages")
    rows = tuple(
        (Cell(f"run {i}", href=HOSTILE_HREFS[i % len(HOSTILE_HREFS)] if i < 60 else "x.html"),)
        for i in range(120)  # a long table: drawn by mlreport.js
    )
    table = RunsPage(
        path="index.md",
        title="links",
        tables={"runs": Table("runs", (Column("Run"),), rows)},
    )
    pages = [
        _render(store, template_environment(), table),
        RenderedPage("smuggled.md", "smuggled", "runs", store.put(SMUGGLED)),
    ]
    _build_html(
        pages,
        root / "site",
        settings=SiteSettings(site_name="crafted"),
        work_dir=root / "work",
        store=store,
        record=SiteRecord(),
        previous=SiteRecord(),
        progress=None,
    )
    return root / "site"


def test_a_script_in_a_pages_content_never_runs(
    browser: Any, serve: Any, crafted_site: Path
) -> None:
    html = (crafted_site / "smuggled.html").read_text()
    assert "<script>window.smuggled = true</script>" in html  # it reached the page
    base = serve(crafted_site)
    page, problems = open_page(browser, base + "smuggled.html")
    assert page.evaluate("() => [window.smuggled, window.handler]") == [None, None]
    assert sum("Content Security Policy" in p for p in problems) >= 2  # both refused


def test_the_table_script_drops_links_with_other_schemes(
    browser: Any, serve: Any, crafted_site: Path
) -> None:
    base = serve(crafted_site)
    page, problems = open_page(browser, base + "index.html")
    links = page.locator("#runs tbody a")

    def hrefs() -> list[str]:
        return [links.nth(i).get_attribute("href") or "" for i in range(links.count())]

    assert hrefs() == []  # rows 1-50: hostile links, shown as text
    assert page.locator("#runs tbody tr").count() == 50
    page.locator(".mlreport-pager .mlreport-next").click()
    assert hrefs() == ["x.html"] * 40  # rows 51-60 hostile, 61-100 safe
    page.locator(".mlreport-pager .mlreport-next").click()
    assert hrefs() == ["x.html"] * 20
    assert page.evaluate("() => window.linked") is None
    assert problems == []

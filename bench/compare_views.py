"""Drawing the comparison views in Chromium (issue 18).

Goals: opening an experiment page whose search holds 2,000 trials and drawing its
parallel-coordinates view, and opening a comparison of 10 runs with 3 histories of
1,000 steps each: time to the last chart drawn at most 1 s each, with the page weight.

The store (untimed): a real SQLite MLflow store written with ``mlreport.run.tracking``:
one mlreport experiment whose one model's search has ``--trials`` trials of four params
(two log-spaced, one linear, one categorical) and a best run, and an experiment mlreport
did not create with ``--runs`` runs, each logging ``--histories`` metrics of ``--steps``
steps. ``mlreport export`` and ``mlreport site`` build the site (untimed).

Timed, in Debian's Chromium driven by Playwright (``/usr/bin/chromium``), the site served
on loopback over HTTP (as GitHub Pages serves it), each page ``--repeats`` times: first
opened in a fresh browser profile (nothing cached), then opened again twice in that
profile (plotly.js cached and compiled, as when a reader goes from page to page; the
second reopening is kept). Measured: from navigation start to the moment every chart of
the page is drawn (``performance.now()`` when the last plotly chart has its SVG, or the
comparison's history charts are all drawn); medians reported. For the experiment page,
also when its first chart and its parallel-coordinates view were drawn (charts are drawn
one per task, those in view first). Baselines, same run: the site's home page (the
theme, the shared scripts and one table, no chart) to its load event, and a page that
only loads the site's plotly.min.js and draws three points (the floor of any page with a
chart); the ratios are target/baseline. Page weight: the bytes the page loads.

Run: ``.venv/bin/python bench/compare_views.py [--quick]``
"""

from __future__ import annotations

import contextlib
import math
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

from bench._common import header, median, parse_with_defaults, parser, ratio, result_line

GOAL_S = 1.0
EXPERIMENT = "many-trials"
FOREIGN = "training-loops"


def write_store(uri: str, *, trials: int, runs: int, histories: int, steps: int) -> None:
    import json

    from mlflow import MlflowClient
    from mlflow.entities import Metric, Param

    from mlreport import schema
    from mlreport.run.tracking import FinishedRun, RunRecord, Tracker

    rng = np.random.default_rng(0)
    tracker = Tracker(uri)
    experiment_id = tracker.experiment_id(EXPERIMENT, description="benchmark")
    base = {
        schema.TAG_EXPERIMENT: EXPERIMENT,
        schema.TAG_MODEL: "sgd",
        schema.TAG_PRIMARY_METRIC: "accuracy",
        schema.TAG_ESTIMATOR: "sklearn.linear_model.SGDClassifier",
        schema.TAG_STRATEGY: "random",
    }
    space = {
        "alpha": {"distribution": "loguniform", "low": 1e-6, "high": 1.0},
        "eta0": {"distribution": "loguniform", "low": 1e-4, "high": 1.0},
        "l1_ratio": {"distribution": "uniform", "low": 0.0, "high": 1.0},
        "penalty": ["l2", "l1", "elasticnet"],
    }
    search = tracker.start_run(
        experiment_id, name="sgd search", tags={**base, schema.TAG_ROLE: schema.ROLE_SEARCH}
    )
    tracker.log(search, RunRecord(params={schema.PARAM_SEARCH_SPACE: json.dumps(space)}))
    start = 1_790_000_000_000
    finished = []
    for index in range(trials):
        params = {
            "alpha": float(10 ** rng.uniform(-6, 0)),
            "eta0": float(10 ** rng.uniform(-4, 0)),
            "l1_ratio": float(rng.uniform()),
            "penalty": str(rng.choice(space["penalty"])),
        }
        score = 0.9 - 0.02 * (math.log10(params["alpha"]) + 3) ** 2 + rng.normal(0, 0.01)
        finished.append(
            FinishedRun(
                name=f"sgd trial {index}",
                tags={
                    **base,
                    schema.TAG_ROLE: schema.ROLE_TRIAL,
                    schema.TAG_TRIAL_INDEX: str(index),
                },
                record=RunRecord(
                    params=params, metrics={"cv_accuracy_mean": score, "fit_time_s": 0.1}
                ),
                start_time=start + index * 100,
                end_time=start + index * 100 + 90,
                parent_run_id=search,
            )
        )
    tracker.log_finished_runs(experiment_id, finished)
    best = tracker.start_run(
        experiment_id, name="sgd best", tags={**base, schema.TAG_ROLE: schema.ROLE_BEST},
        parent_run_id=search,
    )  # fmt: skip
    tracker.log(best, RunRecord(params={}, metrics={"test_accuracy": 0.9, "cv_accuracy_mean": 0.9}))
    tracker.finish(best)
    tracker.finish(search)
    client = MlflowClient(tracking_uri=uri)
    foreign = client.create_experiment(FOREIGN)
    for number in range(runs):
        run = client.create_run(foreign, run_name=f"net {number}").info.run_id
        metrics = [
            Metric(
                f"metric_{k}", float(np.exp(-step / (200 + 30 * number)) + k), start + step, step
            )
            for k in range(histories)
            for step in range(steps)
        ]
        for at in range(0, len(metrics), 1000):
            client.log_batch(run, metrics=metrics[at : at + 1000])
        client.log_batch(
            run, params=[Param("lr", str(10.0 ** -(number % 4))), Param("n", str(number))]
        )
        client.set_terminated(run)


def serve(folder: Path) -> str:
    """Serve ``folder`` on loopback (as GitHub Pages would serve the site); its base URL."""
    import functools
    import http.server
    import threading

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

    handler = functools.partial(Quiet, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_port}/"


def mlreport(*args: str, cwd: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "mlreport", *args], cwd=cwd, capture_output=True, text=True,
        check=False, env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])},
    )  # fmt: skip
    if done.returncode != 0:
        raise SystemExit(f"mlreport {' '.join(args)} failed: {done.stderr.strip()}")


ALL_CHARTS_DRAWN = """() => {
  const charts = Array.from(document.querySelectorAll('.mlreport-chart'));
  return charts.length > 0 && charts.every(c => c.querySelector('.main-svg'));
}"""
#: Records, each animation frame, when each chart of the page first has its SVG.
CHART_CLOCK = """
window.__drawnAt = {};
(function check() {
  document.querySelectorAll('.mlreport-chart').forEach(c => {
    if (c.id && !(c.id in window.__drawnAt) && c.querySelector('.main-svg'))
      window.__drawnAt[c.id] = performance.now();
  });
  requestAnimationFrame(check);
})();
"""
#: plotly.js alone: a page that loads the site's plotly.min.js and draws three points.
PLOTLY_ALONE = """<!doctype html><html><head><meta charset="utf-8"></head><body><div id="c"></div>
<script src="assets/plotly.min.js"></script><script src="bench-plotly.js"></script></body></html>
"""
PLOTLY_ALONE_SCRIPT = """Plotly.newPlot("c", [{x: [1, 2, 3], y: [1, 3, 2]}]).then(function () {
  window.__drawn = true;
});
"""
PLOTLY_DRAWN = "() => window.__drawn === true"
HISTORIES_DRAWN = """(count) => document.querySelectorAll(
  '.mlreport-history-chart[data-drawn]').length >= count"""


def open_timed(
    context: Any, url: str, condition: str, argument: Any = None
) -> tuple[float, int, dict[str, float]]:
    """Seconds from navigation start to ``condition`` holding, bytes loaded, and the
    seconds at which each chart was first drawn."""
    page = context.new_page()
    page.add_init_script(CHART_CLOCK)
    loaded: list[int] = []

    def count(response: Any) -> None:
        with contextlib.suppress(Exception):  # a file the page did not get
            loaded.append(len(response.body()))

    page.on("response", count)
    page.goto(url)
    if condition == "load":
        page.wait_for_load_state("load")
    else:
        page.wait_for_function(condition, arg=argument, timeout=60_000, polling="raf")
    elapsed = page.evaluate("() => performance.now()") / 1000
    drawn = {k: v / 1000 for k, v in page.evaluate("() => window.__drawnAt").items()}
    page.close()
    return elapsed, sum(loaded), drawn


def _milestones(drawn: dict[str, float]) -> tuple[float, float, float]:
    """(first chart, the parallel-coordinates view, last chart), in seconds."""
    parallel = [at for chart, at in drawn.items() if chart.endswith("-parallel")]
    return min(drawn.values()), min(parallel), max(drawn.values())


def main() -> None:
    cli = parser(__doc__.splitlines()[0])
    cli.add_argument("--trials", type=int)
    cli.add_argument("--runs", type=int)
    cli.add_argument("--histories", type=int)
    cli.add_argument("--steps", type=int)
    cli.add_argument("--repeats", type=int)
    args = parse_with_defaults(
        cli,
        {
            "trials": (2000, 300),
            "runs": (10, 10),
            "histories": (3, 3),
            "steps": (1000, 200),
            "repeats": (5, 2),
        },
    )
    header(
        "comparison views in Chromium",
        goal=f"experiment page of {args.trials:,} trials and a comparison of {args.runs} runs "
        f"x {args.histories} histories x {args.steps:,} steps each drawn within {GOAL_S:.0f} s",
        settings=vars(args),
    )
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        uri = f"sqlite:///{work / 'mlflow.db'}"
        started = time.perf_counter()
        write_store(
            uri, trials=args.trials, runs=args.runs, histories=args.histories, steps=args.steps
        )
        mlreport("export", "--tracking-uri", uri, cwd=work)
        mlreport("site", cwd=work)
        print(f"store, export and site (untimed): {time.perf_counter() - started:.0f} s")
        site = work / "site"
        experiment_html = site / "experiments" / f"{EXPERIMENT}.html"
        data = sorted((site / "data" / "mlflow").rglob("*.js"))
        group = f"mlflow/{data[0].parent.name}"
        import json

        first = next(p for p in data if p.name == "runs-0.js")
        runs = json.loads(first.read_text().split(".push(", 1)[1].removesuffix(");\n"))["runs"]
        refs = "&".join(f"run={group}/{run['id']}" for run in runs[: args.runs])
        (site / "bench-plotly.html").write_text(PLOTLY_ALONE)
        (site / "bench-plotly.js").write_text(PLOTLY_ALONE_SCRIPT)  # the policy: no inline
        base_url = serve(site)
        compare_url = base_url + "compare.html?" + refs
        pages = (
            ("baseline", base_url + "index.html", "load", None),
            ("plotly alone", base_url + "bench-plotly.html", PLOTLY_DRAWN, None),
            ("experiment", base_url + f"experiments/{EXPERIMENT}.html", ALL_CHARTS_DRAWN, None),
            ("compare", compare_url, HISTORIES_DRAWN, args.histories),
        )
        cold: dict[str, list[float]] = {name: [] for name, *_ in pages}
        warm: dict[str, list[float]] = {name: [] for name, *_ in pages}
        weights: dict[str, int] = {}
        #: per open of the experiment page: seconds to its first chart, to its parallel
        #: coordinates, to its last chart
        milestones: dict[str, list[tuple[float, float, float]]] = {
            "first open": [],
            "opened again": [],
        }
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path="/usr/bin/chromium",
                args=["--headless", "--no-sandbox", "--disable-gpu"],
            )
            for _ in range(args.repeats):
                for name, url, condition, argument in pages:
                    # cold: a fresh browser profile; warm: opened again in it (its cache
                    # holds plotly.js compiled, as when a reader goes from page to page)
                    context = browser.new_context(viewport={"width": 1400, "height": 900})
                    seconds, weight, drawn = open_timed(context, url, condition, argument)
                    cold[name].append(seconds)
                    weights[name] = weight
                    if name == "experiment":
                        milestones["first open"].append(_milestones(drawn))
                    for _ in range(2):
                        seconds, _, drawn = open_timed(context, url, condition, argument)
                    warm[name].append(seconds)
                    if name == "experiment":
                        milestones["opened again"].append(_milestones(drawn))
                    context.close()
            browser.close()
        html_kb = experiment_html.stat().st_size / 1000
        data_kb = sum(p.stat().st_size for p in data) / 1000
        print(
            f"experiment page: HTML {html_kb:,.0f} KB; comparison: run data {data_kb:,.0f} KB "
            f"in {len(data)} files; bytes loaded per open (plotly.js included): "
            + ", ".join(f"{k} {v / 1e6:.2f} MB" for k, v in weights.items())
        )
        for label, timings in (("first open", cold), ("opened again", warm)):
            alone = median(timings["plotly alone"])
            first, parallel, last = (median([m[i] for m in milestones[label]]) for i in range(3))
            print(
                f"{label}: plotly.js alone (load, run, draw 3 points) {alone:.3f} s; experiment "
                f"page: first chart {first:.3f} s, parallel coordinates {parallel:.3f} s, "
                f"last chart {last:.3f} s; last chart / plotly alone {ratio(last, alone):.2f}x"
            )
            base = median(timings["baseline"])
            for name in ("experiment", "compare"):
                value = median(timings[name])
                print(
                    f"{name}, {label}: median {value:.3f} s over {args.repeats} ("
                    + ", ".join(f"{t:.3f}" for t in timings[name])
                    + f"); baseline (home page load) {base:.3f} s; ratio {ratio(value, base):.2f}x"
                )
                shown = f"{value:.3f} s"
                goal = f"<= {GOAL_S} s"
                line = result_line(
                    f"{name} ({label}) to last chart", value, shown, goal, value <= GOAL_S
                )
                print("RESULT " + line)


if __name__ == "__main__":
    main()

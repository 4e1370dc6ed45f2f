"""Compute behind a model page of the Adult example (issue 5).

Goal: with the default ``explain`` settings a model page costs under 30 s of compute.

A model page costs compute twice:

* at run time, the explanation of the best model (SHAP on at most 200 seeded test rows,
  eli5's weights), logged as ``explain_time_s`` by the best-model run;
* at site time, the page itself: PyCM's confusion statistics, the curves, the SHAP
  summaries and charts from the exported artifacts (``mlreport.site._pages``), and the
  rendering of its Markdown (timed here as the median of ``--repeats`` builds).

The benchmark copies ``experiments/adult-income.yaml`` (without its scaling section, which
the page does not need) into a temporary project, runs ``mlreport run`` and ``mlreport
export`` there, then times each Adult model page. Printed per model: explanation time,
page build time, their sum against the 30 s budget, and, as a baseline measured in the
same run, the model's own search wall time per fit (``search_wall_time_s`` divided by
candidates x folds): what one fit of that model costs on this machine.

Run: ``/work/venv/bin/python bench/model_page_time.py [--repeats 5]``
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]
BUDGET_S = 30.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5, help="page builds to take the median of")
    args = parser.parse_args()

    from mlreport import schema
    from mlreport.analysis import experiment_results
    from mlreport.dataset import read_dataset
    from mlreport.site import render_page
    from mlreport.site._build import template_environment
    from mlreport.site._pages import _model_page_from

    with tempfile.TemporaryDirectory(prefix="mlreport-bench-") as folder:
        project = Path(folder)
        spec = yaml.safe_load((REPO / "experiments" / "adult-income.yaml").read_text())
        spec.pop("scaling", None)
        spec["data"]["path"] = str(REPO / "experiments" / spec["data"]["path"])
        (project / "experiments").mkdir()
        (project / "experiments" / "adult.yaml").write_text(yaml.safe_dump(spec))
        started = time.perf_counter()
        for command in ("run", "export"):
            subprocess.run(
                [sys.executable, "-m", "mlreport", command],
                cwd=project,
                check=True,
                capture_output=True,
            )
        print(f"mlreport run + export of the Adult example: {time.perf_counter() - started:.1f} s")
        dataset = read_dataset(project / "export")
        (result,) = experiment_results(dataset)
        metrics = dataset["metrics"]
        params = dataset["params"]
        environment = template_environment()
        print(
            f"{'model':<22}{'explainer':<10}{'explain':>10}{'page':>10}{'total':>10}"
            f"{'/ 30 s':>9}{'one fit':>10}{'total / fit':>13}"
        )
        for model in result.models:
            run_id = model.best_run_id or ""
            explain = metrics[
                (metrics["run_id"] == run_id) & (metrics["key"] == schema.METRIC_EXPLAIN_TIME)
            ]["value"].item()
            timings = []
            for _ in range(args.repeats):
                begin = time.perf_counter()
                page = _model_page_from(dataset, result, model)
                assert page is not None
                render_page(environment, page)
                timings.append(time.perf_counter() - begin)
            page_s = statistics.median(timings)
            search = params[params["run_id"] == model.search_run_id].set_index("key")["value"]
            fits = int(search["n_candidates"]) * int(search["cv"])
            one_fit = model.search_wall_time_s * 2 / fits  # two workers share the fits
            total = explain + page_s
            print(
                f"{model.name:<22}{model.explainer:<10}{explain:>9.2f}s{page_s:>9.2f}s"
                f"{total:>9.2f}s{total / BUDGET_S:>9.3f}{one_fit:>9.2f}s{total / one_fit:>13.2f}"
            )


if __name__ == "__main__":
    main()

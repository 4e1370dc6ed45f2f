"""The ``mlreport`` command: parse arguments, call one library function, map errors."""

from __future__ import annotations

import contextlib
import functools
import http.server
import logging
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import click
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
)

from mlreport import __version__
from mlreport._progress import PlainProgress
from mlreport._signals import stop_signals
from mlreport.errors import EXIT_FAILURE, MlreportError, Terminated, first_line
from mlreport.publish import DEFAULT_BRANCH, DEFAULT_MESSAGE

if TYPE_CHECKING:
    from mlreport.analysis import ModelFairness
    from mlreport.fairness import Task
    from mlreport.run import RunSummary

stderr = Console(stderr=True, highlight=False, soft_wrap=True)
stdout = Console(highlight=False, soft_wrap=True)
SITE_MISSING = "{site}/index.html does not exist: run `mlreport build` first"
PORT_UNAVAILABLE = "cannot listen on {host}:{port}: {reason}"
MODELS_FAILED = "{count} model search(es) failed: {details}"
INTERRUPTED = "interrupted; outputs of earlier builds are left as they were"
TERMINATED = "stopped by SIGTERM; outputs of earlier builds are left as they were"
LIBRARY_WARNINGS = "{count} library warning(s); --debug shows them"
STALE_RUNS_CLOSED = (
    "closed {count} run(s) left RUNNING by mlreport processes that are gone (now KILLED)"
)
UNEXPECTED = "unexpected {kind}: {message} (run again with --debug for the traceback)"
GATES_FAILED = "{count} of {total} quality gates failed"
NO_REGRESSION_GATE = "--base is given, but mlreport.yaml sets no gates.max_regression to check"
NOTHING_TO_CHECK = (
    "no quality gate to check: no metric floor or regression gate in mlreport.yaml, and no "
    "best model's predictions carry sensitive features"
)
_debug = False


def progress_bar() -> Progress:
    if not (stdout.is_terminal and stderr.is_terminal):  # a log: lines, at least every 30 s
        return PlainProgress(stdout)
    return Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=stderr,
        transient=True,
    )


def _set_debug(ctx: click.Context, param: click.Parameter, value: bool) -> bool:
    global _debug
    _debug = _debug or value
    return value


debug_option = click.option(
    "--debug",
    is_flag=True,
    expose_value=False,
    callback=_set_debug,
    is_eager=True,
    help="Show tracebacks instead of one-line errors.",
)
tracking_option = click.option(
    "--tracking-uri",
    metavar="URI",
    default=None,
    help="MLflow tracking URI (default: $MLFLOW_TRACKING_URI, else sqlite:///mlflow.db).",
)
scheduler_option = click.option(
    "--scheduler",
    metavar="ADDRESS",
    default=None,
    help="Address of an existing dask scheduler (default: a LocalCluster sized to this machine).",
)
force_option = click.option(
    "--force", is_flag=True, help="Run every experiment even if it is unchanged and finished."
)
overwrite_option = click.option(
    "--overwrite",
    is_flag=True,
    help="Replace the output folder even if it is not one mlreport wrote.",
)


def data_option(help_text: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    return click.option(
        "--data",
        "data_dir",
        type=click.Path(path_type=Path),
        default=Path("export"),
        show_default=True,
        help=help_text,
    )


def out_option(default: str, help_text: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    return click.option(
        "--out",
        "out_dir",
        type=click.Path(path_type=Path),
        default=Path(default),
        show_default=True,
        help=help_text,
    )


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="mlreport")
@debug_option
def cli() -> None:
    """Run experiments on dask, track them in MLflow, publish a static report site."""


@cli.command()
@tracking_option
@scheduler_option
@data_option("Where the Parquet export is written.")
@out_option("site", "Where the static site is written.")
@force_option
@overwrite_option
@debug_option
def build(
    tracking_uri: str | None,
    scheduler: str | None,
    data_dir: Path,
    out_dir: Path,
    force: bool,
    overwrite: bool,
) -> None:
    """Run changed experiments, export the tracking store and build the site."""
    from mlreport._store import describe_store, resolve_tracking_uri
    from mlreport.config import Project
    from mlreport.pipeline import build as build_all

    started = time.monotonic()
    uri = resolve_tracking_uri(tracking_uri)
    stdout.print(describe_store(uri), markup=False)
    with progress_bar() as progress:
        summary = build_all(
            Project(),
            tracking_uri=uri,
            data_dir=data_dir,
            site_dir=out_dir,
            scheduler=scheduler,
            force=force,
            overwrite=overwrite,
            progress=progress,
            on_run_done=_report_run,
        )
    stdout.print(
        f"exported {summary.export.row_counts['runs']} runs to {data_dir}/; "
        f"built {summary.site.pages} pages into {out_dir}/ ({summary.site.unchanged_text}) "
        f"in {time.monotonic() - started:.1f} s"
    )
    _fail_on_failed_models(summary.run)


@cli.command()
@click.argument("files", nargs=-1, type=click.Path(path_type=Path))
@tracking_option
@scheduler_option
@force_option
@debug_option
def run(
    files: tuple[Path, ...], tracking_uri: str | None, scheduler: str | None, force: bool
) -> None:
    """Run experiments (default: every experiments/*.yaml)."""
    from mlreport._store import describe_store, resolve_tracking_uri
    from mlreport.config import Project
    from mlreport.pipeline import load_runnable_project, run_project

    uri = resolve_tracking_uri(tracking_uri)
    stdout.print(describe_store(uri), markup=False)
    _, specs, data_problems = load_runnable_project(Project(), files)
    with progress_bar() as progress:
        summary = run_project(
            specs,
            data_problems,
            tracking_uri=uri,
            scheduler=scheduler,
            force=force,
            progress=progress,
        )
    _report_run(summary)
    _fail_on_failed_models(summary)


@cli.command()
@tracking_option
@out_option("export", "Folder of the Parquet dataset.")
@click.option(
    "--full",
    is_flag=True,
    help="Read every run's metric history again instead of only those of changed runs.",
)
@overwrite_option
@debug_option
def export(tracking_uri: str | None, out_dir: Path, full: bool, overwrite: bool) -> None:
    """Export every run of the MLflow store to a Parquet dataset (only changes, if the
    folder holds a previous export of the same store)."""
    from mlreport._store import describe_store, resolve_tracking_uri
    from mlreport.export import export_store

    started = time.monotonic()
    uri = resolve_tracking_uri(tracking_uri)
    stdout.print(describe_store(uri, creates=False), markup=False)
    with progress_bar() as progress:
        summary = export_store(uri, out_dir, progress=progress, full=full, overwrite=overwrite)
    for warning in summary.warnings:
        stderr.print(f"warning: {warning}", markup=False)
    counts = ", ".join(f"{n} {name}" for name, n in summary.row_counts.items())
    read = (
        f"histories of {summary.histories_read} changed runs read"
        if summary.incremental
        else "every history read"
    )
    stdout.print(
        f"exported to {out_dir}/ in {time.monotonic() - started:.1f} s ({read}): {counts}",
        markup=False,
    )


@cli.command()
@data_option("Folder of the Parquet dataset to read.")
@out_option("site", "Where the static site is written.")
@overwrite_option
@debug_option
def site(data_dir: Path, out_dir: Path, overwrite: bool) -> None:
    """Build the static site from the Parquet dataset."""
    from mlreport.config import Project, load_site_settings
    from mlreport.site import build_site

    project = Project()
    settings = load_site_settings(project.settings_file)
    with progress_bar() as progress:
        summary = build_site(
            data_dir,
            out_dir,
            settings=settings,
            work_dir=project.work_dir,
            progress=progress,
            analysis_cache=project.analysis_cache,
            overwrite=overwrite,
        )
    stdout.print(f"built {summary.pages} pages into {out_dir}/ ({summary.unchanged_text})")


@cli.command()
@click.argument("files", nargs=-1, type=click.Path(path_type=Path))
@debug_option
def validate(files: tuple[Path, ...]) -> None:
    """Check experiment files and site settings; report every problem at once."""
    from mlreport.config import Project
    from mlreport.pipeline import load_project

    _, specs = load_project(Project(), files)
    models = sum(len(s.models) for s in specs)
    candidates = sum(m.search.candidate_count for s in specs for m in s.models)
    stdout.print(
        f"ok: {len(specs)} experiment{'s' if len(specs) != 1 else ''}, "
        f"{models} models, {candidates} candidates"
    )


@cli.command()
@data_option("Folder of the Parquet dataset to check.")
@click.option(
    "--base",
    "base_dir",
    type=click.Path(path_type=Path),
    default=None,
    help="A baseline export: each experiment's best score may drop at most "
    "gates.max_regression (mlreport.yaml) against it.",
)
@debug_option
def check(data_dir: Path, base_dir: Path | None) -> None:
    """Quality gates: metric floors, regression against --base, fairness thresholds; exit 1
    if any fails."""
    from mlreport.check import check_export
    from mlreport.config import Project, load_site_settings

    project = Project()
    settings = load_site_settings(project.settings_file)
    if base_dir is not None and settings.gates.max_regression is None:
        stderr.print(f"warning: {NO_REGRESSION_GATE}", markup=False)
    summary = check_export(
        data_dir, gates=settings.gates, base_dir=base_dir, cache_dir=project.analysis_cache
    )
    for result in summary.results:
        stdout.print(f"{_gate_label(result.verdict)}: {result.line()}", markup=False)
    total = len(summary.results)
    if not total:
        stdout.print(f"ok: {NOTHING_TO_CHECK}")
        return
    if summary.failed:
        raise MlreportError(GATES_FAILED.format(count=len(summary.failed), total=total))
    stdout.print(
        f"ok: {len(summary.passed)} of {total} quality gates passed on {summary.models} models"
        + (f", {len(summary.unjudged)} could not be judged" if summary.unjudged else "")
    )


@cli.command()
@click.option(
    "--predictions",
    "predictions_file",
    type=click.Path(path_type=Path),
    required=True,
    help="CSV or Parquet file of scored data: one row per prediction.",
)
@click.option("--y-true", required=True, metavar="COL", help="Column of the true values.")
@click.option("--y-pred", required=True, metavar="COL", help="Column of the predictions.")
@click.option(
    "--sensitive",
    required=True,
    metavar="COL[,COL]",
    help="Sensitive feature columns, comma-separated.",
)
@click.option("--score", metavar="COL", help="Score of the positive class (adds ROC AUC).")
@click.option(
    "--sep",
    metavar="SEP",
    help="Separator of a CSV file (default: comma, or ';', tab or '|' if the header is "
    "split on one of them).",
)
@click.option("--positive", metavar="LABEL", help="The favourable class (default: the last label).")
@click.option(
    "--task",
    type=click.Choice(["classification", "regression"]),
    default="classification",
    show_default=True,
)
@click.option(
    "--intersections/--no-intersections",
    default=True,
    show_default=True,
    help="Also report the intersections of several sensitive features.",
)
@click.option(
    "--threshold",
    "thresholds",
    multiple=True,
    metavar="METRIC>=BOUND",
    help="A threshold, repeatable (default: demographic_parity_ratio>=0.8 and "
    "equalized_odds_difference<=0.1).",
)
@click.option("--bootstrap", type=click.IntRange(0, 100_000), default=200, show_default=True)
@click.option("--min-group-size", type=click.IntRange(1), default=30, show_default=True)
@click.option(
    "--confidence", type=click.FloatRange(0, 1, min_open=True, max_open=True), default=0.95
)
@click.option("--seed", type=int, default=0, show_default=True)
@click.option("--name", metavar="NAME", help="The model's name (default: the file's name).")
@out_option("fairness-report", "Where the report's own site is written.")
@overwrite_option
@click.option(
    "--experiment",
    metavar="NAME",
    help="Log the predictions as a model of this MLflow experiment instead, so that the "
    "next `mlreport build` shows its report in the site.",
)
@click.option(
    "--same-test-split",
    is_flag=True,
    help="With --experiment: the predictions were scored on that experiment's test split, "
    "so they are ranked against its models (best model, metric floors, diff).",
)
@tracking_option
@debug_option
def fairness(
    predictions_file: Path,
    y_true: str,
    y_pred: str,
    sensitive: str,
    score: str | None,
    sep: str | None,
    positive: str | None,
    task: Task,
    intersections: bool,
    thresholds: tuple[str, ...],
    bootstrap: int,
    min_group_size: int,
    confidence: float,
    seed: int,
    name: str | None,
    out_dir: Path,
    overwrite: bool,
    experiment: str | None,
    same_test_split: bool,
    tracking_uri: str | None,
) -> None:
    """Fairness report of predictions made elsewhere (a scored CSV or Parquet file)."""
    import tempfile

    from mlreport._store import resolve_tracking_uri
    from mlreport.fairness import (
        RANKED_EXTERNAL,
        SPLIT_WITHOUT_EXPERIMENT,
        UNRANKED_EXTERNAL,
        ScoredColumns,
        default_model_name,
        fairness_for_target,
        fairness_of_file,
        log_target,
        log_to_tracking,
        parse_threshold,
        positive_label,
        read_scored,
        settings_for,
        write_report_site,
    )

    if same_test_split and not experiment:
        raise MlreportError(SPLIT_WITHOUT_EXPERIMENT)
    features = tuple(f.strip() for f in sensitive.split(",") if f.strip())
    settings = settings_for(
        features,
        intersections=intersections,
        thresholds=[parse_threshold(t) for t in thresholds],
        bootstrap=bootstrap,
        min_group_size=min_group_size,
        confidence=confidence,
        seed=seed,
        task=task,
    )
    model = name or default_model_name(predictions_file)
    target = (
        log_target(resolve_tracking_uri(tracking_uri), experiment, model) if experiment else None
    )
    columns = ScoredColumns(y_true, y_pred, features, score)
    scored = read_scored(predictions_file, columns, task=task, positive=positive, sep=sep)
    predictions = scored.predictions
    stdout.print(f"{predictions_file}: {scored.rows_note}", markup=False)
    if positive is not None and task == "classification":
        settings = replace(settings, positive=positive_label(predictions, positive))
    if target is None:
        report = fairness_of_file(predictions, settings, name=model)
    else:
        report = fairness_for_target(predictions, settings, target, name=model)
    for outcome_line in _threshold_lines(report):
        stdout.print(outcome_line, markup=False)
    if target is not None:
        run_id = log_to_tracking(
            predictions,
            settings,
            target,
            model=model,
            source=str(predictions_file),
            same_test_split=same_test_split,
            row_tags=scored.row_tags(),
        )
        ranking = RANKED_EXTERNAL if same_test_split else UNRANKED_EXTERNAL
        stdout.print(
            f"logged {model} to experiment {experiment} (run {run_id}) as external "
            f"predictions, {ranking}; `mlreport build` adds its report to the site",
            markup=False,
        )
        return
    with tempfile.TemporaryDirectory(prefix="mlreport-fairness-") as work:
        index = write_report_site(
            report,
            out_dir,
            source=str(predictions_file),
            work_dir=Path(work),
            rows_note=scored.rows_note,
            overwrite=overwrite,
        )
    stdout.print(f"wrote the fairness report of {model} to {index}", markup=False)


def _threshold_lines(report: ModelFairness) -> list[str]:
    from mlreport.analysis import threshold_outcomes
    from mlreport.text import describe_outcome, threshold_verdict

    return [
        f"{_gate_label(threshold_verdict(o.result))}: {describe_outcome(o)}"
        for o in threshold_outcomes(report)
    ]


def _gate_label(verdict: str) -> str:
    """A gate's verdict for a log: failures in capitals, to stand out."""
    return "FAIL" + verdict.removeprefix("fail") if verdict.startswith("fail") else verdict


@cli.command()
@click.option(
    "--base",
    "base_dir",
    type=click.Path(path_type=Path),
    required=True,
    help="The baseline export (e.g. the one published from the main branch).",
)
@data_option("The export to compare with the baseline.")
@click.option(
    "--site-url",
    metavar="URL",
    help="Link experiments to this published site (default: site_url in mlreport.yaml).",
)
@click.option("--top", type=click.IntRange(1, 100), default=5, show_default=True)
@click.option(
    "--output",
    "output_file",
    type=click.Path(path_type=Path),
    help="Write the Markdown to this file (default: standard output).",
)
@debug_option
def diff(
    base_dir: Path, data_dir: Path, site_url: str | None, top: int, output_file: Path | None
) -> None:
    """Markdown summary of what changed against a baseline export, for a pull request."""
    from mlreport.config import Project, load_site_settings
    from mlreport.diff import diff_exports

    project = Project()
    if site_url is None:
        site_url = load_site_settings(project.settings_file).site_url
    text = diff_exports(
        base_dir, data_dir, top=top, site_url=site_url, cache_dir=project.analysis_cache
    )
    if output_file is None:
        sys.stdout.write(text)
    else:
        output_file.write_text(text, encoding="utf-8")
        stdout.print(f"wrote the summary to {output_file} ({len(text):,} characters)")


@cli.command()
@click.option(
    "--site",
    "site_dir",
    type=click.Path(path_type=Path),
    default=Path("site"),
    show_default=True,
    help="The built site to publish.",
)
@click.option(
    "--branch", default=DEFAULT_BRANCH, show_default=True, help="The branch to commit to."
)
@click.option(
    "--push", "remote", metavar="REMOTE", default=None, help="Push the branch to this remote."
)
@click.option("--message", default=DEFAULT_MESSAGE, show_default=True)
@click.option(
    "--data",
    "data_dir",
    type=click.Path(path_type=Path),
    default=None,
    help="Also publish this export, as export/ on the branch (a baseline for `diff --base`).",
)
@debug_option
def publish(
    site_dir: Path, branch: str, remote: str | None, message: str, data_dir: Path | None
) -> None:
    """Commit the built site to a branch (gh-pages) of this git repository, keeping its
    history; the working tree and the checked-out branch are left alone."""
    from mlreport.publish import publish_site

    summary = publish_site(
        site_dir,
        repository=Path.cwd(),
        branch=branch,
        message=message,
        remote=remote,
        data_dir=data_dir,
    )
    if summary.changed:
        line = f"published {site_dir}/ to {branch} as {summary.commit[:12]}"
    else:
        line = f"{site_dir}/ is what {branch} ({summary.commit[:12]}) holds: nothing to commit"
    if summary.pushed_to:
        line += f"; pushed {branch} to {summary.pushed_to}"
    stdout.print(line, markup=False)


@cli.command()
@out_option("site", "The built site to serve.")
@click.option("--port", type=int, default=8000, show_default=True)
@click.option("--host", default="127.0.0.1", show_default=True)
@debug_option
def serve(out_dir: Path, port: int, host: str) -> None:
    """Preview the built site on a local web server."""
    if not (out_dir / "index.html").is_file():
        raise MlreportError(SITE_MISSING.format(site=out_dir))
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(out_dir))
    try:
        server = http.server.ThreadingHTTPServer((host, port), handler)
    except OSError as exc:
        raise MlreportError(
            PORT_UNAVAILABLE.format(host=host, port=port, reason=exc.strerror)
        ) from exc
    stdout.print(f"serving {out_dir}/ on http://{host}:{server.server_port}/ (Ctrl-C stops)")
    with server:
        server.serve_forever()


def _report_run(summary: RunSummary) -> None:
    from mlreport.text import rows_used

    if summary.closed_stale:
        stdout.print(STALE_RUNS_CLOSED.format(count=summary.closed_stale), markup=False)
    failed_lines = _failure_lines(summary)
    for outcome in summary.outcomes:
        label = f"{outcome.experiment} / {outcome.model}"
        if outcome.status == "ran":
            best = "—" if outcome.best_score is None else f"{outcome.best_score:.4f}"
            failed = f", {outcome.failed_trials} failed" if outcome.failed_trials else ""
            rows = outcome.rows
            dropped = f"; {rows_used(rows.read, rows.dropped, rows.reason)}" if rows.dropped else ""
            stdout.print(
                f"{label}: {outcome.trials} trials{failed}, best {outcome.primary_metric} {best}"
                + dropped,
                markup=False,
            )
        elif outcome.status == "failed" and (outcome.experiment, outcome.error) in failed_lines:
            line = failed_lines.pop((outcome.experiment, outcome.error))
            stdout.print(line, markup=False)
    ran = summary.with_status("ran")
    skipped = summary.with_status("skipped")
    trials = sum(o.trials for o in ran)
    failed_trials = sum(o.failed_trials for o in ran)
    line = f"ran {len(ran)} model searches ({trials} trials"
    line += f", {failed_trials} failed)" if failed_trials else ")"
    line += f"; skipped {len(skipped)} unchanged"
    stdout.print(line)


def _failure_lines(summary: RunSummary) -> dict[tuple[str, str], str]:
    """(experiment, error) -> one line naming every model of the experiment that failed
    with that error (a data problem fails them all alike)."""
    models: dict[tuple[str, str], list[str]] = {}
    for outcome in summary.with_status("failed"):
        models.setdefault((outcome.experiment, outcome.error), []).append(outcome.model)
    return {
        (experiment, error): f"{experiment} / {', '.join(names)}: failed: {error}"
        for (experiment, error), names in models.items()
    }


def _fail_on_failed_models(summary: RunSummary) -> None:
    from mlreport.analysis import BuildFailure
    from mlreport.text import failures_text

    failed = summary.with_status("failed")
    if failed:
        details = failures_text([BuildFailure(o.experiment, o.model, o.error) for o in failed])
        raise MlreportError(MODELS_FAILED.format(count=len(failed), details=details))


def main(argv: list[str] | None = None) -> None:
    """Entry point: one line per error and a non-zero exit, tracebacks only with --debug;
    SIGTERM stops a command as Ctrl-C does."""
    with stop_signals():
        _main(argv)


@contextlib.contextmanager
def _library_warnings() -> Iterator[None]:
    """Library warnings and log records as one line of their count (each in full with
    --debug), before the command's error if there is one."""
    from mlreport._warnings import collected_warnings

    with collected_warnings() as collected:
        try:
            yield
        finally:
            if _debug:
                for text in collected:
                    stderr.print(f"warning: {text}", markup=False)
            elif collected:
                stdout.print(LIBRARY_WARNINGS.format(count=len(collected)), markup=False)
    if not _debug:  # what threads still running log as the process exits is not shown
        logging.getLogger().addHandler(logging.NullHandler())


def _interrupted(interrupt: BaseException | None) -> NoReturn:
    if isinstance(interrupt, Terminated):
        stderr.print(f"error: {TERMINATED}", markup=False)
        sys.exit(128 + Terminated.signal_number)
    stderr.print(f"error: {INTERRUPTED}", markup=False)
    sys.exit(130)


def _main(argv: list[str] | None) -> None:
    try:
        with _library_warnings():
            cli.main(args=argv, prog_name="mlreport", standalone_mode=False)
    except click.exceptions.Abort as exc:  # click's, for a KeyboardInterrupt
        _interrupted(exc.__cause__ or exc.__context__)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except KeyboardInterrupt as exc:
        _interrupted(exc)
    except MlreportError as exc:
        if _debug:
            raise
        stderr.print(f"error: {exc}", markup=False)
        sys.exit(exc.exit_code)
    except Exception as exc:
        if _debug:
            raise
        stderr.print(
            "error: " + UNEXPECTED.format(kind=type(exc).__name__, message=first_line(exc)),
            markup=False,
        )
        sys.exit(EXIT_FAILURE)

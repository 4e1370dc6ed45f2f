"""The main job: run what changed, export the store, build the site."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from rich.progress import Progress

from mlreport._fs import EXPORT_OUTPUT, SITE_OUTPUT, ensure_replaceable
from mlreport._git import git_commit
from mlreport.analysis import BuildFailure, analyse
from mlreport.config import (
    ExperimentSpec,
    Project,
    SiteSettings,
    check_data,
    check_data_of_invalid,
    discover_experiment_files,
    load_site_settings,
    read_experiments,
    reference_problems,
)
from mlreport.dataset import read_dataset
from mlreport.errors import ConfigError
from mlreport.export import ExportSummary, export_store
from mlreport.history import record_build
from mlreport.site import SiteSummary, build_site

if TYPE_CHECKING:  # running experiments imports scikit-learn and dask: only when asked
    from mlreport.run import RunSummary


def load_project(
    project: Project, files: Sequence[Path] = ()
) -> tuple[SiteSettings, list[ExperimentSpec]]:
    """Site settings and experiments (``files``, else every file of ``experiments/``),
    checked as far as they can be without training: their data files' headers, and the
    experiments ``mlreport.yaml`` names (when every experiment file is read).

    Problems in the settings, in every experiment file and in the data are reported together.
    """
    settings, specs, data_problems = load_runnable_project(project, files)
    if data_problems:
        raise ConfigError([p for found in data_problems.values() for p in found])
    return settings, specs


def load_runnable_project(
    project: Project, files: Sequence[Path] = ()
) -> tuple[SiteSettings, list[ExperimentSpec], dict[str, list[str]]]:
    """Like ``load_project``, but a problem with an experiment's data (a missing file or
    column) is that experiment's alone: it is returned by experiment name instead of
    raised, so that ``run`` and ``build`` go on with the others. Configuration problems
    are raised together, as ever."""
    problems: list[str] = []
    settings = None
    try:
        settings = load_site_settings(project.settings_file)
    except ConfigError as exc:
        problems.extend(exc.problems)
    try:
        paths = list(files) or discover_experiment_files(project.experiments_dir)
    except ConfigError as exc:
        raise ConfigError([*problems, *exc.problems]) from None
    specs, spec_problems = read_experiments(paths)
    problems.extend(spec_problems)
    invalid_data_problems, invalid_names = check_data_of_invalid(paths, specs)
    problems.extend(invalid_data_problems)
    if settings is not None and not files and invalid_names is not None:
        problems.extend(
            reference_problems(project.settings_file, settings, specs, invalid=invalid_names)
        )
    data_problems = {name: found for name, found in check_data(specs).items() if found}
    if problems or settings is None:
        raise ConfigError([*problems, *(p for found in data_problems.values() for p in found)])
    return settings, specs, data_problems


def run_project(
    specs: Sequence[ExperimentSpec],
    data_problems: dict[str, list[str]],
    *,
    tracking_uri: str,
    scheduler: str | None = None,
    force: bool = False,
    progress: Progress | None = None,
) -> RunSummary:
    """Run the experiments whose data passed its checks; each model of the others is a
    failed outcome naming the problem, and nothing of theirs reaches MLflow."""
    from mlreport.run import ModelOutcome, run_experiments

    runnable = [s for s in specs if s.name not in data_problems]
    ran = run_experiments(
        runnable, tracking_uri=tracking_uri, scheduler=scheduler, force=force, progress=progress
    )
    unusable = tuple(
        ModelOutcome(s.name, m.name, "failed", error="; ".join(data_problems[s.name]))
        for s in specs
        if s.name in data_problems
        for m in s.models
    )
    order = {s.name: i for i, s in enumerate(specs)}
    outcomes = sorted(ran.outcomes + unusable, key=lambda o: order.get(o.experiment, -1))
    return replace(ran, outcomes=tuple(outcomes))


@dataclass(frozen=True)
class BuildSummary:
    run: RunSummary
    export: ExportSummary
    site: SiteSummary


def build(
    project: Project,
    *,
    tracking_uri: str,
    data_dir: Path,
    site_dir: Path,
    scheduler: str | None = None,
    force: bool = False,
    overwrite: bool = False,
    progress: Progress | None = None,
    on_run_done: Callable[[RunSummary], None] | None = None,
) -> BuildSummary:
    """Validate everything first, then run, export and build the site.

    A model that fails does not stop the build: the export and the site are built for
    everything else, the history records the build as failed with each failure, and the
    site shows it (the caller turns the run's failures into an exit code).
    ``on_run_done`` sees the run's outcome before the export starts. ``overwrite``:
    replace ``data_dir`` and ``site_dir`` even if they are not mlreport's outputs.
    """
    settings, specs, data_problems = load_runnable_project(project)
    # before minutes of training
    ensure_replaceable(data_dir, output=EXPORT_OUTPUT, overwrite=overwrite)
    ensure_replaceable(site_dir, output=SITE_OUTPUT, overwrite=overwrite)
    run = run_project(
        specs,
        data_problems,
        tracking_uri=tracking_uri,
        scheduler=scheduler,
        force=force,
        progress=progress,
    )
    if on_run_done is not None:
        on_run_done(run)
    exported = export_store(tracking_uri, data_dir, progress=progress, overwrite=overwrite)
    analysis = analyse(read_dataset(data_dir), cache_dir=project.analysis_cache)
    failures = [BuildFailure(o.experiment, o.model, o.error) for o in run.with_status("failed")]
    analysis = record_build(
        data_dir,
        analysis,
        gates=settings.gates,
        commit=git_commit(Path.cwd()),
        failures=failures,
    )
    site = build_site(
        data_dir,
        site_dir,
        settings=settings,
        work_dir=project.work_dir,
        progress=progress,
        analysis=analysis,
        overwrite=overwrite,
    )
    return BuildSummary(run=run, export=exported, site=site)

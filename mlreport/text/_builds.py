"""Sentences about the build history: the banner of a build that failed."""

from __future__ import annotations

from collections.abc import Sequence

from mlreport.analysis import BuildFailure, BuildRecord

NO_ERROR = "no error was recorded"


def failed_build_banner(build: BuildRecord, *, experiment: str | None = None) -> str:
    """What failed in the build and why, and that the site shows earlier results; with
    ``experiment``, only its failures ("" when none of them failed)."""
    failures = build.failures if experiment is None else build.failures_of(experiment)
    if not failures:
        return ""
    when = f"{build.build_time:%Y-%m-%d %H:%M} UTC"
    named = failures_text(failures, with_experiment=experiment is None)
    if experiment is None:
        return (
            f"The latest build ({when}) failed: {named}. The site shows the last results "
            "that were built without failing."
        )
    return (
        f"The latest build ({when}) failed for this experiment: {named}. This page shows "
        "the last results that were built without failing."
    )


def failures_text(failures: Sequence[BuildFailure], *, with_experiment: bool = True) -> str:
    """Failures sharing an error named together, once: ``exp / a, b: error; ...``."""
    models: dict[tuple[str, str], list[str]] = {}
    for failure in failures:
        key = (failure.experiment if with_experiment else "", failure.error or NO_ERROR)
        models.setdefault(key, []).append(failure.model)
    parts = []
    for (experiment, error), names in models.items():
        who = ", ".join(names)
        parts.append(f"{experiment} / {who}: {error}" if experiment else f"{who}: {error}")
    return "; ".join(parts)

"""Quality gates on an export: every configured fairness threshold of every best model."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from mlreport.analysis import (
    NO_REPORT,
    experiment_fairness,
    experiment_results,
    threshold_outcomes,
    verdict_text,
)
from mlreport.dataset import read_dataset


@dataclass(frozen=True)
class GateResult:
    """One gate of one model: ``passed`` None when it could not be judged."""

    experiment: str
    model: str
    passed: bool | None
    message: str
    verdict: str  # pass, fail or cannot be judged, and whether the interval crosses the bound

    def line(self) -> str:
        return f"{self.experiment} / {self.model}: {self.message}"


@dataclass(frozen=True)
class CheckSummary:
    results: tuple[GateResult, ...]

    @property
    def failed(self) -> tuple[GateResult, ...]:
        return tuple(r for r in self.results if r.passed is False)

    @property
    def passed(self) -> tuple[GateResult, ...]:
        return tuple(r for r in self.results if r.passed)

    @property
    def unjudged(self) -> tuple[GateResult, ...]:
        return tuple(r for r in self.results if r.passed is None)

    @property
    def models(self) -> int:
        return len({(r.experiment, r.model) for r in self.results})


def check_export(data_dir: Path) -> CheckSummary:
    """Every fairness threshold of every best model of the export in ``data_dir``.

    A model whose report cannot be computed fails its gates: they cannot be shown to hold.
    """
    dataset = read_dataset(data_dir)
    results = []
    for experiment in experiment_results(dataset):
        for fairness in experiment_fairness(dataset, experiment):
            if fairness.error:
                message = NO_REPORT.format(reason=fairness.error)
                results.append(GateResult(experiment.name, fairness.model, False, message, "fail"))
                continue
            for outcome in threshold_outcomes(fairness):
                passed = outcome.result.passed
                results.append(
                    GateResult(
                        experiment.name,
                        fairness.model,
                        passed,
                        outcome.describe(),
                        verdict_text(outcome.result),
                    )
                )
    return CheckSummary(tuple(results))

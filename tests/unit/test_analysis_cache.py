"""The analysis cache: results kept by content hash, computed again when the data changes."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from mlreport.analysis import _model_fairness, analyse
from tests.unit.test_fairness_pages import _dataset, _predictions


@pytest.fixture
def calls(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    counted: list[int] = []
    original = _model_fairness.model_fairness

    def counting(predictions: Any, settings: Any) -> Any:
        counted.append(1)
        return original(predictions, settings)

    monkeypatch.setattr(_model_fairness, "model_fairness", counting)
    return counted


def test_an_unchanged_experiment_is_read_from_the_cache(calls: list[int], tmp_path: Path) -> None:
    first = analyse(_dataset(), cache_dir=tmp_path)
    (result,) = first.results
    reports = first.fairness(result)
    assert len(calls) == 2  # two best models with sensitive features
    assert first.fairness(result) is reports  # and kept in memory
    again = analyse(_dataset(), cache_dir=tmp_path)
    assert again.fairness(again.results[0]) == reports
    assert len(calls) == 2
    assert again.evaluations(again.results[0]).keys() == {"lr", "forest"}
    whole = again.experiment(again.results[0])  # every part, as one frozen result
    assert whole.fairness == reports and whole.evaluations.keys() == {"lr", "forest"}


def test_changed_predictions_are_analysed_again(calls: list[int], tmp_path: Path) -> None:
    dataset = _dataset()
    analyse(dataset, cache_dir=tmp_path).fairness(analyse(dataset).results[0])
    assert len(calls) == 2
    calls.clear()
    changed = replace(
        dataset, predictions={**dataset.predictions, "lr-best": _predictions(5, bias=0.9)}
    )
    analysis = analyse(changed, cache_dir=tmp_path)
    after = analysis.fairness(analysis.results[0])
    assert len(calls) == 2  # the experiment's content changed: every model again
    before = analyse(dataset, cache_dir=tmp_path)
    assert before.fairness(before.results[0]) != after
    assert len(calls) == 2  # the earlier content is still cached


def test_without_a_cache_nothing_is_written(calls: list[int], tmp_path: Path) -> None:
    analysis = analyse(_dataset())
    analysis.fairness(analysis.results[0])
    analysis.fairness(analysis.results[0])
    assert len(calls) == 2
    assert not any(tmp_path.iterdir())


def test_a_cache_that_cannot_be_written_only_costs_the_computation(
    calls: list[int], tmp_path: Path
) -> None:
    blocked = tmp_path / "file"
    blocked.write_text("not a folder")
    analysis = analyse(_dataset(), cache_dir=blocked / "cache")
    assert len(analysis.fairness(analysis.results[0])) == 2


def test_prune_removes_results_unread_for_a_month(calls: list[int], tmp_path: Path) -> None:
    import os
    import time

    from mlreport.analysis import AnalysisCache

    analysis = analyse(_dataset(), cache_dir=tmp_path)
    analysis.fairness(analysis.results[0])
    analysis.evaluations(analysis.results[0])
    old, recent = sorted(tmp_path.glob("*/*.pickle"))
    month_ago = time.time() - 31 * 86400
    os.utime(old, (month_ago, month_ago))
    AnalysisCache(tmp_path).prune()
    assert not old.exists()
    assert recent.exists()


def test_a_foreign_or_mistyped_entry_is_computed_again(calls: list[int], tmp_path: Path) -> None:
    import pickle

    analysis = analyse(_dataset(), cache_dir=tmp_path)
    reports = analysis.fairness(analysis.results[0])
    analysis.evaluations(analysis.results[0])
    for file in tmp_path.glob("*/*.pickle"):
        _, key, value = pickle.loads(file.read_bytes())
        replacement = 42 if isinstance(value, tuple) else ("mlreport-analysis-1", key, 42)
        file.write_bytes(pickle.dumps(replacement))  # valid pickles of the wrong thing
    calls.clear()
    again = analyse(_dataset(), cache_dir=tmp_path)
    assert again.fairness(again.results[0]) == reports
    assert again.evaluations(again.results[0]).keys() == {"lr", "forest"}
    assert len(calls) == 2  # recomputed, and stored again in the right form
    third = analyse(_dataset(), cache_dir=tmp_path)
    third.fairness(third.results[0])
    assert len(calls) == 2


def test_partial_files_of_killed_processes_are_pruned(tmp_path: Path) -> None:
    import os
    import time

    from mlreport.analysis import AnalysisCache

    (tmp_path / "ab").mkdir()
    stale, fresh = tmp_path / "ab" / ".abc.pickle.tmp-1", tmp_path / "ab" / ".abd.pickle.tmp-2"
    stale.write_bytes(b"x")
    fresh.write_bytes(b"x")
    two_days_ago = time.time() - 2 * 86400
    os.utime(stale, (two_days_ago, two_days_ago))
    AnalysisCache(tmp_path).prune()
    assert not stale.exists() and fresh.exists()

"""The analysis stage shared by build, check and diff, and a page family registered by a
test alone, built into a real MkDocs site."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from mlreport.analysis import ExperimentResult, _model_fairness, analyse
from mlreport.cli import cli
from mlreport.config import SiteSettings
from mlreport.dataset import read_dataset
from mlreport.site import (
    ExperimentContext,
    Page,
    PageKind,
    build_site,
    page_url,
    register_page_kind,
    slug,
    unregister_page_kind,
)
from tests.unit.test_pages import two_model_dataset

pytestmark = pytest.mark.integration


# --- a page family the test registers: a model type, a template and a registry entry ---------


@dataclass(frozen=True)
class TrialCountPage(Page):
    trials: int = 0


def trial_count_pages(context: ExperimentContext) -> list[TrialCountPage]:
    result = context.result
    return [
        TrialCountPage(
            path=f"experiments/{slug(result.name)}/trial-count.md",
            title=f"{result.name} · trial count",
            trials=result.trial_count,
        )
    ]


TEMPLATE = """{% extends "page.md.j2" %}
{% block body %}
<p class="trial-count">{{ page.title }} has {{ page.trials }} trials.</p>
{% endblock %}
"""


@pytest.fixture
def trial_count_kind(tmp_path: Path) -> Iterator[PageKind]:
    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "trial-count.md.j2").write_text(TEMPLATE)
    kind = PageKind(
        name="trial-count",
        template="trial-count.md.j2",
        model_type=TrialCountPage,
        scope="experiment",
        build=trial_count_pages,
        nav_section="Trial counts",
        template_dir=templates,
    )
    register_page_kind(kind)
    yield kind
    unregister_page_kind(kind.name)


def demo_site(tmp_path: Path) -> tuple[Path, ExperimentResult]:
    """The site of the two-model demo export (analysed in memory), and its experiment."""
    analysis = analyse(two_model_dataset().build())
    site = tmp_path / "site"
    build_site(
        tmp_path / "export",
        site,
        settings=SiteSettings(),
        work_dir=tmp_path / "w",
        analysis=analysis,
    )
    return site, analysis.results[0]


def test_a_page_family_registered_by_a_test_is_built_and_listed(
    trial_count_kind: PageKind, tmp_path: Path
) -> None:
    site, result = demo_site(tmp_path)
    path = f"experiments/{slug(result.name)}/trial-count.md"
    html = (site / page_url(path)).read_text()
    assert f"has {result.trial_count} trials." in html
    assert result.trial_count > 0
    home = (site / "index.html").read_text()
    assert "Trial counts" in home  # the navigation section the kind declared
    assert f'href="{page_url(path)}"' in home or f'href="./{page_url(path)}"' in home


def test_the_built_in_pages_are_unchanged_without_the_registered_family(
    tmp_path: Path,
) -> None:
    site, _ = demo_site(tmp_path)
    assert not list(site.rglob("trial-count*"))
    assert "Trial counts" not in (site / "index.html").read_text()


def test_a_page_of_a_type_no_kind_declares_is_refused(
    trial_count_kind: PageKind, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    @dataclass(frozen=True)
    class Stray(Page):
        pass

    def stray(context: ExperimentContext) -> list[Any]:
        return [Stray(path="stray.md", title="stray")]

    unregister_page_kind(trial_count_kind.name)
    register_page_kind(
        PageKind("stray", "trial-count.md.j2", TrialCountPage, "experiment", stray),
    )
    try:
        with pytest.raises(TypeError, match="built a Stray, not a TrialCountPage"):
            demo_site(tmp_path)
    finally:
        unregister_page_kind("stray")
    assert not (tmp_path / "site").exists()


# --- one fairness computation per model across build, check and diff --------------------------


def test_build_check_and_diff_share_one_fairness_computation_per_model(
    examples_project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``mlreport build`` of an unchanged store, then ``check`` and ``diff`` of its export,
    in one folder: each model's fairness report is computed once (then read from the
    analysis cache on disk, since each command analyses the export afresh)."""
    project = tmp_path / "project"
    shutil.copytree(examples_project, project, symlinks=True)
    shutil.rmtree(project / ".mlreport" / "analysis", ignore_errors=True)
    computed: list[str] = []
    original = _model_fairness.model_fairness

    def counting(predictions: Any, settings: Any) -> Any:
        computed.append(str(sorted(predictions.columns)))
        return original(predictions, settings)

    monkeypatch.setattr(_model_fairness, "model_fairness", counting)
    monkeypatch.chdir(project)
    monkeypatch.delenv("MLFLOW_TRACKING_URI", raising=False)
    runner = CliRunner()

    built = runner.invoke(cli, ["build"], catch_exceptions=False)
    assert built.exit_code == 0, built.output
    cache = project / ".mlreport" / "analysis"
    analysis = analyse(read_dataset(project / "export"), cache_dir=cache)  # what build kept
    models = sum(len(analysis.fairness(result)) for result in analysis.results)
    assert models >= 2  # adult-income's best models with sensitive features
    assert len(computed) == models  # each computed once, by the build
    computed.clear()

    checked = runner.invoke(cli, ["check"])
    assert checked.exit_code == 1  # the examples fail fairness thresholds (Adult)
    assert "demographic parity" in checked.output.lower()  # fairness gates were reported
    diffed = runner.invoke(cli, ["diff", "--base", "export"], catch_exceptions=False)
    assert diffed.exit_code == 0, diffed.output
    assert "unchanged" in diffed.output
    assert computed == []  # check and diff read every report from the cache

    for file in cache.rglob("*.pickle"):
        file.write_bytes(b"damaged")
    again = runner.invoke(cli, ["check"])
    assert again.output == checked.output  # a damaged cache is computed again, same result
    assert len(computed) == models

"""The README's "Your own data" walk-through, followed as written on a CSV of our own."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from mlreport.site import experiment_path, page_url
from tests.conftest import REPO, run_cli

pytestmark = pytest.mark.integration

README = (REPO / "README.md").read_text()


def walkthrough_section() -> str:
    return README.split("## Your own data", 1)[1].split("\n## ", 1)[0]


def fenced(section: str, language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.+?)\n```", section, flags=re.S)


def loan_applications(rows: int, missing_targets: int) -> pd.DataFrame:
    """Applications whose approval depends on income, debt and (unfairly) gender."""
    rng = np.random.default_rng(7)
    income = rng.normal(40, 12, rows).round(1)
    debt = rng.normal(10, 5, rows).round(1)
    gender = rng.choice(["female", "male"], rows)
    logit = 0.06 * (income - 40) - 0.1 * (debt - 10) + np.where(gender == "male", 0.5, 0.0)
    approved = np.where(rng.random(rows) < 1 / (1 + np.exp(-logit)), "yes", "no").astype(object)
    approved[rng.choice(rows, missing_targets, replace=False)] = None
    return pd.DataFrame(
        {
            "age": rng.integers(18, 70, rows),
            "income": income,
            "debt": debt,
            "gender": gender,
            "approved": approved,
        }
    )


@pytest.fixture(scope="module")
def walked(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A project made exactly as the README says, built with ``mlreport build``."""
    project = tmp_path_factory.mktemp("loans")
    (experiment_file,) = fenced(walkthrough_section(), "yaml")
    data_file = re.search(r"path: (\S+)", experiment_file)
    assert data_file is not None
    (project / "experiments").mkdir()
    loan_applications(400, missing_targets=17).to_csv(
        project / "experiments" / data_file.group(1), index=False
    )
    (project / "experiments" / "loans.yaml").write_text(experiment_file)
    validated = run_cli("validate", cwd=project)
    assert validated.returncode == 0, validated.stdout + validated.stderr
    built = run_cli("build", cwd=project)
    assert built.returncode == 0, built.stderr
    (project / "build-output.txt").write_text(built.stdout + built.stderr)
    return project


def test_walkthrough_builds_a_site_with_a_fairness_report_by_gender(walked: Path) -> None:
    """Issue 17 item 11: the README has a "bring your own CSV" walk-through that works."""
    fairness_pages = list((walked / "site").rglob("fairness/*.html"))
    assert fairness_pages, "no fairness page"
    page = fairness_pages[0].read_text()
    assert "gender" in page and "female" in page and "male" in page
    predictions = pd.read_parquet(next((walked / "export" / "predictions").glob("*.parquet")))
    # the README: binary tasks get a proba_ column for every class
    assert [c for c in predictions.columns if c.startswith("proba_")] == ["proba_no", "proba_yes"]
    assert "binary included" in README
    assert "sensitive_gender" in predictions.columns


def test_walkthrough_reports_the_rows_dropped_for_a_missing_target(walked: Path) -> None:
    """Issue 17 item 11 (and 6): the walk-through's promise about missing targets holds."""
    output = (walked / "build-output.txt").read_text()
    assert "383 of 400 rows; 17 dropped: missing target" in output
    experiment_page = (walked / "site" / page_url(experiment_path("loans"))).read_text()
    assert "383 of 400 rows; 17 dropped: missing target" in experiment_page


def test_gitignore_lines_cover_everything_a_build_writes(walked: Path) -> None:
    """Issue 17 item 11: the README's .gitignore lines ignore every output of a build,
    checked by git itself, and none of the user's own files."""
    (gitignore,) = fenced(walkthrough_section(), "gitignore")
    (walked / ".gitignore").write_text(gitignore + "\n")
    subprocess.run(["git", "init", "-q"], cwd=walked, check=True)
    status = subprocess.run(
        ["git", "status", "--porcelain", "--untracked-files=all"],
        cwd=walked,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    untracked = sorted(line[3:] for line in status.splitlines())
    assert untracked == [
        ".gitignore",
        "build-output.txt",
        "experiments/applications.csv",
        "experiments/loans.yaml",
    ]


def test_the_repository_ignores_its_own_outputs() -> None:
    """Issue 17 item 11: mlreport's lock files and SQLite side files are in the
    repository's .gitignore."""
    probes = ["mlflow.db-wal", ".export.lock", ".site.lock", "export/x", ".mlreport/x"]
    ignored = subprocess.run(
        ["git", "check-ignore", "--no-index", *probes],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    ).stdout.split()
    assert ignored == probes

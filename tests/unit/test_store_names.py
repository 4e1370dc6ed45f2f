"""How commands name the tracking store (issue 17 item 8): first, without its password."""

from __future__ import annotations

from pathlib import Path

import pytest

from mlreport._store import describe_store, mask_password


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        (
            "cannot use postgresql://bob:s3:cret@db:5432/mlflow: refused",
            "cannot use postgresql://bob:***@db:5432/mlflow: refused",
        ),
        (
            "mysql+pymysql://u:p@h/db and http://h:5000/x",
            "mysql+pymysql://u:***@h/db and http://h:5000/x",
        ),
        ("sqlite:///mlflow.db", "sqlite:///mlflow.db"),
        ("https://token@host/path", "https://token@host/path"),
    ],
)
def test_passwords_in_uris_are_masked(text: str, shown: str) -> None:
    """Issue 17 item 8: error messages printed the tracking URI with its password."""
    assert mask_password(text) == shown


def test_the_store_line_says_when_an_sqlite_file_will_be_created(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 17 item 8: running from the wrong folder silently created a new mlflow.db."""
    monkeypatch.chdir(tmp_path)
    missing = tmp_path / "mlflow.db"
    assert describe_store("sqlite:///mlflow.db") == (
        f"tracking store: sqlite:///mlflow.db ({missing} does not exist yet: it will be created)"
    )
    assert describe_store("sqlite:///mlflow.db", creates=False) == (
        f"tracking store: sqlite:///mlflow.db ({missing} does not exist)"
    )
    missing.touch()
    assert describe_store("sqlite:///mlflow.db") == "tracking store: sqlite:///mlflow.db"
    assert describe_store("postgresql://u:pw@h/db") == "tracking store: postgresql://u:***@h/db"

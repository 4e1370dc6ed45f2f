"""How the CLI maps failures to one line and an exit code."""

from __future__ import annotations

from pathlib import Path

import pytest

from mlreport import cli, pipeline
from mlreport.dataset import UNREADABLE_TABLE, read_dataset
from mlreport.errors import DatasetError
from tests.builders import DatasetBuilder


def test_an_unexpected_exception_is_one_line_without_traceback(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("boom\nsecond line")

    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(pipeline, "load_project", broken)
    monkeypatch.setattr(cli, "_debug", False)
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["validate"])
    assert exit_info.value.code == 1
    err = capsys.readouterr().err
    assert err.startswith("error: " + cli.UNEXPECTED.format(kind="RuntimeError", message="boom"))
    assert "Traceback" not in err


def test_a_corrupt_table_is_a_dataset_error(tmp_path: Path) -> None:
    folder = DatasetBuilder().write(tmp_path / "export")
    (folder / "runs.parquet").write_bytes(b"not parquet")
    with pytest.raises(DatasetError) as info:
        read_dataset(folder)
    assert str(info.value).startswith(
        UNREADABLE_TABLE.split("{reason}")[0].format(path=folder, table="runs")
    )

"""Load experiment files and site settings, collecting every problem at once."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from mlreport.config._models import ExperimentSpec, SiteSettings
from mlreport.errors import ConfigError

EXPERIMENTS_DIR = "experiments"
SITE_SETTINGS_FILE = "mlreport.yaml"
NO_EXPERIMENT_FILES = "no experiment files (*.yaml) in {directory}"
NOT_A_MAPPING = "{file}: the file must hold a mapping of keys to values"
M = TypeVar("M", bound=BaseModel)

DUPLICATE_EXPERIMENT = "{file}: name: experiment '{name}' is also defined in {other}"


def discover_experiment_files(directory: Path) -> list[Path]:
    """Every ``*.yaml``/``*.yml`` file of the experiments directory, sorted."""
    files = sorted([*directory.glob("*.yaml"), *directory.glob("*.yml")])
    if not files:
        raise ConfigError([NO_EXPERIMENT_FILES.format(directory=directory)])
    return files


def load_experiments(files: Sequence[Path]) -> list[ExperimentSpec]:
    """Parse and validate experiment files; raise one ConfigError listing every problem."""
    problems: list[str] = []
    specs: list[ExperimentSpec] = []
    for file in files:
        raw = _read_yaml(file, problems)
        if raw is None:
            continue
        spec = _validate(ExperimentSpec, raw, file, problems)
        if spec is not None:
            specs.append(spec.model_copy(update={"source_file": file.resolve()}))
    seen: dict[str, Path] = {}
    for spec in specs:
        assert spec.source_file is not None
        if spec.name in seen:
            problems.append(
                DUPLICATE_EXPERIMENT.format(
                    file=_display(spec.source_file), name=spec.name, other=_display(seen[spec.name])
                )
            )
        seen.setdefault(spec.name, spec.source_file)
    if problems:
        raise ConfigError(problems)
    return specs


def load_site_settings(file: Path) -> SiteSettings:
    """Read ``mlreport.yaml`` if present, else the defaults."""
    if not file.exists():
        return SiteSettings()
    problems: list[str] = []
    raw = _read_yaml(file, problems)
    settings = _validate(SiteSettings, raw, file, problems) if raw is not None else None
    if problems or settings is None:
        raise ConfigError(problems)
    return settings


def _read_yaml(file: Path, problems: list[str]) -> dict[str, Any] | None:
    try:
        raw = yaml.safe_load(file.read_text(encoding="utf-8"))
    except OSError as exc:
        problems.append(f"{_display(file)}: cannot read: {exc.strerror or exc}")
        return None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark else ""
        reason = getattr(exc, "problem", None) or str(exc)
        problems.append(f"{_display(file)}: invalid YAML{where}: {reason}")
        return None
    if not isinstance(raw, dict):
        problems.append(NOT_A_MAPPING.format(file=_display(file)))
        return None
    return raw


def _validate(model: type[M], raw: dict[str, Any], file: Path, problems: list[str]) -> M | None:
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        problems.extend(_describe(error, file) for error in exc.errors())
        return None


def _describe(error: Any, file: Path) -> str:
    field = _field_path(error["loc"])
    message = str(error["msg"]).removeprefix("Value error, ")
    if error["type"] == "extra_forbidden":
        message = "unknown key"
    elif error["type"] == "missing":
        message = "required key is missing"
    elif "input" in error and error["type"] not in ("value_error", "assertion_error"):
        message = f"{message} (got {error['input']!r:.60})"
    return f"{_display(file)}: {field or '(top level)'}: {message}"


def _field_path(loc: Iterable[Any]) -> str:
    parts: list[str] = []
    for item in loc:
        if isinstance(item, int):
            parts.append(f"[{item}]")
        elif item in ("file", "sklearn", "synthetic") and parts and parts[-1] == "data":
            continue  # the discriminator tag of the data union, not a key
        elif item in ("list[any]", "Distribution", "Spaced"):
            continue  # union branch names of a search space value
        else:
            parts.append(("." if parts else "") + str(item))
    return "".join(parts)


def _display(file: Path) -> str:
    try:
        return str(file.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(file)

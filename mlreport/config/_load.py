"""Load experiment files and site settings, collecting every problem at once.

Each problem names its file, the line of the key it is about and the key's path (with a
model's name: ``models[1] (forest).params``). Cross-field checks also run on the fields
that are valid when others are not, so that one pass finds every problem.
"""

from __future__ import annotations

import contextlib
import types
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Annotated, Any, TypeVar, Union, get_args, get_origin

import yaml
from pydantic import BaseModel, TypeAdapter, ValidationError

from mlreport.config._models import (
    CHECKS_FAILED,
    ExperimentSpec,
    SiteSettings,
    _Checked,
    did_you_mean,
    with_default_scoring,
)
from mlreport.errors import ConfigError

EXPERIMENTS_DIR = "experiments"
SITE_SETTINGS_FILE = "mlreport.yaml"
NO_EXPERIMENT_FILES = "no experiment files (*.yaml) in {directory}"
NOT_A_MAPPING = "{file}: the file must hold a mapping of keys to values"
M = TypeVar("M", bound=BaseModel)
Loc = tuple[str | int, ...]

UNKNOWN_FLOOR_EXPERIMENT = (
    "no experiment file defines experiment {name!r}{hint} (experiments: {known})"
)
UNSCORED_FLOOR_METRIC = (
    "experiment {experiment!r} does not score {metric!r}{hint} (scoring: {known})"
)
DUPLICATE_EXPERIMENT = "{file}: name: experiment '{name}' is also defined in {other}"
#: Path items of pydantic error locations that name a union's branch, not a key.
_SPACE_BRANCHES = frozenset({"list[any]", "Distribution", "Spaced"})
_BRANCH_NAMES = frozenset({"file", "sklearn", "synthetic", *_SPACE_BRANCHES})


def discover_experiment_files(directory: Path) -> list[Path]:
    """Every ``*.yaml``/``*.yml`` file of the experiments directory, sorted."""
    files = sorted([*directory.glob("*.yaml"), *directory.glob("*.yml")])
    if not files:
        raise ConfigError([NO_EXPERIMENT_FILES.format(directory=directory)])
    return files


def load_experiments(files: Sequence[Path]) -> list[ExperimentSpec]:
    """Parse and validate experiment files; raise one ConfigError listing every problem."""
    specs, problems = read_experiments(files)
    if problems:
        raise ConfigError(problems)
    return specs


def read_experiments(files: Sequence[Path]) -> tuple[list[ExperimentSpec], list[str]]:
    """The valid experiments of ``files`` and every problem of the others (and of names
    defined twice), so that further checks can run on the valid ones in the same pass."""
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
    return specs, problems


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


def problems_at(file: Path, found: Iterable[tuple[Loc, str]]) -> list[str]:
    """Problems of keys of a YAML file, ``file:line: key.path: message``, in line order."""
    try:
        text = file.read_text(encoding="utf-8")
        root, raw = yaml.compose(text, Loader=yaml.SafeLoader), yaml.safe_load(text)
    except (OSError, yaml.YAMLError):
        root = raw = None
    located = sorted(
        (((_line(root, loc) if root is not None else 0), loc, message) for loc, message in found),
        key=lambda located: located[0],
    )
    return [
        f"{_display(file)}{f':{line}' if line else ''}: "
        f"{_field_path(loc, raw) or '(top level)'}: {message}"
        for line, loc, message in located
    ]


def reference_problems(
    file: Path,
    settings: SiteSettings,
    specs: Sequence[ExperimentSpec],
    invalid: Sequence[str] = (),
) -> list[str]:
    """Names in the site settings ``file`` that no experiment has: the experiments and
    scores of ``gates.metric_floors``. ``invalid``: names of experiments whose files have
    problems (they exist, but what they score is unknown).

    An experiment no file defines is a problem when its name is close to one a file
    defines (a misspelling); another may hold only predictions logged with ``mlreport
    fairness --experiment``, and ``check`` fails its floors if the export lacks it."""
    by_name = {spec.name: spec for spec in specs}
    found: list[tuple[Loc, str]] = []
    for name, floors in settings.gates.metric_floors.items():
        spec = by_name.get(name)
        if spec is None and name in invalid:
            continue
        if spec is None:
            known = [*by_name, *invalid]
            hint = did_you_mean(name, known)
            if not hint:
                continue
            message = UNKNOWN_FLOOR_EXPERIMENT.format(name=name, hint=hint, known=", ".join(known))
            found.append((("gates", "metric_floors", name), message))
            continue
        for metric in floors:
            if metric not in spec.scoring:
                message = UNSCORED_FLOOR_METRIC.format(
                    experiment=name,
                    metric=metric,
                    hint=did_you_mean(metric, spec.scoring),
                    known=", ".join(spec.scoring),
                )
                found.append((("gates", "metric_floors", name, metric), message))
    return problems_at(file, found) if found else []


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
        found = [
            (tuple(error["loc"]), _describe(model, error))
            for error in exc.errors()
            if error["type"] != CHECKS_FAILED  # found again, with their keys, below
            and not _other_space_branch(error["loc"], raw)
        ]
        found.extend(_check_partially(model, raw, ()))
        problems.extend(problems_at(file, found))
        return None


def _other_space_branch(loc: Iterable[Any], raw: Any) -> bool:
    """Whether an error is about a search space value read as a kind it is not written as
    (a list as a distribution, say): only the errors of the kind it is written as count."""
    for item in loc:
        branch = _branch_name(item)
        if branch in _SPACE_BRANCHES:
            written = (
                "list[any]"
                if isinstance(raw, list)
                else "Spaced"
                if isinstance(raw, dict) and "spacing" in raw
                else "Distribution"
            )
            return branch != written
        if isinstance(raw, dict):
            raw = raw.get(item)
        elif isinstance(raw, list) and isinstance(item, int) and item < len(raw):
            raw = raw[item]
        else:
            raw = None
    return False


def _branch_name(item: Any) -> Any:
    """A pydantic location item naming a union branch, without its validator wrapper:
    ``function-after[_check_bounds(), Distribution]`` is ``Distribution``."""
    if isinstance(item, str) and item.startswith("function-") and item.endswith("]"):
        return item.rpartition(", ")[2].removesuffix("]")
    return item


def _describe(model: type[BaseModel], error: Any) -> str:
    message = str(error["msg"]).removeprefix("Value error, ")
    loc = tuple(error["loc"])
    if error["type"] == "extra_forbidden":
        parent = _model_at(model, loc[:-1])
        known = parent.model_fields if parent is not None else ()
        message = "unknown key" + did_you_mean(str(loc[-1]), known)
    elif error["type"] == "missing":
        message = "required key is missing"
    elif "input" in error and error["type"] not in ("value_error", "assertion_error"):
        message = f"{message} (got {error['input']!r:.60})"
    return message


def _check_partially(model: type[BaseModel], raw: Any, loc: Loc) -> list[tuple[Loc, str]]:
    """The cross-field problems of a model and its checked parts, found with the fields
    that are valid; a check that needs one that is not is skipped."""
    return _partial(model, raw, loc)[0]


def _partial(model: type[BaseModel], raw: Any, loc: Loc) -> tuple[list[tuple[Loc, str]], Any]:
    """Problems, and the model built from its valid fields (None unless ``raw`` is a mapping)."""
    if not isinstance(raw, dict):
        return [], None
    if model is ExperimentSpec:
        raw = with_default_scoring(raw)
    found: list[tuple[Loc, str]] = []
    values: dict[str, Any] = {}
    for name, field in model.model_fields.items():
        if name not in raw:
            continue
        value, checked = raw[name], _checked_class(field.annotation)
        if checked is not None and isinstance(value, list):
            parts = [_partial(checked, item, (*loc, name, i)) for i, item in enumerate(value)]
            found.extend(p for problems, _ in parts for p in problems)
            if all(instance is not None for _, instance in parts):
                values[name] = [instance for _, instance in parts]
        elif checked is not None:
            problems, instance = _partial(checked, value, (*loc, name))
            found.extend(problems)
            if instance is not None:
                values[name] = instance
        else:
            with contextlib.suppress(ValidationError):  # not valid: reported by pydantic
                values[name] = TypeAdapter(field.rebuild_annotation()).validate_python(value)
    instance = model.model_construct(**values)
    for name in (set(raw) & set(model.model_fields)) - set(values):
        instance.__dict__.pop(name, None)  # not valid: checks that need it are skipped
    for check in getattr(model, "checks", ()):
        try:
            found.extend(((*loc, *p.loc), p.message) for p in getattr(instance, check)())
        except Exception:  # a field it needs is missing or not valid
            continue
    return found, instance


def _checked_class(annotation: Any) -> type[_Checked] | None:
    """The checked model of a field (``ModelSpec``, or the item type of a list of them)."""
    if get_origin(annotation) is list:
        (annotation,) = get_args(annotation)
    if isinstance(annotation, type) and issubclass(annotation, _Checked):
        return annotation
    return None


def _model_at(model: type[BaseModel], loc: Iterable[Any]) -> type[BaseModel] | None:
    """The model class at a pydantic error location (through lists, dicts and unions)."""
    current: Any = model
    for part in map(_branch_name, loc):
        if part in _BRANCH_NAMES:
            current = _unwrap(current, part)
            continue
        current = _unwrap(current, None)
        if isinstance(current, type) and issubclass(current, BaseModel):
            field = current.model_fields.get(str(part))
            if field is None:
                return None
            current = field.annotation
        elif get_origin(current) in (list, dict):
            current = get_args(current)[-1]
        else:
            return None
    current = _unwrap(current, None)
    return current if isinstance(current, type) and issubclass(current, BaseModel) else None


def _unwrap(annotation: Any, branch: Any) -> Any:
    """``annotation`` without Annotated and None; of a union, the branch named ``branch``."""
    while get_origin(annotation) is Annotated:
        annotation = get_args(annotation)[0]
    if get_origin(annotation) in (Union, types.UnionType):
        members = [a for a in get_args(annotation) if a is not type(None)]
        if len(members) == 1:
            return _unwrap(members[0], branch)
        for member in members:
            kind = getattr(member, "model_fields", {}).get("kind")
            tags = get_args(kind.annotation) if kind is not None else ()
            if getattr(member, "__name__", None) == branch or branch in tags:
                return member
    return annotation


def _line(root: yaml.Node, loc: Loc) -> int:
    """The 1-based line of the key at ``loc`` (of its closest existing parent if missing)."""
    node, line = root, root.start_mark.line
    for part in map(_branch_name, loc):
        if isinstance(node, yaml.MappingNode):
            match = next((kv for kv in node.value if kv[0].value == str(part)), None)
            if match is not None:
                node, line = match[1], match[0].start_mark.line
        elif (
            isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value)
        ):
            node = node.value[part]
            line = node.start_mark.line
    return line + 1


def _field_path(loc: Iterable[Any], raw: Any) -> str:
    """``models[1] (forest).search.cv``: a key path, naming the models it passes through."""
    parts: list[str] = []
    for item in map(_branch_name, loc):
        if isinstance(item, int):
            raw = raw[item] if isinstance(raw, list) and item < len(raw) else None
            name = raw.get("name") if isinstance(raw, dict) else None
            parts.append(f"[{item}]" + (f" ({name})" if isinstance(name, str) else ""))
        elif item in _BRANCH_NAMES and not (isinstance(raw, dict) and item in raw):
            continue  # the branch of a union, not a key
        else:
            raw = raw.get(item) if isinstance(raw, dict) else None
            parts.append(("." if parts else "") + str(item))
    return "".join(parts)


def _display(file: Path) -> str:
    try:
        return str(file.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(file)

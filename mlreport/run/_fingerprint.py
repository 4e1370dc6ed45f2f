"""Fingerprints that decide whether a model's search must run again."""

from __future__ import annotations

import hashlib
import json

from mlreport._fs import file_digest
from mlreport.config import DEFAULT_SCORING, ExperimentSpec, ModelSpec
from mlreport.run._data import data_path


def model_fingerprint(spec: ExperimentSpec, model: ModelSpec, *, data_digest: str) -> str:
    """Hash of everything a model's search depends on: shared settings, its spec, its data."""
    # Defaults are left out so that a new optional setting does not change every hash.
    # Fairness settings only change the report of the logged predictions, not the search.
    shared = spec.model_dump(
        mode="json", exclude={"models", "description", "fairness"}, exclude_defaults=True
    )
    if shared.get("scoring") == DEFAULT_SCORING[spec.task]:  # a default the task fills in
        del shared["scoring"]
    own = model.model_dump(mode="json", exclude_defaults=True)
    payload = {"experiment": shared, "model": own, "data": data_digest}
    canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()[:16]


def data_digest(spec: ExperimentSpec) -> str:
    """Content hash of the experiment's data file ('' for generated data)."""
    path = data_path(spec)
    return file_digest(path) if path is not None and path.exists() else ""

"""Content hashes shared by the stages: of strings, of mlreport's code, of library versions."""

from __future__ import annotations

import functools
import hashlib
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path


def digest(*parts: str) -> str:
    """SHA-256 of the parts, each length-prefixed so that no two lists collide."""
    hasher = hashlib.sha256()
    for part in parts:
        data = part.encode()
        hasher.update(f"{len(data)}:".encode() + data)
    return hasher.hexdigest()


@functools.cache
def code_digest() -> str:
    """A hash of mlreport's own code: results and pages made by another version are made
    again."""
    package = Path(__file__).resolve().parent
    return digest(*(f.read_text(encoding="utf-8") for f in sorted(package.rglob("*.py"))))


@functools.cache
def library_versions(names: tuple[str, ...]) -> list[str]:
    """``name==version`` of each installed distribution (``name missing`` if absent)."""
    found = []
    for name in names:
        try:
            found.append(f"{name}=={version(name)}")
        except PackageNotFoundError:
            found.append(f"{name} missing")
    return found

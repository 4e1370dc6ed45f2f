"""The page registry refuses what would make pages ambiguous."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from mlreport.config import SiteSettings
from mlreport.site import (
    PAGE_KINDS,
    HomePage,
    Page,
    PageKind,
    register_page_kind,
    unregister_page_kind,
)
from mlreport.site._build import _content_key


@dataclass(frozen=True)
class ExtraPage(Page):
    pass


def no_pages(context: object) -> list[Page]:
    return []


@pytest.fixture
def restored() -> Iterator[None]:
    kinds = list(PAGE_KINDS)
    yield
    PAGE_KINDS[:] = kinds


@pytest.mark.usefixtures("restored")
@pytest.mark.parametrize(
    ("kind", "before", "message"),
    [
        (PageKind("model", "x.md.j2", ExtraPage, "experiment", no_pages), None, "named 'model'"),
        (PageKind("extra", "x.md.j2", HomePage, "experiment", no_pages), None, "type HomePage"),
        (PageKind("extra", "x.md.j2", ExtraPage, "home", no_pages), None, "one"),
        (PageKind("extra", "x.md.j2", ExtraPage, "store", no_pages), "nope", "'nope'"),
    ],
)
def test_ambiguous_kinds_are_refused(kind: PageKind, before: str | None, message: str) -> None:
    count = len(PAGE_KINDS)
    with pytest.raises(ValueError, match=message):
        register_page_kind(kind, before=before)
    assert len(PAGE_KINDS) == count


@pytest.mark.usefixtures("restored")
def test_a_kind_goes_before_the_one_named_and_changes_every_page_key() -> None:
    key = _content_key(SiteSettings())
    register_page_kind(PageKind("extra", "x.md.j2", ExtraPage, "store", no_pages), before="runs")
    names = [k.name for k in PAGE_KINDS]
    assert names.index("extra") == names.index("runs") - 1
    assert _content_key(SiteSettings()) != key  # its code and place are part of the key
    unregister_page_kind("extra")
    assert _content_key(SiteSettings()) == key

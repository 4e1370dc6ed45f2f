"""The page registry: every kind of page the site has, in site order.

A page kind declares its template, its page model type, its navigation section and the
function that builds its pages, either once per mlreport experiment (from an
``ExperimentContext``) or once per site (from a ``SiteContext``). ``build_pages`` and
``build_site`` both assemble pages from this registry: adding a page family is a model
type, a template and one ``register_page_kind`` call.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from mlreport.analysis import (
    Analysis,
    ExperimentResult,
    ModelEvaluation,
    ModelFairness,
    ModelScaling,
)
from mlreport.config import SiteSettings
from mlreport.site._models import Page

UNKNOWN_PAGE_TYPE = "no page kind is registered for page models of type {name}"
KIND_TWICE = "a page kind named {name!r} is already registered"
MODEL_TYPE_TWICE = "page kind {other!r} already has the page model type {name}"
SECOND_HOME = "page kind {other!r} already makes the home page; a site has one"
NO_SUCH_KIND = "no page kind named {name!r} to register {kind!r} before"

#: home: the first page (one); experiment: pages of each experiment, built from an
#: ``ExperimentContext``; store: pages about the whole store, after the experiments'.
Scope = Literal["home", "experiment", "store"]


@dataclass(frozen=True)
class SiteContext:
    """What pages about the whole store are built from."""

    analysis: Analysis
    settings: SiteSettings


@dataclass(frozen=True)
class ExperimentContext:
    """What one experiment's pages are built from: its results and their analysis."""

    analysis: Analysis
    result: ExperimentResult

    @functools.cached_property
    def evaluations(self) -> dict[str, ModelEvaluation]:
        """Model -> its best model's test evaluation (models with a page of their own)."""
        return self.analysis.evaluations(self.result)

    @functools.cached_property
    def scalings(self) -> tuple[ModelScaling, ...]:
        return self.analysis.scalings(self.result)

    @functools.cached_property
    def fairness(self) -> tuple[ModelFairness, ...]:
        return self.analysis.fairness(self.result)

    @property
    def fair_models(self) -> set[str]:
        """The models with a fairness report."""
        return {f.model for f in self.fairness}


@dataclass(frozen=True)
class PageKind:
    """One kind of page: its name, template, page model type, navigation section (None:
    listed on its own after the sections) and builder."""

    name: str
    template: str
    model_type: type[Page]
    scope: Scope
    build: Callable[[Any], Sequence[Page]]  # (ExperimentContext | SiteContext) -> pages
    nav_section: str | None = None
    #: where the template is, when it is not one of mlreport's own templates
    template_dir: Path | None = None
    #: whether its pages are listed in the navigation (else reached by links only)
    in_nav: bool = True


PAGE_KINDS: list[PageKind] = []


def register_page_kind(kind: PageKind, *, before: str | None = None) -> None:
    """Add a page kind, at the end of its scope's kinds or before the kind ``before``.
    Each kind has a name and a page model type of its own; one kind makes the home page."""
    for other in PAGE_KINDS:
        if other.name == kind.name:
            raise ValueError(KIND_TWICE.format(name=kind.name))
        if other.model_type is kind.model_type:
            raise ValueError(
                MODEL_TYPE_TWICE.format(other=other.name, name=kind.model_type.__name__)
            )
        if other.scope == kind.scope == "home":
            raise ValueError(SECOND_HOME.format(other=other.name))
    if before is None:
        PAGE_KINDS.append(kind)
        return
    positions = [i for i, k in enumerate(PAGE_KINDS) if k.name == before]
    if not positions:
        raise ValueError(NO_SUCH_KIND.format(name=before, kind=kind.name))
    PAGE_KINDS.insert(positions[0], kind)


def unregister_page_kind(name: str) -> None:
    PAGE_KINDS[:] = [k for k in PAGE_KINDS if k.name != name]


def kinds(scope: Scope) -> Iterator[PageKind]:
    return (k for k in PAGE_KINDS if k.scope == scope)


def kind_of(page: Page) -> PageKind:
    """The registered kind of a page model (by its exact type)."""
    for kind in PAGE_KINDS:
        if type(page) is kind.model_type:
            return kind
    raise TypeError(UNKNOWN_PAGE_TYPE.format(name=type(page).__name__))


def kind_named(name: str) -> PageKind | None:
    return next((k for k in PAGE_KINDS if k.name == name), None)


def home_pages(context: SiteContext) -> list[Page]:
    return _built(kinds("home"), context)


def experiment_pages(context: ExperimentContext) -> list[Page]:
    """An experiment's pages, kind by kind in registry order. They read only this
    experiment's rows, files and analysis."""
    return _built(kinds("experiment"), context)


def store_pages(context: SiteContext) -> list[Page]:
    """The pages about the whole store that follow the experiments'."""
    return _built(kinds("store"), context)


def build_pages(analysis: Analysis, settings: SiteSettings) -> list[Page]:
    """Every page of the site in site order: the home page, each experiment's pages, the
    store's pages. ``build_site`` builds the same pieces in this order, keeping the
    pages of unchanged experiments instead of building them again."""
    site = SiteContext(analysis, settings)
    pages = home_pages(site)
    for result in analysis.results:
        pages.extend(experiment_pages(ExperimentContext(analysis, result)))
    return [*pages, *store_pages(site)]


def _built(selected: Iterator[PageKind], context: Any) -> list[Page]:
    pages: list[Page] = []
    for kind in selected:
        for page in kind.build(context):
            if type(page) is not kind.model_type:
                raise TypeError(
                    f"page kind {kind.name!r} built a {type(page).__name__}, "
                    f"not a {kind.model_type.__name__}"
                )
            pages.append(page)
    return pages

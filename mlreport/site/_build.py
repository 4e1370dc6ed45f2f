"""Build the static site: page models first, then Markdown, then MkDocs in-process."""

from __future__ import annotations

import functools
import html
import inspect
import json
import logging
import os
import platform
import shutil
import signal
import sys
import warnings
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, replace
from multiprocessing import get_context
from pathlib import Path
from typing import Any

import jinja2
import yaml
from markupsafe import Markup
from rich.progress import Progress

from mlreport._digest import code_digest, digest, library_versions
from mlreport._fs import SITE_OUTPUT, ensure_replaceable, is_output, only_writer, replacing
from mlreport._markdown import markdown_literal
from mlreport._resources import plotly_js, resource_dir
from mlreport.analysis import Analysis, BuildRecord, ExperimentResult, analyse
from mlreport.config import SiteSettings
from mlreport.dataset import frame_digest, read_dataset
from mlreport.errors import SiteError
from mlreport.site import _kinds  # noqa: F401  (registers mlreport's page kinds)
from mlreport.site._charts import plotly_template_script
from mlreport.site._models import Page
from mlreport.site._rebuild import (
    SEARCH_INDEX,
    MarkdownStore,
    PageGroup,
    RenderedPage,
    SiteRecord,
    carry_over_pages,
    html_digest,
    read_record,
)
from mlreport.site._registry import (
    PAGE_KINDS,
    ExperimentContext,
    SiteContext,
    experiment_pages,
    home_pages,
    kind_named,
    kind_of,
    store_pages,
)

MKDOCS_FAILED = "MkDocs could not build the site: {reason}"
#: The site's rebuild record (``_rebuild``): what the next build may carry over. Deleting
#: it costs a full build; what marks the folder as mlreport's is ``_fs.OUTPUT_MARKER``.
SITE_RECORD = ".mlreport-site"


@dataclass(frozen=True)
class SiteSummary:
    site_dir: Path
    pages: int
    rebuilt: int  # pages MkDocs built; the others' HTML was carried over unchanged

    @property
    def unchanged_text(self) -> str:
        return f"{self.pages - self.rebuilt} unchanged since the previous build"


def build_site(
    data_dir: Path,
    site_dir: Path,
    *,
    settings: SiteSettings,
    work_dir: Path,
    progress: Progress | None = None,
    analysis: Analysis | None = None,
    analysis_cache: Path | None = None,
    overwrite: bool = False,
) -> SiteSummary:
    """Render every page of the dataset in ``data_dir`` (``analysis`` when it is already
    read and analysed, else analysed with the cache in ``analysis_cache``) into
    ``work_dir`` and build ``site_dir`` with MkDocs.

    An experiment whose exported rows and files did not change since the site's previous
    build keeps its pages without building them again (``_rebuild``). A non-empty
    ``site_dir`` that is not a site mlreport built is refused, unless ``overwrite``."""
    analysis = analysis or analyse(read_dataset(data_dir), cache_dir=analysis_cache)
    ensure_replaceable(site_dir, output=SITE_OUTPUT, overwrite=overwrite)
    work_dir = _site_work_dir(work_dir, site_dir)
    with only_writer(site_dir):  # the previous site and its record stay as read
        return _build_site(analysis, site_dir, settings, work_dir, progress, overwrite)


def _build_site(
    analysis: Analysis,
    site_dir: Path,
    settings: SiteSettings,
    work_dir: Path,
    progress: Progress | None,
    overwrite: bool,
) -> SiteSummary:
    previous = _previous_record(site_dir)
    store = MarkdownStore(work_dir / "pages")
    content_key = _content_key(settings)
    store_key = digest(
        content_key,
        *(f"{k}={v}" for k, v in sorted(analysis.digests.items())),
        frame_digest(analysis.dataset.builds),
    )
    unchanged = previous.store.key == store_key and all(
        store.has(key) for p in previous.all_pages() for key in _digests(p)
    )
    if unchanged:  # the same export as last time: every page's Markdown is kept
        groups, store_group = previous.groups, previous.store
    else:
        groups, store_group = _render_pages(
            analysis, settings, store, previous, content_key, progress
        )
    home, *closing = store_group.pages
    rendered = [home, *(p for g in groups.values() for p in g.pages), *closing]
    return _build_html(
        rendered,
        site_dir,
        settings=settings,
        work_dir=work_dir,
        store=store,
        record=SiteRecord(groups=groups, store=PageGroup(store_key, store_group.pages)),
        previous=previous,
        progress=progress,
        overwrite=overwrite,
    )


def _previous_record(site_dir: Path) -> SiteRecord:
    """The rebuild record of the site in ``site_dir``, if mlreport built it."""
    if not is_output(site_dir.resolve(), SITE_OUTPUT):
        return SiteRecord()
    return read_record(site_dir.resolve() / SITE_RECORD)


def _render_pages(
    analysis: Analysis,
    settings: SiteSettings,
    store: MarkdownStore,
    previous: SiteRecord,
    content_key: str,
    progress: Progress | None,
) -> tuple[dict[str, PageGroup], PageGroup]:
    """Each experiment's pages (kept from the previous build when its rows and files
    hash the same) and the pages about the whole store, rendered to Markdown."""
    environment = template_environment()
    results = analysis.results
    site = SiteContext(analysis, settings)
    task = progress.add_task("site: building pages", total=len(results) + 2) if progress else None

    def advance() -> None:
        if progress is not None and task is not None:
            progress.advance(task)

    (home,) = (_render(store, environment, page) for page in home_pages(site))
    advance()
    groups: dict[str, PageGroup] = {}
    to_build: list[tuple[ExperimentResult, str]] = []
    latest = analysis.latest_build
    for result in results:
        key = digest(
            content_key, analysis.experiment_digest(result), *_banner_key(latest, result.name)
        )
        group = previous.groups.get(result.name)
        if (
            group is None
            or group.key != key
            or not all(store.has(k) for p in group.pages for k in _digests(p))
        ):
            to_build.append((result, key))
        else:
            groups[result.name] = group
            advance()
    for name, group in _experiment_groups(analysis, to_build, store):
        groups[name] = group
        advance()
    groups = {r.name: groups[r.name] for r in results}  # in the site's order
    closing = [_render(store, environment, p) for p in store_pages(site)]
    advance()
    return groups, PageGroup("", (home, *closing))


def _banner_key(latest: BuildRecord | None, experiment: str) -> tuple[str, ...]:
    """What an experiment's pages show of the latest build: its failures of the
    experiment and when (nothing when none of them failed)."""
    failures = latest.failures_of(experiment) if latest is not None else ()
    if latest is None or not failures:
        return ()
    return (str(latest.build_time), *(f"{f.model}: {f.error}" for f in failures))


#: Experiments to build before their pages are built by several processes at once.
PARALLEL_FROM = 8
_MAX_WORKERS = 4
#: The analysis the worker processes build pages from (inherited when they are forked).
_worker_analysis: Analysis | None = None


def _experiment_groups(
    analysis: Analysis, to_build: list[tuple[ExperimentResult, str]], store: MarkdownStore
) -> Iterator[tuple[str, PageGroup]]:
    """Build and render each experiment's pages; with many experiments and more than one
    core, in forked worker processes (each reads the dataset its parent loaded, and
    keeps what it analyses in the analysis cache)."""
    global _worker_analysis
    workers = min(_usable_cores(), _MAX_WORKERS, len(to_build))
    # fork (workers share the loaded dataset) is safe on Linux; elsewhere, one process
    if len(to_build) < PARALLEL_FROM or workers < 2 or sys.platform != "linux":
        for result, key in to_build:
            yield result.name, _experiment_group(analysis, result, key, store.folder)
        return
    analysis.run_groups  # noqa: B018  # every run's details, once, before the workers fork
    _worker_analysis = analysis
    pool = ProcessPoolExecutor(workers, mp_context=get_context("fork"), initializer=_start_worker)
    try:
        futures = {
            pool.submit(_worker_group, result, key, store.folder): result.name
            for result, key in to_build
        }
        for future in as_completed(futures):
            yield futures[future], future.result()
    except BaseException:
        pool.shutdown(wait=True, cancel_futures=True)  # a failure stops the rest at once
        raise
    finally:
        pool.shutdown(wait=True)
        _worker_analysis = None


def _usable_cores() -> int:
    affinity = getattr(os, "sched_getaffinity", None)
    return len(affinity(0)) if affinity else os.cpu_count() or 1


def _start_worker() -> None:
    """A forked worker writes nothing to the terminal: its streams may be the parent's
    progress display, whose locks another thread of the parent may have held when it was
    forked. Interrupting is the parent's business."""
    sys.stdout, sys.stderr = sys.__stdout__, sys.__stderr__
    warnings.simplefilter("ignore")
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # not the parent's handler (the CLI's)


def _worker_group(result: ExperimentResult, key: str, store_folder: Path) -> PageGroup:
    assert _worker_analysis is not None, "only called in a worker forked by _experiment_groups"
    return _experiment_group(_worker_analysis, result, key, store_folder)


def _experiment_group(
    analysis: Analysis, result: ExperimentResult, key: str, store_folder: Path
) -> PageGroup:
    store = MarkdownStore(store_folder)
    environment = template_environment()
    pages = experiment_pages(ExperimentContext(analysis, result))
    return PageGroup(key, tuple(_render(store, environment, page) for page in pages))


def write_site(
    pages: list[Page],
    site_dir: Path,
    *,
    settings: SiteSettings,
    work_dir: Path,
    progress: Progress | None = None,
    overwrite: bool = False,
) -> SiteSummary:
    """Render ``pages`` (the first one is the home page) into ``work_dir`` and build
    ``site_dir`` with MkDocs, replacing a site mlreport built there before (any folder
    with ``overwrite``)."""
    ensure_replaceable(site_dir, output=SITE_OUTPUT, overwrite=overwrite)
    work_dir = _site_work_dir(work_dir, site_dir)
    with only_writer(site_dir):
        store = MarkdownStore(work_dir / "pages")
        environment = template_environment()
        rendered = [_render(store, environment, page) for page in pages]
        return _build_html(
            rendered,
            site_dir,
            settings=settings,
            work_dir=work_dir,
            store=store,
            record=SiteRecord(),
            previous=_previous_record(site_dir),
            progress=progress,
            overwrite=overwrite,
        )


def _site_work_dir(work_dir: Path, site_dir: Path) -> Path:
    """The part of the work dir that belongs to one site (its Markdown, docs and MkDocs
    configuration), so that builds of two sites never share files."""
    return work_dir / "sites" / digest(str(site_dir.resolve()))[:16]


def _render(store: MarkdownStore, environment: jinja2.Environment, page: Page) -> RenderedPage:
    key = store.put(render_page(environment, page))
    files = tuple((path, store.put(text)) for path, text in sorted(page.files.items()))
    return RenderedPage(
        path=page.path, title=page.title, kind=kind_of(page).name, digest=key, files=files
    )


#: Libraries whose output is in the pages' Markdown (numbers, figures, escaping) ...
MARKDOWN_LIBRARIES = (
    "fairlearn",
    "jinja2",
    "markupsafe",
    "numpy",
    "pandas",
    "plotly",
    "pyarrow",
    "pycm",
    "scikit-learn",
    "scipy",
)
#: ... and those that turn it into HTML.
HTML_LIBRARIES = ("markdown", "mkdocs", "mkdocs-material", "pymdown-extensions")


def _content_key(settings: SiteSettings) -> str:
    """What every page's Markdown depends on besides the data: mlreport's code and
    templates, the libraries it builds pages with, and the site settings."""
    return digest(
        code_digest(),
        platform.python_version(),
        *library_versions(MARKDOWN_LIBRARIES),
        settings.model_dump_json(),
        *(
            f"{k.name}:{k.template}:{k.scope}:{k.nav_section}:{k.in_nav}:"
            f"{k.model_type.__qualname__}"
            for k in PAGE_KINDS
        ),
        *_foreign_sources(),
        *(
            f"{f.name}\n{f.read_text(encoding='utf-8')}"
            for folder in _template_dirs()
            for f in sorted(folder.glob("*"))
        ),
    )


def _build_html(
    rendered: list[RenderedPage],
    site_dir: Path,
    *,
    settings: SiteSettings,
    work_dir: Path,
    store: MarkdownStore,
    record: SiteRecord,
    previous: SiteRecord,
    progress: Progress | None,
    overwrite: bool = False,
) -> SiteSummary:
    """MkDocs builds the pages whose Markdown changed; the previous site's HTML of the
    others is carried over (pages of the navigation, which MkDocs needs, go to it as their
    front matter only)."""
    config = _mkdocs_config(rendered, settings)
    html_key = digest(
        json.dumps({k: v for k, v in config.items() if k != "hooks"}, sort_keys=True),
        *library_versions(HTML_LIBRARIES),
        code_digest(),
        *(f.read_bytes().hex() for f in sorted((resource_dir("site_config") / "assets").iterdir())),
    )
    listed = _nav_paths(config["nav"])
    old_site = site_dir.resolve()
    # a page is carried with its search-index entries: without the previous index, none is
    reusable = previous.html_key == html_key and (old_site / SEARCH_INDEX).is_file()
    carried = [
        page.path
        for page in rendered
        if reusable and previous.carries(page.path, page.digest, old_site)
    ]
    carried_set = set(carried)
    docs_dir = work_dir / "docs"
    shutil.rmtree(docs_dir, ignore_errors=True)
    docs_dir.mkdir(parents=True)
    for page in rendered:
        if page.path not in carried_set:
            store.copy_to(page.digest, docs_dir / page.path)
        elif page.path in listed:
            store.front_matter_to(page.digest, docs_dir / page.path)
    for page in rendered:  # every page's files: MkDocs copies them into the site
        for path, key in page.files:
            store.copy_to(key, docs_dir / path)
    _copy_assets(docs_dir / "assets")
    config_file = work_dir / "mkdocs.yml"
    config_file.write_text(
        yaml.safe_dump(
            {**config, "docs_dir": str(docs_dir.resolve())}, sort_keys=False, allow_unicode=True
        )
    )
    task = progress.add_task("site: MkDocs", total=None) if progress else None
    replaced = replacing(site_dir, output=SITE_OUTPUT, overwrite=overwrite, locked=True)
    with replaced as staging:
        _run_mkdocs(config_file, staging)
        carry_over_pages(carried, old_site, staging, site_url=settings.site_url)
        pages = {
            p.path: (
                p.digest,
                previous.pages[p.path][1]
                if p.path in carried_set
                else html_digest(staging, p.path),
            )
            for p in rendered
        }
        record = replace(record, html_key=html_key, pages=pages)
        (staging / SITE_RECORD).write_text(record.to_json(), encoding="utf-8")
    if progress is not None and task is not None:
        progress.update(task, total=1, completed=1)
    store.keep_only({key for p in rendered for key in _digests(p)})
    return SiteSummary(site_dir=site_dir, pages=len(rendered), rebuilt=len(rendered) - len(carried))


def _digests(page: RenderedPage) -> list[str]:
    """The store keys of a page's Markdown and of its files."""
    return [page.digest, *(key for _, key in page.files)]


def _foreign_sources() -> list[str]:
    """The code of page kinds registered from outside mlreport (their builders and page
    model types), which ``code_digest`` does not cover."""
    package = Path(__file__).resolve().parents[1]
    files: set[Path] = set()
    for kind in PAGE_KINDS:
        for item in (kind.build, kind.model_type):
            try:
                source = inspect.getsourcefile(item)
            except TypeError:  # built in: no source file
                continue
            if source is not None and not Path(source).resolve().is_relative_to(package):
                files.add(Path(source).resolve())
    return [f"{file}\n{file.read_text(encoding='utf-8')}" for file in sorted(files)]


def _template_dirs() -> tuple[Path, ...]:
    """mlreport's templates, then those of registered page kinds that bring their own."""
    extra = (k.template_dir for k in PAGE_KINDS if k.template_dir is not None)
    return (resource_dir("templates"), *dict.fromkeys(extra))


def template_environment() -> jinja2.Environment:
    return _environment(_template_dirs())


@functools.cache
def _environment(folders: tuple[Path, ...]) -> jinja2.Environment:
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(list(folders)),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    environment.filters["front_matter_title"] = front_matter_title
    environment.filters["markdown_literal"] = markdown_literal
    return environment


def render_page(environment: jinja2.Environment, page: Page) -> str:
    return environment.get_template(kind_of(page).template).render(page=page)


def front_matter_title(title: str) -> Markup:
    """A page title for YAML front matter, HTML-escaped because the theme prints it raw."""
    return Markup(json.dumps(html.escape(title), ensure_ascii=False))


def _copy_assets(assets_dir: Path) -> None:
    assets_dir.mkdir(parents=True, exist_ok=True)
    for asset in (resource_dir("site_config") / "assets").iterdir():
        shutil.copy2(asset, assets_dir / asset.name)
    shutil.copy2(plotly_js(), assets_dir / "plotly.min.js")
    (assets_dir / "mlreport-plotly-template.js").write_text(
        plotly_template_script(), encoding="utf-8"
    )


#: A navigation section lists its pages only up to this many; a bigger site is browsed
#: from the home page and the experiment pages (a navigation listing every page would
#: make each page's size, and so the build, grow with the number of pages).
NAV_SECTION_PAGES = 40


def _mkdocs_config(pages: list[RenderedPage], settings: SiteSettings) -> dict[str, Any]:
    base = yaml.safe_load((resource_dir("site_config") / "mkdocs.yml").read_text())
    sections: dict[str, list[str]] = {}  # heading -> its pages, in registry order
    for registered in PAGE_KINDS:
        if registered.nav_section is not None:
            sections.setdefault(registered.nav_section, [])
    unsectioned = []
    for page in pages[1:]:
        kind = kind_named(page.kind)
        if kind is not None and not kind.in_nav:
            continue
        section = kind.nav_section if kind is not None else None
        if section is None:
            unsectioned.append(page.path)
        else:
            sections[section].append(page.path)
    nav: list[Any] = [pages[0].path]
    for heading, paths in sections.items():
        if paths and len(paths) <= NAV_SECTION_PAGES:
            nav.append({heading: paths})
    nav.extend(unsectioned)
    config = {
        **base,
        "site_name": html.escape(settings.site_name),
        "nav": nav,
        "hooks": [str(Path(__file__).with_name("_mkdocs_hooks.py"))],
    }
    if settings.site_url:
        config["site_url"] = settings.site_url
    return config


def _nav_paths(nav: list[Any]) -> set[str]:
    paths: set[str] = set()
    for entry in nav:
        if isinstance(entry, str):
            paths.add(entry)
        elif isinstance(entry, dict):
            for value in entry.values():
                paths |= _nav_paths(value if isinstance(value, list) else [value])
    return paths


def _run_mkdocs(config_file: Path, site_dir: Path) -> None:
    from mkdocs.commands.build import build
    from mkdocs.config import load_config
    from mkdocs.exceptions import MkDocsException

    for name in ("mkdocs", "material"):
        logging.getLogger(name).setLevel(logging.ERROR)
    try:
        config = load_config(str(config_file), site_dir=str(site_dir.resolve()))
        build(config)
    except MkDocsException as exc:
        shutil.rmtree(site_dir, ignore_errors=True)
        raise SiteError(MKDOCS_FAILED.format(reason=str(exc).splitlines()[0])) from exc
    except Exception:
        shutil.rmtree(site_dir, ignore_errors=True)
        raise

"""Build the static site: page models first, then Markdown, then MkDocs in-process."""

from __future__ import annotations

import html
import json
import logging
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2
import yaml
from markupsafe import Markup
from rich.progress import Progress

from mlreport._fs import replacing
from mlreport._markdown import markdown_literal
from mlreport._resources import plotly_js, resource_dir
from mlreport.config import SiteSettings
from mlreport.dataset import Dataset, read_dataset
from mlreport.errors import SiteError
from mlreport.site._fairness_pages import FAIRNESS_TEMPLATE, OVERVIEW_TEMPLATE
from mlreport.site._models import Page
from mlreport.site._pages import build_pages

MKDOCS_FAILED = "MkDocs could not build the site: {reason}"
SITE_MARKER = ".mlreport-site"  # marks a folder as a site mlreport built (safe to replace)


@dataclass(frozen=True)
class SiteSummary:
    site_dir: Path
    pages: int


def build_site(
    data_dir: Path,
    site_dir: Path,
    *,
    settings: SiteSettings,
    work_dir: Path,
    progress: Progress | None = None,
    dataset: Dataset | None = None,
) -> SiteSummary:
    """Render every page of the dataset in ``data_dir`` (``dataset`` when it is already
    read) into ``work_dir`` and build ``site_dir`` with MkDocs."""
    dataset = dataset or read_dataset(data_dir)
    pages = build_pages(dataset, settings)
    return write_site(pages, site_dir, settings=settings, work_dir=work_dir, progress=progress)


def write_site(
    pages: list[Page],
    site_dir: Path,
    *,
    settings: SiteSettings,
    work_dir: Path,
    progress: Progress | None = None,
) -> SiteSummary:
    """Render ``pages`` (the first one is the home page) into ``work_dir`` and build
    ``site_dir`` with MkDocs, replacing a site mlreport built there before."""
    docs_dir = work_dir / "docs"
    shutil.rmtree(docs_dir, ignore_errors=True)
    docs_dir.mkdir(parents=True)
    environment = template_environment()
    task = progress.add_task("writing pages", total=len(pages)) if progress else None
    for page in pages:
        target = docs_dir / page.path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(render_page(environment, page), encoding="utf-8")
        if progress is not None and task is not None:
            progress.advance(task)
    _copy_assets(docs_dir / "assets")
    config_file = _write_mkdocs_config(work_dir, docs_dir, pages, settings)
    with replacing(site_dir, marker=SITE_MARKER) as staging:
        _run_mkdocs(config_file, staging)
        (staging / SITE_MARKER).write_text(
            "Built by mlreport; `mlreport site` replaces this folder.\n"
        )
    return SiteSummary(site_dir=site_dir, pages=len(pages))


def template_environment() -> jinja2.Environment:
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(resource_dir("templates")),
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
    return environment.get_template(page.template).render(page=page)


def front_matter_title(title: str) -> Markup:
    """A page title for YAML front matter, HTML-escaped because the theme prints it raw."""
    return Markup(json.dumps(html.escape(title), ensure_ascii=False))


def _copy_assets(assets_dir: Path) -> None:
    assets_dir.mkdir(parents=True, exist_ok=True)
    for asset in (resource_dir("site_config") / "assets").iterdir():
        shutil.copy2(asset, assets_dir / asset.name)
    shutil.copy2(plotly_js(), assets_dir / "plotly.min.js")


def _write_mkdocs_config(
    work_dir: Path, docs_dir: Path, pages: list[Page], settings: SiteSettings
) -> Path:
    base = yaml.safe_load((resource_dir("site_config") / "mkdocs.yml").read_text())
    sections = {
        "Experiments": ("experiment.md.j2",),
        "Models": ("model.md.j2",),
        "Scaling": ("scaling.md.j2",),
        "Fairness": (OVERVIEW_TEMPLATE, FAIRNESS_TEMPLATE),
    }
    grouped = {t for templates in sections.values() for t in templates}
    nav: list[Any] = [pages[0].path]
    for heading, templates in sections.items():
        paths = [p.path for p in pages[1:] if p.template in templates]
        if paths:
            nav.append({heading: paths})
    nav.extend(p.path for p in pages[1:] if p.template not in grouped)
    config = {
        **base,
        "site_name": html.escape(settings.site_name),
        "docs_dir": str(docs_dir.resolve()),
        "nav": nav,
    }
    if settings.site_url:
        config["site_url"] = settings.site_url
    config_file = work_dir / "mkdocs.yml"
    config_file.write_text(yaml.safe_dump(config, sort_keys=False, allow_unicode=True))
    return config_file


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

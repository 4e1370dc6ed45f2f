"""What a site build leaves for the next one, so that unchanged pages are not redone.

Two levels, both by content hash:

- an experiment whose rows and run files hash as before (``dataset.experiment_digests``)
  under the same templates, settings and mlreport version keeps its rendered Markdown,
  without building its page models again (fairness reports, confusion matrices...);
- a page whose Markdown hashes as before, under the same navigation, MkDocs
  configuration and libraries, keeps its HTML from the previous site instead of going
  through MkDocs, if that HTML is still the one the previous build wrote (its hash).

The record is the site's ``.mlreport-site`` file (JSON), written into the new site before it is
swapped in, by the one process that holds the site's writer lock from reading the
previous record to the swap; the Markdown is kept in a content-addressed folder of the
site's part of the work dir.
"""

from __future__ import annotations

import html
import json
import os
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

from mlreport._digest import digest
from mlreport._fs import file_digest
from mlreport.site._links import page_url

RECORD_VERSION = 4
#: MkDocs-Material's search index, relative to the site.
SEARCH_INDEX = Path("search", "search_index.json")
_NOTE = "Built by mlreport; `mlreport site` replaces this folder."


@dataclass(frozen=True)
class RenderedPage:
    """A page rendered to Markdown, kept in a ``MarkdownStore`` under its digest."""

    path: str
    title: str
    kind: str  # the name of its page kind (``_registry``)
    digest: str
    #: the files it loads: (path under the docs dir, digest of the text in the store)
    files: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class PageGroup:
    """The pages of one experiment and the hash of everything they were built from."""

    key: str
    pages: tuple[RenderedPage, ...]


@dataclass(frozen=True)
class SiteRecord:
    """What the previous build of a site built, from what."""

    html_key: str = ""
    #: path -> digests of the page's Markdown and of the HTML MkDocs made of it
    pages: dict[str, tuple[str, str]] = field(default_factory=dict)
    groups: dict[str, PageGroup] = field(default_factory=dict)  # experiment -> its pages
    #: The pages about the whole store (home, then history and runs), and the hash of
    #: the whole export they and every group were built from.
    store: PageGroup = PageGroup("", ())

    def carries(self, path: str, markdown_digest: str, site: Path) -> bool:
        """Whether ``site`` (the previous build this record describes) holds the HTML of
        the page at ``path`` made of this Markdown, untouched since."""
        recorded = self.pages.get(path)
        return (
            recorded is not None
            and recorded[0] == markdown_digest
            and (site / page_url(path)).is_file()
            and html_digest(site, path) == recorded[1]
        )

    def all_pages(self) -> list[RenderedPage]:
        """Every page in site order: home, each experiment's, then the closing pages."""
        if not self.store.pages:
            return []
        home, *closing = self.store.pages
        return [home, *(p for g in self.groups.values() for p in g.pages), *closing]

    def to_json(self) -> str:
        return json.dumps(
            {
                "note": _NOTE,
                "version": RECORD_VERSION,
                "html_key": self.html_key,
                "pages": self.pages,
                "groups": {name: _group_fields(group) for name, group in self.groups.items()},
                "store": _group_fields(self.store),
            },
            indent=1,
            sort_keys=True,
        )


def html_digest(site: Path, path: str) -> str:
    """A hash of the HTML file of the page at ``path`` in ``site``."""
    return file_digest(site / page_url(path))


def _group_fields(group: PageGroup) -> dict[str, Any]:
    return {
        "key": group.key,
        "pages": [
            [p.path, p.title, p.kind, p.digest, [list(f) for f in p.files]] for p in group.pages
        ],
    }


def _group(fields: dict[str, Any]) -> PageGroup:
    return PageGroup(
        key=str(fields["key"]),
        pages=tuple(
            RenderedPage(
                str(page[0]),
                str(page[1]),
                str(page[2]),
                str(page[3]),
                files=tuple((str(f[0]), str(f[1])) for f in page[4]),
            )
            for page in fields["pages"]
        ),
    )


def read_record(marker_file: Path) -> SiteRecord:
    """The record a previous build left (empty if there is none or it is unreadable)."""
    try:
        data = json.loads(marker_file.read_text(encoding="utf-8"))
        if data.get("version") != RECORD_VERSION:
            return SiteRecord()
        return SiteRecord(
            html_key=str(data["html_key"]),
            pages={str(k): (str(v[0]), str(v[1])) for k, v in data["pages"].items()},
            groups={str(name): _group(group) for name, group in data["groups"].items()},
            store=_group(data["store"]),
        )
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return SiteRecord()


class MarkdownStore:
    """Rendered Markdown by digest, in a folder of the work dir."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)

    def _file(self, key: str) -> Path:
        return self.folder / f"{key}.md"

    def put(self, text: str) -> str:
        key = digest(text)
        file = self._file(key)
        if not file.is_file():
            temporary = file.with_name(f".{file.name}.{os.getpid()}")
            temporary.write_text(text, encoding="utf-8")
            temporary.replace(file)
        return key

    def has(self, key: str) -> bool:
        return self._file(key).is_file()

    def copy_to(self, key: str, target: Path) -> None:
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(self._file(key), target)

    def front_matter_to(self, key: str, target: Path) -> None:
        """Write only the page's front matter (its title): what MkDocs needs of a page
        listed in the navigation whose HTML is carried over."""
        text = self._file(key).read_text(encoding="utf-8")
        end = text.find("\n---\n", 4) if text.startswith("---\n") else -1
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text[: end + 5] if end >= 0 else "", encoding="utf-8")

    def keep_only(self, keys: set[str]) -> None:
        """Forget the Markdown of pages the site no longer has."""
        for file in self.folder.glob("*.md"):
            if file.stem not in keys:
                file.unlink(missing_ok=True)


def carry_over_pages(
    paths: list[str], previous_site: Path, site: Path, *, site_url: str | None
) -> None:
    """Put the previous site's HTML of ``paths`` into the new ``site``, with their entries
    of the search index and the sitemap (which lists pages only with a ``site_url``)."""
    if not paths:
        return
    urls = {page_url(path) for path in paths}
    for url in sorted(urls):
        target = site / url
        target.parent.mkdir(parents=True, exist_ok=True)
        target.unlink(missing_ok=True)  # what MkDocs made of a navigation page's stub
        try:
            os.link(previous_site / url, target)
        except OSError:
            shutil.copy2(previous_site / url, target)
    _merge_search_index(urls, previous_site, site)
    if site_url:
        _merge_sitemap({urljoin(site_url, url) for url in urls}, previous_site, site)


def _merge_search_index(urls: set[str], previous_site: Path, site: Path) -> None:
    index_file = site / SEARCH_INDEX
    previous_file = previous_site / SEARCH_INDEX
    if not index_file.is_file() or not previous_file.is_file():
        return
    index: dict[str, Any] = json.loads(index_file.read_text(encoding="utf-8"))
    previous = json.loads(previous_file.read_text(encoding="utf-8"))

    def carried(entry: dict[str, Any]) -> bool:
        return str(entry.get("location", "")).split("#")[0] in urls

    index["docs"] = [entry for entry in index["docs"] if not carried(entry)]
    index["docs"].extend(entry for entry in previous.get("docs", []) if carried(entry))
    index_file.write_text(
        json.dumps(index, ensure_ascii=False, separators=(",", ":")), encoding="utf-8"
    )


_SITEMAP_URL = re.compile(r"\s*<url>\s*<loc>(?P<loc>[^<]*)</loc>.*?</url>", re.DOTALL)


def _merge_sitemap(locations: set[str], previous_site: Path, site: Path) -> None:
    """Replace the new sitemap's entries of carried pages (``locations``: their URLs) with
    the previous sitemap's."""
    import gzip

    sitemap = site / "sitemap.xml"
    previous = previous_site / "sitemap.xml"
    if not sitemap.is_file() or not previous.is_file():
        return
    kept = "".join(
        match.group(0)
        for match in _SITEMAP_URL.finditer(previous.read_text(encoding="utf-8"))
        if html.unescape(match["loc"]) in locations
    )
    text = _SITEMAP_URL.sub(
        lambda match: "" if html.unescape(match["loc"]) in locations else match.group(0),
        sitemap.read_text(encoding="utf-8"),
    ).replace("</urlset>", f"{kept}\n</urlset>", 1)
    sitemap.write_text(text, encoding="utf-8")
    (site / "sitemap.xml.gz").write_bytes(gzip.compress(text.encode(), mtime=0))

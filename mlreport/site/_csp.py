"""A Content-Security-Policy for every page: only the site's own scripts run.

MkDocs-Material writes a few small inline scripts around each page's content (the page's
depth is in one of them); the policy allows exactly those by their SHA-256 hashes. Inline
script inside the content (the ``<article>``, where everything from the tracking store
goes) is never allowed, so an inline script that arrives there (an event handler, a
``<script>`` smuggled into a name) is refused by the browser even if escaping ever
failed. Chart and table data sit in ``<script type="application/json">`` blocks, which
browsers never execute.
"""

from __future__ import annotations

import base64
import hashlib
import re

#: Inline ``<script>`` elements without ``src``, and their ``type`` if any.
_INLINE_SCRIPT = re.compile(r"<script(?P<attributes>[^>]*)>(?P<body>.*?)</script>", re.DOTALL)
_TYPE = re.compile(r"""(?<![\w-])type\s*=\s*["']?(?P<type>[^"'\s>]+)""", re.IGNORECASE)
_SOURCE = re.compile(r"(?<![\w-])src\s*=", re.IGNORECASE)
_JAVASCRIPT_TYPES = frozenset({"", "text/javascript", "application/javascript", "module"})
_HEAD = re.compile(r"<head[^>]*>", re.IGNORECASE)
_CHARSET = re.compile(r"<meta charset=[^>]*>", re.IGNORECASE)
#: The theme's content element: what a page shows, where no inline script is allowed.
_CONTENT = re.compile(r"<article\b.*</article>", re.DOTALL | re.IGNORECASE)

#: Plotly and the theme set inline styles; nothing is loaded from elsewhere.
POLICY = (
    "default-src 'self'; script-src 'self'{hashes}; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; worker-src 'self'; "
    "object-src 'none'; base-uri 'self'; form-action 'none'"
)


def inline_script_hashes(page_html: str) -> list[str]:
    """CSP sources (``'sha256-…'``) of the theme's inline scripts (those outside the
    page's content), in order."""
    content = _CONTENT.search(page_html)
    start, end = content.span() if content else (len(page_html), len(page_html))
    hashes = []
    for match in _INLINE_SCRIPT.finditer(page_html):
        if match.start() < end and match.end() > start:
            continue  # in the content: never allowed
        attributes = match["attributes"]
        script_type = _TYPE.search(attributes)
        if _SOURCE.search(attributes) or (
            script_type and script_type["type"].lower() not in _JAVASCRIPT_TYPES
        ):
            continue
        digest = base64.b64encode(hashlib.sha256(match["body"].encode()).digest()).decode()
        source = f"'sha256-{digest}'"
        if source not in hashes:
            hashes.append(source)
    return hashes


def with_content_security_policy(page_html: str) -> str:
    """The page with a ``<meta>`` policy at the top of its ``<head>`` (after the charset),
    allowing the theme's inline scripts only."""
    hashes = "".join(f" {h}" for h in inline_script_hashes(page_html))
    meta = f'<meta http-equiv="Content-Security-Policy" content="{POLICY.format(hashes=hashes)}">'
    anchor = _CHARSET.search(page_html) or _HEAD.search(page_html)  # charset stays first
    if anchor is None:
        return page_html
    return page_html[: anchor.end()] + meta + page_html[anchor.end() :]

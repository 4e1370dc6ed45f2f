"""Text from run data, made literal for Markdown (pull-request comments, page headings)."""

from __future__ import annotations

import html
import re

from markupsafe import Markup

_PUNCTUATION = re.compile(r"([\\`*_{}\[\]()#+\-.!|~])")


def markdown_text(value: str) -> str:
    """``value`` as literal Markdown text on one line: HTML-escaped, Markdown punctuation
    backslashed, and a zero-width space after ``@`` and ``#`` so that no name mentions a
    user or links an issue."""
    one_line = " ".join(str(value).split())
    escaped = _PUNCTUATION.sub(r"\\\1", html.escape(one_line, quote=False))
    return escaped.replace("@", "@\u200b").replace("\\#", "\\#\u200b")


def markdown_literal(value: str) -> Markup:
    """``markdown_text`` for a template with autoescape (already escaped: not again)."""
    return Markup(markdown_text(value))

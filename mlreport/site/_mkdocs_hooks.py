"""MkDocs hooks (``hooks:`` of the generated mkdocs.yml): every page and theme page
(404.html) gets the site's Content-Security-Policy."""

from __future__ import annotations

from typing import Any

from mlreport.site._csp import with_content_security_policy


def on_post_page(output: str, page: Any, config: Any) -> str:
    return with_content_security_policy(output)


def on_post_template(output_content: str, template_name: str, config: Any) -> str:
    if template_name.endswith(".html"):
        return with_content_security_policy(output_content)
    return output_content

"""What every page's template receives."""

from __future__ import annotations

from typing import Any

from litestar import MediaType, Request
from litestar.response import Template

from inmc_vote.web.auth import principal


async def page(
    request: Request[Any, Any, Any], template: str, status_code: int = 200, **context: Any
) -> Template:
    """Render a page with the signed-in account (if any) in its context."""
    return Template(
        template_name=template,
        context={"who": await principal(request), **context},
        status_code=status_code,
        media_type=MediaType.HTML,
    )


def local_path(target: str | None, default: str) -> str:
    """Only redirect within this site (no open redirect through ?next=)."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return default

"""What every page's template receives, and the small helpers every page controller uses."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from litestar import MediaType, Request
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_303_SEE_OTHER

from inmc_vote.config import Settings
from inmc_vote.db.engine import Database
from inmc_vote.db.models import Ballot
from inmc_vote.services import actions
from inmc_vote.web.auth import principal
from inmc_vote.web.pages import words


@dataclass(frozen=True)
class BallotPage:
    """What every page of one ballot is handled with: the request, the ballot's id (from
    the path) and the shared dependencies, asked for as one dependency (`at`) rather
    than the same five parameters in each handler."""

    request: Request[Any, Any, Any]
    ballot_id: str
    db: Database
    settings: Settings
    now: datetime


def provide_ballot_page(
    request: Request[Any, Any, Any],
    ballot_id: FromPath[str],
    db: NamedDependency[Database],
    settings: NamedDependency[Settings],
    now: NamedDependency[datetime],
) -> BallotPage:
    return BallotPage(request, ballot_id, db, settings, now)


async def page(
    request: Request[Any, Any, Any], template: str, status_code: int = 200, **context: Any
) -> Template:
    """Render a page with the signed-in account (if any) and the shared words in its context."""
    return Template(
        template_name=template,
        context={
            "who": await principal(request),
            "state_words": words.STATE_WORDS,
            "candidacy_words": words.CANDIDACY_WORDS,
            **context,
        },
        status_code=status_code,
        media_type=MediaType.HTML,
    )


def local_path(target: str | None, default: str) -> str:
    """Only redirect within this site (no open redirect through ?next=)."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return default


def see_other(path: str) -> Redirect:
    """After a form POST, send the browser to a page it can reload safely (303)."""
    return Redirect(path, status_code=HTTP_303_SEE_OTHER)


async def current_ballot(db: Database, ballot_id: str, now: datetime) -> Ballot:
    """The ballot after the clock has applied what is due, so a page never shows a
    ballot as open after its closing time."""
    return await actions.schedule.current(db, ballot_id, now)

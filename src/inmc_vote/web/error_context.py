"""What an error page knows of its reader: who is signed in, and the ballot the address
names, so that it offers the way back (the ballot, the organiser's page) rather than
only "Home", and does not ask a signed-in organiser to sign in.

The exception handlers are synchronous, so an `after_exception` hook (asynchronous, run
just before them) looks both up and leaves them in the connection's state."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from typing import Any

from litestar import Request
from litestar.connection import ASGIConnection
from litestar.types import Scope

from inmc_vote.domain.errors import NotFound
from inmc_vote.domain.lifecycle import State
from inmc_vote.services import queries
from inmc_vote.web.auth import principal
from inmc_vote.web.deps import db_of

log = logging.getLogger("inmc_vote.web")
_BALLOT_KEY = "error_ballot"
_PRINCIPAL_KEY = "principal"  # as web.auth caches it
# The addresses that name a ballot: its public pages, its vote page, its audit page and
# the organiser's pages of it.
_NAMES_A_BALLOT = re.compile(
    r"^/(?:ballots|vote|audit|organiser/ballots)/([A-Za-z0-9_-]{1,16})(/|$)"
)


@dataclass(frozen=True)
class WayBack:
    """A link back to the ballot the failed address names."""

    href: str
    title: str


async def remember(exc: Exception, scope: Scope) -> None:
    """Look up the reader and the ballot named in the address (never failing: a broken
    database, perhaps the error's own cause, leaves the page as it was)."""
    if scope.get("type") != "http" or scope.get("path", "").startswith("/api/"):
        return
    connection: ASGIConnection[Any, Any, Any, Any] = ASGIConnection(scope)
    try:
        who = await principal(connection)
        found = _NAMES_A_BALLOT.match(scope.get("path", ""))
        if found is None:
            return
        ballot = await queries.ballots.get_ballot(db_of(connection), found.group(1))
    except NotFound:
        return
    except Exception:  # the error page must still render
        log.debug("the error page's context could not be looked up", exc_info=True)
        return
    if ballot.state == State.DRAFT and who is None:
        return  # a draft is not told to the public
    organiser_page = scope.get("path", "").startswith("/organiser/") and who is not None
    href = f"/organiser/ballots/{ballot.id}" if organiser_page else f"/ballots/{ballot.id}"
    if href != scope.get("path", "").rstrip("/"):
        connection.state[_BALLOT_KEY] = WayBack(href, ballot.title)


def context(request: Request[Any, Any, Any]) -> dict[str, Any]:
    """The error page's `who` and `way_back` (None when unknown)."""
    state = request.state
    return {
        "who": state.get(_PRINCIPAL_KEY),
        "way_back": state.get(_BALLOT_KEY),
    }

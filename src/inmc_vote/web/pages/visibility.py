"""Which ballots the public may see: every ballot but a draft.

A draft is the organiser's work in progress (its title, dates and rules may still change
many times), so it is shown to organisers only and answers 404 to everyone else until it
opens for candidacies (docs/lifecycle.md, "Who sees a draft")."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from litestar import Request

from inmc_vote.db.engine import Database
from inmc_vote.db.models import Ballot
from inmc_vote.domain.errors import NotFound
from inmc_vote.domain.lifecycle import State
from inmc_vote.web.auth import principal
from inmc_vote.web.pages.common import current_ballot


def is_public(ballot: Ballot) -> bool:
    return ballot.state != State.DRAFT


async def sees_drafts(request: Request[Any, Any, Any]) -> bool:
    """Every account is an organiser's: a signed-in reader sees the drafts."""
    return await principal(request) is not None


async def visible_ballots(
    request: Request[Any, Any, Any], ballots: Iterable[Ballot]
) -> list[Ballot]:
    """The ballots this reader may see, in the order given."""
    if await sees_drafts(request):
        return list(ballots)
    return [b for b in ballots if is_public(b)]


async def visible_ballot(
    request: Request[Any, Any, Any], db: Database, ballot_id: str, now: datetime
) -> Ballot:
    """The ballot (as the clock has made it), or 404 for a draft the reader may not see,
    with the same words as for a ballot that does not exist (a draft's id is not told)."""
    ballot = await current_ballot(db, ballot_id, now)
    if not is_public(ballot) and not await sees_drafts(request):
        raise NotFound("There is no ballot «{ballot_id}».", ballot_id=ballot_id)  # as queries say
    return ballot

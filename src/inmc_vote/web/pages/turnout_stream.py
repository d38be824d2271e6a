"""Live turnout: the number of ballots cast, as server-sent events, for the public ballot
page and the organiser's pages (static/turnout.js updates the count the page already
shows without JavaScript).

It reveals nothing the page does not: the count and the number of eligible cities,
never which credential or when. The board is read at most once a second and an event
goes out only when the count changed, so an event says at most "one or more ballots
arrived within this second", less than the public board's own times. The stream ends
with a last event once voting is closed (by the clock or by an organiser), and after
`MAX_STREAM_S` in any case; the browser then reconnects after `RETRY_MS`, unless the
last event said voting is over.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

from litestar import Controller, Request, get
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import ServerSentEvent, ServerSentEventMessage

from inmc_vote.db.engine import Database
from inmc_vote.domain.errors import NotFound
from inmc_vote.domain.lifecycle import Action, State, due_action
from inmc_vote.services import queries
from inmc_vote.web import i18n
from inmc_vote.web.deps import Clock

POLL_S = 1.0  # at most one event a second
KEEPALIVE_S = 20.0  # a comment now and then, so that a proxy keeps the stream open
MAX_STREAM_S = 1800.0  # then the browser reconnects: no connection is held for days
RETRY_MS = 5000


@dataclass(frozen=True)
class Turnout:
    round: int
    ballots: int
    eligible: int
    open: bool

    def payload(self, language: str) -> str:
        """The event's data: the numbers, and the sentence the page shows, in `language`."""
        words = i18n.catalogue(language)
        text = words.ngettext(
            "%(num)d ballot from %(eligible)s eligible cities",
            "%(num)d ballots from %(eligible)s eligible cities",
            self.ballots,
        ) % {"num": self.ballots, "eligible": self.eligible}
        if self.round > 1:
            text += " (" + words.gettext("round %(n)d") % {"n": self.round} + ")"
        return json.dumps(
            {
                "round": self.round,
                "ballots": self.ballots,
                "eligible": self.eligible,
                "open": self.open,
                "text": text,
            },
            ensure_ascii=False,
        )


async def turnout_now(db: Database, ballot_id: str, clock: Clock) -> Turnout:
    """The current round's turnout, and whether voting is open now (a closing time that
    passed counts as closed, whether or not the clock task has caught up yet)."""
    ballot = await queries.ballots.get_ballot(db, ballot_id)
    voting = (
        ballot.state == State.OPEN
        and due_action(State.OPEN, clock(), ballot.opens_at, ballot.closes_at) is not Action.CLOSE
    )
    if ballot.tokens_issued_at is None:
        return Turnout(ballot.round, 0, 0, False)
    try:
        current = await queries.manifests.manifest(db, ballot_id)
    except NotFound:
        return Turnout(ballot.round, 0, 0, False)
    counted = await queries.board.turnout(db, ballot_id, current.round)
    return Turnout(current.round, counted.ballots, counted.eligible, voting)


# The last reading of each ballot's turnout, shared by every stream of this process: the
# database is read at most once a poll per ballot, however many people watch it (readers
# that come while a reading is under way wait for it).
_readings: dict[tuple[int, int, str], tuple[float, asyncio.Future[Turnout]]] = {}


async def shared_turnout(db: Database, ballot_id: str, clock: Clock) -> Turnout:
    """`turnout_now`, or the reading another stream made (or is making) within a poll."""
    loop = asyncio.get_running_loop()
    key = (id(loop), id(db), ballot_id)
    kept = _readings.get(key)
    if kept is None or loop.time() - kept[0] >= POLL_S * 0.9 or kept[1].cancelled():
        reading = asyncio.ensure_future(turnout_now(db, ballot_id, clock))
        _readings[key] = kept = (loop.time(), reading)
        if len(_readings) > 1000:  # ballots no one watches any more
            _readings.pop(next(iter(_readings)))
    return await asyncio.shield(kept[1])


async def turnout_events(
    db: Database, ballot_id: str, clock: Clock, language: str, first: Turnout
) -> AsyncIterator[ServerSentEventMessage]:
    """One event now, then one each time the count changes, until voting is over."""
    loop = asyncio.get_running_loop()
    started = sent_at = loop.time()
    last: Turnout | None = None
    current = first
    while True:
        if current != last:
            yield ServerSentEventMessage(data=current.payload(language), event="turnout")
            last, sent_at = current, loop.time()
        elif loop.time() - sent_at >= KEEPALIVE_S:
            yield ServerSentEventMessage(comment="voting is open")
            sent_at = loop.time()
        if not current.open or loop.time() - started >= MAX_STREAM_S:
            return
        await asyncio.sleep(POLL_S)
        current = await shared_turnout(db, ballot_id, clock)


class TurnoutStream(Controller):
    include_in_schema = False

    @get("/ballots/{ballot_id:str}/turnout/stream")
    async def stream(
        self,
        request: Request[Any, Any, Any],
        ballot_id: FromPath[str],
        db: NamedDependency[Database],
    ) -> ServerSentEvent:
        clock: Clock = request.app.state.clock
        first = await turnout_now(db, ballot_id, clock)  # an unknown ballot: 404, no stream
        return ServerSentEvent(
            turnout_events(db, ballot_id, clock, i18n.language(), first),
            retry_duration=RETRY_MS,
            headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
        )

"""The voting pages: the vote page (the browser client does the cryptography), the
public board with its tracker lookup, and the facts every page of a ballot shows
(its fingerprint, its turnout, the board link)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from litestar import Controller, get
from litestar.di import NamedDependency
from litestar.params import FromQuery
from litestar.response import Template

from inmc_vote.config import LIMITS
from inmc_vote.db.engine import Database
from inmc_vote.db.models import Ballot, BoardEntry
from inmc_vote.domain.errors import NotFound
from inmc_vote.domain.protocol.credentials import fingerprint
from inmc_vote.domain.protocol.encoding import b64url, from_b64url
from inmc_vote.domain.protocol.manifest import short_fingerprint
from inmc_vote.services import queries
from inmc_vote.web.i18n import _
from inmc_vote.web.pages.common import BallotPage, page
from inmc_vote.web.pages.visibility import visible_ballot
from inmc_vote.web.params import After


@dataclass(frozen=True)
class VotingFacts:
    """What every page of a ballot shows once its manifest is fixed."""

    round: int
    short: str
    full: str
    ballots: int
    eligible: int


@dataclass(frozen=True)
class Row:
    seq: int
    received_at: datetime
    tracker: str
    tracker_short: str
    credential: str


@dataclass(frozen=True)
class SealFacts:
    count: int
    head: str
    head_short: str
    closed_at: datetime
    signature: str


async def voting_facts(db: Database, ballot: Ballot) -> VotingFacts | None:
    """The fingerprint and turnout, or None before the tokens are issued."""
    if ballot.tokens_issued_at is None:
        return None
    try:
        current = await queries.manifests.manifest(db, ballot.id)
    except NotFound:
        return None
    counted = await queries.board.turnout(db, ballot.id, current.round)
    return VotingFacts(
        current.round,
        short_fingerprint(current.hash),
        b64url(current.hash),
        counted.ballots,
        counted.eligible,
    )


def _row(entry: BoardEntry) -> Row:
    """An entry as the board page lists it: its tracker (SHA-256 of the ballot, as the
    voter computed it) and the credential's fingerprint."""
    return Row(
        entry.seq,
        datetime.fromisoformat(entry.received_at.replace("Z", "+00:00")),
        b64url(entry.tracker),
        short_fingerprint(entry.tracker),
        fingerprint(entry.credential),
    )


async def _lookup(db: Database, ballot_id: str, tracker: str) -> tuple[Row | None, str]:
    """The entry of a tracker as typed (base64url, spaces ignored), or why there is none."""
    cleaned = "".join(tracker.split())
    try:
        raw = from_b64url(cleaned)
    except ValueError:
        raw = b""
    if len(raw) != 32:
        return None, _(
            "This is not a tracker: a tracker is 43 letters, digits, “-” and “_”, as on "
            "your receipt. Check what you typed."
        )
    try:
        return _row(await queries.board.entry_by_tracker(db, ballot_id, raw)), ""
    except NotFound:
        return None, _(
            "No ballot with this tracker is on this board. Check what you typed against "
            "your receipt."
        )


class VotingPages(Controller):
    include_in_schema = False

    @get("/vote/{ballot_id:str}")
    async def vote(
        self,
        at: NamedDependency[BallotPage],
    ) -> Template:
        ballot = await visible_ballot(at.request, at.db, at.ballot_id, at.now)
        return await page(
            at.request,
            "vote.html",
            ballot=ballot,
            facts=await voting_facts(at.db, ballot),
            server=at.settings.base_url,
        )

    @get("/ballots/{ballot_id:str}/board")
    async def board_page(
        self,
        at: NamedDependency[BallotPage],
        after: After = 0,
        tracker: FromQuery[str] = "",
    ) -> Template:
        ballot = await visible_ballot(at.request, at.db, at.ballot_id, at.now)
        facts = await voting_facts(at.db, ballot)
        after = max(after, 0)
        rows: list[Row] = []
        seal = None
        found, lookup_error = None, ""
        if facts is not None:
            entries = await queries.board.entries(
                at.db, at.ballot_id, facts.round, after, LIMITS.board_html_page
            )
            rows = [_row(e) for e in entries]
            sealed = await queries.board.seal(at.db, at.ballot_id, facts.round)
            if sealed is not None:
                seal = SealFacts(
                    sealed.count,
                    b64url(sealed.head),
                    short_fingerprint(sealed.head),
                    datetime.fromisoformat(sealed.closed_at.replace("Z", "+00:00")),
                    b64url(sealed.signature),
                )
            if tracker.strip():
                found, lookup_error = await _lookup(at.db, at.ballot_id, tracker)
        next_after = rows[-1].seq if len(rows) == LIMITS.board_html_page else None
        return await page(
            at.request,
            "board.html",
            ballot=ballot,
            facts=facts,
            rows=rows,
            after=after,
            previous_after=max(after - LIMITS.board_html_page, 0) if after > 0 else None,
            next_after=next_after,
            seal=seal,
            tracker=tracker.strip(),
            found=found,
            lookup_error=lookup_error,
        )

"""Casting: a ballot of protocol v2 in (docs/protocol.md, "The ballot"); a signed
receipt out (protocol.md, 'Board, receipts, seal').

The checks run in a fixed order and the first failure answers its own 4xx, storing
nothing: ballot open and inside its window (409); the ballot's shape (422, naming the
field); manifest hash (409); credential on the roll and not revoked (403); its points,
its proof of knowledge and its signature (422); not voted yet in this round (409), unless
the entry already on the board holds these very bytes: then a lost reply is being
retried, and the same receipt is given again (the signature is Ed25519, deterministic),
storing nothing. The
entry is then chained to the board under the ballot's lock (a row lock on PostgreSQL,
BEGIN IMMEDIATE on SQLite, so several app processes can share the database) and
flushed, so that the UNIQUE(ballot, round, credential) backstop answers 409 inside the
transaction; the transaction commits, and only then is the receipt signed. Nothing is
decrypted: the server cannot read a vote.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from inmc_vote.db.engine import Database
from inmc_vote.db.models import BoardEntry, Manifest, RollEntry, Seal
from inmc_vote.domain.errors import N_, Conflict, Forbidden, Invalid
from inmc_vote.domain.lifecycle import State
from inmc_vote.domain.protocol import ballot as ballots
from inmc_vote.domain.protocol import board, manifest
from inmc_vote.domain.protocol.encoding import rfc3339_ms
from inmc_vote.domain.timefmt import Zoned
from inmc_vote.services.queries.board import protocol_entry
from inmc_vote.services.steps import event_log, keyring
from inmc_vote.services.steps.schedule import catch_up

ALREADY_VOTED = N_("This token has already voted in this round: a token votes once.")
OTHER_MANIFEST = N_(
    "This ballot was made for another manifest (another ballot or round): reload the "
    "voting page and vote again."
)
NOT_ON_ROLL = N_(
    "This token is not on this ballot's roll: check that you used the token of this "
    "ballot's letter."
)
REVOKED = N_("This token was revoked (reported lost) and replaced; use the replacement letter.")

Receipt = board.Receipt


@dataclass(frozen=True)
class Cast:
    receipt: board.Receipt
    again: bool  # the same ballot sent again after a lost reply: nothing new was stored


def read_ballot(body: Any) -> ballots.Ballot:
    """The ballot's fields, decoded; Invalid names the first bad one (no point checked)."""
    try:
        return ballots.Ballot.parse(body)
    except ballots.BallotError as error:
        raise Invalid.as_written(str(error)) from None


async def cast(db: Database, ballot_id: str, body: Any, now: datetime) -> Cast:
    async with db.write() as session:
        ballot = await event_log.lock_ballot(session, ballot_id)
        await catch_up(session, ballot, now, db.at_rest_key)
        if ballot.state != State.OPEN.value:
            # After an early close the round closed at its seal's time, not at closes_at.
            seal = await session.get(Seal, (ballot_id, ballot.round))
            closed_at = datetime.fromisoformat(seal.closed_at) if seal else ballot.closes_at
            raise _not_open(ballot.state, ballot.opens_at, closed_at, ballot.timezone)
        cast_ballot = read_ballot(body)
        current = await session.get(Manifest, (ballot_id, ballot.round))
        assert current is not None  # opening requires the manifest
        if cast_ballot.manifest_hash != current.hash:
            raise Conflict(OTHER_MANIFEST)
        on_roll = await session.get(RollEntry, (ballot_id, cast_ballot.credential))
        if on_roll is None:
            raise Forbidden(NOT_ON_ROLL)
        if on_roll.revoked_at is not None:
            raise Forbidden(REVOKED)
        election_key = manifest.Manifest.parse(current.data).keys.election
        try:
            ballots.check(cast_ballot, current.hash, election_key)
        except ballots.BallotError as error:
            raise Invalid.as_written(str(error)) from None
        canonical = cast_ballot.canonical()
        voted = (
            await session.execute(
                select(BoardEntry).where(
                    BoardEntry.ballot_id == ballot_id,
                    BoardEntry.round == ballot.round,
                    BoardEntry.credential == cast_ballot.credential,
                )
            )
        ).scalar_one_or_none()
        if voted is not None:
            if voted.ballot != canonical:
                raise Conflict(ALREADY_VOTED)
            authority = await keyring.authority_seed(session, db.at_rest_key, ballot_id)
            entry = protocol_entry(voted)
            return Cast(
                board.Receipt.issue(authority, current.hash, ballot_id, ballot.round, entry),
                again=True,
            )
        last = (
            await session.execute(
                select(BoardEntry.seq, BoardEntry.hash)
                .where(BoardEntry.ballot_id == ballot_id, BoardEntry.round == ballot.round)
                .order_by(BoardEntry.seq.desc())
                .limit(1)
            )
        ).first()
        seq, prev = (1, current.hash) if last is None else (last.seq + 1, last.hash)
        received_at = rfc3339_ms(now)
        tracker = board.tracker_of(canonical)
        entry = board.Entry(
            seq,
            received_at,
            canonical,
            tracker,
            prev,
            board.entry_hash(prev, seq, received_at, tracker),
        )
        session.add(
            BoardEntry(
                ballot_id=ballot_id,
                round=ballot.round,
                seq=seq,
                received_at=received_at,
                credential=cast_ballot.credential,
                ballot=canonical,
                tracker=tracker,
                alpha=cast_ballot.alpha,
                beta=cast_ballot.beta,
                prev=prev,
                hash=entry.hash,
            )
        )
        try:
            await session.flush()
        except IntegrityError:  # the UNIQUE(ballot, round, credential) backstop
            raise Conflict(ALREADY_VOTED) from None
        manifest_hash, round_number = current.hash, ballot.round
        authority = await keyring.authority_seed(session, db.at_rest_key, ballot_id)
    # Committed: only now is the receipt signed and given.
    return Cast(
        board.Receipt.issue(authority, manifest_hash, ballot_id, round_number, entry), again=False
    )


def _not_open(
    state: str, opens_at: datetime | None, closes_at: datetime | None, zone: str
) -> Conflict:
    if state in (State.CLOSED.value, State.TALLIED.value):
        return Conflict(
            "Voting closed at {time}: no more ballots are accepted.", time=Zoned(closes_at, zone)
        )
    if state == State.FROZEN.value and opens_at is not None:
        return Conflict(
            "Voting has not opened yet: it opens at {time}.", time=Zoned(opens_at, zone)
        )
    return Conflict("The ballot is {state}: it is not open for voting.", state=state)

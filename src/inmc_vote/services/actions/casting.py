"""Casting: a signed, encrypted ballot in; a signed receipt out.

The checks run in a fixed order and the first failure answers its own 4xx, storing
nothing: ballot open and inside its window; manifest hash; credential on the roll
and not revoked; signature; ciphertext length; not voted yet in this round. The
entry is then chained to the board under the ballot's lock (a row lock on
PostgreSQL, BEGIN IMMEDIATE on SQLite, so several app processes can share the
database), committed, and only then is the receipt signed. Nothing is decrypted.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from inmc_vote.db.engine import Database
from inmc_vote.db.models import BoardEntry, Manifest, RollEntry, Seal
from inmc_vote.domain.errors import Conflict, Forbidden, Invalid
from inmc_vote.domain.lifecycle import State
from inmc_vote.domain.protocol import board, keys, manifest
from inmc_vote.domain.protocol.encoding import b64url, from_b64url, rfc3339_ms
from inmc_vote.domain.protocol.vote import Ballot, ciphertext_size
from inmc_vote.domain.timefmt import show_time
from inmc_vote.services.steps import event_log, keyring
from inmc_vote.services.steps.schedule import catch_up

ALREADY_VOTED = "This token has already voted in this round: a token votes once."


@dataclass(frozen=True)
class Receipt:
    ballot: str
    round: int
    seq: int
    hash: bytes
    received_at: str
    signature: bytes

    def to_json(self) -> dict[str, Any]:
        return {
            "ballot": self.ballot,
            "round": self.round,
            "seq": self.seq,
            "hash": b64url(self.hash),
            "received_at": self.received_at,
            "signature": b64url(self.signature),
        }


def read_ballot(body: dict[str, Any]) -> Ballot:
    """The four fields of a ballot, decoded; Invalid names the first bad one."""
    sizes = {"manifest_hash": 32, "credential": 32, "signature": 64}
    decoded: dict[str, bytes] = {}
    for field in ("manifest_hash", "credential", "ciphertext", "signature"):
        value = body.get(field)
        if not isinstance(value, str):
            raise Invalid(f"The ballot's «{field}» is missing or is not a text.")
        try:
            decoded[field] = from_b64url(value)
        except ValueError:
            raise Invalid(f"The ballot's «{field}» is not unpadded base64url.") from None
        if field in sizes and len(decoded[field]) != sizes[field]:
            raise Invalid(
                f"The ballot's «{field}» should be {sizes[field]} bytes, not {len(decoded[field])}."
            )
    extra = set(body) - {"manifest_hash", "credential", "ciphertext", "signature"}
    if extra:
        raise Invalid(f"The ballot has unknown fields: {', '.join(sorted(extra))}.")
    return Ballot(**decoded)


async def cast(db: Database, ballot_id: str, body: dict[str, Any], now: datetime) -> Receipt:
    cast_ballot = read_ballot(body)
    async with db.write() as session:
        ballot = await event_log.lock_ballot(session, ballot_id)
        await catch_up(session, ballot, now, db.at_rest_key)
        if ballot.state != State.OPEN.value:
            # After an early close the round closed at its seal's time, not at closes_at.
            seal = await session.get(Seal, (ballot_id, ballot.round))
            closed_at = datetime.fromisoformat(seal.closed_at) if seal else ballot.closes_at
            raise Conflict(
                _not_open_message(ballot.state, ballot.opens_at, closed_at, ballot.timezone)
            )
        current = await session.get(Manifest, (ballot_id, ballot.round))
        assert current is not None  # opening requires the manifest
        if cast_ballot.manifest_hash != current.hash:
            raise Conflict(
                "This ballot was made for another manifest (another ballot or "
                "round): reload the voting page and vote again."
            )
        entry = await session.get(RollEntry, (ballot_id, cast_ballot.credential))
        if entry is None:
            raise Forbidden(
                "This token is not on this ballot's roll: check that you used "
                "the token of this ballot's letter."
            )
        if entry.revoked_at is not None:
            raise Forbidden(
                "This token was revoked (reported lost) and replaced; use the replacement letter."
            )
        if not cast_ballot.signature_valid():
            raise Invalid("The ballot's signature does not match its content.")
        manifest_vote_size = _vote_size(current.data)
        if len(cast_ballot.ciphertext) != ciphertext_size(manifest_vote_size):
            raise Invalid(
                f"The encrypted vote is {len(cast_ballot.ciphertext)} bytes; "
                f"this ballot's are {ciphertext_size(manifest_vote_size)}."
            )
        voted = (
            await session.execute(
                select(BoardEntry.seq).where(
                    BoardEntry.ballot_id == ballot_id,
                    BoardEntry.round == ballot.round,
                    BoardEntry.credential == cast_ballot.credential,
                )
            )
        ).first()
        if voted is not None:
            raise Conflict(ALREADY_VOTED)
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
        tracker = board.entry_hash(
            prev,
            seq,
            received_at,
            cast_ballot.credential,
            cast_ballot.ciphertext,
            cast_ballot.signature,
        )
        session.add(
            BoardEntry(
                ballot_id=ballot_id,
                round=ballot.round,
                seq=seq,
                received_at=received_at,
                credential=cast_ballot.credential,
                ciphertext=cast_ballot.ciphertext,
                signature=cast_ballot.signature,
                prev=prev,
                hash=tracker,
            )
        )
        try:
            await session.flush()
        except IntegrityError:  # the UNIQUE(ballot, round, credential) backstop
            raise Conflict(ALREADY_VOTED) from None
        manifest_hash, round_number = current.hash, ballot.round
        authority = await keyring.authority_seed(session, db.at_rest_key, ballot_id)
    # Committed: only now is the receipt signed and given.
    signature = keys.sign(authority, board.receipt_message(manifest_hash, seq, tracker))
    return Receipt(ballot_id, round_number, seq, tracker, received_at, signature)


def _vote_size(manifest_data: bytes) -> int:
    return manifest.Manifest.parse(manifest_data).vote_size


def _not_open_message(
    state: str, opens_at: datetime | None, closes_at: datetime | None, zone: str
) -> str:
    if state in (State.CLOSED.value, State.TALLIED.value):
        return f"Voting closed at {show_time(closes_at, zone)}: no more ballots are accepted."
    if state == State.FROZEN.value and opens_at is not None:
        return f"Voting has not opened yet: it opens at {show_time(opens_at, zone)}."
    return f"The ballot is {state}: it is not open for voting."

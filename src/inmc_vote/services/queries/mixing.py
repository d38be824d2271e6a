"""Reading a round's mix: where it stands, its input list, each shuffle and decryption
message as the trustee sent it (the exact bytes, which the tally record names by hash)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from inmc_vote.db import paging
from inmc_vote.db.engine import Database
from inmc_vote.db.models import BoardEntry, Tally
from inmc_vote.domain.errors import Conflict, NotFound
from inmc_vote.domain.protocol import mixing, shuffle
from inmc_vote.domain.protocol.encoding import b64url, rfc3339_ms
from inmc_vote.services.steps import mixnet


@dataclass(frozen=True)
class MixState:
    """What GET .../mix answers."""

    mix: mixnet.RoundMix

    def to_json(self) -> dict[str, Any]:
        mix = self.mix
        return {
            "ballot": mix.ballot_id,
            "round": mix.round,
            "state": mix.state,
            "sealed": mix.seal is not None,
            "tallied": mix.tallied,
            "threshold": mix.threshold,
            "trustees": [{"index": m.index, "name": m.name} for m in mix.trustees.members],
            "input": {"count": mix.input_count, "hash": b64url(mix.input_hash)},
            "shuffles": [
                {
                    "index": s.index,
                    "trustee": s.trustee,
                    "name": mix.name(s.trustee),
                    "hash": b64url(s.hash),
                    "input": b64url(s.input_hash),
                    "output": b64url(s.output_hash),
                    "at": rfc3339_ms(s.created_at),
                }
                for s in mix.shuffles
            ],
            "decryptions": [
                {
                    "trustee": d.trustee,
                    "name": mix.name(d.trustee),
                    "hash": b64url(d.hash),
                    "at": rfc3339_ms(d.created_at),
                }
                for d in mix.decryptions
            ],
            "last_output": b64url(mix.last_output_hash),
            "next": {
                "shuffle": mix.may_shuffle(),
                "decrypt": mix.may_decrypt(),
                "index": len(mix.shuffles) + 1,
            },
            "ready": mix.open_for_mixing and mix.ready(),
            "waiting_for": None if mix.tallied or not mix.open_for_mixing else mix.missing(),
        }


async def mix_state(db: Database, ballot_id: str, number: int | None) -> MixState:
    async with db.read() as session:
        return MixState(await mixnet.round_mix(session, ballot_id, number))


async def _round_number(db: Database, ballot_id: str, number: int | None) -> int:
    async with db.read() as session:
        mix = await mixnet.round_mix(session, ballot_id, number)
        if mix.seal is None:
            raise Conflict(
                "Round {round} is not closed yet: its mix input is the sealed board.",
                round=mix.round,
            )
        return mix.round


async def input_lines(db: Database, ballot_id: str, number: int | None) -> AsyncIterator[bytes]:
    """The round's mix input as JSON Lines of [alpha, beta], in seq order, a page at a time
    (each in its own short read). Raises before the first line when there is none yet."""
    found = await _round_number(db, ballot_id, number)
    return _input_pages(db, ballot_id, found)


async def _input_pages(db: Database, ballot_id: str, number: int) -> AsyncIterator[bytes]:
    query = select(BoardEntry).where(BoardEntry.ballot_id == ballot_id, BoardEntry.round == number)
    async for rows in paging.pages(db, query, BoardEntry.seq):
        yield mixing.list_lines((row.alpha, row.beta) for row in rows)


async def shuffle_message(db: Database, ballot_id: str, number: int | None, index: int) -> bytes:
    async with db.read() as session:
        mix = await mixnet.round_mix(session, ballot_id, number)
        return await mixnet.shuffle_bytes(session, ballot_id, mix.round, index)


async def decryption_message(
    db: Database,
    ballot_id: str,
    number: int | None,
    trustee: int,
    *,
    include_unpublished: bool,
) -> bytes:
    """A trustee's decryption message. Any t of them decrypt the round's votes (in the
    mixed order), so before the results are published only organisers may read them."""
    async with db.read() as session:
        mix = await mixnet.round_mix(session, ballot_id, number)
        if not include_unpublished and not await _published(session, ballot_id, mix.round):
            raise NotFound(
                "Round {round}'s decryptions are public once its results are published "
                "(any t of them reveal the votes).",
                round=mix.round,
            )
        return await mixnet.decryption_bytes(session, ballot_id, mix.round, trustee)


async def _published(session: Any, ballot_id: str, number: int) -> bool:
    found = await session.get(Tally, (ballot_id, number))
    return found is not None and found.published_at is not None


async def last_list(
    db: Database, ballot_id: str, number: int | None
) -> tuple[mixnet.RoundMix, list[shuffle.Ciphertext]]:
    """The mix and the list its next shuffle takes (and the trustees decrypt)."""
    async with db.read() as session:
        mix = await mixnet.round_mix(session, ballot_id, number)
        return mix, await mixnet.last_output(session, mix)

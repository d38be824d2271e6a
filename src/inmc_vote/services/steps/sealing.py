"""Closing seals the round's board: the authority signs its head and count."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from inmc_vote.db.models import Ballot, BoardEntry, Manifest, Seal
from inmc_vote.domain.protocol import board, keys
from inmc_vote.domain.protocol.encoding import b64url, rfc3339_ms
from inmc_vote.services.steps import keyring


async def seal_round(
    session: AsyncSession, ballot: Ballot, now: datetime, at_rest_key: bytes
) -> Seal:
    current = await session.get(Manifest, (ballot.id, ballot.round))
    assert current is not None  # a ballot opens only with its manifest
    count, last = (
        await session.execute(
            select(func.count(), func.max(BoardEntry.seq)).where(
                BoardEntry.ballot_id == ballot.id, BoardEntry.round == ballot.round
            )
        )
    ).one()
    head = current.hash
    if last is not None:
        head = (
            await session.execute(
                select(BoardEntry.hash).where(
                    BoardEntry.ballot_id == ballot.id,
                    BoardEntry.round == ballot.round,
                    BoardEntry.seq == last,
                )
            )
        ).scalar_one()
    closed_at = rfc3339_ms(now)
    authority = await keyring.authority_seed(session, at_rest_key, ballot.id)
    seal = Seal(
        ballot_id=ballot.id,
        round=ballot.round,
        count=count,
        head=head,
        closed_at=closed_at,
        signature=keys.sign(authority, board.seal_message(current.hash, count, head, closed_at)),
    )
    session.add(seal)
    return seal


def seal_details(seal: Seal) -> dict[str, object]:
    """What the event log records of a seal."""
    return {
        "seal": {
            "count": seal.count,
            "head": b64url(seal.head),
            "closed_at": seal.closed_at,
            "signature": b64url(seal.signature),
        }
    }

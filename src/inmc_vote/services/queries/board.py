"""Reading the public board, the manifest, the roll and turnout."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from inmc_vote.config import LIMITS
from inmc_vote.db.engine import Database
from inmc_vote.db.models import BoardEntry, Manifest, Seal
from inmc_vote.db.paging import page_after
from inmc_vote.domain.errors import NotFound
from inmc_vote.domain.protocol import board, manifest


@dataclass(frozen=True)
class Turnout:
    ballots: int
    eligible: int


async def entries(
    db: Database, ballot_id: str, round_number: int, after: int = 0, limit: int = LIMITS.board_page
) -> list[BoardEntry]:
    async with db.read() as session:
        query = select(BoardEntry).where(
            BoardEntry.ballot_id == ballot_id, BoardEntry.round == round_number
        )
        result = await session.execute(page_after(query, BoardEntry.seq, after, limit))
        return list(result.scalars())


def protocol_entry(row: BoardEntry) -> board.Entry:
    """A stored board row as the protocol's entry (its line is `.to_json()`, protocol.md, 'Board,
    receipts, seal')."""
    return board.Entry(row.seq, row.received_at, row.ballot, row.tracker, row.prev, row.hash)


async def entry_by_tracker(db: Database, ballot_id: str, tracker: bytes) -> BoardEntry:
    """The entry of a ballot's tracker (SHA-256 of its canonical JSON), latest round first."""
    async with db.read() as session:
        found = (
            await session.execute(
                select(BoardEntry)
                .where(BoardEntry.ballot_id == ballot_id, BoardEntry.tracker == tracker)
                .order_by(BoardEntry.round.desc())
                .limit(1)
            )
        ).scalar()
        if found is None:
            raise NotFound("No ballot with this tracker is on this board.")
        return found


async def turnout(db: Database, ballot_id: str, round_number: int) -> Turnout:
    async with db.read() as session:
        ballots = (
            await session.execute(
                select(func.count())
                .select_from(BoardEntry)
                .where(BoardEntry.ballot_id == ballot_id, BoardEntry.round == round_number)
            )
        ).scalar_one()
        data = (
            await session.execute(
                select(Manifest.data).where(
                    Manifest.ballot_id == ballot_id, Manifest.round == round_number
                )
            )
        ).scalar()
    eligible = manifest.Manifest.parse(data).eligible if data else 0
    return Turnout(ballots, eligible)


async def seal(db: Database, ballot_id: str, round_number: int) -> Seal | None:
    async with db.read() as session:
        return await session.get(Seal, (ballot_id, round_number))

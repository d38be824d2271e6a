"""Reading a ballot's results: every tallied round, with the record that proves it.

A round's results are visible to organisers as soon as it is tallied, and to everyone
once they are published."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import undefer

from inmc_vote.db import paging
from inmc_vote.db.engine import Database
from inmc_vote.db.models import Manifest as ManifestRow
from inmc_vote.db.models import Seal, Tally, TallyVote
from inmc_vote.domain.codes import InvalidReason, VerdictKind
from inmc_vote.domain.counting.result import Result
from inmc_vote.domain.protocol import tally
from inmc_vote.domain.protocol.manifest import Manifest


@dataclass(frozen=True)
class RoundResult:
    """One tallied round: its manifest, its seal, and its signed tally record."""

    round: int
    manifest: Manifest
    manifest_hash: bytes
    seal: Seal
    record: dict[str, Any]
    record_bytes: bytes
    tally_hash: bytes
    signature: bytes
    published_at: datetime | None

    @property
    def result(self) -> Result:
        return Result.from_json(self.record["result"])

    @property
    def names(self) -> dict[str, str]:
        """Candidate id → city name, as the manifest states them."""
        return self.manifest.names


async def tallied_rounds(
    db: Database, ballot_id: str, *, include_unpublished: bool
) -> list[RoundResult]:
    """The tallied rounds a viewer may see, oldest first (organisers see unpublished ones)."""
    async with db.read() as session:
        query = (
            select(Tally, ManifestRow, Seal)
            .join(
                ManifestRow,
                (ManifestRow.ballot_id == Tally.ballot_id) & (ManifestRow.round == Tally.round),
            )
            .join(Seal, (Seal.ballot_id == Tally.ballot_id) & (Seal.round == Tally.round))
            .where(Tally.ballot_id == ballot_id)
            .options(undefer(Tally.data))
            .order_by(Tally.round)
        )
        if not include_unpublished:
            query = query.where(Tally.published_at.is_not(None))
        rows = (await session.execute(query)).all()
    return [
        RoundResult(
            round=row.Tally.round,
            manifest=Manifest.parse(row.Manifest.data),
            manifest_hash=row.Manifest.hash,
            seal=row.Seal,
            record=json.loads(row.Tally.data),
            record_bytes=row.Tally.data,
            tally_hash=row.Tally.hash,
            signature=row.Tally.signature,
            published_at=row.Tally.published_at,
        )
        for row in rows
    ]


async def vote_lines(db: Database, ballot_id: str, round_number: int) -> AsyncIterator[bytes]:
    """The round's vote lines (JSON Lines, in the mixed order, attached to no ballot),
    exactly as the record hashed them; a page at a time, each in its own short read, so
    that a slow download holds no transaction open."""
    query = select(TallyVote).where(
        TallyVote.ballot_id == ballot_id, TallyVote.round == round_number
    )
    async for rows in paging.pages(db, query, TallyVote.position):
        yield b"".join(
            tally.vote_row_line(
                row.position,
                VerdictKind(row.outcome),
                None if row.reason is None else InvalidReason(row.reason),
                None if row.vote is None else json.loads(row.vote),
            )
            for row in rows
        )

"""Which credentials of a letters file are on a ballot's roll, and which are revoked:
what the lost-token page needs to list the cities of the file the organiser kept."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select

from inmc_vote.db.engine import Database
from inmc_vote.db.models import RollEntry


async def revoked_by_fingerprint(
    db: Database, ballot_id: str, fingerprints: Iterable[str]
) -> dict[str, bool]:
    """For each of `fingerprints` on the ballot's roll: whether it is revoked (a
    fingerprint of another ballot, or of a cancelled issuance, is left out)."""
    wanted = sorted(set(fingerprints))
    found: dict[str, bool] = {}
    async with db.read() as session:
        for start in range(0, len(wanted), 500):  # within every database's parameter limit
            rows = await session.execute(
                select(RollEntry.fingerprint, RollEntry.revoked_at).where(
                    RollEntry.ballot_id == ballot_id,
                    RollEntry.fingerprint.in_(wanted[start : start + 500]),
                )
            )
            found.update({fp: revoked is not None for fp, revoked in rows})
    return found

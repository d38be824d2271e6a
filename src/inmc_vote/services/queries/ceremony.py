"""The public state of a ballot's key ceremony: who the trustees are, what each has sent
(the exact messages), and what the ceremony waits for. Trustees' tools read it to make
their deals and check their shares; nothing in it is secret."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from inmc_vote.db.engine import Database
from inmc_vote.domain.errors import NotFound
from inmc_vote.domain.protocol.encoding import b64url, rfc3339_ms
from inmc_vote.domain.trustees import warning
from inmc_vote.services.steps import ceremony as steps


@dataclass(frozen=True)
class TrusteeView:
    index: int
    name: str
    certificate: dict[str, Any] | None
    deal: dict[str, Any] | None
    key: dict[str, Any] | None
    complaint: dict[str, Any] | None


@dataclass(frozen=True)
class CeremonyView:
    ballot_id: str
    ceremony: int
    state: str  # open, failed, complete (the latest ceremony is never "replaced")
    phase: steps.Phase
    threshold: int
    size: int
    election_key: bytes | None
    created_at: datetime
    completed_at: datetime | None
    trustees: list[TrusteeView]

    def to_json(self) -> dict[str, Any]:
        """As the API serves it (GET /api/v1/ballots/{id}/ceremony) and the trustees'
        tools read it: every message as the exact JSON object that was sent."""
        return {
            "ballot": self.ballot_id,
            "ceremony": self.ceremony,
            "state": self.state,
            "phase": self.phase.value,
            "threshold": self.threshold,
            "size": self.size,
            "election_key": None if self.election_key is None else b64url(self.election_key),
            "created_at": rfc3339_ms(self.created_at),
            "completed_at": None if self.completed_at is None else rfc3339_ms(self.completed_at),
            "waiting_for": [t.index for t in self.waiting_for()],
            "warning": warning(self.threshold, self.size),
            "trustees": [
                {
                    "index": t.index,
                    "name": t.name,
                    "certificate": t.certificate,
                    "deal": t.deal,
                    "key": t.key,
                    "complaint": t.complaint,
                }
                for t in self.trustees
            ],
        }

    def waiting_for(self) -> list[TrusteeView]:
        """The trustees whose message the ceremony waits for now."""
        column = {
            steps.Phase.CERTIFICATES: "certificate",
            steps.Phase.DEALS: "deal",
            steps.Phase.KEYS: "key",
        }.get(self.phase)
        if column is None:
            return []
        return [t for t in self.trustees if getattr(t, column) is None]


async def ceremony(db: Database, ballot_id: str) -> CeremonyView:
    """The ballot's latest ceremony; NotFound when no trustee was ever named."""
    view = await find(db, ballot_id)
    if view is None:
        raise NotFound(
            "No trustees have been named for ballot «{ballot_id}» yet.", ballot_id=ballot_id
        )
    return view


async def state_json(db: Database, ballot_id: str) -> dict[str, Any]:
    """`ceremony(...).to_json()`: what the API serves and the trustees' tools read."""
    return (await ceremony(db, ballot_id)).to_json()


async def find(db: Database, ballot_id: str) -> CeremonyView | None:
    async with db.read() as session:
        row = await steps.latest(session, ballot_id)
        if row is None:
            return None
        trustees = await steps.trustees_of(session, ballot_id, row.ceremony)
        run = steps.read_run(ballot_id, row, trustees)
        return CeremonyView(
            ballot_id=ballot_id,
            ceremony=row.ceremony,
            state=row.state,
            phase=run.phase,
            threshold=row.threshold,
            size=row.size,
            election_key=row.election_key,
            created_at=row.created_at,
            completed_at=row.completed_at,
            trustees=[
                TrusteeView(
                    t.index,
                    t.name,
                    _value(t.certificate),
                    _value(t.deal),
                    _value(t.key),
                    _value(t.complaint),
                )
                for t in trustees
            ],
        )


def _value(data: bytes | None) -> dict[str, Any] | None:
    return None if data is None else json.loads(data)

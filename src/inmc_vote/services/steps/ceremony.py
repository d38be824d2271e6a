"""The trustees' key ceremony as stored: a ballot's latest ceremony, its trustees and the
messages they sent, read back through the domain's checks (domain/protocol/ceremony.py).

The stored bytes are canonical JSON that passed those checks when they came in; reading
them again here costs a few signature checks per trustee (at most 20), and means that
what is served, concluded or put in a manifest never rests on an unchecked column.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from inmc_vote.db.models import Ceremony, Trustee
from inmc_vote.domain.codes import CeremonyState
from inmc_vote.domain.errors import Conflict
from inmc_vote.domain.protocol import ceremony as protocol
from inmc_vote.domain.trustees import warning


class Phase(StrEnum):
    """What a ceremony is waiting for (derived from what is in)."""

    CERTIFICATES = "certificates"
    DEALS = "deals"
    KEYS = "keys"
    COMPLETE = "complete"
    FAILED = "failed"
    REPLACED = "replaced"


@dataclass(frozen=True)
class Run:
    """One ceremony and its trustees, in index order, with their messages read."""

    ballot_id: str
    row: Ceremony
    trustees: list[Trustee]
    certificates: list[protocol.Certificate]
    deals: list[protocol.Deal]
    keys: list[protocol.TrusteeKey]
    complaints: list[protocol.Complaint]

    @property
    def number(self) -> int:
        return self.row.ceremony

    @property
    def threshold(self) -> int:
        return self.row.threshold

    @property
    def size(self) -> int:
        return self.row.size

    @property
    def phase(self) -> Phase:
        state = CeremonyState(self.row.state)
        if state is not CeremonyState.OPEN:
            return Phase(state.value)
        if len(self.certificates) < self.size:
            return Phase.CERTIFICATES
        if len(self.deals) < self.size:
            return Phase.DEALS
        return Phase.KEYS

    def missing(self, column: str) -> list[Trustee]:
        """The trustees that have not sent this message yet."""
        return [t for t in self.trustees if getattr(t, column) is None]


def who(trustee: Trustee) -> str:
    """How a message names a trustee to people: «trustee 2 (Ana Costa)»."""
    return f"trustee {trustee.index} ({trustee.name})"


def names(trustees: list[Trustee]) -> str:
    return ", ".join(who(t) for t in trustees)


async def latest(session: AsyncSession, ballot_id: str) -> Ceremony | None:
    """The ballot's latest ceremony (the only one whose invitations work), or None."""
    return (
        await session.execute(
            select(Ceremony)
            .where(Ceremony.ballot_id == ballot_id)
            .order_by(Ceremony.ceremony.desc())
            .limit(1)
        )
    ).scalar_one_or_none()


async def trustees_of(session: AsyncSession, ballot_id: str, number: int) -> list[Trustee]:
    return list(
        (
            await session.execute(
                select(Trustee)
                .where(Trustee.ballot_id == ballot_id, Trustee.ceremony == number)
                .order_by(Trustee.index)
            )
        ).scalars()
    )


def read_run(ballot_id: str, row: Ceremony, trustees: list[Trustee]) -> Run:
    """Read back every stored message of a ceremony, in index order."""
    context: dict[str, Any] = {"ballot": ballot_id, "ceremony": row.ceremony}
    certificates = [
        protocol.read_certificate(_json(t.certificate), trustee=t.index, name=t.name, **context)
        for t in trustees
        if t.certificate is not None
    ]
    whole = len(certificates) == len(trustees)
    deals = [
        protocol.read_deal(
            _json(t.deal),
            certificates=certificates,
            threshold=row.threshold,
            trustee=t.index,
            **context,
        )
        for t in trustees
        if whole and t.deal is not None
    ]
    dealt = whole and len(deals) == len(trustees)
    keys = [
        protocol.read_key(
            _json(t.key), certificates=certificates, deals=deals, trustee=t.index, **context
        )
        for t in trustees
        if dealt and t.key is not None
    ]
    complaints = [
        protocol.read_complaint(
            _json(t.complaint), certificates=certificates, trustee=t.index, **context
        )
        for t in trustees
        if whole and t.complaint is not None
    ]
    return Run(ballot_id, row, trustees, certificates, deals, keys, complaints)


async def current_run(session: AsyncSession, ballot_id: str) -> Run | None:
    """The latest ceremony, read; None when no trustee was ever named."""
    row = await latest(session, ballot_id)
    if row is None:
        return None
    return read_run(ballot_id, row, await trustees_of(session, ballot_id, row.ceremony))


async def election(session: AsyncSession, ballot_id: str) -> protocol.ElectionKey:
    """The completed ceremony's election key and trustees (what the manifest carries);
    Conflict, saying what is missing, when there is none (freeze is refused then)."""
    run = await current_run(session, ballot_id)
    if run is None:
        raise Conflict(
            "Name the trustees first (the Trustees section of the ballot's page, or "
            "PUT /api/v1/ballots/{ballot_id}/trustees), and let them run the key ceremony: "
            "the votes are encrypted to the key they make together, so freezing needs it.",
            ballot_id=ballot_id,
        )
    phase = run.phase
    if phase is Phase.COMPLETE:
        return protocol.conclude(run.certificates, run.deals, run.keys, run.threshold)
    if phase is Phase.FAILED:
        raise Conflict(
            "The trustees' key ceremony (number {number}) failed: "
            "{complaints}. Name the trustees again to start a new ceremony; "
            "freezing needs the key they make together.",
            number=run.number,
            complaints=_complaints(run),
        )
    column = {Phase.CERTIFICATES: "certificate", Phase.DEALS: "deal", Phase.KEYS: "key"}[phase]
    command = {"certificate": "join", "deal": "deal", "key": "check"}[column]
    raise Conflict(
        "The trustees' key ceremony is not complete: waiting for the {column} of "
        "{names} (`inmc-vote trustee {command}`). Freezing needs the "
        "key they make together. {warning}",
        column=column,
        names=names(run.missing(column)),
        command=command,
        warning=warning(run.threshold, run.size),
    )


def _complaints(run: Run) -> str:
    by_index = {t.index: t for t in run.trustees}
    said = [
        f"{who(by_index[c.trustee])} complained about the deal of "
        f"{who(by_index[c.about])}: {c.reason}"
        for c in run.complaints
    ]
    return "; ".join(said) or "a trustee complained"


def _json(data: bytes | None) -> object:
    assert data is not None
    return json.loads(data)

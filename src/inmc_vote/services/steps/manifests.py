"""A round's manifest: built, signed and stored inside the transaction that fixes its roll."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from inmc_vote.db.models import Ballot, Candidate, Manifest
from inmc_vote.domain.ballots import Method
from inmc_vote.domain.codes import Custody, parse
from inmc_vote.domain.protocol import credentials, keys, manifest
from inmc_vote.domain.protocol.encoding import rfc3339_ms
from inmc_vote.services.steps import ceremony, keyring


@dataclass(frozen=True)
class NextRoundPlan:
    """What the next round of an exhaustive ballot is, from the last round's result."""

    candidates: tuple[str, ...]
    rules: dict[str, Any]
    previous_manifest: bytes
    previous_result: bytes


def manifest_rules(ballot: Ballot, round_rules: dict[str, Any] | None = None) -> dict[str, Any]:
    """The rules a round's manifest states: the ballot's, and for an exhaustive ballot its
    last-place tie rule and what the round is for (see docs/counting.md)."""
    rules: dict[str, Any] = {"quorum": ballot.quorum, "blank_allowed": ballot.blank_allowed}
    if ballot.method == Method.EXHAUSTIVE.value:
        rules["last_place_tie"] = ballot.last_place_tie
    return rules | (round_rules or {})


async def fix_manifest(
    session: AsyncSession,
    ballot: Ballot,
    ring: keyring.Keyring,
    lines: list[credentials.RollLine],
    now: datetime,
    next_round: NextRoundPlan | None = None,
) -> Manifest:
    """Build, sign and store the round's manifest for this roll (the caller holds the lock).

    Used when the server issues the tokens, when an offline roll is uploaded, and when an
    exhaustive ballot goes to its next round (with the remaining candidates)."""
    candidates = [
        c
        for c in (
            await session.execute(
                select(Candidate)
                .where(Candidate.ballot_id == ballot.id)
                .order_by(Candidate.position)
            )
        ).scalars()
        if next_round is None or c.candidate_id in next_round.candidates
    ]
    assert ballot.closes_at is not None  # freeze requires it
    trustees = await ceremony.election(session, ballot.id)  # complete: freeze requires it
    data = manifest.manifest_bytes(
        manifest.build(
            ballot_id=ballot.id,
            round_number=ballot.round,
            title=ballot.title,
            question=ballot.question,
            method=ballot.method,
            rules=manifest_rules(ballot, next_round.rules if next_round else None),
            candidates=[
                manifest.Candidate(c.candidate_id, c.city.name, c.city.country) for c in candidates
            ],
            eligible=len(lines),
            opens_at=rfc3339_ms(ballot.opens_at) if ballot.opens_at else None,
            closes_at=rfc3339_ms(ballot.closes_at),
            authority_pk=ring.authority_pk,
            registrar_pk=ring.registrar_pk,
            registrar=manifest.Registrar(
                parse(Custody, ballot.credential_authority), ballot.registrar_party
            ),
            trustees=trustees,
            roll_size=len(lines),
            roll_hash=credentials.roll_hash(lines),
            previous_manifest=next_round.previous_manifest if next_round else None,
            previous_result=next_round.previous_result if next_round else None,
        )
    )
    digest = manifest.manifest_hash(data)
    row = Manifest(
        ballot_id=ballot.id,
        round=ballot.round,
        data=data,
        hash=digest,
        signature=keys.sign(ring.authority_seed, manifest.signed_message(digest)),
        created_at=now,
    )
    session.add(row)
    await session.flush()
    return row

"""Freeze: the accepted candidacies become the candidates, the active member cities
the electorate (the ballot's keys are made in the same action, see keyring.py).

The electorate is published in the freeze event (each city's slug, name and country),
so that anyone can count the cities the roll must match: a credential minted for no
city shows in the audit (issue 11, "ghost voters")."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from inmc_vote.db.models import Ballot, Candidacy, Candidate, City, Elector
from inmc_vote.domain.candidacies import CandidacyStatus
from inmc_vote.domain.codes import Custody
from inmc_vote.domain.errors import Conflict
from inmc_vote.domain.protocol.encoding import b64url, canonical_json, sha256
from inmc_vote.domain.timefmt import Zoned

MIN_CANDIDATES = 2


async def freeze_candidates_and_electorate(
    session: AsyncSession, ballot: Ballot, now: datetime
) -> dict[str, Any]:
    if ballot.candidacy_deadline is not None and now < ballot.candidacy_deadline:
        raise Conflict(
            "The candidacy deadline "
            "({time}) has not passed: "
            "cities may still apply. Move the deadline earlier to freeze now.",
            time=Zoned(ballot.candidacy_deadline, ballot.timezone),
        )
    if ballot.closes_at is None or ballot.closes_at <= now:
        raise Conflict(
            "Set a closing time in the future before freezing: it is part of what freezing fixes."
        )
    candidacies = list(
        (await session.execute(select(Candidacy).where(Candidacy.ballot_id == ballot.id)))
        .unique()
        .scalars()
    )
    waiting = [c.city.name for c in candidacies if c.status == CandidacyStatus.SUBMITTED]
    if len(waiting) == 1:
        raise Conflict(
            "Decide on every candidacy first: {waiting} is still waiting to be accepted or "
            "rejected.",
            waiting=waiting[0],
        )
    if waiting:
        raise Conflict(
            "Decide on every candidacy first: {waiting} are still waiting to be accepted or "
            "rejected.",
            waiting=", ".join(sorted(waiting)),
        )
    accepted = sorted(
        (c for c in candidacies if c.status == CandidacyStatus.ACCEPTED and c.city.active),
        key=lambda c: c.city.slug,
    )
    if len(accepted) < MIN_CANDIDATES:
        raise Conflict(
            "A ballot needs at least {minimum} accepted candidacies from active "
            "member cities to be frozen; it has {count}.",
            minimum=MIN_CANDIDATES,
            count=len(accepted),
        )
    electors = list(
        (
            await session.execute(select(City).where(City.active.is_(True)).order_by(City.slug))
        ).scalars()
    )
    for position, candidacy in enumerate(accepted, start=1):
        session.add(
            Candidate(
                ballot_id=ballot.id,
                candidate_id=candidacy.city.slug,
                city_id=candidacy.city_id,
                position=position,
            )
        )
    for city in electors:
        session.add(Elector(ballot_id=ballot.id, city_id=city.id))
    slugs = [c.slug for c in electors]
    return {
        "candidates": [c.city.slug for c in accepted],
        "electorate_size": len(slugs),
        "electorate_sha256": b64url(sha256(canonical_json(slugs))),
        "electorate": [{"slug": c.slug, "name": c.name, "country": c.country} for c in electors],
        "credential_authority": {
            "custody": ballot.credential_authority,
            "party": ballot.registrar_party,
        },
    }


def check_registrar_named(ballot: Ballot) -> None:
    """An offline ballot names who makes its tokens: the manifest and its pages say so."""
    if ballot.credential_authority == Custody.OFFLINE and not ballot.registrar_party.strip():
        raise Conflict(
            "Name who makes the tokens offline (the registrar, for example the next host "
            "city) in the ballot's settings before freezing: the manifest names them."
        )

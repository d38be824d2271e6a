"""Issuing the tokens, once: one credential per eligible city, signed by the registrar and
put on the roll; then the round's manifest is fixed. The tokens leave in the answer
and are not kept: the server stores the roll (public keys) and nothing that links a
city to its credential."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from inmc_vote.db.engine import Database
from inmc_vote.db.models import Ballot, Candidate, City, Elector, Manifest, RollEntry
from inmc_vote.domain.ballots import Method
from inmc_vote.domain.errors import Conflict
from inmc_vote.domain.lifecycle import State
from inmc_vote.domain.protocol import credentials, keys, manifest, vote
from inmc_vote.domain.protocol.encoding import rfc3339_ms
from inmc_vote.services import event_log, keyring
from inmc_vote.services.actors import Actor
from inmc_vote.services.schedule import catch_up
from inmc_vote.services.timefmt import show_time


@dataclass(frozen=True)
class NextRoundPlan:
    """What the next round of an exhaustive ballot is, from the last round's result."""

    candidates: tuple[str, ...]
    rules: dict[str, Any]
    previous_manifest: bytes
    previous_result: bytes


@dataclass(frozen=True)
class Letter:
    city: str
    country: str
    token: str
    fingerprint: str


@dataclass(frozen=True)
class IssuedTokens:
    ballot_id: str
    title: str
    question: str
    closes_at: str
    manifest_hash: bytes
    letters: list[Letter]


async def issue_tokens(db: Database, actor: Actor, ballot_id: str, now: datetime) -> IssuedTokens:
    async with db.write() as session:
        ballot = await event_log.lock_ballot(session, ballot_id)
        await catch_up(session, ballot, now)
        if ballot.tokens_issued_at is not None:
            raise Conflict(
                f"The tokens were issued on {show_time(ballot.tokens_issued_at, ballot.timezone)}"
                "; they are issued once. A lost token is revoked and replaced by its "
                "fingerprint."
            )
        if ballot.state != State.FROZEN.value:
            raise Conflict(f"The ballot is {ballot.state}: tokens are issued once it is frozen.")
        ring = await keyring.load(session, ballot_id, ballot.round)
        if ring.registrar_seed is None:
            raise Conflict(
                "This ballot's registrar key is offline (its tokens were issued "
                "with `inmc-vote tokens issue`): do this offline too."
            )
        cities = list(
            (
                await session.execute(
                    select(City)
                    .join(Elector, Elector.city_id == City.id)
                    .where(Elector.ballot_id == ballot_id)
                    .order_by(City.name)
                )
            ).scalars()
        )
        letters, lines = [], []
        for city in cities:
            seed, line = credentials.issue(ballot_id, ring.registrar_seed)
            lines.append(line)
            letters.append(
                Letter(
                    city.name,
                    city.country,
                    credentials.format_token(ballot_id, seed),
                    credentials.fingerprint(line.pk),
                )
            )
        for line in sorted(lines, key=lambda line: line.pk):
            session.add(
                RollEntry(
                    ballot_id=ballot_id,
                    pk=line.pk,
                    sig=line.sig,
                    fingerprint=credentials.fingerprint(line.pk),
                    initial=True,
                )
            )
        fixed = await fix_manifest(session, ballot, ring, lines, now)
        ballot.tokens_issued_at = now
        await event_log.record(
            session,
            ballot_id,
            actor,
            "tokens-issued",
            {
                "roll_size": len(lines),
                "roll_hash": credentials.roll_hash(lines).hex(),
                "manifest_hash": fixed.hash.hex(),
            },
            now,
        )
        return IssuedTokens(
            ballot_id,
            ballot.title,
            ballot.question,
            rfc3339_ms(ballot.closes_at) if ballot.closes_at else "",
            fixed.hash,
            letters,
        )


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
    ids = [c.candidate_id for c in candidates]
    assert ballot.closes_at is not None  # freeze requires it
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
            tally_pk=ring.tally_pk,
            tally_custody=ring.tally_custody,
            roll_size=len(lines),
            roll_hash=credentials.roll_hash(lines),
            tiebreak_commitment=ring.seed_commitment,
            vote_size=vote.vote_size_for(ids),
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

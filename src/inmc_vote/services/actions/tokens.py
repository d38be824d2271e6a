"""Issuing the tokens, once: one credential per eligible city, signed by the registrar and
put on the roll; then the round's manifest is fixed. The tokens leave in the answer
and are not kept: the server stores the roll (public keys) and nothing that links a
city to its credential."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from inmc_vote.db.engine import Database
from inmc_vote.db.models import City, Elector
from inmc_vote.documents.token_letters import Letter
from inmc_vote.domain.codes import EventAction
from inmc_vote.domain.errors import Conflict
from inmc_vote.domain.protocol import credentials
from inmc_vote.domain.protocol.encoding import b64url, rfc3339_ms
from inmc_vote.services.actors import Actor
from inmc_vote.services.steps import event_log, keyring, roll
from inmc_vote.services.steps.manifests import fix_manifest
from inmc_vote.services.steps.schedule import catch_up


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
        await catch_up(session, ballot, now, db.at_rest_key)
        roll.check_tokens_can_be_issued(ballot)
        ring = await keyring.load(session, db.at_rest_key, ballot_id)
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
        issued = [credentials.issue_credential(ballot_id, ring.registrar_seed) for _ in cities]
        letters = [
            Letter(city.name, city.country, one.token, one.fingerprint)
            for city, one in zip(cities, issued, strict=True)
        ]
        lines = [one.line for one in issued]
        roll.add(session, ballot_id, lines, initial=True)
        fixed = await fix_manifest(session, ballot, ring, lines, now)
        ballot.tokens_issued_at = now
        await event_log.record(
            session,
            ballot_id,
            actor,
            EventAction.TOKENS_ISSUED,
            {
                "roll_size": len(lines),
                "roll_hash": b64url(credentials.roll_hash(lines)),
                "manifest_hash": b64url(fixed.hash),
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

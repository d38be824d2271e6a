"""Issuing the tokens on the server (a ballot whose credential authority is the server):
one credential per eligible city, signed by the registrar and put on the roll; then the
round's manifest is fixed. The tokens leave in the answer and are not kept: the server
stores the roll (public keys) and nothing that links a city to its credential.

Because nothing is kept, a download that fails loses the tokens: `cancel_issuance`
withdraws an issuance that no voter can have used yet (the ballot never opened), with a
reason in the event log, so that the tokens can be issued (or a roll uploaded) again."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from inmc_vote.config import LIMITS
from inmc_vote.db.engine import Database
from inmc_vote.db.models import City, Elector, Manifest, RollEntry
from inmc_vote.documents.token_letters import Letter
from inmc_vote.domain.codes import SERVER_MADE, EventAction
from inmc_vote.domain.errors import Conflict, Invalid
from inmc_vote.domain.lifecycle import State
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
        if ballot.credential_authority not in SERVER_MADE or ring.registrar_seed is None:
            raise Conflict(
                "This ballot's tokens are made offline by "
                "{registrar_party}, who holds the registrar key: "
                "they run `inmc-vote tokens issue` and upload the roll "
                "(POST /api/v1/ballots/{ballot_id}/roll). The server cannot issue them.",
                registrar_party=ballot.registrar_party or "its registrar",
                ballot_id=ballot_id,
            )
        cities = await _electorate_cities(session, ballot_id)
        issued = [credentials.issue_credential(ballot_id, ring.registrar_seed) for _ in cities]
        letters = [
            Letter(
                city.name,
                city.country,
                one.token,
                one.fingerprint,
                city.contact_name,
                city.contact_email,
                city.id,
            )
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


async def _electorate_cities(session: AsyncSession, ballot_id: str) -> list[City]:
    """The cities that get a token: the electorate fixed at freeze, by name."""
    return list(
        (
            await session.execute(
                select(City)
                .join(Elector, Elector.city_id == City.id)
                .where(Elector.ballot_id == ballot_id)
                .order_by(City.name)
            )
        ).scalars()
    )


@dataclass(frozen=True)
class CancelledIssuance:
    ballot_id: str
    roll_size: int
    roll_hash: bytes
    manifest_hash: bytes


async def cancel_issuance(
    db: Database, actor: Actor, ballot_id: str, reason: str, now: datetime
) -> CancelledIssuance:
    """Withdraw the tokens issued (or the roll uploaded) while no voter can have used
    them: the ballot is frozen in its first round and has never opened, and no lost token
    was replaced (which would show the letters were sent). The roll and the manifest are
    deleted; the event `tokens-cancelled` keeps their hashes and the reason, so the
    verifier replays the cancelled issuance and takes the next one as the roll of record."""
    reason = reason.strip()
    if not reason:
        raise Invalid(
            "Cancelling an issuance needs a reason (for example «the download was "
            "interrupted»); it is recorded in the public event log."
        )
    if len(reason) > LIMITS.reason_chars:
        raise Invalid(
            "The reason is longer than {reason_chars:,} characters.",
            reason_chars=LIMITS.reason_chars,
        )
    async with db.write() as session:
        ballot = await event_log.lock_ballot(session, ballot_id)
        await catch_up(session, ballot, now, db.at_rest_key)
        if ballot.tokens_issued_at is None:
            raise Conflict("The tokens are not issued: there is no issuance to cancel.")
        if ballot.state != State.FROZEN.value or ballot.round != 1:
            raise Conflict(
                "The ballot is {state} (round {round}): an issuance can be "
                "cancelled only before voting first opens, as its tokens may have been used.",
                state=ballot.state,
                round=ballot.round,
            )
        entries = list(
            (
                await session.execute(select(RollEntry).where(RollEntry.ballot_id == ballot_id))
            ).scalars()
        )
        if any(not e.initial or e.revoked_at is not None for e in entries):
            raise Conflict(
                "A lost token of this issuance was already replaced, so its letters were "
                "sent: it cannot be cancelled. Replace any other lost token instead."
            )
        fixed = await session.get(Manifest, (ballot_id, 1))
        assert fixed is not None  # issuing fixes it
        lines = [credentials.RollLine(e.pk, e.sig) for e in entries]
        cancelled = CancelledIssuance(
            ballot_id, len(lines), credentials.roll_hash(lines), fixed.hash
        )
        await session.execute(delete(RollEntry).where(RollEntry.ballot_id == ballot_id))
        await session.delete(fixed)
        ballot.tokens_issued_at = None
        await event_log.record(
            session,
            ballot_id,
            actor,
            EventAction.TOKENS_CANCELLED,
            {
                "reason": reason,
                "roll_size": cancelled.roll_size,
                "roll_hash": b64url(cancelled.roll_hash),
                "manifest_hash": b64url(cancelled.manifest_hash),
            },
            now,
        )
        return cancelled

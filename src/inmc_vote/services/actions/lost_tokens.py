"""A lost token: a credential that has not voted is revoked, by its fingerprint, and one
replacement goes on the roll. Both are registrar-signed events in the event log, so
anyone can replay the roll.

Who signs depends on the ballot's credential authority: for a server-custody ballot the
server signs (`revoke_and_replace`); for an offline one only the registrar can, with
`inmc-vote tokens revoke`, and the server records the signed file it is given
(`record_revocation`). The server alone can then never revoke an abstainer's credential
and vote with a replacement."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from inmc_vote.db.engine import Database
from inmc_vote.db.models import Ballot, BallotKeys, BoardEntry, RollEntry
from inmc_vote.domain.codes import SERVER_MADE, EventAction
from inmc_vote.domain.errors import Conflict, Invalid, NotFound
from inmc_vote.domain.lifecycle import State
from inmc_vote.domain.protocol import credentials, keys, readable, revocation_file
from inmc_vote.domain.protocol.encoding import b64url
from inmc_vote.services.actors import Actor
from inmc_vote.services.steps import event_log, keyring, roll
from inmc_vote.services.steps.schedule import catch_up

REPLACEABLE = (State.FROZEN.value, State.OPEN.value)


@dataclass(frozen=True)
class Replacement:
    revoked_fingerprint: str
    token: str
    fingerprint: str


@dataclass(frozen=True)
class RecordedRevocation:
    revoked_fingerprint: str
    fingerprint: str


async def revoke_and_replace(
    db: Database, actor: Actor, ballot_id: str, fingerprint: str, now: datetime
) -> Replacement:
    """The server's own replacement, for a ballot whose registrar key it holds."""
    wanted = readable.grouped(readable.normalise(fingerprint))
    async with db.write() as session:
        ballot = await event_log.lock_ballot(session, ballot_id)
        await catch_up(session, ballot, now, db.at_rest_key)
        ring = await keyring.load(session, db.at_rest_key, ballot_id)
        if ballot.credential_authority not in SERVER_MADE or ring.registrar_seed is None:
            raise Conflict(
                "This ballot's registrar key is offline, held by "
                "{registrar_party}: only they can replace a lost "
                "token, with `inmc-vote tokens revoke --ballot {ballot_id} --fingerprint "
                "{wanted} ...`, and the revocation.json it writes is uploaded to "
                "POST /api/v1/ballots/{ballot_id}/revocations. The server cannot do it alone.",
                registrar_party=ballot.registrar_party or "its registrar",
                ballot_id=ballot_id,
                wanted=wanted,
            )
        entry = await _revocable(session, ballot, wanted)
        new = credentials.issue_credential(ballot_id, ring.registrar_seed)
        await _record(
            session,
            actor,
            ballot_id,
            entry,
            keys.sign(ring.registrar_seed, credentials.revocation_message(ballot_id, entry.pk)),
            new.line,
            now,
        )
        return Replacement(wanted, new.token, new.fingerprint)


async def record_revocation(
    db: Database, actor: Actor, ballot_id: str, body: Any, now: datetime
) -> RecordedRevocation:
    """Record a revocation and its replacement made offline by the registrar; both
    signatures are checked against the ballot's registrar key before anything is stored."""
    made = roll.read_registrar_file(
        revocation_file.parse, revocation_file.RevocationFileError, body, ballot_id, "revocation"
    )
    wanted = credentials.fingerprint(made.revoked)
    async with db.write() as session:
        ballot = await event_log.lock_ballot(session, ballot_id)
        await catch_up(session, ballot, now, db.at_rest_key)
        row = await session.get(BallotKeys, ballot_id)
        if row is None or made.registrar_pk != row.registrar_pk:
            raise Invalid(
                "This revocation is not signed by the ballot's registrar key (the one its "
                "manifest names): only the registrar that issued the tokens can replace one."
            )
        entry = await _revocable(session, ballot, wanted)
        taken = await session.get(RollEntry, (ballot_id, made.replacement.pk))
        if taken is not None:
            raise Conflict(
                "The replacement {fingerprint} is already "
                "on the roll: make a new one with `inmc-vote tokens revoke`.",
                fingerprint=credentials.fingerprint(made.replacement.pk),
            )
        await _record(session, actor, ballot_id, entry, made.revocation_sig, made.replacement, now)
        return RecordedRevocation(wanted, credentials.fingerprint(made.replacement.pk))


async def _revocable(session: AsyncSession, ballot: Ballot, wanted: str) -> RollEntry:
    """The roll entry of `wanted`, if it may be revoked now, else the refusal."""
    if ballot.state not in REPLACEABLE or ballot.tokens_issued_at is None:
        raise Conflict(
            "The ballot is {state}: a lost token is replaced after the "
            "tokens are issued and before voting closes.",
            state=ballot.state,
        )
    entry = (
        await session.execute(
            select(RollEntry).where(
                RollEntry.ballot_id == ballot.id, RollEntry.fingerprint == wanted
            )
        )
    ).scalar()
    if entry is None:
        raise NotFound("No credential of this ballot has the fingerprint {wanted}.", wanted=wanted)
    if entry.revoked_at is not None:
        raise Conflict("The credential {wanted} is already revoked.", wanted=wanted)
    voted = (
        await session.execute(
            select(BoardEntry.seq).where(
                BoardEntry.ballot_id == ballot.id,
                BoardEntry.round == ballot.round,
                BoardEntry.credential == entry.pk,
            )
        )
    ).first()
    if voted is not None:
        # A vote of an earlier round stays counted there: the verifier checks each
        # ballot against the roll as it was when the ballot was received.
        raise Conflict(
            "The credential {wanted} has already voted in this round: it cannot be revoked.",
            wanted=wanted,
        )
    return entry


async def _record(
    session: AsyncSession,
    actor: Actor,
    ballot_id: str,
    entry: RollEntry,
    revocation_sig: bytes,
    new: credentials.RollLine,
    now: datetime,
) -> None:
    """Revoke `entry`, put `new` on the roll, and log both (the caller holds the lock)."""
    entry.revoked_at = now
    roll.add(session, ballot_id, [new], initial=False)
    await event_log.record(
        session,
        ballot_id,
        actor,
        EventAction.CREDENTIAL_REVOKED,
        {
            "pk": b64url(entry.pk),
            "fingerprint": entry.fingerprint,
            "registrar_sig": b64url(revocation_sig),
        },
        now,
    )
    await event_log.record(
        session,
        ballot_id,
        actor,
        EventAction.CREDENTIAL_ADDED,
        {
            "pk": b64url(new.pk),
            "sig": b64url(new.sig),
            "fingerprint": credentials.fingerprint(new.pk),
            "replaces": entry.fingerprint,
        },
        now,
    )

"""A lost token: the organiser revokes a credential that has not voted, by its
fingerprint, and gets one replacement. Both are registrar-signed events in the
event log, so anyone can replay the roll."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from inmc_vote.db.engine import Database
from inmc_vote.db.models import BoardEntry, RollEntry
from inmc_vote.domain.codes import EventAction
from inmc_vote.domain.errors import Conflict, NotFound
from inmc_vote.domain.lifecycle import State
from inmc_vote.domain.protocol import credentials, keys, readable
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


async def revoke_and_replace(
    db: Database, actor: Actor, ballot_id: str, fingerprint: str, now: datetime
) -> Replacement:
    wanted = readable.grouped(readable.normalise(fingerprint))
    async with db.write() as session:
        ballot = await event_log.lock_ballot(session, ballot_id)
        await catch_up(session, ballot, now, db.at_rest_key)
        if ballot.state not in REPLACEABLE or ballot.tokens_issued_at is None:
            raise Conflict(
                f"The ballot is {ballot.state}: a lost token is replaced after the "
                "tokens are issued and before voting closes."
            )
        entry = (
            await session.execute(
                select(RollEntry).where(
                    RollEntry.ballot_id == ballot_id, RollEntry.fingerprint == wanted
                )
            )
        ).scalar()
        if entry is None:
            raise NotFound(f"No credential of this ballot has the fingerprint {wanted}.")
        if entry.revoked_at is not None:
            raise Conflict(f"The credential {wanted} is already revoked.")
        voted = (
            await session.execute(
                select(BoardEntry.seq).where(
                    BoardEntry.ballot_id == ballot_id,
                    BoardEntry.round == ballot.round,
                    BoardEntry.credential == entry.pk,
                )
            )
        ).first()
        if voted is not None:
            # A vote of an earlier round stays counted there: the verifier checks each
            # ballot against the roll as it was when the ballot was received.
            raise Conflict(
                f"The credential {wanted} has already voted in this round: it cannot be revoked."
            )
        ring = await keyring.load(session, db.at_rest_key, ballot_id)
        if ring.registrar_seed is None:
            raise Conflict(
                "This ballot's registrar key is offline (its tokens were issued "
                "with `inmc-vote tokens issue`), so the server cannot sign a replacement; "
                "replacing a lost token of an offline roll is not supported yet."
            )
        entry.revoked_at = now
        new = credentials.issue_credential(ballot_id, ring.registrar_seed)
        roll.add(session, ballot_id, [new.line], initial=False)
        await event_log.record(
            session,
            ballot_id,
            actor,
            EventAction.CREDENTIAL_REVOKED,
            {
                "pk": b64url(entry.pk),
                "fingerprint": wanted,
                "registrar_sig": b64url(
                    keys.sign(
                        ring.registrar_seed, credentials.revocation_message(ballot_id, entry.pk)
                    )
                ),
            },
            now,
        )
        await event_log.record(
            session,
            ballot_id,
            actor,
            EventAction.CREDENTIAL_ADDED,
            {
                "pk": b64url(new.line.pk),
                "sig": b64url(new.line.sig),
                "fingerprint": new.fingerprint,
                "replaces": wanted,
            },
            now,
        )
        return Replacement(wanted, new.token, new.fingerprint)

"""Tokens issued offline: the organiser made the credentials with `inmc-vote tokens issue`
on a machine of its own and uploads only the roll (public keys, registrar-signed).

The upload replaces the registrar key that held the place since freeze (its private half
was dropped at once) by the offline one: the server never sees a token, even for a
moment, and can never sign a credential of this ballot. After a cancelled issuance
(`tokens.cancel_issuance`) a new roll may be uploaded; it replaces the cancelled one's
key. Everything is checked before anything is stored; a refusal stores nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select

from inmc_vote.db.engine import Database
from inmc_vote.db.models import BallotKeys, Elector
from inmc_vote.domain.codes import Custody, EventAction
from inmc_vote.domain.errors import Conflict, Invalid
from inmc_vote.domain.protocol import roll_file
from inmc_vote.domain.protocol.encoding import b64url
from inmc_vote.services.actors import Actor
from inmc_vote.services.steps import event_log, keyring, roll
from inmc_vote.services.steps.manifests import fix_manifest
from inmc_vote.services.steps.schedule import catch_up


@dataclass(frozen=True)
class UploadedRoll:
    ballot_id: str
    roll_size: int
    roll_hash: bytes
    registrar_pk: bytes
    manifest_hash: bytes


async def upload_roll(
    db: Database, actor: Actor, ballot_id: str, body: Any, now: datetime
) -> UploadedRoll:
    uploaded = roll.read_registrar_file(
        roll_file.parse, roll_file.RollFileError, body, ballot_id, "roll file"
    )
    async with db.write() as session:
        ballot = await event_log.lock_ballot(session, ballot_id)
        await catch_up(session, ballot, now, db.at_rest_key)
        roll.check_tokens_can_be_issued(ballot)
        if ballot.credential_authority != Custody.OFFLINE:
            raise Conflict(
                "This ballot's tokens are made by the server (its credential authority is "
                "the server): issue them from the ballot's page, not with an offline roll."
            )
        electorate = (
            await session.execute(
                select(func.count()).select_from(Elector).where(Elector.ballot_id == ballot_id)
            )
        ).scalar_one()
        if len(uploaded.lines) != electorate:
            raise Invalid(
                "The roll has {count} credentials but the ballot's electorate "
                "has {electorate} cities: issue exactly one token per eligible city.",
                count=len(uploaded.lines),
                electorate=electorate,
            )
        row = await session.get(BallotKeys, ballot_id)
        assert row is not None  # freeze makes the keys
        replaced = row.registrar_pk
        row.registrar_pk = uploaded.registrar_pk
        row.registrar_sealed = None  # the registrar is offline: the server cannot sign
        roll.add(session, ballot_id, uploaded.lines, initial=True)
        await session.flush()
        ring = await keyring.load(session, db.at_rest_key, ballot_id)
        fixed = await fix_manifest(session, ballot, ring, uploaded.lines, now)
        ballot.tokens_issued_at = now
        await event_log.record(
            session,
            ballot_id,
            actor,
            EventAction.ROLL_UPLOADED,
            {
                "roll_size": len(uploaded.lines),
                "roll_hash": b64url(uploaded.roll_hash),
                "registrar": b64url(uploaded.registrar_pk),
                "replaced_registrar": b64url(replaced),
                "roll_signature": b64url(uploaded.signature),
                "manifest_hash": b64url(fixed.hash),
            },
            now,
        )
        return UploadedRoll(
            ballot_id,
            len(uploaded.lines),
            uploaded.roll_hash,
            uploaded.registrar_pk,
            fixed.hash,
        )

"""Tokens issued offline: the organiser uploads the roll written by `inmc-vote tokens issue`
and the revocations written by `inmc-vote tokens revoke`; and an issuance that no voter
used can be cancelled, with a reason, to issue again."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from litestar import Controller, Request, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED

from inmc_vote.config import LIMITS
from inmc_vote.db.engine import Database
from inmc_vote.domain.errors import Invalid
from inmc_vote.domain.protocol.encoding import b64url
from inmc_vote.domain.protocol.manifest import short_fingerprint
from inmc_vote.services import actions
from inmc_vote.services.actors import Actor
from inmc_vote.web.auth import organisers_only


@dataclass
class RollUploaded:
    """The roll is stored and the manifest fixed: announce the fingerprint to the cities."""

    ballot: str
    roll_size: int
    roll_hash: str
    registrar: str
    manifest_hash: str
    fingerprint: str


@dataclass
class CancelIn:
    """Why the issuance is cancelled (required): recorded in the public event log."""

    reason: str = ""


@dataclass
class IssuanceCancelled:
    """The cancelled issuance's roll and manifest, as the event log keeps them."""

    ballot: str
    roll_size: int
    roll_hash: str
    manifest_hash: str


@dataclass
class RevocationRecorded:
    """The lost credential is revoked and its replacement is on the roll."""

    revoked: str
    fingerprint: str


class RollUploadApi(Controller):
    path = "/api/v1/ballots/{ballot_id:str}"
    tags = ["voting"]

    @post(
        "/roll",
        guards=[organisers_only],
        summary="Upload a roll made offline (tokens issued with `inmc-vote tokens issue`)",
        description="Body: the roll.json written by `inmc-vote tokens issue` "
        '({"format": "inmc-vote/roll/v1", ballot, registrar, lines, signature}). The ballot '
        "must be frozen with its tokens not yet issued, and the roll must hold exactly one "
        "credential per eligible city, each signed by the file's registrar key, the file "
        "signed by it too. The ballot's registrar key becomes the uploaded one (the server "
        "keeps no registrar private key), the manifest is fixed and the tokens count as "
        "issued. A lost token of such a ballot is replaced offline by the registrar "
        "(`inmc-vote tokens revoke`, then POST .../revocations). Refusals: 422 for a "
        "file that is malformed, for another ballot, badly signed or of the wrong size; "
        "409 when the ballot is not frozen, its tokens are already issued, or its "
        "credential authority is the server.",
        request_max_body_size=LIMITS.roll_body_bytes,
        status_code=HTTP_201_CREATED,
    )
    async def upload(
        self,
        ballot_id: FromPath[str],
        request: Request[Any, Any, Any],
        db: NamedDependency[Database],
        now: NamedDependency[datetime],
        actor: NamedDependency[Actor],
    ) -> RollUploaded:
        body = await _json_file(request, "roll file")
        uploaded = await actions.offline_roll.upload_roll(db, actor, ballot_id, body, now)
        return RollUploaded(
            uploaded.ballot_id,
            uploaded.roll_size,
            b64url(uploaded.roll_hash),
            b64url(uploaded.registrar_pk),
            b64url(uploaded.manifest_hash),
            short_fingerprint(uploaded.manifest_hash),
        )

    @post(
        "/tokens/cancel",
        guards=[organisers_only],
        summary="Cancel an issuance that no voter used, to issue again",
        description="Body {reason}. For a ballot frozen in its first round that never "
        "opened, with no lost token replaced: the roll and the manifest are deleted, the "
        "event `tokens-cancelled` records the reason and their hashes, and the tokens can "
        "be issued again (or another offline roll uploaded). For a download of the letters "
        "that failed: the server keeps no token to send again. Refusals: 422 without a "
        "reason; 409 when no issuance can be cancelled.",
        status_code=HTTP_200_OK,
    )
    async def cancel(
        self,
        ballot_id: FromPath[str],
        data: JSONBody[CancelIn],
        db: NamedDependency[Database],
        now: NamedDependency[datetime],
        actor: NamedDependency[Actor],
    ) -> IssuanceCancelled:
        done = await actions.tokens.cancel_issuance(db, actor, ballot_id, data.reason, now)
        return IssuanceCancelled(
            done.ballot_id, done.roll_size, b64url(done.roll_hash), b64url(done.manifest_hash)
        )

    @post(
        "/revocations",
        guards=[organisers_only],
        summary="Record a lost token's revocation made offline by the registrar",
        description="Body: the revocation.json written by `inmc-vote tokens revoke` "
        '({"format": "inmc-vote/revocation/v1", ballot, registrar, revoked, revocation_sig, '
        "replacement}). Both signatures must be the ballot's registrar key's (the one its "
        "manifest names); the credential must be on the roll, not revoked, and not have "
        "voted in this round. Refusals: 422 for a file that is malformed, for another "
        "ballot or not signed by the registrar; 404 for a credential not on the roll; 409 "
        "when it cannot be revoked now.",
        request_max_body_size=LIMITS.roll_body_bytes,
        status_code=HTTP_201_CREATED,
    )
    async def revocation(
        self,
        ballot_id: FromPath[str],
        request: Request[Any, Any, Any],
        db: NamedDependency[Database],
        now: NamedDependency[datetime],
        actor: NamedDependency[Actor],
    ) -> RevocationRecorded:
        body = await _json_file(request, "revocation file")
        done = await actions.lost_tokens.record_revocation(db, actor, ballot_id, body, now)
        return RevocationRecorded(done.revoked_fingerprint, done.fingerprint)


async def _json_file(request: Request[Any, Any, Any], what: str) -> Any:
    """The uploaded file's JSON, or a 422 naming `what` it should have been."""
    try:
        return await request.json()
    except Exception:
        raise Invalid("The {what} is not JSON.", what=what) from None

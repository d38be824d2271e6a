"""Tokens issued offline: the organiser uploads the roll written by `inmc-vote tokens issue`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from litestar import Controller, Request, post
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.status_codes import HTTP_201_CREATED

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
        "issued. A lost token of such a ballot cannot be replaced yet: only the server "
        "replaces lost tokens, and only for tokens it issued itself, as the replacement "
        "must be signed with the registrar key, which stays offline. Refusals: 422 for a "
        "file that is malformed, for another ballot, badly signed or of the wrong size; "
        "409 when the ballot is not frozen or its tokens are already issued.",
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
        try:
            body = await request.json()
        except Exception:
            raise Invalid("The roll file is not JSON.") from None
        uploaded = await actions.offline_roll.upload_roll(db, actor, ballot_id, body, now)
        return RollUploaded(
            uploaded.ballot_id,
            uploaded.roll_size,
            b64url(uploaded.roll_hash),
            b64url(uploaded.registrar_pk),
            b64url(uploaded.manifest_hash),
            short_fingerprint(uploaded.manifest_hash),
        )

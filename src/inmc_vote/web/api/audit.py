"""The audit bundle: one ZIP file that proves every step of a ballot (docs/audit.md)."""

from __future__ import annotations

from datetime import datetime

from litestar import Controller, get
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Stream

from inmc_vote.config import Settings
from inmc_vote.db.engine import Database
from inmc_vote.services import actions, queries
from inmc_vote.web.api.openapi import file_answer
from inmc_vote.web.attachment import attachment


class AuditApi(Controller):
    path = "/api/v1/ballots/{ballot_id:str}"
    tags = ["audit"]

    @get(
        "/audit",
        summary="The audit bundle (a ZIP file)",
        description="Every step from the roll to the winner, for `inmc-vote verify`: "
        "manifests, roll, event log, boards (JSON Lines), seals, the trustees' shuffles, "
        "and once published the decryptions and tally records with their votes in mixed "
        "order. During voting it holds each board up to a head "
        "the authority signs (bundle.json and bundle.sig): keep it, and check a later "
        "bundle against it with `inmc-vote verify OLD NEW`. Format: docs/audit.md.",
        responses=file_answer("application/zip", "The audit bundle, streamed"),
    )
    async def audit(
        self,
        ballot_id: FromPath[str],
        db: NamedDependency[Database],
        now: NamedDependency[datetime],
        settings: NamedDependency[Settings],
    ) -> Stream:
        await actions.schedule.current(db, ballot_id, now)  # what the clock made due, first
        pieces = await queries.audit_bundle.export_chunks(db, ballot_id, now, settings.base_url)
        name = queries.audit_bundle.filename(ballot_id)
        return Stream(
            pieces,
            media_type="application/zip",
            headers={
                "Content-Disposition": attachment(name),
                "Cache-Control": "no-store",
            },
        )

"""Candidacies, their dossiers, and the portal links that cities use to apply."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from litestar import Controller, Response, get, post
from litestar.datastructures import UploadFile
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody, MultipartBody
from litestar.status_codes import HTTP_200_OK

from inmc_vote.config import LIMITS, Settings
from inmc_vote.db.engine import Database
from inmc_vote.db.models import Dossier
from inmc_vote.domain.candidacies import link_validity
from inmc_vote.services import actions, queries
from inmc_vote.services.actions.candidacies import CandidacyForm, Upload
from inmc_vote.services.actors import Actor, city
from inmc_vote.web.api.openapi import file_answer
from inmc_vote.web.api.schemas import (
    CandidacyOut,
    DecisionIn,
    PortalLinkOut,
    PortalLinksIn,
    PortalOut,
)
from inmc_vote.web.attachment import attachment
from inmc_vote.web.auth import organisers_only
from inmc_vote.web.params import PathId

# The limit is checked on the file itself (a clear 413); the body may hold a little more.


@dataclass
class CandidacyUpload:
    """A candidacy as a multipart form; the dossier is required the first time."""

    summary: str
    proposed_dates: str
    venue: str
    dossier: UploadFile | None = None
    summary_fr: str = ""  # the summary in French and in English, when given
    summary_en: str = ""


@dataclass
class OnBehalfUpload(CandidacyUpload):
    """A candidacy that came by post, recorded by the organiser for the city `city_id`."""

    city_id: int = 0


async def read_upload(data: CandidacyUpload) -> tuple[CandidacyForm, Upload | None]:
    form = CandidacyForm(
        data.summary, data.proposed_dates, data.venue, data.summary_fr, data.summary_en
    )
    upload = None
    if data.dossier is not None and data.dossier.filename:
        upload = Upload(data.dossier.filename, await data.dossier.read())
    return form, upload


def dossier_response(dossier: Dossier) -> Response[bytes]:
    return Response(
        dossier.content,
        media_type="application/pdf",
        headers={
            "Content-Disposition": attachment(dossier.filename),
            "X-Content-SHA256": dossier.sha256,
            "ETag": f'"{dossier.sha256}"',
        },
    )


class CandidaciesApi(Controller):
    path = "/api/v1/ballots/{ballot_id:str}"
    tags = ["candidacies"]

    @get("/candidacies", summary="The ballot's candidacies")
    async def list_candidacies(
        self, ballot_id: FromPath[str], db: NamedDependency[Database]
    ) -> list[CandidacyOut]:
        return [
            CandidacyOut.of(c) for c in await queries.candidacies.list_for_ballot(db, ballot_id)
        ]

    @post(
        "/candidacies",
        summary="Record a candidacy that came by post, for a city",
        guards=[organisers_only],
        request_max_body_size=LIMITS.dossier_body_bytes,
    )
    async def record_on_behalf(
        self,
        ballot_id: FromPath[str],
        data: MultipartBody[OnBehalfUpload],
        db: NamedDependency[Database],
        now: NamedDependency[datetime],
        actor: NamedDependency[Actor],
    ) -> CandidacyOut:
        form, upload = await read_upload(data)
        candidacy = await actions.candidacies.submit(
            db, actor, ballot_id, data.city_id, form, upload, now, by_organiser=True
        )
        return CandidacyOut.of(candidacy)

    @post(
        "/candidacies/{candidacy_id:int}/accept",
        summary="Accept a candidacy",
        guards=[organisers_only],
        status_code=HTTP_200_OK,
    )
    async def accept(
        self,
        ballot_id: FromPath[str],
        candidacy_id: PathId,
        db: NamedDependency[Database],
        now: NamedDependency[datetime],
        actor: NamedDependency[Actor],
        data: JSONBody[DecisionIn | None] = None,
    ) -> CandidacyOut:
        reason = data.reason if data else ""
        return CandidacyOut.of(
            await actions.candidacies.decide(db, actor, ballot_id, candidacy_id, True, reason, now)
        )

    @post(
        "/candidacies/{candidacy_id:int}/reject",
        summary="Reject a candidacy, with a reason",
        guards=[organisers_only],
        status_code=HTTP_200_OK,
    )
    async def reject(
        self,
        ballot_id: FromPath[str],
        candidacy_id: PathId,
        data: JSONBody[DecisionIn],
        db: NamedDependency[Database],
        now: NamedDependency[datetime],
        actor: NamedDependency[Actor],
    ) -> CandidacyOut:
        return CandidacyOut.of(
            await actions.candidacies.decide(
                db, actor, ballot_id, candidacy_id, False, data.reason, now
            )
        )

    @get(
        "/candidacies/{candidacy_id:int}/dossier",
        summary="Download a candidacy's dossier",
        responses=file_answer("application/pdf", "The dossier (PDF)"),
        description="The PDF; its SHA-256 is in the X-Content-SHA256 header and the ETag.",
    )
    async def dossier(
        self,
        ballot_id: FromPath[str],
        candidacy_id: PathId,
        db: NamedDependency[Database],
    ) -> Response[bytes]:
        return dossier_response(await queries.candidacies.dossier_file(db, ballot_id, candidacy_id))

    @post(
        "/portal-links",
        summary="Make one candidacy-portal link per active city",
        description="Each city's earlier link stops working.",
        guards=[organisers_only],
        status_code=HTTP_200_OK,
    )
    async def make_links(
        self,
        ballot_id: FromPath[str],
        db: NamedDependency[Database],
        settings: NamedDependency[Settings],
        now: NamedDependency[datetime],
        actor: NamedDependency[Actor],
        data: JSONBody[PortalLinksIn | None] = None,
    ) -> list[PortalLinkOut]:
        valid_for = link_validity(data.valid_days if data else 60)
        links = await actions.portal.make_links(
            db, settings.secret_key, actor, ballot_id, now, valid_for
        )
        return [_link_out(settings, link) for link in links]

    @get("/portal-links", summary="The candidacy-portal links in force", guards=[organisers_only])
    async def list_links(
        self,
        ballot_id: FromPath[str],
        db: NamedDependency[Database],
        settings: NamedDependency[Settings],
    ) -> list[PortalLinkOut]:
        links = await queries.portal.current_links(db, settings.secret_key, ballot_id)
        return [_link_out(settings, link) for link in links]


def _link_out(settings: Settings, link: queries.portal.IssuedLink) -> PortalLinkOut:
    return PortalLinkOut(
        link.city_id,
        link.city_name,
        link.country,
        link.contact_email,
        settings.base_url + link.path,
        link.expires_at,
    )


class PortalApi(Controller):
    """The city side: the portal link's token is the authorisation."""

    path = "/api/v1/portal/{token:str}"
    tags = ["candidacy portal"]

    @get("/", summary="The ballot and the city that this portal link is for")
    async def show(
        self,
        token: FromPath[str],
        db: NamedDependency[Database],
        settings: NamedDependency[Settings],
        now: NamedDependency[datetime],
    ) -> PortalOut:
        access = await actions.portal.open_portal(db, settings.secret_key, token, now)
        found = await queries.candidacies.for_city(db, access.ballot.id, access.city.id)
        return PortalOut.of(access.ballot, access.city, found)

    @post(
        "/candidacy",
        summary="Submit or update this city's candidacy",
        request_max_body_size=LIMITS.dossier_body_bytes,
        status_code=HTTP_200_OK,
    )
    async def submit(
        self,
        token: FromPath[str],
        data: MultipartBody[CandidacyUpload],
        db: NamedDependency[Database],
        settings: NamedDependency[Settings],
        now: NamedDependency[datetime],
    ) -> CandidacyOut:
        access = await actions.portal.open_portal(db, settings.secret_key, token, now)
        form, upload = await read_upload(data)
        candidacy = await actions.candidacies.submit(
            db, city(access.city.slug), access.ballot.id, access.city.id, form, upload, now
        )
        return CandidacyOut.of(candidacy)

    @post("/withdraw", summary="Withdraw this city's candidacy", status_code=HTTP_200_OK)
    async def withdraw(
        self,
        token: FromPath[str],
        db: NamedDependency[Database],
        settings: NamedDependency[Settings],
        now: NamedDependency[datetime],
    ) -> CandidacyOut:
        access = await actions.portal.open_portal(db, settings.secret_key, token, now)
        await actions.candidacies.withdraw(
            db, city(access.city.slug), access.ballot.id, access.city.id, now
        )
        found = await queries.candidacies.for_city(db, access.ballot.id, access.city.id)
        assert found is not None
        return CandidacyOut.of(found)

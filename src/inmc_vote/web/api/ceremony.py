"""The trustees' key ceremony over the JSON API: the organiser names the trustees; each
trustee sends its certificate, deal and key (or a complaint) with its invitation as a
bearer secret; anyone reads where the ceremony stands."""

from __future__ import annotations

import shlex
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from litestar import Controller, Request, Response, Router, get, post, put
from litestar.di import NamedDependency
from litestar.handlers import HTTPRouteHandler
from litestar.params import FromPath, JSONBody
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED

from inmc_vote.config import LIMITS, Settings
from inmc_vote.db.engine import Database
from inmc_vote.domain.codes import CeremonyMessage
from inmc_vote.domain.protocol.encoding import b64url
from inmc_vote.domain.trustees import DEFAULT_THRESHOLD, warning
from inmc_vote.services import actions, queries
from inmc_vote.services.actions.ceremony import Named
from inmc_vote.services.actors import Actor
from inmc_vote.web.auth import organisers_only, trustee_invitation


@dataclass
class TrusteesIn:
    """The trustees, in order (trustee 1 first), and how many of them decryption needs."""

    trustees: list[str]
    threshold: int = DEFAULT_THRESHOLD


@dataclass
class InvitationOut:
    index: int
    name: str
    invitation: str
    command: str


@dataclass
class TrusteesNamed:
    """Each trustee's invitation, shown this once: only its hash is kept."""

    ballot: str
    ceremony: int
    threshold: int
    replaced: int | None
    warning: str
    trustees: list[InvitationOut] = field(default_factory=list)


@dataclass
class MessageReceived:
    ballot: str
    ceremony: int
    trustee: int
    message: str
    stored: bool
    state: str
    election_key: str | None


def join_command(base_url: str, ballot_id: str, index: int, invitation: str) -> str:
    """What the organiser gives trustee `index` to run, word for word."""
    return shlex.join(
        [
            "inmc-vote",
            "trustee",
            "join",
            "--server",
            base_url,
            "--ballot",
            ballot_id,
            "--invitation",
            invitation,
            "--key-file",
            f"trustee-{ballot_id}-{index}.json",
        ]
    )


def named_out(named: Named, base_url: str) -> TrusteesNamed:
    return TrusteesNamed(
        ballot=named.ballot_id,
        ceremony=named.ceremony,
        threshold=named.threshold,
        replaced=named.replaced,
        warning=warning(named.threshold, len(named.trustees)),
        trustees=[
            InvitationOut(
                t.index,
                t.name,
                t.invitation,
                join_command(base_url, named.ballot_id, t.index, t.invitation),
            )
            for t in named.trustees
        ],
    )


_REFUSALS = (
    "Refusals, each naming the trustee and what failed, with nothing stored: 401 without "
    "an invitation or with one that is not known for this ballot; 403 with the invitation "
    "of a ceremony the organiser replaced; 409 when the ceremony does not wait for this "
    "message (an earlier step is missing, the ceremony failed or is complete) or when this "
    "trustee already sent a different one; 413 for a body over "
    f"{LIMITS.ceremony_body_bytes:,} bytes; 422 when the message fails a check (its "
    "fields, ballot, ceremony, index, keys, hashes, proof or signature). The same message "
    "sent again answers 200 with `stored: false` (a retry): nothing new is recorded."
)


async def _receive(
    request: Request[Any, Any, Any],
    db: Database,
    now: datetime,
    ballot_id: str,
    kind: CeremonyMessage,
) -> Response[MessageReceived]:
    invitation = trustee_invitation(request)
    body = await request.body()
    got = await actions.ceremony.receive(db, ballot_id, invitation, kind, body, now=now)
    return Response(
        MessageReceived(
            got.ballot_id,
            got.ceremony,
            got.trustee,
            got.message.value,
            got.stored,
            got.state.value,
            None if got.election_key is None else b64url(got.election_key),
        ),
        status_code=HTTP_201_CREATED if got.stored else HTTP_200_OK,
    )


class CeremonyApi(Controller):
    path = "/api/v1/ballots/{ballot_id:str}"
    tags = ["trustees"]

    @put(
        "/trustees",
        guards=[organisers_only],
        summary="Name the trustees and the threshold (starts a key ceremony)",
        description='Body: {"trustees": [names, trustee 1 first], "threshold": t} '
        f"(default t = {DEFAULT_THRESHOLD}; 1 ≤ t ≤ n ≤ 20). Allowed before freeze only. "
        "Answers each trustee's invitation (a bearer secret) and the exact "
        "`inmc-vote trustee join` command to give it: they are shown this once, the server "
        "keeps only their SHA-256. Naming again starts the next ceremony; the invitations "
        "of the one before stop working, and this is recorded in the event log. "
        "Decryption needs t of the n trustees: if fewer than t keep their key files, the "
        "votes can never be counted. Refusals: 422 for names or a threshold that break "
        "these rules; 409 once the ballot is frozen.",
        status_code=HTTP_200_OK,
    )
    async def name_trustees(
        self,
        ballot_id: FromPath[str],
        data: JSONBody[TrusteesIn],
        db: NamedDependency[Database],
        now: NamedDependency[datetime],
        actor: NamedDependency[Actor],
        settings: NamedDependency[Settings],
    ) -> TrusteesNamed:
        named = await actions.ceremony.name_trustees(
            db, actor, ballot_id, data.trustees, data.threshold, now=now
        )
        return named_out(named, settings.base_url)

    @get(
        "/ceremony",
        summary="The key ceremony's state: trustees, their messages, what it waits for",
        description="Public. The latest ceremony: `state` (open, failed, complete), `phase` "
        "(certificates, deals, keys, complete, failed), the threshold and size, the "
        "election key once complete, `waiting_for` (trustee indices), and each trustee's "
        "index, name and exact messages (certificate, deal, key, complaint; null until "
        "sent). 404 when no trustee was named yet.",
    )
    async def ceremony(
        self, ballot_id: FromPath[str], db: NamedDependency[Database]
    ) -> dict[str, Any]:
        return await queries.ceremony.state_json(db, ballot_id)


_MESSAGES = {
    CeremonyMessage.CERTIFICATE: (
        "A trustee's certificate (step 1: its public keys and lot commitment)",
        'Body: the certificate ({"format": "inmc-vote/v2/certificate", ...}; '
        "docs/protocol.md, «Trustees»). 201 when stored.",
    ),
    CeremonyMessage.DEAL: (
        "A trustee's deal (step 2, once every certificate is in)",
        "Body: the deal (commitments and a sealed share for each trustee; docs/protocol.md, "
        "«Trustees»). 201 when stored.",
    ),
    CeremonyMessage.KEY: (
        "A trustee's key (step 3, once every deal is in); the last completes it",
        "Body: the trustee key (verification key and proof of knowledge; docs/protocol.md, "
        "«Trustees»). 201 when stored; the last key completes the ceremony and fixes the "
        "election key.",
    ),
    CeremonyMessage.COMPLAINT: (
        "A trustee's complaint about a deal (fails the ceremony)",
        "Body: the complaint (the dealer it is about and why; docs/protocol.md, «Trustees»). "
        "201 when stored: the ceremony has failed and the organiser must name the trustees "
        "again.",
    ),
}


def _message_handler(kind: CeremonyMessage) -> HTTPRouteHandler:
    """POST /ceremony/{kind}: the four messages differ only in their kind and their words."""

    async def handler(
        ballot_id: FromPath[str],
        request: Request[Any, Any, Any],
        db: NamedDependency[Database],
        now: NamedDependency[datetime],
    ) -> Response[MessageReceived]:
        return await _receive(request, db, now, ballot_id, kind)

    handler.__name__ = f"ceremony_{kind.value}"
    summary, body = _MESSAGES[kind]
    return post(
        f"/ceremony/{kind.value}",
        summary=summary,
        description=f"Bearer: the trustee's invitation. {body} {_REFUSALS}",
        request_max_body_size=LIMITS.ceremony_body_bytes,
    )(handler)


ceremony_messages_api = Router(
    path="/api/v1/ballots/{ballot_id:str}",
    route_handlers=[_message_handler(kind) for kind in CeremonyMessage],
    tags=["trustees"],
)

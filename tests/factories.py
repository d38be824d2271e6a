"""Test data, made through the services (the real write path) in the app's own loop."""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any, TypeVar

from litestar import Litestar
from litestar.testing import TestClient

from inmc_vote.db.engine import Database
from inmc_vote.db.models import Ballot, Candidacy, City
from inmc_vote.demo.sample_pdf import sample_pdf
from inmc_vote.documents.token_letters import Letter
from inmc_vote.domain.lifecycle import Action
from inmc_vote.services import actions
from inmc_vote.services.actions.accounts import NewAccount
from inmc_vote.services.actions.ballots import BallotForm
from inmc_vote.services.actions.candidacies import CandidacyForm, Upload
from inmc_vote.services.actions.lifecycle import ActionRequest
from inmc_vote.services.actors import Actor, organiser
from inmc_vote.tools.trustee import TrusteeFile
from tests.conftest import FakeClock

T = TypeVar("T")
Client = TestClient[Litestar]
ORGANISER = organiser("organiser@example.org")

COUNTRIES = ["FR", "ES", "DE", "IT", "JP", "BR", "US", "MX", "CN", "ZA", "MA", "IN"]


def call(client: Client, fn: Callable[..., Awaitable[T]], *args: Any, **kwargs: Any) -> T:
    """Run a service call in the app's event loop, on the app's database."""
    return client.blocking_portal.call(functools.partial(fn, *args, **kwargs))


def db(client: Client) -> Database:
    return client.app.state.db


def account(
    client: Client,
    clock: FakeClock,
    email: str = "organiser@example.org",
) -> NewAccount:
    return call(client, actions.accounts.add_account, db(client), email, clock())


def bearer(new_account: NewAccount) -> dict[str, str]:
    return {"Authorization": f"Bearer {new_account.api_key}"}


def member_cities(client: Client, clock: FakeClock, n: int = 5) -> list[City]:
    made = []
    for i in range(n):
        fields = actions.cities.fields_of(
            f"City {i + 1}",
            COUNTRIES[i % len(COUNTRIES)],
            "Region",
            f"Contact {i + 1}",
            f"contact{i + 1}@example.org",
        )
        made.append(call(client, actions.cities.add_city, db(client), fields, clock()))
    return made


def ballot_form(clock: FakeClock, **overrides: Any) -> BallotForm:
    now = clock()
    values: dict[str, Any] = {
        "title": "Host city 2029",
        "question": "Which city should host the 2029 meetings?",
        "method": "plurality",
        "timezone": "Europe/Paris",
        "candidacy_deadline": now + timedelta(days=7),
        "opens_at": now + timedelta(days=10),
        "closes_at": now + timedelta(days=20),
        # the server issues the tokens in most tests; offline custody is the real default
        "credential_authority": "server",
    }
    values.update(overrides)
    return BallotForm(**values)


def ballot(client: Client, clock: FakeClock, actor: Actor = ORGANISER, **overrides: Any) -> Ballot:
    return call(
        client,
        actions.ballots.create_ballot,
        db(client),
        actor,
        ballot_form(clock, **overrides),
        clock(),
    )


def act(
    client: Client,
    clock: FakeClock,
    ballot_id: str,
    action: Action,
    reason: str = "",
    actor: Actor = ORGANISER,
) -> Ballot:
    return call(
        client,
        actions.lifecycle.perform,
        db(client),
        actor,
        ballot_id,
        action,
        ActionRequest(clock(), reason),
    )


def pdf(title: str = "Candidacy dossier") -> bytes:
    return sample_pdf(title, ["A sample dossier for tests."])


def candidacy(
    client: Client,
    clock: FakeClock,
    ballot_id: str,
    city: City,
    accept: bool | None = None,
    actor: Actor = ORGANISER,
) -> Candidacy:
    made = call(
        client,
        actions.candidacies.submit,
        db(client),
        Actor("city", city.slug),
        ballot_id,
        city.id,
        CandidacyForm("Our summary", "1-3 May 2029", "Congress centre"),
        Upload("dossier.pdf", pdf(city.name)),
        clock(),
    )
    if accept is not None:
        made = call(
            client,
            actions.candidacies.decide,
            db(client),
            actor,
            ballot_id,
            made.id,
            accept,
            "" if accept else "Incomplete dossier",
            clock(),
        )
    return made


def ready_to_freeze(
    client: Client,
    clock: FakeClock,
    n_cities: int = 5,
    n_candidates: int = 2,
    *,
    ceremony: bool = True,
    **overrides: Any,
) -> tuple[Ballot, list[City]]:
    """A ballot in `candidacies` with accepted candidacies, its deadline just passed, and
    (unless `ceremony=False`) its trustees' key ceremony complete (3 trustees, threshold 2;
    their key files: `trustee_files(client, ballot_id)`); `overrides` change its settings
    (method, quorum...)."""
    towns = member_cities(client, clock, n_cities)
    made = ballot(client, clock, **overrides)
    act(client, clock, made.id, Action.OPEN_CANDIDACIES)
    for town in towns[:n_candidates]:
        candidacy(client, clock, made.id, town, accept=True)
    if ceremony:
        complete_ceremony(client, made.id, now=clock())
    clock.advance(days=8)  # past the candidacy deadline
    return made, towns


# --- The trustees' key ceremony, run in-process through the services --------------------------

TRUSTEE_NAMES = [
    "Ana Costa",
    "Bram de Vries",
    "Chiara Rossi",
    "Dana Okafor",
    "Emil Novak",
    "Fatima Zahra",
    "Goran Petrov",
]
TRUSTEE_SERVER = "http://testserver.local"
_TRUSTEE_FILES: dict[str, list[TrusteeFile]] = {}


async def complete_ceremony_async(
    database: Database,
    ballot_id: str,
    now: datetime,
    n: int = 3,
    t: int = 2,
    actor: Actor = ORGANISER,
) -> list[TrusteeFile]:
    """Name n trustees with threshold t and run their whole ceremony through the services
    with the trustees' own logic (tools/trustee.py); each trustee's key file, in index
    order, holds its secrets: `share` (x_l), `signing_seed`, `lot_rho`."""
    from inmc_vote.domain.codes import CeremonyMessage
    from inmc_vote.services import queries
    from inmc_vote.tools.trustee import run_ceremony

    names = [*TRUSTEE_NAMES, *(f"Trustee {i}" for i in range(len(TRUSTEE_NAMES) + 1, 21))]
    named = await actions.ceremony.name_trustees(database, actor, ballot_id, names[:n], t, now=now)

    async def state() -> dict[str, Any]:
        return await queries.ceremony.state_json(database, ballot_id)

    async def send(invitation: str, kind: str, body: bytes) -> object:
        return await actions.ceremony.receive(
            database, ballot_id, invitation, CeremonyMessage(kind), body, now=now
        )

    files = await run_ceremony(
        TRUSTEE_SERVER, ballot_id, [x.invitation for x in named.trustees], state, send
    )
    _TRUSTEE_FILES[ballot_id] = files
    return files


def complete_ceremony(
    client: Client, ballot_id: str, n: int = 3, t: int = 2, *, now: datetime | None = None
) -> list[TrusteeFile]:
    """`complete_ceremony_async` in the app's loop, on the app's database, at `now` (the
    app's clock by default)."""
    when = now if now is not None else client.app.state.clock()
    return call(client, complete_ceremony_async, db(client), ballot_id, when, n, t)


def trustee_files(client: Client | None, ballot_id: str) -> list[TrusteeFile]:
    """The key files of the trustees of the ballot's last ceremony run by these helpers."""
    return _TRUSTEE_FILES[ballot_id]


def sign_in(client: Client, email: str, password: str) -> None:
    """Sign in through the login page, as a browser would (with its CSRF token)."""
    client.get("/login")
    response = client.post(
        "/login",
        data={"email": email, "password": password, "_csrf_token": client.cookies["csrftoken"]},
        follow_redirects=False,
    )
    assert response.status_code == 302, response.text


def csrf_headers(client: Client) -> dict[str, str]:
    if "csrftoken" not in client.cookies:
        client.get("/login")
    return {"x-csrftoken": client.cookies["csrftoken"]}


# --- JSON API helpers (integration tests of the API, authentication and uploads) ---

PROBLEM_JSON = "application/problem+json"


def problem(response: Any, status: int) -> str:
    """Check that a response is a problem details document with `status`; return its detail."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM_JSON), response.headers
    body = response.json()
    assert body["status"] == status
    assert body["type"]
    assert body["title"]
    assert isinstance(body["detail"], str)
    assert body["detail"].strip()
    return body["detail"]


def city_body(name: str = "Lyon", country: str = "FR", **overrides: str) -> dict[str, str]:
    values = {
        "name": name,
        "country": country,
        "region": "Region",
        "contact_name": "Contact",
        "contact_email": "contact@example.org",
    }
    values.update(overrides)
    return values


def ballot_body(clock: FakeClock, **overrides: Any) -> dict[str, Any]:
    """A ballot as the API takes it (times as RFC 3339 strings with their zone)."""
    form = ballot_form(clock)
    values: dict[str, Any] = {
        "title": form.title,
        "question": form.question,
        "method": form.method,
        "timezone": form.timezone,
        "candidacy_deadline": form.candidacy_deadline.isoformat(),  # type: ignore[union-attr]
        "opens_at": form.opens_at.isoformat(),  # type: ignore[union-attr]
        "closes_at": form.closes_at.isoformat(),  # type: ignore[union-attr]
        "credential_authority": form.credential_authority,
    }
    values.update(overrides)
    return values


def candidacy_fields(**overrides: str) -> dict[str, str]:
    values = {"summary": "Our summary", "proposed_dates": "1-3 May 2029", "venue": "Congress hall"}
    values.update(overrides)
    return values


def dossier_file(
    content: bytes | None = None, filename: str = "dossier.pdf", mime: str = "application/pdf"
) -> dict[str, tuple[str, bytes, str]]:
    return {"dossier": (filename, pdf() if content is None else content, mime)}


def portal_tokens(
    client: Client, key: dict[str, str], ballot_id: str, **body: Any
) -> dict[int, str]:
    """Make the ballot's portal links through the API; return each city's token."""
    response = client.post(f"/api/v1/ballots/{ballot_id}/portal-links", json=body, headers=key)
    assert response.status_code == 200, response.text
    return {link["city_id"]: link["url"].rsplit("/", 1)[1] for link in response.json()}


def snapshot_of(client: Client) -> dict[str, list[tuple[object, ...]]]:
    from tests.databases import snapshot

    return snapshot(db(client).url)


def revoke_api_keys(client: Client, clock: FakeClock, email: str) -> None:
    from sqlalchemy import select, update

    from inmc_vote.db.models import Account, ApiKey

    async def revoke() -> None:
        async with db(client).write() as session:
            account_id = select(Account.id).where(Account.email == email).scalar_subquery()
            await session.execute(
                update(ApiKey).where(ApiKey.account_id == account_id).values(revoked_at=clock())
            )

    call(client, revoke)


def issue_tokens(
    client: Client, clock: FakeClock, ballot_id: str, actor: Actor = ORGANISER
) -> list[Letter]:
    """Issue a frozen ballot's tokens through the service; the letters carry the tokens."""
    return call(client, actions.tokens.issue_tokens, db(client), actor, ballot_id, clock()).letters


def frozen_with_tokens(
    client: Client, clock: FakeClock, n_cities: int = 5, n_candidates: int = 2
) -> tuple[Ballot, list[Letter]]:
    """A frozen ballot with its tokens issued: it opens at its opening time."""
    made, _ = ready_to_freeze(client, clock, n_cities, n_candidates)
    act(client, clock, made.id, Action.FREEZE)
    return made, issue_tokens(client, clock, made.id)

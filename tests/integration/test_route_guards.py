"""Every route guarded by `organisers_only`, found in the app's route table (not listed by
hand): nobody gets 401 (API) or the login page (pages); an auditor gets 403; nothing is
written either way."""

from __future__ import annotations

import re
from typing import Any

import pytest
from litestar import Litestar
from litestar.handlers import HTTPRouteHandler
from litestar.routes import HTTPRoute

from inmc_vote.domain.lifecycle import Action
from inmc_vote.services import actions
from inmc_vote.web.auth import organisers_only
from tests import factories as f
from tests.conftest import FakeClock

PARAM = re.compile(r"\{(\w+)(?::(\w+))?\}")
# Parameters that the pages may use besides the ids of the rows made by the test.
PLAUSIBLE = {"action": "freeze", "action_name": "freeze", "step": "freeze", "token": "a.1.b"}


def guarded_routes(app: Litestar) -> list[tuple[str, str]]:
    """(method, path template) of every handler whose resolved guards hold `organisers_only`."""
    found = set()
    for route in app.routes:
        if not isinstance(route, HTTPRoute):
            continue
        for handler in route.route_handlers:
            assert isinstance(handler, HTTPRouteHandler)
            if organisers_only in handler.resolve_guards():
                found.update((method, route.path_format) for method in handler.http_methods)
    return sorted(found, key=lambda item: (item[1], item[0]))


def fill(path: str, values: dict[str, str]) -> str:
    """The path with real ids where the test has them, else plausible values by name or type."""

    def value(match: re.Match[str]) -> str:
        name, kind = match.group(1), match.group(2)
        if name in values:
            return values[name]
        if name in PLAUSIBLE:
            return PLAUSIBLE[name]
        return "1" if kind == "int" or name.endswith("_id") else "x"

    return PARAM.sub(value, path)


def test_the_guarded_routes_are_found_in_the_route_table(app: Litestar) -> None:
    routes = guarded_routes(app)
    assert len(routes) >= 19
    for expected in [
        ("GET", "/api/v1/cities"),
        ("POST", "/api/v1/cities"),
        ("POST", "/api/v1/cities/import"),
        ("PUT", "/api/v1/cities/{city_id}"),
        ("POST", "/api/v1/ballots"),
        ("PUT", "/api/v1/ballots/{ballot_id}"),
        ("POST", "/api/v1/ballots/{ballot_id}/freeze"),
        ("POST", "/api/v1/ballots/{ballot_id}/cancel"),
        ("POST", "/api/v1/ballots/{ballot_id}/candidacies"),
        ("POST", "/api/v1/ballots/{ballot_id}/candidacies/{candidacy_id}/reject"),
        ("POST", "/api/v1/ballots/{ballot_id}/portal-links"),
        ("GET", "/api/v1/ballots/{ballot_id}/portal-links"),
    ]:
        assert expected in routes
    # Every change through the API is an organiser's, except what a city does with its
    # link, casting a vote, two look-ups, and what a trustee sends with its invitation
    # (test_api_ceremony and test_api_mixing refuse those without one).
    api_writes = {
        (method, route.path_format)
        for route in app.routes
        if isinstance(route, HTTPRoute) and route.path_format.startswith("/api/")
        for method in route.methods - {"GET", "HEAD", "OPTIONS"}
    }
    trustee_writes = {
        "/api/v1/ballots/{ballot_id}/ceremony/certificate",
        "/api/v1/ballots/{ballot_id}/ceremony/deal",
        "/api/v1/ballots/{ballot_id}/ceremony/key",
        "/api/v1/ballots/{ballot_id}/ceremony/complaint",
        "/api/v1/ballots/{ballot_id}/mix/shuffles",
        "/api/v1/ballots/{ballot_id}/decryptions",
    }
    # Public look-ups sent by POST, so that their key stays out of the path and the logs.
    lookups = {"/api/v1/ballots/{ballot_id}/roll/line", "/api/v1/ballots/{ballot_id}/board/find"}
    public_writes = {
        (m, p)
        for m, p in api_writes
        if p.startswith("/api/v1/portal/")
        or p.endswith("/cast")
        or p in trustee_writes
        or p in lookups
    }
    assert public_writes  # the portal's submit and withdraw
    assert api_writes - public_writes <= set(routes)
    # Public reads are not guarded.
    assert ("GET", "/api/v1/ballots/{ballot_id}") not in routes
    assert ("GET", "/api/v1/ballots/{ballot_id}/candidacies") not in routes


def request_kwargs(method: str, path: str) -> dict[str, Any]:
    """A plausible body, so that a missing guard would show as a change."""
    if method != "POST" and method != "PUT":
        return {}
    if path.endswith("/candidacies"):
        return {"data": {"city_id": "1", **f.candidacy_fields()}, "files": f.dossier_file()}
    if path.endswith("/import"):
        return {
            "files": {
                "file": (
                    "c.csv",
                    b"name,country,region,contact name,contact email\nOslo,NO,,,\n",
                    "text/csv",
                )
            }
        }
    if path.startswith("/api/v1/cities"):
        return {"json": f.city_body("Oslo", "NO")}
    if path == "/api/v1/ballots" or method == "PUT":
        return {"json": {"title": "T", "question": "Q?", "method": "plurality"}}
    return {"json": {"reason": "A reason"}}


@pytest.mark.both_databases  # a refusal proven by snapshot()
@pytest.mark.parametrize("who", ["anonymous", "disabled-session", "revoked-key"])
def test_every_guarded_route_refuses_anyone_but_an_organiser(
    client: f.Client, clock: FakeClock, who: str
) -> None:
    """Nobody, a disabled account's session and a revoked API key are all refused alike."""
    towns = f.member_cities(client, clock, 2)
    ballot = f.ballot(client, clock)
    f.act(client, clock, ballot.id, Action.OPEN_CANDIDACIES)
    made = f.candidacy(client, clock, ballot.id, towns[0])
    values = {"ballot_id": ballot.id, "city_id": str(towns[1].id), "candidacy_id": str(made.id)}

    headers = f.csrf_headers(client)  # so that the CSRF check of pages is not what refuses
    if who != "anonymous":
        gone = f.account(client, clock, "gone@example.org")
        f.sign_in(client, gone.email, gone.password)
        headers = f.csrf_headers(client) | f.bearer(gone)
        accounts, by = actions.accounts, actions.accounts.COMMAND_LINE
        if who == "disabled-session":
            f.call(client, accounts.set_disabled, f.db(client), gone.email, True, by, clock())
            headers.pop("Authorization")
        else:
            f.call(client, accounts.revoke_api_keys, f.db(client), gone.email, by, clock())
            client.cookies.delete("inmc_session")

    routes = guarded_routes(client.app)
    assert routes
    before = f.snapshot_of(client)
    for method, template in routes:
        path = fill(template, values)
        response = client.request(
            method, path, headers=headers, follow_redirects=False, **request_kwargs(method, path)
        )
        where = f"{method} {path} as {who}"
        api = path.startswith("/api/")
        if api:
            assert "Sign in" in f.problem(response, 401), where
        else:
            assert response.status_code == 302, where
            assert response.headers["location"].startswith("/login?next="), where
    assert f.snapshot_of(client) == before

"""Signing in and out, session cookies, the API's CSRF header and API keys."""

from __future__ import annotations

from typing import Any

import pytest

from inmc_vote.services.actions.accounts import NewAccount
from inmc_vote.web.auth import SESSION_COOKIE
from tests import factories as f
from tests.conftest import FakeClock

CITIES = "/api/v1/cities"


def with_session(session_id: str) -> dict[str, str]:
    """Headers that present this session cookie (and only it)."""
    return {"cookie": f"{SESSION_COOKIE}={session_id}"}


def add_city(client: f.Client, headers: dict[str, str], name: str = "Oslo") -> Any:
    return client.post(CITIES, json=f.city_body(name, "NO"), headers=headers)


@pytest.fixture
def organiser(client: f.Client, clock: FakeClock) -> NewAccount:
    return f.account(client, clock)


def test_signing_in_opens_a_session_that_the_api_accepts(
    client: f.Client, organiser: NewAccount
) -> None:
    assert f.problem(client.get(CITIES), 401)
    f.sign_in(client, organiser.email, organiser.password)
    session_id = client.cookies[SESSION_COOKIE]
    assert len(session_id) >= 40
    assert client.get(CITIES).status_code == 200
    assert client.get(CITIES, headers=with_session(session_id)).status_code == 200


def test_signing_in_again_rotates_the_session_id(client: f.Client, organiser: NewAccount) -> None:
    f.sign_in(client, organiser.email, organiser.password)
    old = client.cookies[SESSION_COOKIE]
    f.sign_in(client, organiser.email.upper(), organiser.password)
    new = client.cookies[SESSION_COOKIE]
    assert new != old
    assert client.get(CITIES, headers=with_session(new)).status_code == 200
    assert f.problem(client.get(CITIES, headers=with_session(old)), 401)


def test_signing_out_ends_the_session(client: f.Client, organiser: NewAccount) -> None:
    f.sign_in(client, organiser.email, organiser.password)
    session_id = client.cookies[SESSION_COOKIE]
    out = client.post(
        "/logout", data={"_csrf_token": client.cookies["csrftoken"]}, follow_redirects=False
    )
    assert out.status_code == 302, out.text
    assert SESSION_COOKIE not in client.cookies
    assert f.problem(client.get(CITIES), 401)
    assert f.problem(client.get(CITIES, headers=with_session(session_id)), 401)


def test_a_session_expires_after_its_lifetime(
    client: f.Client, clock: FakeClock, organiser: NewAccount
) -> None:
    f.sign_in(client, organiser.email, organiser.password)
    clock.advance(hours=11, minutes=59)
    assert client.get(CITIES).status_code == 200
    clock.advance(minutes=1)
    assert f.problem(client.get(CITIES), 401)


@pytest.mark.both_databases  # a refusal proven by snapshot()
@pytest.mark.parametrize(
    ("email", "password"),
    [("organiser@example.org", "wrong-password"), ("nobody@example.org", "whatever")],
    ids=["wrong-password", "unknown-email"],
)
def test_a_wrong_password_opens_no_session(
    client: f.Client, organiser: NewAccount, email: str, password: str
) -> None:
    client.get("/login")
    before = f.snapshot_of(client)
    response = client.post(
        "/login",
        data={"email": email, "password": password, "_csrf_token": client.cookies["csrftoken"]},
        follow_redirects=False,
    )
    assert response.status_code == 400
    assert "The e-mail address or the password is wrong." in response.text
    assert SESSION_COOKIE not in response.headers.get("set-cookie", "")
    assert SESSION_COOKIE not in client.cookies
    # It stores nothing but the failed attempt itself, which the sign-in limit counts.
    after = f.snapshot_of(client)
    (attempt,) = after.pop("sign_in_attempts")
    assert attempt[2:] == ("testclient", email, False)
    assert before.pop("sign_in_attempts") == []
    assert after == before
    assert f.problem(client.get(CITIES), 401)


def test_sign_in_only_redirects_within_the_site(client: f.Client, organiser: NewAccount) -> None:
    client.get("/login")
    for target, expected in [
        ("/api/v1/cities", "/api/v1/cities"),
        ("https://evil.example/", "/organiser"),
        ("//evil.example/", "/organiser"),
    ]:
        response = client.post(
            "/login",
            data={
                "email": organiser.email,
                "password": organiser.password,
                "next": target,
                "_csrf_token": client.cookies["csrftoken"],
            },
            follow_redirects=False,
        )
        assert response.status_code == 302
        assert response.headers["location"] == expected


@pytest.mark.both_databases  # a refusal proven by snapshot()
def test_a_cookie_authenticated_api_change_needs_the_csrf_header(
    client: f.Client, organiser: NewAccount
) -> None:
    f.sign_in(client, organiser.email, organiser.password)
    before = f.snapshot_of(client)
    refused = add_city(client, {})
    assert "x-csrftoken" in f.problem(refused, 403)
    wrong = add_city(client, {"x-csrftoken": client.cookies["csrftoken"][:-2] + "00"})
    assert "x-csrftoken" in f.problem(wrong, 403)
    forged = add_city(client, {"x-csrftoken": "a" * 64 + "b" * 64})
    assert "x-csrftoken" in f.problem(forged, 403)
    assert f.snapshot_of(client) == before
    done = add_city(client, f.csrf_headers(client))
    assert done.status_code == 201, done.text
    assert client.get(CITIES).status_code == 200  # a read needs no header


def test_an_api_key_needs_no_csrf_header(client: f.Client, organiser: NewAccount) -> None:
    done = add_city(client, f.bearer(organiser))
    assert done.status_code == 201, done.text
    assert "csrftoken" not in client.cookies


@pytest.mark.both_databases  # a refusal proven by snapshot()
def test_a_garbage_key_is_401(client: f.Client, organiser: NewAccount) -> None:
    before = f.snapshot_of(client)
    for authorization in [
        "Bearer garbage",
        "Bearer inmc_0123456789abcdef_not-the-secret",
        "Bearer ",
        "Basic b3JnYW5pc2VyOnBhc3M=",
    ]:
        headers = {"authorization": authorization}
        assert f.problem(add_city(client, headers), 401), authorization
        assert f.problem(client.get(CITIES, headers=headers), 401), authorization
    assert f.snapshot_of(client) == before


def test_a_key_with_a_wrong_secret_is_401(client: f.Client, organiser: NewAccount) -> None:
    prefix, key_id, secret = organiser.api_key.split("_", 2)
    forged = f"Bearer {prefix}_{key_id}_{secret[:-1]}{'A' if secret[-1] != 'A' else 'B'}"
    assert f.problem(client.get(CITIES, headers={"authorization": forged}), 401)


def test_a_revoked_key_is_401(client: f.Client, clock: FakeClock, organiser: NewAccount) -> None:
    key = f.bearer(organiser)
    assert client.get(CITIES, headers=key).status_code == 200
    f.revoke_api_keys(client, clock, organiser.email)
    assert f.problem(client.get(CITIES, headers=key), 401)
    assert f.problem(add_city(client, key), 401)

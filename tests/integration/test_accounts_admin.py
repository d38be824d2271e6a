"""Accounts can be disabled, enabled, reset and have their API keys revoked (issue 11,
item 6), from the command line and from the organisers' accounts page; each change is
recorded in account_events, and what it takes away answers 401 at once."""

from __future__ import annotations

import re
from typing import Any

import pytest

from inmc_vote.services import queries
from tests import factories as f
from tests.integration.test_cli import clean_env, inmc

CITIES = "/api/v1/cities"
PAGE = "/organiser/accounts"


def signs_in(client: f.Client, email: str, password: str) -> bool:
    client.get("/login")
    form = {"email": email, "password": password, "_csrf_token": client.cookies["csrftoken"]}
    answer = client.post("/login", data=form, follow_redirects=False)
    client.cookies.delete("inmc_session")
    return answer.status_code == 302


def post(client: f.Client, action: str, email: str) -> Any:
    form = {"email": email, "_csrf_token": client.cookies["csrftoken"]}
    return client.post(f"{PAGE}/{action}", data=form, follow_redirects=False)


def test_the_page_disables_enables_resets_and_revokes(client, clock) -> None:
    admin = f.account(client, clock, "admin@example.org")
    other = f.account(client, clock, "other@example.org")
    key = f.bearer(other)
    assert client.get(CITIES, headers=key).status_code == 200
    f.sign_in(client, admin.email, admin.password)
    listed = client.get(PAGE)
    assert listed.status_code == 200
    assert "other@example.org" in listed.text
    assert "admin@example.org" in listed.text

    assert post(client, "disable", other.email).status_code == 303
    assert f.problem(client.get(CITIES, headers=key), 401)
    assert not signs_in(client, other.email, other.password)
    f.sign_in(client, admin.email, admin.password)
    assert post(client, "enable", other.email).status_code == 303
    assert client.get(CITIES, headers=key).status_code == 200

    reset = post(client, "reset-password", other.email)
    assert reset.status_code == 200
    assert reset.headers["cache-control"] == "no-store"
    (password,) = re.findall(r'<code class="secret">([^<]+)</code>', reset.text)
    assert not signs_in(client, other.email, other.password)
    assert signs_in(client, other.email, password)

    f.sign_in(client, admin.email, admin.password)
    assert post(client, "revoke-keys", other.email).status_code == 303
    assert f.problem(client.get(CITIES, headers=key), 401)
    made = post(client, "new-key", other.email)
    (new_key,) = re.findall(r'<code class="secret">([^<]+)</code>', made.text)
    assert client.get(CITIES, headers={"Authorization": f"Bearer {new_key}"}).status_code == 200

    events = f.call(client, queries.accounts.account_events, f.db(client))
    assert [(e.email, e.kind, e.by) for e in reversed(events)][-5:] == [
        (other.email, kind, "organiser:admin@example.org")
        for kind in ("disabled", "enabled", "password reset", "API keys revoked", "API key made")
    ]


@pytest.mark.both_databases  # refusals proven by snapshot()
def test_refusals_store_nothing(client, clock) -> None:
    admin = f.account(client, clock, "admin@example.org")
    f.sign_in(client, admin.email, admin.password)
    before = f.snapshot_of(client)
    mine = post(client, "disable", admin.email)
    assert "You cannot disable your own account" in mine.text
    assert mine.status_code == 409
    nobody = post(client, "reset-password", "nobody@example.org")
    assert nobody.status_code == 404
    assert "There is no account for nobody@example.org" in nobody.text
    enabled = post(client, "enable", admin.email)
    assert enabled.status_code == 409
    assert "already enabled" in enabled.text
    assert f.snapshot_of(client) == before
    client.cookies.delete("inmc_session")
    assert post(client, "disable", admin.email).status_code == 302  # signed out: to /login


def test_the_command_line_manages_accounts(tmp_path, sqlite_factory) -> None:
    url = sqlite_factory.fresh(tmp_path)
    env = clean_env(tmp_path, INMC_DATABASE_URL=url, INMC_SECRET_KEY="k" * 40)

    def run(*args: str) -> tuple[int, str]:
        done = inmc("organiser", *args, env=env, cwd=tmp_path)
        return done.returncode, done.stdout + done.stderr

    code, said = run("add", "Ana@Example.org")
    assert code == 0
    assert "Organiser account created for ana@example.org." in said
    assert run("disable", "ana@example.org") == (
        0,
        "The account of ana@example.org is disabled: it cannot sign in or use its API keys.\n",
    )
    assert run("disable", "ana@example.org")[0] == 1  # already disabled: said, exit 1
    assert run("enable", "ana@example.org")[0] == 0
    code, said = run("reset-password", "ana@example.org")
    assert code == 0
    assert "New password for ana@example.org: " in said
    code, said = run("revoke-key", "ana@example.org")
    assert (code, said) == (0, "1 API key(s) of ana@example.org revoked: they now answer 401.\n")
    assert run("revoke-key", "ana@example.org") == (1, "ana@example.org has no API key in force.\n")
    code, said = run("new-key", "ana@example.org")
    assert code == 0
    assert said.startswith("API key: inmc_")
    assert run("disable", "bob@example.org") == (1, "There is no account for bob@example.org.\n")
    assert "--role" not in inmc("organiser", "add", "--help", env=env, cwd=tmp_path).stdout

"""The sign-in limit (issue 11): kept in the database, so it holds for every process;
per address, with X-Forwarded-For believed only from INMC_TRUSTED_PROXIES; and per
account only for addresses the account has not signed in from, so that a stranger
guessing a password cannot lock an organiser out."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

import pytest
from litestar.testing import TestClient

from inmc_vote.config import LIMITS, ConfigurationError, Settings, trusted_proxies
from inmc_vote.web.app import create_app
from tests import factories as f

# storage-specific: the limit is rows shared by every process
pytestmark = pytest.mark.both_databases


def attempt(
    client: f.Client, email: str, password: str, forwarded: str | None = None
) -> tuple[int, str]:
    client.get("/login")
    headers = {"X-Forwarded-For": forwarded} if forwarded else {}
    form = {"email": email, "password": password, "_csrf_token": client.cookies["csrftoken"]}
    answer = client.post("/login", data=form, headers=headers, follow_redirects=False)
    client.cookies.delete("inmc_session")
    return answer.status_code, answer.text


@pytest.fixture
def behind_proxy(settings: Settings, clock: f.FakeClock) -> Iterator[f.Client]:
    """The app as it runs behind a proxy on this host (TestClient's peer is 'testclient')."""
    trusting = dataclasses.replace(settings, trusted_proxies=frozenset({"testclient"}))
    with TestClient(create_app(trusting, clock=clock, run_schedule=False)) as client:
        yield client


def test_failures_from_one_address_are_refused_with_429_across_processes(
    client, settings, clock
) -> None:
    new = f.account(client, clock)
    for _ in range(LIMITS.sign_in_failures_per_address):
        assert attempt(client, f"x{_}@example.org", "guess")[0] == 400
    # Another process on the same database counts the same failures.
    with TestClient(create_app(settings, clock=clock, run_schedule=False)) as other:
        status, text = attempt(other, new.email, new.password)
    assert status == 429
    assert "Too many failed sign-ins from your address" in text
    clock.advance(seconds=LIMITS.sign_in_window_s + 1)
    assert attempt(client, new.email, new.password)[0] == 302


def test_x_forwarded_for_is_ignored_from_a_peer_that_is_not_a_trusted_proxy(client, clock) -> None:
    f.account(client, clock)
    for i in range(LIMITS.sign_in_failures_per_address):
        # each a different "address": ignored, all count against the real peer
        assert attempt(client, f"x{i}@example.org", "guess", forwarded=f"10.0.0.{i}")[0] == 400
    assert attempt(client, "y@example.org", "guess", forwarded="10.9.9.9")[0] == 429


def test_x_forwarded_for_from_a_trusted_proxy_names_the_client(behind_proxy, clock) -> None:
    new = f.account(behind_proxy, clock)
    for i in range(LIMITS.sign_in_failures_per_address):
        # the client wrote "1.1.1.1" itself; the proxy appended the real 203.0.113.7
        got = attempt(behind_proxy, f"x{i}@example.org", "guess", "1.1.1.1, 203.0.113.7")
        assert got[0] == 400
    assert attempt(behind_proxy, new.email, new.password, "203.0.113.7")[0] == 429
    assert attempt(behind_proxy, new.email, new.password, "198.51.100.2")[0] == 302


def test_a_stranger_cannot_lock_an_organiser_out_of_a_known_address(behind_proxy, clock) -> None:
    new = f.account(behind_proxy, clock)
    home = "198.51.100.10"
    assert attempt(behind_proxy, new.email, new.password, home)[0] == 302  # known from now on
    for i in range(LIMITS.sign_in_failures_per_account):  # from many addresses
        assert attempt(behind_proxy, new.email, "guess", f"203.0.113.{i}")[0] == 400
    # A new address may no longer try this account, even with the right password...
    status, text = attempt(behind_proxy, new.email, new.password, "192.0.2.55")
    assert status == 429
    assert "from addresses it has not signed in from" in text
    # ...but the organiser's own address still signs in.
    assert attempt(behind_proxy, new.email, new.password, home)[0] == 302
    # The limit says nothing about which accounts exist: an unknown e-mail is counted too.
    for i in range(LIMITS.sign_in_failures_per_account):
        attempt(behind_proxy, "nobody@example.org", "guess", f"203.0.113.{100 + i}")
    assert attempt(behind_proxy, "nobody@example.org", "x", "192.0.2.56")[0] == 429


def test_a_refusal_for_too_many_stores_nothing(client, clock) -> None:
    f.account(client, clock)
    for _ in range(LIMITS.sign_in_failures_per_address):
        attempt(client, "x@example.org", "guess")
    before = f.snapshot_of(client)
    assert attempt(client, "x@example.org", "guess")[0] == 429
    assert f.snapshot_of(client) == before


def test_trusted_proxies_must_be_addresses() -> None:
    assert trusted_proxies("127.0.0.1, ::1 10.0.0.2") == {"127.0.0.1", "::1", "10.0.0.2"}
    with pytest.raises(ConfigurationError, match=r"«proxy\.local» is not an IP address"):
        trusted_proxies("proxy.local")

"""The candidacy portal API: a city's link is its authorisation."""

from __future__ import annotations

from typing import Any

import pytest

from inmc_vote.db.models import City
from inmc_vote.domain.lifecycle import Action
from tests import factories as f
from tests.conftest import FakeClock

INVALID = (
    "This candidacy link is not valid: check that you copied it whole, "
    "or ask the organiser for a new one."
)
REPLACED = (
    "This candidacy link was replaced by a newer one or withdrawn: "
    "use the latest link the organiser sent you."
)


def portal(token: str, rest: str = "") -> str:
    return f"/api/v1/portal/{token}{rest}"


def submit(client: f.Client, token: str, dossier: bytes | None = None, **fields: str) -> Any:
    # No dossier: an empty file part, as a browser sends when no file was chosen.
    files = f.dossier_file(dossier) if dossier is not None else f.dossier_file(b"", "")
    return client.post(portal(token, "/candidacy"), data=f.candidacy_fields(**fields), files=files)


def setup(client: f.Client, clock: FakeClock) -> tuple[dict[str, str], str, list[City]]:
    key = f.bearer(f.account(client, clock))
    towns = f.member_cities(client, clock, 3)
    ballot = f.ballot(client, clock)
    f.act(client, clock, ballot.id, Action.OPEN_CANDIDACIES)
    return key, ballot.id, towns


def test_a_city_submits_updates_and_withdraws_through_its_link(
    client: f.Client, clock: FakeClock
) -> None:
    key, ballot_id, towns = setup(client, clock)
    tokens = f.portal_tokens(client, key, ballot_id)
    assert set(tokens) == {t.id for t in towns}
    token = tokens[towns[0].id]

    shown = client.get(portal(token))
    assert shown.status_code == 200, shown.text
    assert shown.json()["ballot"]["id"] == ballot_id
    assert shown.json()["ballot"]["state"] == "candidacies"
    assert shown.json()["city"] == {"id": towns[0].id, "name": "City 1", "country": "FR"}
    assert shown.json()["candidacy"] is None

    sent = submit(client, token, f.pdf("first"))
    assert sent.status_code == 200, sent.text
    assert sent.json()["city_id"] == towns[0].id
    assert sent.json()["status"] == "submitted"
    assert sent.json()["by_organiser"] is False

    updated = submit(client, token, None, summary="Better summary")
    assert updated.status_code == 200, updated.text
    assert updated.json()["id"] == sent.json()["id"]
    assert updated.json()["summary"] == "Better summary"
    assert client.get(portal(token)).json()["candidacy"] == updated.json()

    withdrawn = client.post(portal(token, "/withdraw"))
    assert withdrawn.status_code == 200, withdrawn.text
    assert withdrawn.json()["status"] == "withdrawn"
    again = client.post(portal(token, "/withdraw"))
    assert f.problem(again, 409) == "There is no candidacy to withdraw."

    log = client.get(f"/api/v1/ballots/{ballot_id}/events").json()
    city_actor = f"city:{towns[0].slug}"
    assert [(e["actor"], e["action"]) for e in log[-3:]] == [
        (city_actor, "candidacy-submitted"),
        (city_actor, "candidacy-updated"),
        (city_actor, "candidacy-withdrawn"),
    ]
    assert log[-3]["data"]["by_organiser"] is False
    assert log[-4]["action"] == "portal-links"
    assert log[-4]["data"]["cities"] == 3


def test_a_city_only_sees_its_own_candidacy(client: f.Client, clock: FakeClock) -> None:
    key, ballot_id, towns = setup(client, clock)
    tokens = f.portal_tokens(client, key, ballot_id)
    submit(client, tokens[towns[0].id], f.pdf())
    other = client.get(portal(tokens[towns[1].id])).json()
    assert other["city"]["id"] == towns[1].id
    assert other["candidacy"] is None


@pytest.mark.both_databases  # a refusal proven by snapshot()
def test_new_links_revoke_the_old_ones(client: f.Client, clock: FakeClock) -> None:
    key, ballot_id, towns = setup(client, clock)
    old = f.portal_tokens(client, key, ballot_id)[towns[0].id]
    clock.advance(minutes=1)
    new = f.portal_tokens(client, key, ballot_id)[towns[0].id]
    assert new != old
    before = f.snapshot_of(client)
    assert f.problem(client.get(portal(old)), 403) == REPLACED
    assert f.problem(submit(client, old, f.pdf()), 403) == REPLACED
    assert f.problem(client.post(portal(old, "/withdraw")), 403) == REPLACED
    assert f.snapshot_of(client) == before
    assert submit(client, new, f.pdf()).status_code == 200
    listed = client.get(f"/api/v1/ballots/{ballot_id}/portal-links", headers=key).json()
    assert [link["url"].rsplit("/", 1)[1] for link in listed if link["city_id"] == towns[0].id] == [
        new
    ]


def tampered(token: str) -> list[str]:
    link_id, expires, signature = token.split(".")
    flipped = ("A" if signature[0] != "A" else "B") + signature[1:]
    other_id = link_id[:-1] + ("x" if link_id[-1] != "x" else "y")  # never the same id
    return [
        f"{link_id}.{expires}.{flipped}",  # a changed signature
        f"{link_id}.{int(expires) + 86_400}.{signature}",  # a later expiry
        f"{other_id}.{expires}.{signature}",  # another link's id
        f"{link_id}.{expires}",  # cut short
        "not-a-link",
        f"{link_id}.{expires}.{signature}.extra",
        f"{link_id}.99999999999999999999.{signature}",
    ]


@pytest.mark.both_databases  # a refusal proven by snapshot()
def test_a_tampered_link_is_refused(client: f.Client, clock: FakeClock) -> None:
    key, ballot_id, towns = setup(client, clock)
    token = f.portal_tokens(client, key, ballot_id)[towns[0].id]
    before = f.snapshot_of(client)
    for bad in tampered(token):
        assert f.problem(client.get(portal(bad)), 403) == INVALID, bad
        assert f.problem(submit(client, bad, f.pdf()), 403) == INVALID, bad
    assert f.snapshot_of(client) == before
    assert client.get(portal(token)).status_code == 200


@pytest.mark.both_databases  # a refusal proven by snapshot()
def test_an_expired_link_is_refused(client: f.Client, clock: FakeClock) -> None:
    key, ballot_id, towns = setup(client, clock)
    token = f.portal_tokens(client, key, ballot_id, valid_days=2)[towns[0].id]
    clock.advance(days=1, hours=23)
    assert client.get(portal(token)).status_code == 200
    clock.advance(hours=1)
    before = f.snapshot_of(client)
    detail = f.problem(submit(client, token, f.pdf()), 403)
    assert detail == (
        "This candidacy link expired on 13 January 2027, 10:00 (Europe/Paris, UTC+1): ask the "
        "organiser "
        "for a new one."
    )
    assert f.problem(client.get(portal(token)), 403) == detail
    assert f.snapshot_of(client) == before
    assert len({INVALID, REPLACED, detail}) == 3


@pytest.mark.parametrize("days", [0, 367])
def test_a_link_validity_out_of_range_is_refused(
    client: f.Client, clock: FakeClock, days: int
) -> None:
    key, ballot_id, _ = setup(client, clock)
    response = client.post(
        f"/api/v1/ballots/{ballot_id}/portal-links", json={"valid_days": days}, headers=key
    )
    assert f.problem(response, 422) == (
        f"A portal link is valid for between 1 and 366 days; {days} were asked for."
    )


def test_links_are_made_before_the_ballot_is_frozen(client: f.Client, clock: FakeClock) -> None:
    key = f.bearer(f.account(client, clock))
    ballot, towns = f.ready_to_freeze(client, clock, n_cities=3)
    token = f.portal_tokens(client, key, ballot.id)[towns[2].id]
    f.act(client, clock, ballot.id, Action.FREEZE)
    response = client.post(f"/api/v1/ballots/{ballot.id}/portal-links", headers=key)
    assert f.problem(response, 409) == (
        "The ballot is frozen: candidacy links are made before it is frozen."
    )
    late = submit(client, token, f.pdf())
    assert f.problem(late, 409) == "The ballot is frozen: it is not taking candidacies."


def test_a_suspended_city_gets_no_link(client: f.Client, clock: FakeClock) -> None:
    key, ballot_id, towns = setup(client, clock)
    client.post(f"/api/v1/cities/{towns[1].id}/suspend", headers=key)
    assert set(f.portal_tokens(client, key, ballot_id)) == {towns[0].id, towns[2].id}

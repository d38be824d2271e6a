"""Candidacies through the organiser's API: on-behalf uploads, decisions, dossiers."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest

from inmc_vote.db.models import City
from inmc_vote.domain.lifecycle import Action
from tests import factories as f
from tests.conftest import FakeClock


def url(ballot_id: str, rest: str = "") -> str:
    return f"/api/v1/ballots/{ballot_id}/candidacies{rest}"


def open_ballot(client: f.Client, clock: FakeClock, n: int = 3) -> tuple[str, list[City]]:
    towns = f.member_cities(client, clock, n)
    ballot = f.ballot(client, clock)
    f.act(client, clock, ballot.id, Action.OPEN_CANDIDACIES)
    return ballot.id, towns


def on_behalf(
    client: f.Client,
    key: dict[str, str],
    ballot_id: str,
    city_id: int,
    dossier: bytes | None = None,
    **fields: str,
) -> Any:
    # No dossier: an empty file part, as a browser sends when no file was chosen.
    files = f.dossier_file(dossier) if dossier is not None else f.dossier_file(b"", "")
    data = {"city_id": str(city_id), **f.candidacy_fields(**fields)}
    return client.post(url(ballot_id), data=data, files=files, headers=key)


def test_an_organiser_records_a_candidacy_that_came_by_post(
    client: f.Client, clock: FakeClock
) -> None:
    organiser = f.account(client, clock)
    key = f.bearer(organiser)
    ballot_id, towns = open_ballot(client, clock)
    dossier = f.pdf("Recife 2029")
    sent = on_behalf(client, key, ballot_id, towns[1].id, dossier, venue="  Old port  ")
    assert sent.status_code == 201, sent.text
    made = sent.json()
    assert made["city_id"] == towns[1].id
    assert made["city"] == towns[1].name
    assert made["status"] == "submitted"
    assert made["by_organiser"] is True
    assert made["venue"] == "Old port"
    sha = hashlib.sha256(dossier).hexdigest()
    assert made["dossier"]["sha256"] == sha
    assert made["dossier"]["size"] == len(dossier)

    listed = client.get(url(ballot_id))  # a public read
    assert listed.status_code == 200
    assert listed.json() == [made]
    last = client.get(f"/api/v1/ballots/{ballot_id}/events").json()[-1]
    assert last["actor"] == f"organiser:{organiser.email}"
    assert last["action"] == "candidacy-submitted"
    assert last["data"] == {
        "city": towns[1].slug,
        "by_organiser": True,
        "dossier_sha256": sha,
        "dossier_bytes": len(dossier),
    }


def test_the_dossier_downloads_as_the_exact_bytes_with_its_sha256(
    client: f.Client, clock: FakeClock
) -> None:
    key = f.bearer(f.account(client, clock))
    ballot_id, towns = open_ballot(client, clock)
    dossier = f.pdf("Kyoto 2029 — ünïcode title") + b"%% trailing bytes \x00\xff\n%%EOF\n"
    made = on_behalf(client, key, ballot_id, towns[0].id, dossier).json()
    sha = hashlib.sha256(dossier).hexdigest()
    got = client.get(made["dossier"]["url"])  # public, like the candidacy list
    assert got.status_code == 200
    assert got.content == dossier
    assert got.headers["content-type"] == "application/pdf"
    assert got.headers["x-content-sha256"] == sha
    assert got.headers["etag"] == f'"{sha}"'
    assert "attachment" in got.headers["content-disposition"]
    assert made["dossier"]["sha256"] == sha


@pytest.mark.both_databases  # a refusal proven by snapshot()
def test_accept_and_reject_with_a_reason(client: f.Client, clock: FakeClock) -> None:
    key = f.bearer(f.account(client, clock))
    ballot_id, towns = open_ballot(client, clock)
    first = f.candidacy(client, clock, ballot_id, towns[0])
    second = f.candidacy(client, clock, ballot_id, towns[1])

    accepted = client.post(url(ballot_id, f"/{first.id}/accept"), headers=key)
    assert accepted.status_code == 200, accepted.text
    assert accepted.json()["status"] == "accepted"

    before = f.snapshot_of(client)
    for body in (None, {}, {"reason": "  "}):
        refused = client.post(url(ballot_id, f"/{second.id}/reject"), json=body, headers=key)
        assert refused.status_code in (400, 422), refused.text
    assert f.snapshot_of(client) == before
    detail = f.problem(
        client.post(url(ballot_id, f"/{second.id}/reject"), json={"reason": ""}, headers=key), 422
    )
    assert detail == "Say why the candidacy is rejected: the city and the auditors read it."

    rejected = client.post(
        url(ballot_id, f"/{second.id}/reject"), json={"reason": "No venue booked"}, headers=key
    )
    assert rejected.status_code == 200, rejected.text
    assert rejected.json()["status"] == "rejected"
    assert rejected.json()["decision_reason"] == "No venue booked"
    log = client.get(f"/api/v1/ballots/{ballot_id}/events").json()
    assert [(e["action"], e["data"]) for e in log[-2:]] == [
        ("candidacy-accepted", {"city": towns[0].slug, "reason": ""}),
        ("candidacy-rejected", {"city": towns[1].slug, "reason": "No venue booked"}),
    ]


def test_a_second_submission_updates_the_citys_candidacy(
    client: f.Client, clock: FakeClock
) -> None:
    key = f.bearer(f.account(client, clock))
    ballot_id, towns = open_ballot(client, clock)
    first = on_behalf(client, key, ballot_id, towns[0].id, f.pdf("v1")).json()
    client.post(url(ballot_id, f"/{first['id']}/accept"), headers=key)
    clock.advance(hours=1)
    newer = f.pdf("v2")
    second = on_behalf(client, key, ballot_id, towns[0].id, newer, summary="Second version")
    assert second.status_code == 201, second.text
    assert second.json()["id"] == first["id"]
    assert second.json()["summary"] == "Second version"
    assert second.json()["status"] == "submitted"  # a change needs a new decision
    assert second.json()["dossier"]["sha256"] == hashlib.sha256(newer).hexdigest()
    # Without a new dossier, the one on file stays.
    third = on_behalf(client, key, ballot_id, towns[0].id, None, venue="Stadium")
    assert third.status_code == 201, third.text
    assert third.json()["dossier"]["sha256"] == hashlib.sha256(newer).hexdigest()
    assert [c["id"] for c in client.get(url(ballot_id)).json()] == [first["id"]]
    assert client.get(third.json()["dossier"]["url"]).content == newer
    actions = [e["action"] for e in client.get(f"/api/v1/ballots/{ballot_id}/events").json()]
    assert actions[-4:] == [
        "candidacy-submitted",
        "candidacy-accepted",
        "candidacy-updated",
        "candidacy-updated",
    ]


@pytest.mark.both_databases  # a refusal proven by snapshot()
def test_a_first_submission_needs_its_dossier(client: f.Client, clock: FakeClock) -> None:
    key = f.bearer(f.account(client, clock))
    ballot_id, towns = open_ballot(client, clock)
    before = f.snapshot_of(client)
    detail = f.problem(on_behalf(client, key, ballot_id, towns[0].id, None), 422)
    assert detail == "A candidacy needs its dossier (a PDF of at most 20 MB)."
    assert f.snapshot_of(client) == before


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"summary": " "}, "The candidacy needs a summary."),
        ({"proposed_dates": ""}, "The candidacy needs the proposed dates."),
        ({"venue": ""}, "The candidacy needs the proposed venue."),
    ],
)
def test_a_candidacy_needs_its_text(
    client: f.Client, clock: FakeClock, fields: dict[str, str], expected: str
) -> None:
    key = f.bearer(f.account(client, clock))
    ballot_id, towns = open_ballot(client, clock)
    assert f.problem(on_behalf(client, key, ballot_id, towns[0].id, f.pdf(), **fields), 422) == (
        expected
    )


@pytest.mark.both_databases  # a refusal proven by snapshot()
def test_a_suspended_city_cannot_apply(client: f.Client, clock: FakeClock) -> None:
    key = f.bearer(f.account(client, clock))
    ballot_id, towns = open_ballot(client, clock)
    client.post(f"/api/v1/cities/{towns[0].id}/suspend", headers=key)
    before = f.snapshot_of(client)
    detail = f.problem(on_behalf(client, key, ballot_id, towns[0].id, f.pdf()), 409)
    assert detail == f"{towns[0].name} is suspended: only active member cities may apply."
    assert f.snapshot_of(client) == before


def test_an_unknown_city_ballot_or_candidacy_is_404(client: f.Client, clock: FakeClock) -> None:
    key = f.bearer(f.account(client, clock))
    ballot_id, towns = open_ballot(client, clock)
    assert "no member city with id 999" in f.problem(
        on_behalf(client, key, ballot_id, 999, f.pdf()), 404
    )
    assert "no ballot «nope»" in f.problem(
        on_behalf(client, key, "nope", towns[0].id, f.pdf()), 404
    )
    assert "no candidacy 42" in f.problem(
        client.post(url(ballot_id, "/42/accept"), headers=key), 404
    )
    assert f.problem(client.get(url(ballot_id, "/42/dossier")), 404)


def test_decisions_are_refused_once_frozen(client: f.Client, clock: FakeClock) -> None:
    key = f.bearer(f.account(client, clock))
    ballot, towns = f.ready_to_freeze(client, clock, n_cities=3)
    f.act(client, clock, ballot.id, Action.FREEZE)
    first = client.get(url(ballot.id)).json()[0]
    refused = client.post(
        url(ballot.id, f"/{first['id']}/reject"), json={"reason": "x"}, headers=key
    )
    assert f.problem(refused, 409) == (
        "The ballot is frozen: candidacies are decided before it is frozen."
    )
    late = on_behalf(client, key, ballot.id, towns[2].id, f.pdf())
    assert f.problem(late, 409) == "The ballot is frozen: it is not taking candidacies."

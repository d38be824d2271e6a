"""One organiser takes a ballot from draft to frozen through the API, on both databases."""

from __future__ import annotations

from tests import factories as f


def test_ballot_from_draft_to_frozen(client, clock):
    key = f.bearer(f.account(client, clock))
    towns = f.member_cities(client, clock, 4)
    body = {
        "title": "Host 2029",
        "question": "Who hosts 2029?",
        "method": "irv",
        "timezone": "Europe/Paris",
        "candidacy_deadline": (clock.now.replace(day=15)).isoformat(),
        "closes_at": (clock.now.replace(month=2)).isoformat(),
        "registrar_party": "City 2",  # makes the tokens offline, the default
    }
    created = client.post("/api/v1/ballots", json=body, headers=key)
    assert created.status_code == 201, created.text
    ballot_id = created.json()["id"]
    assert created.json()["state"] == "draft"

    opened = client.post(f"/api/v1/ballots/{ballot_id}/open-candidacies", headers=key)
    assert opened.json()["state"] == "candidacies"
    for town in towns[:2]:
        f.candidacy(client, clock, ballot_id, town, accept=True)

    early = client.post(f"/api/v1/ballots/{ballot_id}/freeze", headers=key)
    assert early.status_code == 409
    assert "deadline" in early.json()["detail"]

    clock.advance(days=5)
    no_key = client.post(f"/api/v1/ballots/{ballot_id}/freeze", headers=key)
    assert no_key.status_code == 409
    assert "Name the trustees first" in no_key.json()["detail"]
    f.complete_ceremony(client, ballot_id)
    frozen = client.post(f"/api/v1/ballots/{ballot_id}/freeze", headers=key)
    assert frozen.status_code == 200, frozen.text
    assert frozen.json()["state"] == "frozen"
    assert [c["id"] for c in frozen.json()["candidates"]] == sorted(t.slug for t in towns[:2])
    assert frozen.json()["electorate_size"] == 4

    wrong = client.post(f"/api/v1/ballots/{ballot_id}/close", headers=key)
    assert wrong.status_code == 409
    assert wrong.json()["detail"].startswith("The ballot is frozen: it cannot be closed")
    assert "opened for voting or cancelled" in wrong.json()["detail"]

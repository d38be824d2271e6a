"""The demo's sample network and ballot, built through the services."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from litestar.testing import TestClient

from inmc_vote.demo.sample_network import SAMPLE_CITIES, build
from inmc_vote.services import queries
from inmc_vote.web.app import create_app
from tests import factories as f
from tests.conftest import BASE_URL, FakeClock, make_settings, own_database
from tests.voting_helpers import ballot_body


@dataclass(frozen=True)
class Demo:
    client: f.Client
    facts: Any


@pytest.fixture(scope="module")
def demo_world(
    backend: str, request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Demo]:
    """The demo, built once for this module on a database and app of its own. The tests
    only read it, but for one vote cast on the open ballot, which no other test reads."""
    with own_database(request, backend, tmp_path_factory.mktemp("demo")) as url:
        settings, clock = make_settings(url), FakeClock()
        app = create_app(settings, clock=clock, run_schedule=False)
        with TestClient(app, base_url=BASE_URL) as client:
            facts = f.call(client, build, f.db(client), settings.secret_key, clock())
            yield Demo(client, facts)


@pytest.fixture
def demo(demo_world: Demo) -> Demo:
    demo_world.client.cookies.clear()  # nobody signed in at the start of a test
    return demo_world


def test_demo_builds_a_network_and_a_ballot_with_three_candidacies(demo: Demo) -> None:
    client, facts = demo.client, demo.facts

    members = f.call(client, queries.cities.list_cities, f.db(client))
    assert len(members) == len(SAMPLE_CITIES) == 40
    assert len({c.country for c in members}) == 23
    assert {c.region for c in members} == {"Europe", "Americas", "Asia", "Africa"}
    assert all(c.contact_email.endswith(".example.org") for c in members)

    ballot = client.get(f"/api/v1/ballots/{facts.ballot_id}").json()
    assert ballot["state"] == "candidacies"
    assert "(sample)" in ballot["title"]
    candidacies = client.get(f"/api/v1/ballots/{facts.ballot_id}/candidacies").json()
    assert sorted((c["city"], c["status"]) for c in candidacies) == [
        ("Greenville", "accepted"),
        ("Ota", "submitted"),
        ("Vitoria-Gasteiz", "accepted"),
    ]
    for candidacy in candidacies:
        dossier = client.get(candidacy["dossier"]["url"])
        assert dossier.content.startswith(b"%PDF-")

    assert (
        client.get(f"/api/v1/portal/{facts.portal_path.removeprefix('/portal/')}").status_code
        == 200
    )
    f.sign_in(client, facts.email, facts.password)
    listed = client.get("/api/v1/cities", headers={"Authorization": f"Bearer {facts.api_key}"})
    assert len(listed.json()) == 40


def test_demo_has_a_ballot_open_for_voting_whose_letters_vote(demo: Demo) -> None:
    client, facts = demo.client, demo.facts
    ballot = client.get(f"/api/v1/ballots/{facts.open_ballot_id}").json()
    assert ballot["state"] == "open"
    assert ballot["turnout"] == {"ballots": 0, "eligible": 40}
    assert len(facts.issued.letters) == 40
    candidate = ballot["candidates"][0]["id"]
    body = ballot_body(
        client, facts.open_ballot_id, facts.issued.letters[0].token, {"choice": candidate}
    )
    assert client.post(f"/api/v1/ballots/{facts.open_ballot_id}/cast", json=body).status_code == 201


def test_demo_has_a_finished_ballot_whose_results_are_public(demo: Demo) -> None:
    client, facts = demo.client, demo.facts
    ballot = client.get(f"/api/v1/ballots/{facts.finished_ballot_id}").json()
    assert (ballot["state"], ballot["published"]) == ("tallied", True)
    results = client.get(f"/api/v1/ballots/{facts.finished_ballot_id}/results").json()
    (only,) = results["rounds"]
    assert results["winner_city"] == "Torino"
    counted = only["result"]
    assert (counted["turnout"], counted["valid"], counted["blank"]) == (38, 36, 2)
    # Pirot leads on first choices; Valladolid's ballots elect Torino in round 2
    first, second = counted["rounds"]
    names = {c["id"]: c["city"] for c in only["candidates"]}
    assert {names[c]: n for c, n in first["tallies"].items()} == {
        "Pirot": 15,
        "Torino": 12,
        "Valladolid": 9,
    }
    assert {names[c]: n for c, n in second["tallies"].items()} == {"Pirot": 16, "Torino": 20}

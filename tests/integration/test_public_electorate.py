"""Ghost voters (issue 11, item 1): the electorate is published at freeze (the freeze
event, the ballot page, and so the audit bundle's events.jsonl), and the verifier holds
the roll to it: credentials minted for no city make `verify` fail."""

from __future__ import annotations

import json
from typing import Any

import pytest

from inmc_vote.db.models import City
from inmc_vote.domain.lifecycle import Action
from inmc_vote.services.actions import tokens as tokens_action
from inmc_vote.verify import verify
from tests import factories as f

# storage-specific: the freeze event and the audit bundle
pytestmark = pytest.mark.both_databases


def _frozen(client: f.Client, clock: Any) -> tuple[str, list[City]]:
    made, towns = f.ready_to_freeze(client, clock, n_cities=4, n_candidates=2)
    f.act(client, clock, made.id, Action.FREEZE)
    return made.id, towns


def _freeze_event(client: f.Client, ballot_id: str) -> dict[str, Any]:
    events = client.get(f"/api/v1/ballots/{ballot_id}/events").json()
    return next(e for e in events if e["action"] == "freeze")["data"]


def test_the_freeze_publishes_the_eligible_cities(client, clock) -> None:
    ballot_id, towns = _frozen(client, clock)
    data = _freeze_event(client, ballot_id)
    assert data["electorate"] == [
        {"slug": t.slug, "name": t.name, "country": t.country}
        for t in sorted(towns, key=lambda t: t.slug)
    ]
    assert data["electorate_size"] == 4
    assert data["credential_authority"] == {"custody": "server", "party": ""}
    page = client.get(f"/ballots/{ballot_id}").text
    assert "The 4 eligible cities" in page
    for town in towns:
        assert f"{town.name} ({town.country})" in page
    assert "made by this server" in page


def test_two_ghost_credentials_fail_the_verifier(client, clock, tmp_path, monkeypatch) -> None:
    """A server that mints two credentials more than the cities: the roll, the manifest
    and the tokens-issued event all say 6, and all agree; only the published electorate
    (4 cities) shows the lie. Before the fix the verifier said "All checks passed"."""
    ballot_id, _ = _frozen(client, clock)
    honest = tokens_action._electorate_cities

    async def with_ghosts(session: Any, wanted: str) -> list[City]:
        cities = await honest(session, wanted)
        return [*cities, City(name="Ghost 1", country="FR"), City(name="Ghost 2", country="FR")]

    monkeypatch.setattr(tokens_action, "_electorate_cities", with_ghosts)
    assert len(f.issue_tokens(client, clock, ballot_id)) == 6
    answer = client.get(f"/api/v1/ballots/{ballot_id}/audit")
    bundle = tmp_path / "ghosts.zip"
    bundle.write_bytes(answer.content)
    report = verify(bundle, jobs=1)
    assert not report.ok
    assert {c.code for c in report.checks if not c.ok} == {"electorate"}
    line = next(c.line() for c in report.checks if c.code == "electorate")
    assert "the roll has 6 credentials for 4 eligible cities: 2 credentials that no city" in line


def test_an_honest_issuance_passes_the_electorate_check(client, clock, tmp_path) -> None:
    ballot_id, _ = _frozen(client, clock)
    f.issue_tokens(client, clock, ballot_id)
    bundle = tmp_path / "honest.zip"
    bundle.write_bytes(client.get(f"/api/v1/ballots/{ballot_id}/audit").content)
    report = verify(bundle, jobs=1)
    assert report.ok, report.text()
    check = next(c for c in report.checks if c.code == "electorate")
    assert check.counted == 4
    assert json.loads(json.dumps(report.to_json()))["ok"] is True

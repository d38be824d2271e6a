"""Helpers for voting tests: issue tokens, read them from the letters' CSV, cast."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from inmc_vote.db.engine import Database
from inmc_vote.domain.lifecycle import Action
from inmc_vote.domain.protocol import board, credentials, vote
from inmc_vote.domain.protocol.encoding import from_b64url
from inmc_vote.services import actions
from inmc_vote.services.actions.ballots import BallotForm
from inmc_vote.services.actions.candidacies import CandidacyForm, Upload
from inmc_vote.services.actions.lifecycle import ActionRequest
from inmc_vote.services.actors import Actor
from tests import factories as f


def tokens_from_zip(content: bytes) -> list[dict[str, str]]:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return list(csv.DictReader(io.StringIO(archive.read("tokens.csv").decode())))


def open_ballot(
    client: f.Client, clock: f.FakeClock, n_cities: int = 5, n_candidates: int = 3, **overrides: Any
) -> tuple[str, dict[str, str], list[dict[str, str]]]:
    """A ballot open for voting; returns (ballot id, organiser headers, token rows).
    `overrides` change its settings (method, quorum...)."""
    key = f.bearer(f.account(client, clock))
    made, _towns = f.ready_to_freeze(client, clock, n_cities, n_candidates, **overrides)
    f.act(client, clock, made.id, Action.FREEZE)
    issued = client.post(f"/api/v1/ballots/{made.id}/tokens", headers=key)
    assert issued.status_code == 201, issued.text
    clock.advance(days=3)  # past opens_at: the clock opens it
    assert client.get(f"/api/v1/ballots/{made.id}").json()["state"] == "open"
    return made.id, key, tokens_from_zip(issued.content)


def manifest_of(client: f.Client, ballot_id: str) -> tuple[dict[str, Any], bytes]:
    response = client.get(f"/api/v1/ballots/{ballot_id}/manifest")
    return json.loads(response.content), from_b64url(response.headers["x-manifest-hash"])


def ballot_body(
    client: f.Client, ballot_id: str, token: str, choice: dict[str, Any]
) -> dict[str, str]:
    manifest, digest = manifest_of(client, ballot_id)
    _, seed = credentials.parse_token(token, ballot_id)
    return vote.make_ballot({"v": 1, **choice}, seed, manifest, digest).to_json()


# --- A ballot open for voting made straight through the services, for tests that run the
# service as real processes (tests/integration/test_concurrent_casting.py): the servers
# read the real clock, so the ballot is prepared "in the past" and opened by hand now.

SECRET_KEY = b"concurrency-test-secret-key-0123456789abcdef"


@dataclass(frozen=True)
class OpenedBallot:
    ballot_id: str
    manifest_hash: bytes
    tokens: list[str]


async def open_ballot_now(url: str, n_cities: int, now: datetime) -> OpenedBallot:
    """Add `n_cities` member cities (the electorate), two candidacies, freeze, issue the
    tokens and open by hand at `now`; closes an hour later."""
    db = Database(url, at_rest_key=SECRET_KEY)
    try:
        past = now - timedelta(days=1)
        towns = []
        for i in range(n_cities):
            fields = actions.cities.fields_of(
                f"City {i + 1}",
                f.COUNTRIES[i % len(f.COUNTRIES)],
                "Region",
                f"Contact {i + 1}",
                f"contact{i + 1}@example.org",
            )
            towns.append(await actions.cities.add_city(db, fields, past))
        form = BallotForm(
            title="Host city 2029",
            question="Which city should host the 2029 meetings?",
            method="plurality",
            candidacy_deadline=past + timedelta(hours=1),
            closes_at=now + timedelta(hours=1),
        )
        made = await actions.ballots.create_ballot(db, f.ORGANISER, form, past)
        await actions.lifecycle.perform(
            db, f.ORGANISER, made.id, Action.OPEN_CANDIDACIES, ActionRequest(past)
        )
        for town in towns[:2]:
            submitted = await actions.candidacies.submit(
                db,
                Actor("city", town.slug),
                made.id,
                town.id,
                CandidacyForm("Our summary", "1-3 May 2029", "Congress centre"),
                Upload("dossier.pdf", f.pdf(town.name)),
                past,
            )
            await actions.candidacies.decide(db, f.ORGANISER, made.id, submitted.id, True, "", past)
        frozen_at = past + timedelta(hours=2)
        await actions.lifecycle.perform(
            db, f.ORGANISER, made.id, Action.FREEZE, ActionRequest(frozen_at)
        )
        issued = await actions.tokens.issue_tokens(db, f.ORGANISER, made.id, frozen_at)
        await actions.lifecycle.perform(db, f.ORGANISER, made.id, Action.OPEN, ActionRequest(now))
        return OpenedBallot(made.id, issued.manifest_hash, [x.token for x in issued.letters])
    finally:
        await db.dispose()


def board_entries(page: dict[str, Any]) -> list[board.Entry]:
    """A board page of the API as protocol entries, for `board.verify_board`."""
    return [
        board.Entry(
            e["seq"],
            e["received_at"],
            from_b64url(e["credential"]),
            from_b64url(e["ciphertext"]),
            from_b64url(e["signature"]),
            from_b64url(e["prev"]),
            from_b64url(e["tracker"]),
        )
        for e in page["entries"]
    ]


# --- Tallied ballots, for the results pages and the organiser's tally pages ---------------


@dataclass(frozen=True)
class TalliedBallot:
    """A ballot whose round was cast, closed and tallied through the API."""

    ballot_id: str
    key: dict[str, str]
    tokens: list[str]
    candidates: list[str]  # candidate ids, in the manifest's order
    names: dict[str, str]  # candidate id -> city name


def cast_all(
    client: f.Client, ballot_id: str, tokens: list[str], votes: list[dict[str, Any]]
) -> None:
    """Cast one vote per token, in order (`votes` as plaintext fields: {"choice": id}...)."""
    for token, marks in zip(tokens, votes, strict=False):
        sent = client.post(
            f"/api/v1/ballots/{ballot_id}/cast", json=ballot_body(client, ballot_id, token, marks)
        )
        assert sent.status_code == 201, sent.text


def lifecycle_call(
    client: f.Client, key: dict[str, str], ballot_id: str, action: str, **body: Any
) -> dict[str, Any]:
    """A lifecycle action through the API, which must succeed."""
    response = client.post(f"/api/v1/ballots/{ballot_id}/{action}", json=body or None, headers=key)
    assert response.status_code == 200, response.text
    return response.json()


def close_tally(
    client: f.Client, key: dict[str, str], ballot_id: str, *, publish: bool = False
) -> None:
    """Close the round early, tally it (server custody) and publish it if asked."""
    lifecycle_call(client, key, ballot_id, "close", reason="Every city has voted.")
    lifecycle_call(client, key, ballot_id, "tally")
    if publish:
        lifecycle_call(client, key, ballot_id, "publish")


def tallied_ballot(
    client: f.Client,
    clock: f.FakeClock,
    votes: Any,
    *,
    n_cities: int = 5,
    n_candidates: int = 3,
    publish: bool = False,
    **overrides: Any,
) -> TalliedBallot:
    """A ballot open for voting, cast with `votes(candidate ids)` (one vote plaintext per
    city, in order), closed and tallied; published if asked. `overrides` set the ballot."""
    ballot_id, key, rows = open_ballot(client, clock, n_cities, n_candidates, **overrides)
    manifest, _digest = manifest_of(client, ballot_id)
    ids = [c["id"] for c in manifest["candidates"]]
    tokens_ = [r["token"] for r in rows]
    cast_all(client, ballot_id, tokens_, votes(ids))
    close_tally(client, key, ballot_id, publish=publish)
    names = {c["id"]: c["city"] for c in manifest["candidates"]}
    return TalliedBallot(ballot_id, key, tokens_, ids, names)

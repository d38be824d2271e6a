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
from inmc_vote.domain.protocol import ballot as ballots
from inmc_vote.domain.protocol import board, credentials, payload
from inmc_vote.domain.protocol.encoding import from_b64url
from inmc_vote.services import actions
from inmc_vote.services.actions.ballots import BallotForm
from inmc_vote.services.actions.candidacies import CandidacyForm, Upload
from inmc_vote.services.actions.lifecycle import ActionRequest
from inmc_vote.services.actors import Actor
from inmc_vote.tools import mixing as mixing_tool
from tests import factories as f


def tokens_from_zip(content: bytes) -> list[dict[str, str]]:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        text = archive.read("tokens.csv").decode("utf-8-sig")  # with its BOM
        return list(csv.DictReader(io.StringIO(text)))


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


def make_ballot(
    manifest: dict[str, Any], digest: bytes, token: str, choice: dict[str, Any], **scalars: bytes
) -> ballots.Ballot:
    """A v2 ballot of `token` for the vote `choice` ({"choice": id}, {"blank": True}...)
    under the manifest (as JSON) and its hash; `scalars` may fix r and w."""
    _, seed = credentials.parse_token(token)
    ids = [c["id"] for c in manifest["candidates"]]
    election = from_b64url(manifest["keys"]["election"])
    vote_payload = payload.encode({"v": 1, **choice}, ids)
    return ballots.build(digest, election, seed, vote_payload, **scalars)


def ballot_body(
    client: f.Client, ballot_id: str, token: str, choice: dict[str, Any]
) -> dict[str, Any]:
    """The JSON body that casts `token`'s vote `choice` on the ballot's current round."""
    manifest, digest = manifest_of(client, ballot_id)
    credentials.parse_token(token, ballot_id)  # a token of this ballot
    return make_ballot(manifest, digest, token, choice).to_json()


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
            credential_authority="server",
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
        await f.complete_ceremony_async(db, made.id, frozen_at)  # freeze needs the election key
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
    return [board.Entry.from_json(line) for line in page["entries"]]


# --- Tallied ballots, for the results pages and the organiser's tally pages ---------------


@dataclass(frozen=True)
class TalliedBallot:
    """A ballot whose round was cast, closed and tallied through the API."""

    ballot_id: str
    key: dict[str, str]
    tokens: list[str]
    candidates: list[str]  # candidate ids, in the manifest's order
    names: dict[str, str]  # candidate id -> city name


UNKNOWN_CANDIDATE = bytes([2, 1, 200]) + bytes(25)
"""A choice of candidate number 200: decoded as "#200", counted as an unknown candidate."""


def cast_all(
    client: f.Client, ballot_id: str, tokens: list[str], votes: list[dict[str, Any]]
) -> None:
    """Cast one vote per token, in order (`votes` as plaintext fields: {"choice": id}...,
    or {"payload": 28 bytes} for a payload no client would make, see UNKNOWN_CANDIDATE)."""
    for token, marks in zip(tokens, votes, strict=False):
        if "payload" in marks:
            manifest, digest = manifest_of(client, ballot_id)
            _, seed = credentials.parse_token(token, ballot_id)
            election = from_b64url(manifest["keys"]["election"])
            body = ballots.build(digest, election, seed, marks["payload"]).to_json()
        else:
            body = ballot_body(client, ballot_id, token, marks)
        sent = client.post(f"/api/v1/ballots/{ballot_id}/cast", json=body)
        assert sent.status_code == 201, sent.text


def lifecycle_call(
    client: f.Client, key: dict[str, str], ballot_id: str, action: str, **body: Any
) -> dict[str, Any]:
    """A lifecycle action through the API, which must succeed."""
    response = client.post(f"/api/v1/ballots/{ballot_id}/{action}", json=body or None, headers=key)
    assert response.status_code == 200, response.text
    return response.json()


class TrusteeTransport:
    """The trustee tool's calls (tools/mixing.Transport) through the test client, with
    the trustee's invitation as its bearer secret."""

    def __init__(self, client: f.Client, ballot_id: str, invitation: str) -> None:
        self.client, self.ballot_id, self.invitation = client, ballot_id, invitation

    def get_bytes(self, path: str) -> bytes:
        response = self.client.get(f"/api/v1/ballots/{self.ballot_id}{path}")
        assert response.status_code == 200, response.text
        return response.content

    def post_bytes(self, path: str, body: bytes) -> dict[str, Any]:
        response = self.post(path, body)
        assert response.status_code == 201, response.text
        return dict(response.json())

    def post(self, path: str, body: bytes) -> Any:
        """The raw answer, for tests of refusals."""
        return self.client.post(
            f"/api/v1/ballots/{self.ballot_id}{path}",
            content=body,
            headers={
                "Authorization": f"Bearer {self.invitation}",
                "Content-Type": "application/json",
            },
        )


def trustee_of(client: f.Client, ballot_id: str, index: int) -> tuple[TrusteeTransport, Any]:
    """Trustee `index`'s transport and secrets, from `complete_ceremony`'s key files."""
    file = next(x for x in f.trustee_files(client, ballot_id) if x.trustee == index)
    return TrusteeTransport(client, ballot_id, file.invitation), mixing_tool.secrets_of(file)


def shuffle_by(client: f.Client, ballot_id: str, index: int) -> dict[str, Any]:
    transport, secrets = trustee_of(client, ballot_id, index)
    return mixing_tool.shuffle_round(transport, secrets)


def decrypt_by(client: f.Client, ballot_id: str, index: int) -> dict[str, Any]:
    transport, secrets = trustee_of(client, ballot_id, index)
    return mixing_tool.decrypt_round(transport, secrets)


def mix_and_decrypt(
    client: f.Client,
    ballot_id: str,
    shufflers: tuple[int, ...] = (1, 2),
    decrypters: tuple[int, ...] = (1, 2),
) -> None:
    """The trustees' part of a closed round: shuffles then decryptions (none for an empty
    board, which needs no trustee)."""
    state = client.get(f"/api/v1/ballots/{ballot_id}/mix").json()
    if state["input"]["count"] == 0:
        return
    for index in shufflers:
        shuffle_by(client, ballot_id, index)
    for index in decrypters:
        decrypt_by(client, ballot_id, index)


def close_tally(
    client: f.Client, key: dict[str, str], ballot_id: str, *, publish: bool = False
) -> None:
    """Close the round early, have trustees 1 and 2 shuffle and decrypt it, tally it, and
    publish it if asked."""
    lifecycle_call(client, key, ballot_id, "close", reason="Every city has voted.")
    mix_and_decrypt(client, ballot_id)
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

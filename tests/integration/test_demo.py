"""The demo's sample network and ballot, built through the services."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from litestar.testing import TestClient

from inmc_vote.demo.sample_network import SAMPLE_CITIES, build
from inmc_vote.domain.protocol import credentials, group, keys, payload
from inmc_vote.domain.protocol.encoding import b64url, from_b64url
from inmc_vote.services import queries
from inmc_vote.services.steps import keyring
from inmc_vote.web.app import create_app
from tests import factories as f
from tests.conftest import BASE_URL, FakeClock, make_settings, own_database
from tests.voting_helpers import ballot_body


@dataclass(frozen=True)
class Demo:
    client: f.Client
    facts: Any
    facts_secret: bytes  # the server's secret key


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
            yield Demo(client, facts, settings.secret_key)


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


def test_demo_finished_ballot_was_mixed_and_decrypted_by_its_trustees(demo: Demo) -> None:
    client, facts = demo.client, demo.facts
    ballot_id = facts.finished_ballot_id
    state = client.get(f"/api/v1/ballots/{ballot_id}/mix").json()
    assert state["threshold"] == 2
    assert [m["index"] for m in state["trustees"]] == [1, 2, 3]
    assert [s["trustee"] for s in state["shuffles"]] == [1, 2, 3]
    assert [d["trustee"] for d in state["decryptions"]] == [1, 2]
    record = json.loads(client.get(f"/api/v1/ballots/{ballot_id}/tally/record").content)
    assert record["format"] == "inmc-vote/tally/v2"
    assert record["mix"]["input"]["count"] == 38
    assert len(facts.trustee_files[ballot_id]) == 3


def _json_values(data: bytes) -> list[Any]:
    """Every JSON document in a download: one, or one per line (JSON Lines)."""
    try:
        return [json.loads(data)]
    except ValueError:
        return [json.loads(line) for line in data.splitlines() if line.strip()]


def _objects(value: Any) -> Iterator[dict[str, Any]]:
    if isinstance(value, dict):
        yield value
        for item in value.values():
            yield from _objects(item)
    elif isinstance(value, list):
        for item in value:
            yield from _objects(item)


def _strings(value: Any) -> set[str]:
    if isinstance(value, str):
        return {value}
    if isinstance(value, dict):
        return set().union(*(_strings(v) for v in value.values()), set(value)) if value else set()
    if isinstance(value, list):
        return set().union(*(_strings(v) for v in value)) if value else set()
    return set()


def test_no_download_links_a_vote_to_a_city(demo: Demo) -> None:
    """The done-when test of protocol v2: join the letters (city → credential), the board
    (credential → tracker and entry) and every public download, and find no vote attached
    to an entry, a credential or a tracker; and no secret the server keeps decrypts."""
    client, facts = demo.client, demo.facts
    ballot_id = facts.finished_ballot_id
    api = f"/api/v1/ballots/{ballot_id}"

    # city -> credential, from the letters; credential -> tracker and entry, from the board
    city_of: dict[str, str] = {}
    for letter in facts.finished_issued.letters:
        _, seed = credentials.parse_token(letter.token, ballot_id)
        city_of[b64url(keys.ed25519_public(seed))] = letter.city
    board = client.get(f"{api}/board").json()["entries"]
    assert len(board) == 38
    linkable: set[str] = set()  # what ties a line to a city
    for entry in board:
        ballot = entry["ballot"]
        assert ballot["credential"] in city_of
        linkable |= {ballot["credential"], entry["tracker"], entry["hash"], ballot["alpha"]}
        linkable |= {ballot["beta"], ballot["signature"]}

    # every public download: the bundle's members, and the API's reads
    downloads: dict[str, bytes] = {}
    bundle_zip = client.get(f"{api}/audit")
    assert bundle_zip.status_code == 200
    with zipfile.ZipFile(io.BytesIO(bundle_zip.content)) as archive:
        for name in archive.namelist():
            downloads[f"bundle:{name}"] = archive.read(name)
    assert any(name.endswith("votes.jsonl") for name in downloads)
    assert any("/shuffle-3.json" in name for name in downloads)
    assert any("/decryption-2.json" in name for name in downloads)
    for path in (
        "",
        "/events",
        "/results",
        "/tally/record",
        "/tally/votes",
        "/mix",
        "/mix/input",
        "/mix/shuffles/1",
        "/mix/shuffles/2",
        "/mix/shuffles/3",
        "/decryptions",
        "/decryptions/1",
        "/decryptions/2",
        "/manifest",
        "/roll",
    ):
        answer = client.get(f"{api}{path}")
        assert answer.status_code == 200, path
        downloads[f"api:{path}"] = answer.content

    votes_seen = 0
    for name, data in downloads.items():
        if not (name.endswith((".json", ".jsonl")) or name.startswith("api:")):
            continue
        for document in _json_values(data):
            for obj in _objects(document):
                if "vote" not in obj and not ({"choice", "ranking", "approve"} & set(obj)):
                    continue
                votes_seen += 1
                # a vote is attached to nothing but its position in the mixed order
                assert set(obj) <= {"position", "outcome", "reason", "vote", "v", "choice",
                                    "ranking", "approve", "blank"}, (name, obj)  # fmt: skip
                assert not (_strings(obj) & linkable), (name, obj)
    assert votes_seen >= 2 * 38  # votes.jsonl in the bundle and /tally/votes

    # the votes come out of the mix re-encrypted: no mixed ciphertext is a board one
    last = json.loads(downloads["api:/mix/shuffles/3"])["output"]
    assert not ({c for ct in last for c in ct} & linkable)

    # no secret the server keeps opens a ballot: every 32-byte value stored in any table,
    # the secret key, and the private keys it keeps sealed (authority, registrar)
    candidates: set[bytes] = {demo.facts_secret[:32], hashlib.sha256(demo.facts_secret).digest()}
    for rows in f.snapshot_of(client).values():
        for row in rows:
            for value in row:
                if isinstance(value, bytes) and len(value) >= 32:
                    candidates |= {value[:32], value[-32:]}

    async def sealed() -> list[bytes]:
        async with f.db(client).read() as session:
            ring = await keyring.load(session, f.db(client).at_rest_key, ballot_id)
        return [ring.authority_seed] + ([ring.registrar_seed] if ring.registrar_seed else [])

    candidates |= set(f.call(client, sealed))
    alpha = from_b64url(board[0]["ballot"]["alpha"])
    beta = from_b64url(board[0]["ballot"]["beta"])
    manifest = client.get(f"{api}/manifest").json()
    election = from_b64url(manifest["keys"]["election"])
    ids = [c["id"] for c in manifest["candidates"]]
    for secret in candidates:
        x = group.reduce(secret[:32].ljust(64, b"\x00"))  # the secret read as a scalar
        if x == bytes(32):
            continue
        assert group.base_mul(x) != election
        try:
            point = group.sub(beta, group.mul(x, alpha))
        except group.GroupError:
            continue
        found = payload.extract(point)
        assert found is None or payload.decode(found, ids) is None, "a stored secret decrypts"


def test_a_new_demo_keeps_the_previous_database_as_a_backup(tmp_path) -> None:
    """`make run` starts afresh, but never wipes the last demo silently: it is moved to
    .bak (with its SQLite journal) and the start-up output says where."""
    from inmc_vote.demo.sample_network import keep_previous

    path = tmp_path / "inmc-demo.sqlite3"
    assert keep_previous(path) == "A new demo database (none was there before)."
    path.write_bytes(b"first run")
    (tmp_path / "inmc-demo.sqlite3-wal").write_bytes(b"its journal")
    said = keep_previous(path)
    backup = tmp_path / "inmc-demo.sqlite3.bak"
    assert f"moved to {backup}" in said
    assert backup.read_bytes() == b"first run"
    assert (tmp_path / "inmc-demo.sqlite3.bak-wal").read_bytes() == b"its journal"
    assert not path.exists()
    assert not (tmp_path / "inmc-demo.sqlite3-wal").exists()
    path.write_bytes(b"second run")
    keep_previous(path)
    assert backup.read_bytes() == b"second run"  # one copy: the run before this one
    assert not (tmp_path / "inmc-demo.sqlite3.bak-wal").exists()

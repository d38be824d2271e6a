"""The credential authority is not the server (issue 11, item 2): a ballot says who makes
its tokens; by default a named party makes them offline and only that party, with
`inmc-vote tokens revoke`, can replace a lost one. The manifest and the pages say which."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from pathlib import Path
from typing import Any

import pytest

from inmc_vote.domain.lifecycle import Action
from inmc_vote.domain.protocol import credentials, keys, revocation_file
from inmc_vote.verify import verify
from tests import factories as f
from tests.integration.test_cli import clean_env, inmc
from tests.integration.test_offline_tokens import OFFLINE, issue_offline, upload

# storage-specific: revocations stored (or refused storing nothing) on both databases
pytestmark = pytest.mark.both_databases


@pytest.fixture
def issued(client, clock, tmp_path) -> tuple[str, dict[str, str], list[dict[str, str]]]:
    """An offline ballot (Porto makes the tokens), its roll uploaded; the letters' rows."""
    key = f.bearer(f.account(client, clock))
    made, towns = f.ready_to_freeze(client, clock, n_cities=4, **OFFLINE)
    f.act(client, clock, made.id, Action.FREEZE)
    assert issue_offline(tmp_path, made.id, towns).returncode == 0
    assert upload(client, key, made.id, (tmp_path / "out" / "roll.json").read_bytes()).is_success
    with zipfile.ZipFile(tmp_path / "out" / "tokens.zip") as archive:
        text = archive.read("tokens.csv").decode("utf-8-sig")  # with its BOM
        rows = list(csv.DictReader(io.StringIO(text)))
    return made.id, key, rows


def post_revocation(client: f.Client, key: dict[str, str], ballot_id: str, body: Any) -> Any:
    content = body if isinstance(body, bytes) else json.dumps(body).encode()
    return client.post(
        f"/api/v1/ballots/{ballot_id}/revocations",
        content=content,
        headers={**key, "content-type": "application/json"},
    )


def tokens_revoke(tmp_path: Path, ballot_id: str, fingerprint: str, out: str) -> Any:
    return inmc(
        "tokens",
        "revoke",
        "--ballot",
        ballot_id,
        "--registrar-key",
        str(tmp_path / "out" / "registrar.key"),
        "--fingerprint",
        fingerprint.lower().replace("-", ""),  # read as people type it
        "--base-url",
        "http://testserver.local",
        "--out",
        str(tmp_path / out),
        env=clean_env(tmp_path),
        cwd=tmp_path,
    )


def test_the_manifest_and_pages_name_the_offline_registrar(client, clock, issued) -> None:
    ballot_id, _, _ = issued
    fixed = json.loads(client.get(f"/api/v1/ballots/{ballot_id}/manifest").content)
    assert fixed["registrar"] == {"custody": "offline", "party": "Porto"}
    assert client.get(f"/api/v1/ballots/{ballot_id}").json()["registrar"] == {
        "custody": "offline",
        "party": "Porto",
    }
    assert "made offline by Porto" in client.get(f"/ballots/{ballot_id}").text
    f.sign_in(client, *_organiser(client, clock))
    page = client.get(f"/organiser/ballots/{ballot_id}").text
    assert "made offline by Porto" in page
    assert "inmc-vote tokens revoke" in page


def _organiser(client: f.Client, clock: Any) -> tuple[str, str]:
    made = f.account(client, clock, "pages@example.org")
    return "pages@example.org", made.password


def test_a_lost_token_replaced_offline(client, clock, tmp_path, issued) -> None:
    ballot_id, key, rows = issued
    lost = rows[0]["credential_fingerprint"]
    made = tokens_revoke(tmp_path, ballot_id, lost, "lost")
    assert made.returncode == 0, made.stderr
    assert f"{lost} revoked" in made.stdout
    body = (tmp_path / "lost" / "revocation.json").read_bytes()
    assert b"token" not in body.lower()
    answer = post_revocation(client, key, ballot_id, body)
    assert answer.status_code == 201, answer.text
    new = answer.json()["fingerprint"]
    with zipfile.ZipFile(tmp_path / "lost" / "replacement.zip") as archive:
        text = archive.read("tokens.csv").decode("utf-8-sig")  # with its BOM
        (row,) = csv.DictReader(io.StringIO(text))
    assert row["credential_fingerprint"] == new
    events = client.get(f"/api/v1/ballots/{ballot_id}/events").json()
    assert [e["action"] for e in events[-2:]] == ["credential-revoked", "credential-added"]
    assert events[-2]["data"]["fingerprint"] == lost
    # the same file again, or the lost credential again: refused, nothing stored
    before = f.snapshot_of(client)
    assert "already revoked" in f.problem(post_revocation(client, key, ballot_id, body), 409)
    assert f.snapshot_of(client) == before
    bundle = tmp_path / "bundle.zip"
    bundle.write_bytes(client.get(f"/api/v1/ballots/{ballot_id}/audit").content)
    report = verify(bundle, jobs=1)
    assert report.ok, report.text()
    assert next(c for c in report.checks if c.code == "lost-tokens").counted == 1


def test_the_server_alone_cannot_revoke_an_offline_ballot_s_token(client, issued) -> None:
    """The old server-side path, which signed with a registrar key it held, refuses."""
    ballot_id, key, rows = issued
    before = f.snapshot_of(client)
    lost = client.post(
        f"/api/v1/ballots/{ballot_id}/credentials/{rows[0]['credential_fingerprint']}/revoke",
        headers=key,
    )
    detail = f.problem(lost, 409)
    assert "only they can replace a lost token" in detail
    assert "inmc-vote tokens revoke" in detail
    assert f.snapshot_of(client) == before


def test_a_revocation_not_signed_by_the_ballot_s_registrar(client, issued) -> None:
    ballot_id, key, rows = issued
    roll = client.get(f"/api/v1/ballots/{ballot_id}/roll").content.splitlines()
    victim = credentials.RollLine.from_json(json.loads(roll[0]))
    server_seed = keys.new_ed25519()[0]  # a key the server (or anyone) could make
    forged = revocation_file.make(
        ballot_id, server_seed, victim.pk, credentials.issue(ballot_id, server_seed)[1]
    ).to_json()
    before = f.snapshot_of(client)
    detail = f.problem(post_revocation(client, key, ballot_id, forged), 422)
    assert "not signed by the ballot's registrar key" in detail
    tampered = dict(forged, revoked=forged["replacement"]["pk"])
    assert "not signed" in f.problem(post_revocation(client, key, ballot_id, tampered), 422)
    assert "not a revocation file" in f.problem(post_revocation(client, key, ballot_id, {}), 422)
    assert f.snapshot_of(client) == before
    assert rows  # the letters are untouched


def test_an_offline_ballot_is_not_issued_by_the_server(client, clock) -> None:
    key = f.bearer(f.account(client, clock))
    made, _ = f.ready_to_freeze(client, clock, **OFFLINE)
    f.act(client, clock, made.id, Action.FREEZE)
    before = f.snapshot_of(client)
    detail = f.problem(client.post(f"/api/v1/ballots/{made.id}/tokens", headers=key), 409)
    assert "made offline by Porto" in detail
    assert f.snapshot_of(client) == before


def test_freezing_offline_needs_the_registrar_named(client, clock) -> None:
    key = f.bearer(f.account(client, clock))
    made, _ = f.ready_to_freeze(client, clock, credential_authority="offline")
    before = f.snapshot_of(client)
    answer = client.post(f"/api/v1/ballots/{made.id}/freeze", headers=key)
    assert "Name who makes the tokens offline" in f.problem(answer, 409)
    assert f.snapshot_of(client) == before


def test_an_unknown_credential_authority_is_refused(client, clock) -> None:
    key = f.bearer(f.account(client, clock))
    body = f.ballot_body(clock, credential_authority="the-moon")
    before = f.snapshot_of(client)
    assert "not a credential authority" in f.problem(
        client.post("/api/v1/ballots", json=body, headers=key), 422
    )
    assert f.snapshot_of(client) == before

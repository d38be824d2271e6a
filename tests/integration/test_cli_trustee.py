"""`inmc-vote trustee keygen`: a tally key made off the server; the ballot frozen with its
public half takes votes that only the key file decrypts."""

from __future__ import annotations

import json
import stat

import pytest

from inmc_vote.domain.lifecycle import Action
from inmc_vote.domain.protocol import keys, vote
from inmc_vote.domain.protocol.credentials import parse_token
from inmc_vote.domain.protocol.encoding import from_b64url
from inmc_vote.tools.keyfiles import TALLY_KEY_FORMAT, KeyFileError, read_tally_key
from tests import factories as f
from tests.integration.test_cli import clean_env, inmc


def keygen(tmp_path, name: str = "tally.key"):
    return inmc("trustee", "keygen", "--out", name, env=clean_env(tmp_path), cwd=tmp_path)


def test_keygen_writes_a_private_key_file_and_prints_the_public_key(tmp_path):
    result = keygen(tmp_path)
    assert result.returncode == 0, result.stderr
    public = result.stdout.strip()
    assert len(from_b64url(public)) == 32
    assert "freeze" in result.stderr
    assert public in result.stderr  # shown with the freeze call to make

    key_file = tmp_path / "tally.key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    content = json.loads(key_file.read_text())
    assert content["format"] == TALLY_KEY_FORMAT
    assert set(content) == {"format", "private", "public"}
    assert content["public"] == public
    assert keys.x25519_public(from_b64url(content["private"])) == from_b64url(public)
    assert read_tally_key(key_file).public == from_b64url(public)


def test_keygen_never_overwrites_a_key(tmp_path):
    assert keygen(tmp_path).returncode == 0
    before = (tmp_path / "tally.key").read_bytes()
    again = keygen(tmp_path)
    assert again.returncode == 1
    assert "already exists" in again.stderr
    assert "Traceback" not in again.stderr
    assert (tmp_path / "tally.key").read_bytes() == before

    missing_folder = keygen(tmp_path, "no/such/folder/tally.key")
    assert missing_folder.returncode == 1
    assert "Cannot create" in missing_folder.stderr


def test_keygen_needs_out_and_has_help(tmp_path):
    assert inmc("trustee", "keygen", env=clean_env(tmp_path), cwd=tmp_path).returncode == 2
    shown = inmc("trustee", "keygen", "--help", env=clean_env(tmp_path), cwd=tmp_path)
    assert shown.returncode == 0
    assert "tally_public_key" in shown.stdout
    assert "600" in shown.stdout


@pytest.mark.parametrize(
    "content",
    ["not json", '{"format": "other"}', f'{{"format": "{TALLY_KEY_FORMAT}", "private": "x"}}'],
)
def test_a_damaged_key_file_is_refused_in_words(tmp_path, content):
    bad = tmp_path / "bad.key"
    bad.write_text(content)
    with pytest.raises(KeyFileError):
        read_tally_key(bad)


def test_a_ballot_frozen_with_the_trustee_key_is_decrypted_by_the_key_file(tmp_path, client, clock):
    made_key = keygen(tmp_path)
    assert made_key.returncode == 0, made_key.stderr
    tally = read_tally_key(tmp_path / "tally.key")
    key = f.bearer(f.account(client, clock))
    made, _ = f.ready_to_freeze(client, clock)
    frozen = client.post(
        f"/api/v1/ballots/{made.id}/freeze",
        json={"tally_public_key": made_key.stdout.strip()},
        headers=key,
    )
    assert frozen.status_code == 200, frozen.text
    letters = f.issue_tokens(client, clock, made.id)
    clock.advance(days=3)
    assert client.get(f"/api/v1/ballots/{made.id}").json()["state"] == "open"

    answer = client.get(f"/api/v1/ballots/{made.id}/manifest")
    found = json.loads(answer.content)
    assert from_b64url(found["keys"]["tally"]) == tally.public
    assert found["keys"]["tally_custody"] == "trustee"
    digest = from_b64url(answer.headers["x-manifest-hash"])
    _, seed = parse_token(letters[0].token)
    choice = {"v": 1, "choice": found["candidates"][0]["id"]}
    ballot = vote.make_ballot(choice, seed, found, digest)
    assert client.post(f"/api/v1/ballots/{made.id}/cast", json=ballot.to_json()).status_code == 201

    plaintext = vote.decrypt(ballot.ciphertext, tally.private, digest, ballot.credential)
    assert vote.unpad(plaintext) == choice


def test_freeze_refuses_a_key_that_is_not_one(client, clock):
    key = f.bearer(f.account(client, clock))
    made, _ = f.ready_to_freeze(client, clock)
    short = client.post(
        f"/api/v1/ballots/{made.id}/freeze", json={"tally_public_key": "AAAA"}, headers=key
    )
    assert "trustee keygen" in f.problem(short, 422)
    assert client.get(f"/api/v1/ballots/{made.id}").json()["state"] == "candidacies"
    f.act(client, clock, made.id, Action.FREEZE)  # still freezable afterwards

"""A lost token: the organiser revokes its credential by fingerprint and gets one
replacement letter; both are registrar-signed events in the event log."""

from __future__ import annotations

import json

import pytest

from inmc_vote.domain.lifecycle import Action
from inmc_vote.domain.protocol import credentials, keys, readable
from inmc_vote.domain.protocol.credentials import revocation_message
from inmc_vote.domain.protocol.encoding import b64url, from_b64url, sha256
from tests import factories as f
from tests.voting_helpers import ballot_body, manifest_of, open_ballot, tokens_from_zip

# storage-specific: lost tokens, in the event log
pytestmark = pytest.mark.both_databases


def revoke_url(ballot_id: str, fingerprint: str) -> str:
    return f"/api/v1/ballots/{ballot_id}/credentials/{fingerprint}/revoke"


def cast(client: f.Client, ballot_id: str, token: str):
    body = ballot_body(client, ballot_id, token, {"blank": True})
    return client.post(f"/api/v1/ballots/{ballot_id}/cast", json=body)


def credential_of(ballot_id: str, token: str) -> bytes:
    _, seed = credentials.parse_token(token, ballot_id)
    return keys.ed25519_public(seed)


def test_the_revoked_token_is_refused_and_its_replacement_votes(client, clock) -> None:
    ballot_id, key, rows = open_ballot(client, clock)
    lost = rows[0]
    manifest, digest = manifest_of(client, ballot_id)
    roll_before = client.get(f"/api/v1/ballots/{ballot_id}/roll").content

    # The fingerprint as a person may type it: lower case, without the hyphens.
    typed = lost["credential_fingerprint"].replace("-", "").lower()
    answer = client.post(revoke_url(ballot_id, typed), headers=key)
    assert answer.status_code == 201, answer.text
    assert answer.headers["content-type"] == "application/zip"
    assert answer.headers["cache-control"] == "no-store"
    (replacement,) = tokens_from_zip(answer.content)
    assert replacement["token"] != lost["token"]
    assert replacement["credential_fingerprint"] != lost["credential_fingerprint"]
    assert lost["credential_fingerprint"] in replacement["city"]  # "Replacement for ..."

    refused = cast(client, ballot_id, lost["token"])
    assert "revoked (reported lost) and replaced" in f.problem(refused, 403)
    voted = cast(client, ballot_id, replacement["token"])
    assert voted.status_code == 201, voted.text
    assert voted.json()["seq"] == 1

    # The roll that the manifest fixed is unchanged; each line tells its state.
    assert client.get(f"/api/v1/ballots/{ballot_id}/roll").content == roll_before
    assert sha256(roll_before) == from_b64url(manifest["roll"]["hash"])
    old = credential_of(ballot_id, lost["token"])
    new = credential_of(ballot_id, replacement["token"])
    old_line = client.post(
        f"/api/v1/ballots/{ballot_id}/roll/line", json={"credential": b64url(old)}
    ).json()
    new_line = client.post(
        f"/api/v1/ballots/{ballot_id}/roll/line", json={"credential": b64url(new)}
    ).json()
    assert (old_line["revoked"], new_line["revoked"]) == (True, False)
    assert new_line["fingerprint"] == replacement["credential_fingerprint"]

    # Both events carry the registrar's signatures, so anyone can replay the roll.
    registrar = from_b64url(manifest["keys"]["registrar"])
    events = client.get(f"/api/v1/ballots/{ballot_id}/events").json()
    revoked, added = events[-2:]
    assert revoked["action"] == "credential-revoked"
    assert revoked["data"]["pk"] == b64url(old)
    assert revoked["data"]["fingerprint"] == lost["credential_fingerprint"]
    assert keys.verify(
        registrar,
        from_b64url(revoked["data"]["registrar_sig"]),
        revocation_message(ballot_id, old),
    )
    assert added["action"] == "credential-added"
    assert added["data"]["pk"] == b64url(new)
    assert added["data"]["fingerprint"] == replacement["credential_fingerprint"]
    assert added["data"]["replaces"] == lost["credential_fingerprint"]
    line = credentials.RollLine(new, from_b64url(added["data"]["sig"]))
    assert line.valid(ballot_id, registrar)
    # A signature is bound to its message: the revocation's does not vouch for the new key.
    assert not keys.verify(
        registrar, from_b64url(revoked["data"]["registrar_sig"]), revocation_message(ballot_id, new)
    )
    assert revoked["actor"] == added["actor"] == "organiser:organiser@example.org"
    assert digest  # the replacement votes under the same manifest


def test_a_credential_that_voted_cannot_be_revoked(client, clock) -> None:
    ballot_id, key, rows = open_ballot(client, clock)
    assert cast(client, ballot_id, rows[1]["token"]).status_code == 201
    before = f.snapshot_of(client)
    detail = f.problem(
        client.post(revoke_url(ballot_id, rows[1]["credential_fingerprint"]), headers=key), 409
    )
    assert detail == (
        f"The credential {rows[1]['credential_fingerprint']} has already voted in this round: "
        "it cannot be revoked."
    )
    assert f.snapshot_of(client) == before


def test_an_unknown_or_already_revoked_fingerprint(client, clock) -> None:
    ballot_id, key, rows = open_ballot(client, clock)
    unknown = readable.grouped(readable.encode(bytes(10)))
    before = f.snapshot_of(client)
    detail = f.problem(client.post(revoke_url(ballot_id, unknown), headers=key), 404)
    assert detail == f"No credential of this ballot has the fingerprint {unknown}."
    assert f.snapshot_of(client) == before

    fingerprint = rows[2]["credential_fingerprint"]
    assert client.post(revoke_url(ballot_id, fingerprint), headers=key).status_code == 201
    before = f.snapshot_of(client)
    again = client.post(revoke_url(ballot_id, fingerprint), headers=key)
    assert f.problem(again, 409) == f"The credential {fingerprint} is already revoked."
    assert f.snapshot_of(client) == before


def test_only_an_organiser_revokes(client, clock) -> None:
    ballot_id, _key, rows = open_ballot(client, clock)
    before = f.snapshot_of(client)
    anonymous = client.post(revoke_url(ballot_id, rows[0]["credential_fingerprint"]))
    f.problem(anonymous, 401)
    assert f.snapshot_of(client) == before


def test_a_lost_token_is_replaced_only_between_issuing_and_closing(client, clock) -> None:
    key = f.bearer(f.account(client, clock))
    made, _ = f.ready_to_freeze(client, clock)
    f.act(client, clock, made.id, Action.FREEZE)
    anything = readable.grouped(readable.encode(bytes(10)))
    before = f.snapshot_of(client)
    early = f.problem(client.post(revoke_url(made.id, anything), headers=key), 409)
    assert early == (
        "The ballot is frozen: a lost token is replaced after the tokens are issued and "
        "before voting closes."
    )
    assert f.snapshot_of(client) == before

    letters = f.issue_tokens(client, clock, made.id)
    frozen = client.post(revoke_url(made.id, letters[0].fingerprint), headers=key)
    assert frozen.status_code == 201, frozen.text  # frozen, tokens issued: replaceable

    clock.advance(days=30)  # the clock opens and closes the ballot
    assert client.get(f"/api/v1/ballots/{made.id}").json()["state"] == "closed"
    before = f.snapshot_of(client)
    late = f.problem(client.post(revoke_url(made.id, letters[1].fingerprint), headers=key), 409)
    assert late.startswith("The ballot is closed: a lost token is replaced after")
    assert f.snapshot_of(client) == before
    assert json.loads(client.get(f"/api/v1/ballots/{made.id}/manifest").content)["eligible"] == 5

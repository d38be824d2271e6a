"""Every refusal of a cast answers its own clear 4xx and stores nothing (protocol v2,
docs/protocol.md, "The ballot").

A ballot's fields missing, extra or malformed in turn, a body that is not a ballot, a
ballot for another manifest or by a credential not (or no longer) on the roll, a point
outside the group, a tampered ciphertext, proof or signature, a second ballot, an
oversized body, and a cast outside the voting window: the status and the detail say
what is wrong, and the database is as it was. The checks run in the documented order.
"""

from __future__ import annotations

import base64
from typing import Any

import pytest
from nacl import bindings as sodium

from inmc_vote.config import LIMITS
from inmc_vote.domain.lifecycle import Action
from inmc_vote.domain.protocol import ballot as ballots
from inmc_vote.domain.protocol import credentials, group, keys
from inmc_vote.domain.protocol.encoding import b64url, from_b64url
from inmc_vote.services import queries
from tests import factories as f
from tests.conftest import FakeClock
from tests.voting_helpers import (
    ballot_body,
    make_ballot,
    manifest_of,
    open_ballot,
    tokens_from_zip,
)

# storage-specific: casting, and refusals proven by snapshot()
pytestmark = pytest.mark.both_databases

BYTE_FIELDS = {
    "manifest_hash": 32,
    "credential": 32,
    "alpha": 32,
    "beta": 32,
    "pok.commitment": 32,
    "pok.response": 32,
    "signature": 64,
}
NOT_A_PROOF = "The ballot's proof of knowledge does not check"
NOT_SIGNED = "The ballot's signature is not the credential's."
# A point of order 8: on the curve, outside the prime-order subgroup.
TORSION = bytes.fromhex("c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a")
SMALL_ORDER = bytes.fromhex("ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f")


def cast_url(ballot_id: str) -> str:
    return f"/api/v1/ballots/{ballot_id}/cast"


def refused(client: f.Client, ballot_id: str, status: int, says: str, **send: Any) -> str:
    """POST to the cast endpoint; check the status, the detail and that nothing changed."""
    before = f.snapshot_of(client)
    response = client.post(cast_url(ballot_id), **send)
    detail = f.problem(response, status)
    assert says in detail, (says, detail)
    assert f.snapshot_of(client) == before, f"a refused cast ({detail}) changed the database"
    return detail


def get(body: dict[str, Any], name: str) -> Any:
    return body["pok"][name[4:]] if name.startswith("pok.") else body[name]


def put(body: dict[str, Any], name: str, value: Any) -> dict[str, Any]:
    """A copy of `body` with the field `name` (or "pok.x") set to `value`."""
    if name.startswith("pok."):
        return body | {"pok": body["pok"] | {name[4:]: value}}
    return body | {name: value}


def resigned(body: dict[str, Any], seed: bytes) -> dict[str, Any]:
    """`body` signed again by `seed`: the credential's holder changed it."""
    unsigned = {k: v for k, v in body.items() if k != "signature"}
    return unsigned | {"signature": b64url(keys.sign(seed, ballots.signed_message(unsigned)))}


def seed_of(token: str) -> bytes:
    return credentials.parse_token(token)[1]


@pytest.fixture
def voting(client: f.Client, clock: FakeClock) -> tuple[str, dict[str, str], list[dict[str, str]]]:
    return open_ballot(client, clock)


# --- the shape (422, naming the field) ----------------------------------------------------


def test_each_field_missing_extra_or_malformed_is_named(client, voting) -> None:
    ballot_id, _key, rows = voting
    manifest, _ = manifest_of(client, ballot_id)
    good = ballot_body(
        client, ballot_id, rows[0]["token"], {"choice": manifest["candidates"][0]["id"]}
    )
    for field in ("v", "manifest_hash", "credential", "alpha", "beta", "pok", "signature"):
        missing = {k: v for k, v in good.items() if k != field}
        refused(client, ballot_id, 422, f"fields are wrong: missing {field}", json=missing)
    for extra in ("ciphertext", "tracker", "choice"):
        bad = good | {extra: "AAAA"}
        refused(client, ballot_id, 422, f"fields are wrong: unexpected {extra}", json=bad)
    for version in (1, 3, "2", 2.0, True, None):
        refused(client, ballot_id, 422, "ballots of version 2", json=good | {"v": version})
    poks: list[Any] = ["AAAA", [], {"commitment": get(good, "pok.commitment")}, None]
    for pok in poks:
        refused(
            client,
            ballot_id,
            422,
            "The proof is an object {commitment, response}",
            json=good | {"pok": pok},
        )
    refused(
        client,
        ballot_id,
        422,
        "The proof is an object {commitment, response}",
        json=put(good, "pok.extra", "AAAA"),
    )
    for field, size in BYTE_FIELDS.items():
        padded = base64.urlsafe_b64encode(from_b64url(get(good, field))).decode()
        assert padded.endswith("=")  # 32 and 64 bytes both need padding
        for not_b64url in (12345, None, ["AAAA"], "not base64!", get(good, field) + "*", padded):
            says = f"The ballot's {field} is not base64url."
            refused(client, ballot_id, 422, says, json=put(good, field, not_b64url))
        for wrong in (size - 1, size + 1, 0):
            says = f"The ballot's {field} is {wrong} bytes; it should be {size}."
            refused(client, ballot_id, 422, says, json=put(good, field, b64url(bytes(wrong))))
    # The good ballot still votes: none of the refusals used the token up.
    assert client.post(cast_url(ballot_id), json=good).status_code == 201


def test_a_body_that_is_not_a_json_object(client, voting) -> None:
    ballot_id, _key, rows = voting
    good = ballot_body(client, ballot_id, rows[0]["token"], {"blank": True})
    headers = {"content-type": "application/json"}
    for content in (b"{not json", b'{"manifest_hash": ', "«»".encode("latin-1"), b"\xff\xfe"):
        refused(client, ballot_id, 422, "The ballot is not JSON.", content=content, headers=headers)
    object_wanted = "The ballot is a JSON object with v, manifest_hash, credential, alpha"
    for value in ([good], [], "a ballot", 42, None):
        refused(client, ballot_id, 422, object_wanted, json=value)
    refused(client, ballot_id, 422, object_wanted, content=b"", headers=headers)  # empty


def test_an_oversized_body_is_413(client, voting) -> None:
    ballot_id, _key, rows = voting
    good = ballot_body(client, ballot_id, rows[0]["token"], {"blank": True})
    huge = good | {"alpha": b64url(bytes(LIMITS.cast_body_bytes))}
    refused(client, ballot_id, 413, "larger than this address accepts", json=huge)
    padded = (str(good)[:-1] + " " * LIMITS.cast_body_bytes + "}").encode()
    refused(
        client,
        ballot_id,
        413,
        "larger than this address accepts",
        content=padded,
        headers={"content-type": "application/json"},
    )


# --- the manifest (409) and the roll (403) ------------------------------------------------


def test_a_ballot_for_another_manifest_is_409(client, voting) -> None:
    ballot_id, _key, rows = voting
    manifest, _ = manifest_of(client, ballot_id)
    token = rows[0]["token"]
    for digest in (bytes(32), keys.new_ed25519()[1]):
        other = make_ballot(manifest, digest, token, {"blank": True}).to_json()
        refused(client, ballot_id, 409, "This ballot was made for another manifest", json=other)


def test_a_credential_not_on_the_roll_is_403(client, voting) -> None:
    ballot_id, _key, _rows = voting
    manifest, digest = manifest_of(client, ballot_id)
    stranger = credentials.format_token(ballot_id, keys.new_ed25519()[0])
    body = make_ballot(manifest, digest, stranger, {"blank": True}).to_json()
    refused(client, ballot_id, 403, "This token is not on this ballot's roll", json=body)
    # the roll comes before the proof: a stranger's broken ballot is still "not on the roll"
    broken = put(body, "pok.response", get(body, "alpha"))
    refused(client, ballot_id, 403, "This token is not on this ballot's roll", json=broken)


def test_a_token_of_another_ballot_is_refused(client, clock, voting) -> None:
    ballot_id, key, _rows = voting
    # A second ballot of the same network, frozen with its own tokens.
    other = f.ballot(client, clock)
    f.act(client, clock, other.id, Action.OPEN_CANDIDACIES)
    towns = f.call(client, queries.cities.list_cities, f.db(client))
    for town in towns[:2]:
        f.candidacy(client, clock, other.id, town, accept=True)
    f.complete_ceremony(client, other.id, now=clock())
    clock.advance(days=8)  # past its deadline; the first ballot is still open
    f.act(client, clock, other.id, Action.FREEZE)
    issued = client.post(f"/api/v1/ballots/{other.id}/tokens", headers=key)
    assert issued.status_code == 201, issued.text
    other_token = tokens_from_zip(issued.content)[0]["token"]
    assert client.get(f"/api/v1/ballots/{ballot_id}").json()["state"] == "open"

    with pytest.raises(credentials.TokenError) as wrong:
        credentials.parse_token(other_token, ballot_id)
    assert wrong.value.kind == "other-ballot"  # what the browser and the CLI say first
    # Sent anyway: made with its own ballot's manifest, it is for another manifest ...
    own = ballot_body(client, other.id, other_token, {"blank": True})
    refused(client, ballot_id, 409, "This ballot was made for another manifest", json=own)
    # ... and made with this ballot's manifest, its credential is not on this roll.
    manifest, digest = manifest_of(client, ballot_id)
    forged = make_ballot(manifest, digest, other_token, {"blank": True}).to_json()
    refused(client, ballot_id, 403, "This token is not on this ballot's roll", json=forged)


def test_a_revoked_credential_is_403(client, voting) -> None:
    ballot_id, key, rows = voting
    revoked = client.post(
        f"/api/v1/ballots/{ballot_id}/credentials/{rows[0]['credential_fingerprint']}/revoke",
        headers=key,
    )
    assert revoked.status_code == 201, revoked.text
    body = ballot_body(client, ballot_id, rows[0]["token"], {"blank": True})
    refused(client, ballot_id, 403, "This token was revoked (reported lost)", json=body)


# --- points, proof and signature (422) ----------------------------------------------------


def test_a_point_outside_the_group_is_422(client, voting) -> None:
    ballot_id, _key, rows = voting
    seed = seed_of(rows[0]["token"])
    good = ballot_body(client, ballot_id, rows[0]["token"], {"blank": True})
    for field in ("alpha", "beta"):
        point = from_b64url(good[field])
        outside = sodium.crypto_core_ed25519_add(point, TORSION)  # on the curve, with torsion
        assert not group.is_point(outside)
        for bad in (outside, SMALL_ORDER, bytes([1]) + bytes(31), b"\xff" * 32):
            # signed again by the token's holder: the point check itself refuses it
            body = resigned(good | {field: b64url(bad)}, seed)
            says = f"The ballot's {field} is not a point of the group."
            refused(client, ballot_id, 422, says, json=body)
    outside = sodium.crypto_core_ed25519_add(from_b64url(get(good, "pok.commitment")), TORSION)
    body = resigned(put(good, "pok.commitment", b64url(outside)), seed)
    refused(client, ballot_id, 422, NOT_A_PROOF, json=body)
    assert client.post(cast_url(ballot_id), json=good).status_code == 201


def test_a_tampered_ciphertext_proof_or_signature_is_422(client, voting) -> None:
    ballot_id, _key, rows = voting
    manifest, digest = manifest_of(client, ballot_id)
    token = rows[0]["token"]
    seed = seed_of(token)
    good = ballot_body(client, ballot_id, token, {"blank": True})
    another = make_ballot(manifest, digest, token, {"choice": manifest["candidates"][0]["id"]})
    other = another.to_json()
    for field in ("alpha", "beta", "pok.commitment", "pok.response"):
        swapped = put(good, field, get(other, field))  # a valid value, from another ballot
        # as sent, the signature no longer matches; signed again, the proof still fails
        refused(client, ballot_id, 422, NOT_A_PROOF, json=swapped)
        refused(client, ballot_id, 422, NOT_A_PROOF, json=resigned(swapped, seed))
    big = b64url(b"\xff" * 32)  # not a scalar below the group's order
    refused(
        client, ballot_id, 422, NOT_A_PROOF, json=resigned(put(good, "pok.response", big), seed)
    )
    # the signature: flipped, another ballot's by the same token, another credential's
    flipped = bytearray(from_b64url(good["signature"]))
    flipped[0] ^= 1
    refused(client, ballot_id, 422, NOT_SIGNED, json=good | {"signature": b64url(bytes(flipped))})
    refused(client, ballot_id, 422, NOT_SIGNED, json=good | {"signature": other["signature"]})
    second = ballot_body(client, ballot_id, rows[1]["token"], {"blank": True})
    refused(client, ballot_id, 422, NOT_SIGNED, json=good | {"signature": second["signature"]})
    assert client.post(cast_url(ballot_id), json=good).status_code == 201


def test_another_voters_ciphertext_cannot_be_cast_again(client, voting) -> None:
    """The credential is in the proof's challenge: city 2 cannot copy city 1's encrypted
    vote from the board, even with its own signature."""
    ballot_id, _key, rows = voting
    manifest, _ = manifest_of(client, ballot_id)
    first = ballot_body(
        client, ballot_id, rows[0]["token"], {"choice": manifest["candidates"][1]["id"]}
    )
    assert client.post(cast_url(ballot_id), json=first).status_code == 201
    second = ballot_body(client, ballot_id, rows[1]["token"], {"blank": True})
    copied = second | {"alpha": first["alpha"], "beta": first["beta"], "pok": first["pok"]}
    refused(client, ballot_id, 422, NOT_A_PROOF, json=resigned(copied, seed_of(rows[1]["token"])))


# --- one ballot per credential (409), and the order of the checks -------------------------


def test_a_second_ballot_of_a_token_is_409_and_a_broken_one_422(client, voting) -> None:
    ballot_id, _key, rows = voting
    token = rows[0]["token"]
    assert (
        client.post(
            cast_url(ballot_id), json=ballot_body(client, ballot_id, token, {"blank": True})
        ).status_code
        == 201
    )
    again = ballot_body(client, ballot_id, token, {"blank": True})
    refused(client, ballot_id, 409, "This token has already voted in this round", json=again)
    # the proof is checked before the one-per-credential rule
    refused(client, ballot_id, 422, NOT_A_PROOF, json=put(again, "pok.response", again["alpha"]))


def test_the_same_ballot_sent_again_gets_the_same_receipt_and_stores_nothing(
    client, voting
) -> None:
    """A lost reply loses nothing (issue 11, item 3): the very same bytes again answer
    200 with the receipt already given; another ballot of the token is still 409."""
    ballot_id, _key, rows = voting
    token = rows[0]["token"]
    body = ballot_body(client, ballot_id, token, {"blank": True})
    first = client.post(cast_url(ballot_id), json=body)
    assert first.status_code == 201, first.text
    before = f.snapshot_of(client)
    for _ in range(2):
        again = client.post(cast_url(ballot_id), json=body)
        assert again.status_code == 200, again.text
        assert again.json() == first.json()  # the same signed receipt, byte for byte
    assert f.snapshot_of(client) == before
    other = ballot_body(client, ballot_id, token, {"blank": True})
    refused(client, ballot_id, 409, "This token has already voted in this round", json=other)


def test_the_checks_run_in_their_order(client, clock, voting) -> None:
    ballot_id, key, rows = voting
    manifest, _ = manifest_of(client, ballot_id)
    token = rows[0]["token"]
    # shape before the manifest: an extra field on a ballot for another manifest
    foreign = make_ballot(manifest, bytes(32), token, {"blank": True}).to_json()
    refused(client, ballot_id, 422, "unexpected extra", json=foreign | {"extra": 1})
    # the manifest before the roll: a stranger's ballot for another manifest
    stranger = credentials.format_token(ballot_id, keys.new_ed25519()[0])
    body = make_ballot(manifest, bytes(32), stranger, {"blank": True}).to_json()
    refused(client, ballot_id, 409, "another manifest", json=body)
    # the state before the shape: once closed, even a malformed body hears "closed"
    closed = client.post(
        f"/api/v1/ballots/{ballot_id}/close", json={"reason": "Postponed"}, headers=key
    )
    assert closed.status_code == 200, closed.text
    refused(client, ballot_id, 409, "Voting closed at", json={"not": "a ballot"})


def test_an_unknown_ballot_is_404(client, voting) -> None:
    ballot_id, _key, rows = voting
    body = ballot_body(client, ballot_id, rows[0]["token"], {"blank": True})
    refused(client, "nope", 404, "There is no ballot «nope».", json=body)


# --- the voting window (409) ---------------------------------------------------------------


def test_before_opening_and_after_closing_the_message_gives_the_time(client, clock) -> None:
    made, letters = f.frozen_with_tokens(client, clock)
    manifest, _ = manifest_of(client, made.id)
    body = ballot_body(client, made.id, letters[0].token, {"blank": True})
    refused(
        client,
        made.id,
        409,
        "Voting has not opened yet: it opens at 21 January 2027, 10:00 (Europe/Paris, UTC+1).",
        json=body,
    )
    clock.advance(days=2)  # opens_at: open
    assert client.post(cast_url(made.id), json=body).status_code == 201
    clock.advance(days=10)  # closes_at: closed and sealed by the clock
    assert client.get(f"/api/v1/ballots/{made.id}").json()["state"] == "closed"
    late = ballot_body(client, made.id, letters[1].token, {"blank": True})
    refused(
        client,
        made.id,
        409,
        "Voting closed at 31 January 2027, 10:00 (Europe/Paris, UTC+1): no more ballots are "
        "accepted.",
        json=late,
    )
    assert manifest["closes_at"] == "2027-01-31T09:00:00.000Z"


def test_after_an_early_close_the_message_gives_the_time_it_closed(client, clock) -> None:
    made, letters = f.frozen_with_tokens(client, clock)
    clock.advance(days=2)  # opens_at: open
    clock.advance(hours=5, minutes=30)
    f.act(client, clock, made.id, Action.CLOSE, reason="Every city has voted")
    body = ballot_body(client, made.id, letters[0].token, {"blank": True})
    refused(
        client,
        made.id,
        409,
        "Voting closed at 21 January 2027, 15:30 (Europe/Paris, UTC+1): no more ballots are "
        "accepted.",
        json=body,
    )


@pytest.mark.parametrize("state", ["draft", "candidacies", "cancelled"])
def test_a_ballot_that_never_opened_refuses_casts(client, clock, state) -> None:
    made = f.ballot(client, clock)
    if state != "draft":
        f.act(client, clock, made.id, Action.OPEN_CANDIDACIES)
    if state == "cancelled":
        f.act(client, clock, made.id, Action.CANCEL, reason="Postponed")
    election = group.base_mul(group.random_scalar())
    body = ballots.build(bytes(32), election, keys.new_ed25519()[0], bytes([2]) + bytes(27))
    says = f"The ballot is {state}: it is not open for voting."
    refused(client, made.id, 409, says, json=body.to_json())

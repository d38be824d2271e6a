"""Every refusal of a cast answers its own clear 4xx and stores nothing.

Each field of a ballot malformed in turn, a body that is not a ballot, a ballot for
another manifest or by a credential not (or no longer) on the roll, a bad signature,
a wrong ciphertext length, an oversized body, and a cast outside the voting window:
the status and the detail say what is wrong, and the database is as it was.
"""

from __future__ import annotations

import base64
from typing import Any

import pytest

from inmc_vote.config import LIMITS
from inmc_vote.domain.lifecycle import Action
from inmc_vote.domain.protocol import credentials, keys, vote
from inmc_vote.domain.protocol.encoding import b64url, from_b64url
from inmc_vote.services import queries
from tests import factories as f
from tests.conftest import FakeClock
from tests.voting_helpers import ballot_body, manifest_of, open_ballot, tokens_from_zip

# storage-specific: casting, and refusals proven by snapshot()
pytestmark = pytest.mark.both_databases

FIELDS = ["manifest_hash", "credential", "ciphertext", "signature"]
SIZES = {"manifest_hash": 32, "credential": 32, "signature": 64}


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


def signed(seed: bytes, digest: bytes, ciphertext: bytes, credential: bytes | None = None) -> dict:
    """A ballot body signed by `seed` over whatever it carries."""
    pk = credential or keys.ed25519_public(seed)
    signature = keys.sign(seed, vote.signed_message(digest, pk, ciphertext))
    return vote.Ballot(digest, pk, ciphertext, signature).to_json()


@pytest.fixture
def voting(client: f.Client, clock: FakeClock) -> tuple[str, dict[str, str], list[dict[str, str]]]:
    return open_ballot(client, clock)


def test_each_field_missing_not_text_not_base64url_or_the_wrong_size(client, voting) -> None:
    ballot_id, _key, rows = voting
    manifest, _ = manifest_of(client, ballot_id)
    choice = {"choice": manifest["candidates"][0]["id"]}
    good = ballot_body(client, ballot_id, rows[0]["token"], choice)
    for field in FIELDS:
        missing = {k: v for k, v in good.items() if k != field}
        refused(client, ballot_id, 422, f"«{field}» is missing or is not a text", json=missing)
        for not_text in (12345, None, ["AAAA"], {"b64": good[field]}, True):
            bad = good | {field: not_text}
            refused(client, ballot_id, 422, f"«{field}» is missing or is not a text", json=bad)
        padded = base64.urlsafe_b64encode(from_b64url(good[field])).decode()
        assert padded.endswith("=")  # 32, 64 and the ciphertext's sizes all need padding
        for not_b64url in ("not base64!", good[field] + "*", padded, good[field].replace("-", "+")):
            if not_b64url == good[field]:  # no "-" to replace
                continue
            bad = good | {field: not_b64url}
            refused(client, ballot_id, 422, f"«{field}» is not unpadded base64url", json=bad)
        if field in SIZES:
            for size in (SIZES[field] - 1, SIZES[field] + 1, 0):
                bad = good | {field: b64url(bytes(size))}
                says = f"«{field}» should be {SIZES[field]} bytes, not {size}."
                refused(client, ballot_id, 422, says, json=bad)
    # The good ballot still votes: none of the refusals used the token up.
    assert client.post(cast_url(ballot_id), json=good).status_code == 201


def test_an_extra_field_or_a_body_that_is_not_a_json_object(client, voting) -> None:
    ballot_id, _key, rows = voting
    manifest, _ = manifest_of(client, ballot_id)
    good = ballot_body(client, ballot_id, rows[0]["token"], {"blank": True})
    refused(client, ballot_id, 422, "unknown fields: choice", json=good | {"choice": "city-1"})
    headers = {"content-type": "application/json"}
    for content in (b"{not json", b'{"manifest_hash": ', "«»".encode("latin-1"), b"\xff\xfe"):
        refused(client, ballot_id, 422, "The ballot is not JSON.", content=content, headers=headers)
    object_wanted = "The ballot is a JSON object with manifest_hash, credential"
    for value in ([good], [], "a ballot", 42, None):
        refused(client, ballot_id, 422, object_wanted, json=value)
    refused(client, ballot_id, 422, object_wanted, content=b"", headers=headers)  # empty
    assert manifest["vote_size"] > 0


def test_an_oversized_body_is_413(client, voting) -> None:
    ballot_id, _key, rows = voting
    good = ballot_body(client, ballot_id, rows[0]["token"], {"blank": True})
    huge = good | {"ciphertext": b64url(bytes(LIMITS.cast_body_bytes))}
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


def test_a_ballot_for_another_manifest_is_409(client, voting) -> None:
    ballot_id, _key, rows = voting
    _, seed = credentials.parse_token(rows[0]["token"], ballot_id)
    good = ballot_body(client, ballot_id, rows[0]["token"], {"blank": True})
    ciphertext = from_b64url(good["ciphertext"])
    for digest in (bytes(32), keys.new_ed25519()[1]):
        refused(
            client,
            ballot_id,
            409,
            "This ballot was made for another manifest",
            json=signed(seed, digest, ciphertext),
        )


def test_a_credential_not_on_the_roll_is_403(client, voting) -> None:
    ballot_id, _key, rows = voting
    _, digest = manifest_of(client, ballot_id)
    good = ballot_body(client, ballot_id, rows[0]["token"], {"blank": True})
    stranger, _ = keys.new_ed25519()
    body = signed(stranger, digest, from_b64url(good["ciphertext"]))
    refused(client, ballot_id, 403, "This token is not on this ballot's roll", json=body)


def test_a_token_of_another_ballot_is_refused(client, clock, voting) -> None:
    ballot_id, key, _rows = voting
    # A second ballot of the same network, frozen with its own tokens.
    other = f.ballot(client, clock)
    f.act(client, clock, other.id, Action.OPEN_CANDIDACIES)
    towns = f.call(client, queries.cities.list_cities, f.db(client))
    for town in towns[:2]:
        f.candidacy(client, clock, other.id, town, accept=True)
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
    _, seed = credentials.parse_token(other_token)
    forged = vote.make_ballot({"v": 1, "blank": True}, seed, manifest, digest).to_json()
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


def test_a_bad_signature_is_422(client, voting) -> None:
    ballot_id, _key, rows = voting
    manifest, digest = manifest_of(client, ballot_id)
    _, seed = credentials.parse_token(rows[0]["token"], ballot_id)
    good = ballot_body(client, ballot_id, rows[0]["token"], {"blank": True})
    says = "The ballot's signature does not match its content."
    flipped = bytearray(from_b64url(good["signature"]))
    flipped[0] ^= 1
    refused(client, ballot_id, 422, says, json=good | {"signature": b64url(bytes(flipped))})
    # A signature of this token, but over another ciphertext.
    another = vote.make_ballot({"v": 1, "blank": True}, seed, manifest, digest).to_json()
    refused(client, ballot_id, 422, says, json=good | {"ciphertext": another["ciphertext"]})
    # A signature by another credential of the roll.
    other = ballot_body(client, ballot_id, rows[1]["token"], {"blank": True})
    refused(client, ballot_id, 422, says, json=good | {"signature": other["signature"]})


def test_a_wrong_ciphertext_length_is_422(client, voting) -> None:
    ballot_id, _key, rows = voting
    manifest, digest = manifest_of(client, ballot_id)
    _, seed = credentials.parse_token(rows[0]["token"], ballot_id)
    expected = vote.ciphertext_size(manifest["vote_size"])
    good = from_b64url(
        ballot_body(client, ballot_id, rows[0]["token"], {"blank": True})["ciphertext"]
    )
    assert len(good) == expected
    for ciphertext in (good[:-1], good + b"\x00", b"", good + good):
        says = f"The encrypted vote is {len(ciphertext)} bytes; this ballot's are {expected}."
        refused(client, ballot_id, 422, says, json=signed(seed, digest, ciphertext))


def test_an_unknown_ballot_is_404(client, voting) -> None:
    ballot_id, _key, rows = voting
    body = ballot_body(client, ballot_id, rows[0]["token"], {"blank": True})
    refused(client, "nope", 404, "There is no ballot «nope».", json=body)


def test_before_opening_and_after_closing_the_message_gives_the_time(client, clock) -> None:
    made, letters = f.frozen_with_tokens(client, clock)
    manifest, _ = manifest_of(client, made.id)
    body = ballot_body(client, made.id, letters[0].token, {"blank": True})
    refused(
        client,
        made.id,
        409,
        "Voting has not opened yet: it opens at 2027-01-21 10:00 CET (09:00 UTC).",
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
        "Voting closed at 2027-01-31 10:00 CET (09:00 UTC): no more ballots are accepted.",
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
        "Voting closed at 2027-01-21 15:30 CET (14:30 UTC): no more ballots are accepted.",
        json=body,
    )


@pytest.mark.parametrize("state", ["draft", "candidacies", "cancelled"])
def test_a_ballot_that_never_opened_refuses_casts(client, clock, state) -> None:
    made = f.ballot(client, clock)
    if state != "draft":
        f.act(client, clock, made.id, Action.OPEN_CANDIDACIES)
    if state == "cancelled":
        f.act(client, clock, made.id, Action.CANCEL, reason="Postponed")
    seed, _ = keys.new_ed25519()
    body = signed(seed, bytes(32), bytes(vote.ciphertext_size(256)))
    refused(client, made.id, 409, f"The ballot is {state}: it is not open for voting.", json=body)

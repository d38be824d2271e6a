"""The v2 ballot: built, read back, and refused whenever any part is changed."""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from inmc_vote.domain.protocol import ballot, group, keys, payload
from inmc_vote.domain.protocol.encoding import b64url

CANDIDATES = ["lyon", "evora", "abidjan"]
MANIFEST_HASH = b"m" * 32
SECRET = group.random_scalar()
ELECTION_KEY = group.base_mul(SECRET)
SEED, CREDENTIAL = keys.new_ed25519()


def made(vote: dict[str, object] | None = None) -> ballot.Ballot:
    return ballot.make_ballot(
        vote or {"v": 1, "ranking": ["evora", "lyon"]},
        SEED,
        CANDIDATES,
        MANIFEST_HASH,
        ELECTION_KEY,
    )


def test_an_honest_ballot_checks_and_decrypts() -> None:
    cast = made()
    ballot.check(cast, MANIFEST_HASH, ELECTION_KEY)
    point = group.sub(cast.beta, group.mul(SECRET, cast.alpha))
    assert payload.decode(payload.extract(point) or b"", CANDIDATES) == {
        "v": 1,
        "ranking": ["evora", "lyon"],
    }


def test_json_round_trip_and_tracker() -> None:
    cast = made()
    again = ballot.Ballot.parse(cast.to_json())
    assert again == cast
    assert again.tracker == cast.tracker
    assert len(cast.tracker) == 32


def test_fixed_randomness_gives_fixed_bytes() -> None:
    r, w = group.scalar_of(5), group.scalar_of(7)
    raw = payload.encode({"v": 1, "blank": True}, CANDIDATES)
    one = ballot.build(MANIFEST_HASH, ELECTION_KEY, SEED, raw, r=r, w=w)
    two = ballot.build(MANIFEST_HASH, ELECTION_KEY, SEED, raw, r=r, w=w)
    assert one.canonical() == two.canonical()


FIELDS = ["alpha", "beta", "commitment", "response", "signature", "credential"]


@pytest.mark.parametrize("field", FIELDS)
def test_a_changed_part_is_refused(field: str) -> None:
    cast = made()
    other = made({"v": 1, "blank": True})
    replacement = getattr(other, field) if field != "credential" else keys.new_ed25519()[1]
    tampered = dataclasses.replace(cast, **{field: replacement})
    with pytest.raises(ballot.BallotError):
        ballot.check(tampered, MANIFEST_HASH, ELECTION_KEY)


def test_another_round_or_key_is_refused() -> None:
    cast = made()
    with pytest.raises(ballot.BallotError, match="another round"):
        ballot.check(cast, b"n" * 32, ELECTION_KEY)
    with pytest.raises(ballot.BallotError, match="proof"):
        ballot.check(cast, MANIFEST_HASH, group.base_mul(group.random_scalar()))


def test_a_copied_ciphertext_under_another_credential_is_refused() -> None:
    # Re-signing someone else's ciphertext and proof with one's own credential fails
    # the proof: the credential is inside its challenge.
    cast = made()
    seed, credential = keys.new_ed25519()
    copied = dataclasses.replace(cast, credential=credential, signature=b"")
    copied = dataclasses.replace(
        copied, signature=keys.sign(seed, ballot.signed_message(copied.body()))
    )
    with pytest.raises(ballot.BallotError, match="proof of knowledge"):
        ballot.check(copied, MANIFEST_HASH, ELECTION_KEY)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda j: j.pop("alpha"), "alpha"),
        (lambda j: j.update(extra=1), "extra"),
        (lambda j: j.update(v=1), "v"),
        (lambda j: j.update(alpha="***"), "alpha"),
        (lambda j: j.update(beta=b64url(b"x" * 31)), "beta"),
        (lambda j: j["pok"].pop("response"), "pok"),
    ],
    ids=["missing", "extra", "version", "not-base64url", "short", "proof-shape"],
)
def test_malformed_json_names_the_field(change: object, field: str) -> None:
    value = made().to_json()
    change(value)  # type: ignore[operator]
    with pytest.raises(ballot.BallotError) as refused:
        ballot.Ballot.parse(value)
    assert refused.value.field == field


@settings(max_examples=80, deadline=None)
@given(st.sampled_from(FIELDS[:-1]), st.integers(0, 31), st.integers(1, 255))
def test_no_flipped_byte_is_ever_accepted(field: str, position: int, flip: int) -> None:
    cast = made()
    value = bytearray(getattr(cast, field))
    value[position % len(value)] ^= flip
    tampered = dataclasses.replace(cast, **{field: bytes(value)})
    with pytest.raises(ballot.BallotError):
        ballot.check(tampered, MANIFEST_HASH, ELECTION_KEY)

"""The 28-byte vote payload and its embedding into the group."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from inmc_vote.domain.protocol import group, payload

CANDIDATES = [f"city-{n}" for n in range(1, 41)]


@pytest.mark.parametrize(
    "vote",
    [
        {"v": 1, "blank": True},
        {"v": 1, "choice": "city-7"},
        {"v": 1, "ranking": ["city-3", "city-1", "city-40"]},
        {"v": 1, "ranking": CANDIDATES[:26]},
        {"v": 1, "approve": ["city-1", "city-9", "city-40"]},
    ],
    ids=["blank", "choice", "ranking", "ranking-26", "approval"],
)
def test_round_trip(vote: dict[str, object]) -> None:
    encoded = payload.encode(vote, CANDIDATES)
    assert len(encoded) == payload.PAYLOAD_BYTES
    point = payload.embed(encoded)
    assert group.is_point(point)
    assert payload.extract(point) == encoded
    assert payload.decode(encoded, CANDIDATES) == vote


def test_layout_bytes() -> None:
    assert payload.encode({"v": 1, "ranking": ["city-2", "city-1"]}, CANDIDATES) == (
        bytes([2, 2, 2, 1]) + bytes(24)
    )
    assert payload.encode({"v": 1, "approve": ["city-1", "city-10"]}, CANDIDATES) == (
        bytes([2, 3, 0b1, 0b10]) + bytes(24)
    )


def test_a_27th_rank_is_refused() -> None:
    with pytest.raises(payload.PayloadError, match="at most 26"):
        payload.encode({"v": 1, "ranking": CANDIDATES[:27]}, CANDIDATES)


def test_unknown_candidate_cannot_be_written() -> None:
    with pytest.raises(payload.PayloadError):
        payload.encode({"v": 1, "choice": "atlantis"}, CANDIDATES)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (bytes([2, 1, 41]) + bytes(25), {"v": 1, "choice": "#41"}),
        (bytes([2, 2, 1, 1]) + bytes(24), {"v": 1, "ranking": ["city-1", "city-1"]}),
        (bytes([2, 2]) + bytes(26), {"v": 1, "ranking": []}),
    ],
    ids=["index-past-the-candidates", "duplicate-rank", "empty-ranking"],
)
def test_decoding_keeps_what_counting_judges(raw: bytes, expected: object) -> None:
    # Counting judges these (unknown-candidate, duplicate-rank, empty); decoding keeps them.
    assert payload.decode(raw, CANDIDATES) == expected


@pytest.mark.parametrize(
    "raw",
    [
        bytes([1, 0]) + bytes(26),  # another format
        bytes([2, 9]) + bytes(26),  # an unknown kind
        bytes([2, 0, 1]) + bytes(25),  # a blank with marks
        bytes([2, 1, 0]) + bytes(25),  # a choice of nobody
        bytes([2, 1, 1, 2]) + bytes(24),  # a choice with more after it
        bytes([2, 2, 1, 0, 3]) + bytes(23),  # bytes after the ranking's end
    ],
)
def test_malformed_payloads(raw: bytes) -> None:
    assert payload.decode(raw, CANDIDATES) is None


def test_a_point_that_is_no_embedding_is_malformed() -> None:
    point = group.base_mul(group.random_scalar())
    if point[30:] != b"\x00\x00":  # all but a 2^-16 share of points
        assert payload.extract(point) is None


@settings(max_examples=60, deadline=None)
@given(st.binary(min_size=26, max_size=26))
def test_every_payload_embeds(body: bytes) -> None:
    raw = bytes([2, 2]) + body
    point = payload.embed(raw)
    assert payload.extract(point) == raw

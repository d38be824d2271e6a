"""domain/protocol/encoding.py: the bytes every signature and hash depends on."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from fractions import Fraction
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from inmc_vote.domain.protocol.encoding import (
    b64url,
    canonical_json,
    fraction_text,
    from_b64url,
    labelled,
    rfc3339_ms,
    sha256,
    u64,
)

json_scalars = st.none() | st.booleans() | st.integers() | st.text()
json_values = st.recursive(
    json_scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=20,
)


def test_canonical_json_is_sorted_compact_utf8() -> None:
    value = {"b": [1, True, None], "a": {"z": "é", "y": "東京"}, "A": ""}
    assert canonical_json(value) == '{"A":"","a":{"y":"東京","z":"é"},"b":[1,true,null]}'.encode()


@given(json_values)
def test_canonical_json_round_trips_and_is_its_own_canonical_form(value: Any) -> None:
    encoded = canonical_json(value)
    encoded.decode("utf-8")  # UTF-8, never \\u escapes for printable text
    assert json.loads(encoded) == value
    assert canonical_json(json.loads(encoded)) == encoded
    assert b"\n" not in encoded


@given(st.text().filter(lambda t: not any(c in t for c in '"\\') and t.isprintable()))
def test_text_is_written_as_its_utf8_bytes_not_escapes(text: str) -> None:
    assert canonical_json(text) == b'"' + text.encode() + b'"'
    assert canonical_json([text, {"k": 1}]) == b'["' + text.encode() + b'",{"k":1}]'


@given(st.dictionaries(st.text(), st.integers(), min_size=2))
def test_key_order_does_not_change_the_bytes(value: dict[str, int]) -> None:
    reversed_order = dict(reversed(list(value.items())))
    assert canonical_json(value) == canonical_json(reversed_order)


@pytest.mark.parametrize(
    "value",
    [0.5, {"quorum": 0.5}, [1, [2.0]], float("nan"), {"x": float("inf")}, (1.5,)],
)
def test_canonical_json_refuses_floats(value: Any) -> None:
    with pytest.raises(TypeError, match="no floats"):
        canonical_json(value)


def test_canonical_json_refuses_non_text_keys() -> None:
    with pytest.raises(TypeError):
        canonical_json({1: "one"})


def test_fractions_are_written_as_text() -> None:
    assert fraction_text(Fraction(2, 4)) == "1/2"
    assert fraction_text(Fraction(1)) == "1/1"
    assert canonical_json({"quorum": fraction_text(Fraction(2, 3))}) == b'{"quorum":"2/3"}'


@given(st.binary(max_size=100))
def test_base64url_round_trips_without_padding(data: bytes) -> None:
    text = b64url(data)
    assert "=" not in text
    assert set(text) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
    assert from_b64url(text) == data
    assert text == base64.urlsafe_b64encode(data).decode().rstrip("=")


@given(st.text(alphabet="ABCab01-_+/=!. \n", max_size=12))
def test_only_the_canonical_spelling_decodes(text: str) -> None:
    try:
        data = from_b64url(text)
    except ValueError:
        return
    assert b64url(data) == text


@pytest.mark.parametrize("text", ["AA==", "A", "ab+/", "ab!c", "AAAA\n", "AB", " AAA"])
def test_other_spellings_are_refused(text: str) -> None:
    with pytest.raises(ValueError, match="unpadded base64url"):
        from_b64url(text)


def test_u64_is_eight_bytes_big_endian() -> None:
    assert u64(0) == b"\x00" * 8
    assert u64(1) == b"\x00" * 7 + b"\x01"
    assert u64(258) == b"\x00" * 6 + b"\x01\x02"
    assert u64(2**64 - 1) == b"\xff" * 8


@pytest.mark.parametrize("n", [-1, 2**64])
def test_u64_refuses_what_does_not_fit(n: int) -> None:
    with pytest.raises(OverflowError):
        u64(n)


def test_labels_end_with_a_zero_byte() -> None:
    assert labelled("inmc-vote/entry/v1") == b"inmc-vote/entry/v1\x00"


def test_sha256_hashes_the_concatenation() -> None:
    assert sha256(b"ab", b"c") == sha256(b"abc")
    assert sha256().hex() == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"


def test_rfc3339_ms_is_utc_to_the_millisecond() -> None:
    paris = datetime(2026, 5, 1, 11, 0, 0, 123456, tzinfo=ZoneInfo("Europe/Paris"))
    assert rfc3339_ms(paris) == "2026-05-01T09:00:00.123Z"
    assert rfc3339_ms(datetime(2026, 5, 1, 9, tzinfo=UTC)) == "2026-05-01T09:00:00.000Z"
    minus3 = datetime(2026, 12, 31, 23, 30, tzinfo=timezone(timedelta(hours=-3)))
    assert rfc3339_ms(minus3) == "2027-01-01T02:30:00.000Z"


class NoOffset(tzinfo):
    """A zone that does not know its offset: Python counts such a time as naive."""

    def utcoffset(self, dt: datetime | None) -> timedelta | None:
        return None

    def dst(self, dt: datetime | None) -> timedelta | None:
        return None

    def tzname(self, dt: datetime | None) -> str | None:
        return None


@pytest.mark.parametrize(
    "moment", [datetime(2026, 5, 1, 9), datetime(2026, 5, 1, tzinfo=NoOffset())]
)
def test_rfc3339_ms_requires_a_zone(moment: datetime) -> None:
    with pytest.raises(ValueError, match="zone"):
        rfc3339_ms(moment)

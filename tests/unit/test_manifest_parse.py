"""`Manifest.parse` reads back what `build` writes, typed, and refuses a malformed manifest
with a ManifestError that says what is wrong."""

from __future__ import annotations

import copy
from fractions import Fraction
from typing import Any

import pytest

from inmc_vote.domain.ballots import Method
from inmc_vote.domain.codes import Custody, RoundKind
from inmc_vote.domain.protocol import ceremony, group, manifest
from inmc_vote.domain.protocol import threshold as vss
from inmc_vote.domain.protocol.encoding import b64url
from inmc_vote.domain.protocol.manifest import Candidate, Manifest, ManifestError, Previous


def _p(n: int) -> bytes:
    return group.base_mul(group.scalar_of(n))


def _trustees(n: int = 3, t: int = 2) -> ceremony.ElectionKey:
    """A consistent ceremony outcome: polynomials 10i + 1 + x, ..., checkable keys."""
    polynomials = [[group.scalar_of(10 * i + k + 1) for k in range(t)] for i in range(1, n + 1)]
    commitments = [tuple(vss.commitments(f)) for f in polynomials]
    return ceremony.ElectionKey(
        election_key=vss.election_key(commitments),
        threshold=t,
        ceremony=3,
        members=tuple(
            ceremony.Member(
                index=i,
                name=f"Trustee {i}",
                signing_key=bytes([i]) * 32,
                encryption_key=bytes([10 + i]) * 32,
                lot_commitment=bytes([20 + i]) * 32,
                commitments=commitments[i - 1],
                verification_key=vss.verification_key(commitments, i),
            )
            for i in range(1, n + 1)
        ),
    )


TRUSTEES = _trustees()
ELECTION = TRUSTEES.election_key


def built(**overrides: Any) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "ballot_id": "b7",
        "round_number": 2,
        "title": "Host city 2029",
        "question": "Which city?",
        "method": Method.EXHAUSTIVE,
        "rules": {
            "quorum": "1/2",
            "blank_allowed": False,
            "last_place_tie": "runoff",
            "round_kind": "last-place-runoff",
            "continuing": ["lyon", "porto", "turin"],
        },
        "candidates": [Candidate("lyon", "Lyon", "FR"), Candidate("porto", "Porto", "PT")],
        "eligible": 9,
        "opens_at": None,
        "closes_at": "2029-01-11T09:00:00.000Z",
        "authority_pk": b"a" * 32,
        "registrar_pk": b"r" * 32,
        "registrar": manifest.Registrar(Custody.OFFLINE, "Porto"),
        "trustees": TRUSTEES,
        "roll_size": 9,
        "roll_hash": b"h" * 32,
        "previous_manifest": b"m" * 32,
        "previous_result": b"p" * 32,
    }
    return manifest.build(**(fields | overrides))


def test_parse_reads_every_field_typed() -> None:
    value = built()
    data = manifest.manifest_bytes(value)
    found = Manifest.parse(data)
    assert found == Manifest.parse(value) == Manifest.parse(data.decode())
    assert (found.ballot, found.round, found.title, found.question) == (
        "b7",
        2,
        "Host city 2029",
        "Which city?",
    )
    assert found.method is Method.EXHAUSTIVE
    assert found.rules.quorum == Fraction(1, 2)
    assert not found.rules.blank_allowed
    assert found.round_kind is RoundKind.LAST_PLACE_RUNOFF
    assert found.continuing == ("lyon", "porto", "turin")
    assert found.candidate_ids == ("lyon", "porto")
    assert found.names == {"lyon": "Lyon", "porto": "Porto"}
    assert (found.eligible, found.opens_at) == (9, None)
    assert found.keys.authority == b"a" * 32
    assert found.keys.election == ELECTION
    assert found.trustees == TRUSTEES
    assert found.trustees.member(2).name == "Trustee 2"
    assert value["format"] == "inmc-vote/manifest/v2"
    assert (found.roll.size, found.roll.hash) == (9, b"h" * 32)
    assert found.previous == Previous(b"m" * 32, b"p" * 32)
    first = Manifest.parse(built(previous_manifest=None, previous_result=None, round_number=1))
    assert first.previous is None
    # What the writer writes is what the reader reads: the same bytes again.
    assert [c.to_json() for c in found.candidates] == value["candidates"]


def _broken(change: Any) -> dict[str, Any]:
    value = copy.deepcopy(built())
    change(value)
    return value


@pytest.mark.parametrize(
    ("change", "words"),
    [
        (lambda m: m.pop("trustees"), "not its fields"),
        (lambda m: m.update(extra=1), "not its fields"),
        (lambda m: m.update(vote_size=256), "not its fields"),
        (lambda m: m.update(format="inmc-vote/manifest/v1"), "not its fields"),
        (lambda m: m.update(method="borda"), "«borda» is not a method"),
        (lambda m: m["rules"].update(secret=True), "unknown counting rules: secret"),
        (lambda m: m.update(candidates=[]), "its candidates are not listed once each"),
        (lambda m: m["candidates"].append(m["candidates"][0]), "not listed once each"),
        (lambda m: m["candidates"][0].update(flag="x"), "a candidate is not {id, city, country}"),
        (lambda m: m["candidates"][0].update(id=7), "a candidate is not {id, city, country}"),
        (lambda m: m.update(eligible="9"), "its numbers are not whole numbers"),
        (lambda m: m.update(round=True), "its numbers are not whole numbers"),
        (lambda m: m.update(title=None), "its texts are not texts"),
        (lambda m: m.update(opens_at=5), "opens_at is not a time"),
        (lambda m: m["keys"].pop("registrar"), "its keys is not {authority, registrar"),
        (lambda m: m["keys"].update(tally="AAAA"), "its keys is not {authority, registrar"),
        (lambda m: m["keys"].update(election="AAAA"), "a key or hash is not 32 bytes"),
        (lambda m: m["keys"].update(election="A" * 43), "the election key is not a point"),
        (
            lambda m: m["keys"].update(election=b64url(_p(5))),
            "the election key is not the sum of the members' first commitments",
        ),
        (lambda m: m["roll"].update(size="9"), "the roll's size is not a whole number"),
        (lambda m: m["roll"].update(hash="not base64!"), "unpadded base64url"),
        (lambda m: m["trustees"].update(threshold=4), "the threshold is not from 1 to 3"),
        (lambda m: m["trustees"].update(threshold=0), "the threshold is not from 1 to 3"),
        (lambda m: m["trustees"].update(ceremony="1"), "the ceremony is not a counter"),
        (lambda m: m["trustees"].pop("ceremony"), "is not {threshold, ceremony, members}"),
        (lambda m: m["trustees"]["members"].reverse(), "not listed by index from 1"),
        (lambda m: m["trustees"]["members"][0].pop("name"), "not those of a member"),
        (lambda m: m["trustees"]["members"][1]["commitments"].pop(), "not have 2 commitments"),
        (
            lambda m: m["trustees"]["members"][2].update(verification_key="A" * 43),
            "trustee 3's manifest entry: its verification key is not a point",
        ),
        (
            lambda m: m["trustees"]["members"][2].update(verification_key=b64url(_p(7))),
            "trustee 3's manifest entry: its verification key does not match",
        ),
        (lambda m: m["previous"].update(result=None), "wrong type"),
    ],
)
def test_a_malformed_manifest_is_refused_saying_why(change: Any, words: str) -> None:
    with pytest.raises(ManifestError) as refused:
        Manifest.parse(_broken(change))
    assert words in str(refused.value)


def test_bytes_that_are_not_json_are_refused() -> None:
    for data in (b"\xff", b"{", b"[]", b"null"):
        with pytest.raises(ManifestError):
            Manifest.parse(data)


@pytest.mark.parametrize("missing", ["previous_manifest", "previous_result"])
def test_build_refuses_a_previous_round_named_by_half(missing: str) -> None:
    with pytest.raises(ValueError, match="names both the previous manifest and result"):
        built(**{missing: None})

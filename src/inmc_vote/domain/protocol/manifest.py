"""The manifest: what a round of a ballot is, fixed and hashed. Its hash is the ballot's
fingerprint, shown on every page and bound into every ballot, receipt and seal.

`build` and `manifest_bytes` write one; `Manifest.parse` reads one back, checking its
shape, so that nothing reads a manifest as an untyped dict.

Protocol v2 (docs/protocol.md, "Trustees"): `keys` are the authority's, the registrar's
and the trustees' election key Y; `trustees` lists the key ceremony's outcome, each
member's public keys, lot commitment, polynomial commitments and verification key.
`registrar` says who holds the registrar key (issue 11): a named party offline, or the
server, so that every voter and auditor sees whom the roll's honesty rests on."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from inmc_vote.domain.ballots import Method
from inmc_vote.domain.codes import Custody, RoundKind, parse
from inmc_vote.domain.counting.rules import Rules
from inmc_vote.domain.protocol import ceremony, group, readable
from inmc_vote.domain.protocol.ceremony import ElectionKey
from inmc_vote.domain.protocol.encoding import b64url, canonical_json, from_b64url, labelled, sha256

FORMAT = "inmc-vote/manifest/v2"
FIELDS = frozenset(
    {
        "format",
        "ballot",
        "round",
        "title",
        "question",
        "method",
        "rules",
        "candidates",
        "eligible",
        "opens_at",
        "closes_at",
        "keys",
        "registrar",
        "roll",
        "trustees",
        "previous",
    }
)
"""Every field of a manifest (docs/protocol.md), each one required."""


@dataclass(frozen=True)
class Candidate:
    id: str
    city: str
    country: str

    def to_json(self) -> dict[str, str]:
        """As a manifest lists it (keys in canonical order)."""
        return {"city": self.city, "country": self.country, "id": self.id}


@dataclass(frozen=True)
class Keys:
    """The round's public keys, 32 bytes each: the authority's and the registrar's
    (Ed25519) and the election key Y (a point of the group, the trustees' joint key)."""

    authority: bytes
    registrar: bytes
    election: bytes


@dataclass(frozen=True)
class Registrar:
    """Who holds the registrar key: its custody and the party named by the ballot."""

    custody: Custody
    party: str

    def to_json(self) -> dict[str, str]:
        return {"custody": self.custody.value, "party": self.party}


@dataclass(frozen=True)
class Roll:
    size: int
    hash: bytes


@dataclass(frozen=True)
class Previous:
    """The round before this one (exhaustive ballots): its manifest's and tally's hashes."""

    manifest: bytes
    result: bytes


class ManifestError(ValueError):
    """A manifest that is not one: the message says what is wrong with it."""


@dataclass(frozen=True)
class Manifest:
    """A manifest as read back, every field typed (the bytes as bytes, not base64url)."""

    ballot: str
    round: int
    title: str
    question: str
    method: Method
    rules: Rules
    candidates: tuple[Candidate, ...]
    eligible: int
    opens_at: str | None
    closes_at: str
    keys: Keys
    registrar: Registrar
    roll: Roll
    trustees: ElectionKey
    previous: Previous | None

    @property
    def candidate_ids(self) -> tuple[str, ...]:
        return tuple(c.id for c in self.candidates)

    @property
    def names(self) -> dict[str, str]:
        """Candidate id -> city name."""
        return {c.id: c.city for c in self.candidates}

    @property
    def round_kind(self) -> RoundKind:
        return self.rules.round_kind

    @property
    def continuing(self) -> tuple[str, ...]:
        """For a last-place runoff, every candidate still in the race."""
        return self.rules.continuing

    @classmethod
    def parse(cls, value: bytes | str | Mapping[str, Any]) -> Manifest:
        """Read a manifest (its JSON bytes or text, or the decoded object), checking every
        field and its type; ManifestError says what is wrong. It does not check that the
        bytes are canonical or signed: the callers that need it do."""
        if isinstance(value, bytes | str):
            try:
                value = json.loads(value)
            except ValueError as error:  # UnicodeDecodeError too
                raise ManifestError(f"not JSON ({error})") from None
        if not isinstance(value, Mapping) or value.get("format") != FORMAT or set(value) != FIELDS:
            raise ManifestError("not its fields")
        try:
            return cls._read(value)
        except ManifestError:
            raise
        except (KeyError, TypeError, ValueError, AttributeError) as error:
            raise ManifestError(f"a field is missing or of the wrong type ({error})") from None

    @classmethod
    def _read(cls, value: Mapping[str, Any]) -> Manifest:
        method = parse(Method, value["method"])
        rules = Rules.from_json(value["rules"])
        candidates = tuple(_candidate(c) for c in _list(value["candidates"]))
        ids = [c.id for c in candidates]
        if not ids or len(set(ids)) != len(ids):
            raise ManifestError("its candidates are not listed once each")
        if any(type(value[k]) is not int for k in ("round", "eligible")):
            raise ManifestError("its numbers are not whole numbers")
        if not all(isinstance(value[k], str) for k in ("ballot", "title", "question", "closes_at")):
            raise ManifestError("its texts are not texts")
        if value["opens_at"] is not None and not isinstance(value["opens_at"], str):
            raise ManifestError("opens_at is not a time")
        keys = _object(value["keys"], "keys", ("authority", "registrar", "election"))
        roll = _object(value["roll"], "roll", ("size", "hash"))
        registrar = _object(value["registrar"], "registrar", ("custody", "party"))
        if not isinstance(registrar["party"], str):
            raise ManifestError("the registrar's party is not a text")
        if type(roll["size"]) is not int:
            raise ManifestError("the roll's size is not a whole number")
        previous = value["previous"]
        election = _point(keys["election"], "the election key")
        return cls(
            ballot=value["ballot"],
            round=value["round"],
            title=value["title"],
            question=value["question"],
            method=method,
            rules=rules,
            candidates=candidates,
            eligible=value["eligible"],
            opens_at=value["opens_at"],
            closes_at=value["closes_at"],
            keys=Keys(
                authority=_key(keys["authority"]),
                registrar=_key(keys["registrar"]),
                election=election,
            ),
            registrar=Registrar(parse(Custody, registrar["custody"]), registrar["party"]),
            roll=Roll(roll["size"], _key(roll["hash"])),
            trustees=_trustees(value["trustees"], election),
            previous=None
            if previous is None
            else Previous(
                *(_key(v) for v in _object(previous, "previous", ("manifest", "result")).values())
            ),
        )


def _list(value: Any) -> list[Any]:
    if not isinstance(value, list):
        raise ManifestError("its candidates are not a list")
    return value


def _candidate(value: Any) -> Candidate:
    fields = ("id", "city", "country")
    if not isinstance(value, Mapping) or set(value) != set(fields):
        raise ManifestError("a candidate is not {id, city, country}")
    if not all(isinstance(value[k], str) for k in fields):
        raise ManifestError("a candidate is not {id, city, country}")
    return Candidate(value["id"], value["city"], value["country"])


def _object(value: Any, name: str, fields: tuple[str, ...]) -> dict[str, Any]:
    """A JSON object with exactly these fields, in this order."""
    if not isinstance(value, Mapping) or set(value) != set(fields):
        raise ManifestError(f"its {name} is not {{{', '.join(fields)}}}")
    return {k: value[k] for k in fields}


def _key(text: Any) -> bytes:
    data = from_b64url(text)
    if len(data) != 32:
        raise ManifestError("a key or hash is not 32 bytes")
    return data


def _point(text: Any, what: str) -> bytes:
    data = _key(text)
    if not group.is_point(data):
        raise ManifestError(f"{what} is not a point of the group")
    return data


def _trustees(value: Any, election: bytes) -> ElectionKey:
    """The trustees field, checked by the ceremony's reader: its shape, every key, each
    verification key against the commitments, and Y = the sum of the first commitments."""
    try:
        return ceremony.read_trustees(value, election_key=election)
    except ceremony.CeremonyError as error:
        raise ManifestError(f"its trustees: {error}") from None


def build(
    *,
    ballot_id: str,
    round_number: int,
    title: str,
    question: str,
    method: str,
    rules: dict[str, Any],
    candidates: list[Candidate],
    eligible: int,
    opens_at: str | None,
    closes_at: str,
    authority_pk: bytes,
    registrar_pk: bytes,
    registrar: Registrar,
    trustees: ElectionKey,
    roll_size: int,
    roll_hash: bytes,
    previous_manifest: bytes | None = None,
    previous_result: bytes | None = None,
) -> dict[str, Any]:
    """The manifest as a JSON value; `canonical_json` of it is what is hashed and served.
    A later round names both the previous round's manifest and its result, or neither."""
    previous = None
    if previous_manifest is not None or previous_result is not None:
        if previous_manifest is None or previous_result is None:
            raise ValueError("a later round names both the previous manifest and result")
        previous = {"manifest": b64url(previous_manifest), "result": b64url(previous_result)}
    return {
        "format": FORMAT,
        "ballot": ballot_id,
        "round": round_number,
        "title": title,
        "question": question,
        "method": method,
        "rules": rules,
        "candidates": [c.to_json() for c in candidates],
        "eligible": eligible,
        "opens_at": opens_at,
        "closes_at": closes_at,
        "keys": {
            "authority": b64url(authority_pk),
            "registrar": b64url(registrar_pk),
            "election": b64url(trustees.election_key),
        },
        "registrar": registrar.to_json(),
        "roll": {"size": roll_size, "hash": b64url(roll_hash)},
        "trustees": trustees.to_json(),
        "previous": previous,
    }


def manifest_bytes(manifest: dict[str, Any]) -> bytes:
    return canonical_json(manifest)


def manifest_hash(manifest_data: bytes) -> bytes:
    return sha256(manifest_data)


def short_fingerprint(digest: bytes) -> str:
    """The first 80 bits of a hash in 4 groups of 4, for people to compare aloud."""
    return readable.grouped(readable.encode(digest[:10]))


def signed_message(manifest_hash_value: bytes) -> bytes:
    """What the authority signs to vouch for a manifest."""
    return labelled("inmc-vote/manifest-signature/v1") + manifest_hash_value

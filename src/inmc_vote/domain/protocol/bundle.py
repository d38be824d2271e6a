"""The audit bundle's bytes: its member names, its JSON Lines and the signed head.

One ZIP file per ballot (see docs/audit.md). Every line and small file is canonical
JSON, so that the same ballot always gives the same bytes, whoever exports it.
`bundle.json` says how far the bundle goes (the event log's and each board's count
and head); the authority signs "inmc-vote/bundle/v1" 0 SHA256(bundle.json), so an
auditor who keeps one bundle can later prove that the next one only added to it.

Protocol v2, per round (docs/protocol.md, "The event log"): `board.jsonl` holds the board
lines of protocol.md, 'Board, receipts, seal' (`board.Entry.line`); once the round is sealed,
`shuffle-K.json` is shuffle
K's message (exact bytes, K = 1, 2, ... in order, as many as were in at the export);
once its results are published, `decryption-L.json` is trustee L's decryption message
(exact bytes, one per trustee whose decryption was in at the tally: the record lists
them) next to `tally.json` and `votes.jsonl` (the record's vote lines, in the mixed
order). Decryptions are never exported before publication: any t of them reveal the
votes.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from inmc_vote.domain.codes import logged_action
from inmc_vote.domain.protocol.board import BoardError, Entry
from inmc_vote.domain.protocol.encoding import (
    b64url,
    canonical_json,
    from_b64url,
    labelled,
    sha256,
)
from inmc_vote.domain.protocol.events import Event

FORMAT = "inmc-vote/bundle/v1"

AUDITORS = "AUDITORS.txt"
HEAD = "bundle.json"
HEAD_SIG = "bundle.sig"
EVENTS = "events.jsonl"
ROLL = "roll.jsonl"
ROUND_FILES = (
    "manifest.json",
    "manifest.sig",
    "board.jsonl",
    "seal.json",
    "tally.json",
    "tally.sig",
    "votes.jsonl",
    "result.txt",
)
_ROUND_MEMBER = re.compile(
    r"round-([1-9][0-9]*)/([a-z.]+|(?:shuffle|decryption)-[1-9][0-9]*\.json)"
)
_NUMBERED = re.compile(r"(shuffle|decryption)-([1-9][0-9]*)\.json")
TIME = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}Z")
"""RFC 3339 in UTC to the millisecond: such times compare correctly as text."""


def text_members(rounds: tuple[RoundHead, ...]) -> list[str]:
    """The members written for people, whose hashes bundle.json lists."""
    return [AUDITORS] + [round_member(r.round, "result.txt") for r in rounds if r.tallied]


def round_member(number: int, name: str) -> str:
    return f"round-{number}/{name}"


def shuffle_member(number: int, index: int) -> str:
    return round_member(number, f"shuffle-{index}.json")


def decryption_member(number: int, trustee: int) -> str:
    return round_member(number, f"decryption-{trustee}.json")


def parse_round_member(name: str) -> tuple[int, str] | None:
    """(round, file) for a round's member name such as "round-2/board.jsonl" or
    "round-1/shuffle-2.json", else None."""
    match = _ROUND_MEMBER.fullmatch(name)
    if match is None:
        return None
    if match.group(2) not in ROUND_FILES and _NUMBERED.fullmatch(match.group(2)) is None:
        return None
    return int(match.group(1)), match.group(2)


def signed_message(head_bytes: bytes) -> bytes:
    """What the authority signs to vouch for a bundle's head (bundle.json's exact bytes)."""
    return labelled("inmc-vote/bundle/v1") + sha256(head_bytes)


def signature_text(signature: bytes) -> bytes:
    """A `.sig` member: the signature in base64url and a newline."""
    return b64url(signature).encode() + b"\n"


def read_signature_text(data: bytes) -> bytes:
    return from_b64url(data.decode("ascii").strip())


@dataclass(frozen=True)
class RoundHead:
    """How far a round goes in the bundle."""

    round: int
    manifest: bytes  # its hash
    board_count: int
    board_head: bytes  # the last entry's hash; the manifest hash for an empty board
    sealed: bool
    tallied: bool  # its tally record is in the bundle (its results are published)

    def to_json(self) -> dict[str, Any]:
        return {
            "round": self.round,
            "manifest": b64url(self.manifest),
            "board": {"count": self.board_count, "head": b64url(self.board_head)},
            "sealed": self.sealed,
            "tallied": self.tallied,
        }

    @classmethod
    def from_json(cls, value: dict[str, Any]) -> RoundHead:
        return cls(
            round=_int(value["round"]),
            manifest=from_b64url(value["manifest"]),
            board_count=_int(value["board"]["count"]),
            board_head=from_b64url(value["board"]["head"]),
            sealed=_bool(value["sealed"]),
            tallied=_bool(value["tallied"]),
        )


@dataclass(frozen=True)
class Head:
    """bundle.json: what the bundle holds, up to where. The files written for people
    (AUDITORS.txt, each result.txt) prove nothing themselves; their hashes are here so
    that the authority's signature covers them too."""

    ballot: str
    exported_at: str
    state: str
    events_count: int
    events_head: bytes
    rounds: tuple[RoundHead, ...]
    authority: bytes
    texts: dict[str, bytes]  # member name -> SHA-256, for the files written for people

    def to_json(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "ballot": self.ballot,
            "exported_at": self.exported_at,
            "state": self.state,
            "events": {"count": self.events_count, "head": b64url(self.events_head)},
            "rounds": [r.to_json() for r in self.rounds],
            "authority": b64url(self.authority),
            "texts": {name: b64url(digest) for name, digest in self.texts.items()},
        }

    def to_bytes(self) -> bytes:
        return canonical_json(self.to_json())

    @classmethod
    def from_bytes(cls, data: bytes) -> Head:
        """Read bundle.json; ValueError (with what is wrong) unless it is exactly canonical."""
        value = _object(data, "bundle.json")
        if value.get("format") != FORMAT:
            raise ValueError(f"bundle.json's format is not {FORMAT}")
        try:
            head = cls(
                ballot=_str(value["ballot"]),
                exported_at=_str(value["exported_at"]),
                state=_str(value["state"]),
                events_count=_int(value["events"]["count"]),
                events_head=from_b64url(value["events"]["head"]),
                rounds=tuple(RoundHead.from_json(r) for r in value["rounds"]),
                authority=from_b64url(value["authority"]),
                texts={_str(k): from_b64url(v) for k, v in value["texts"].items()},
            )
        except (KeyError, TypeError, ValueError, AttributeError) as error:
            raise ValueError(f"bundle.json is not a bundle head ({error})") from None
        if head.to_bytes() != data:
            raise ValueError("bundle.json has fields a bundle head does not have")
        return head


def board_line(entry: Entry) -> bytes:
    """A board line of protocol.md, 'Board, receipts, seal': canonical JSON of {seq, received_at,
    ballot, tracker, prev,
    hash} and a newline (`board.Entry.line`)."""
    return entry.line()


def read_board_line(line: bytes) -> Entry:
    """One board.jsonl line; ValueError unless it is exactly what `board_line` writes."""
    try:
        value = json.loads(line)
    except (UnicodeDecodeError, ValueError):
        raise ValueError("the line is not a board entry (not JSON)") from None
    try:
        entry = Entry.from_json(value)
    except BoardError as error:
        raise ValueError(f"the line is not a board entry ({error})") from None
    if board_line(entry) != line:  # also refuses any other spelling of the same bytes
        raise ValueError("the line is not a board entry as the protocol writes it")
    return entry


def event_line(event: Event, prev: bytes, digest: bytes) -> bytes:
    """An event as GET /api/v1/ballots/{id}/events serves it, as one canonical line."""
    return (
        canonical_json(
            {
                "seq": event.seq,
                "at": event.at,
                "actor": event.actor,
                "action": event.action,
                "data": event.data,
                "prev": b64url(prev),
                "hash": b64url(digest),
            }
        )
        + b"\n"
    )


def read_event_line(line: bytes) -> tuple[Event, bytes, bytes]:
    """(event, prev, hash) of one events.jsonl line; ValueError when it is not one."""
    value = _object(line.rstrip(b"\n"), "the line")
    try:
        event = Event(
            seq=_int(value["seq"]),
            at=_str(value["at"]),
            actor=_str(value["actor"]),
            action=logged_action(value["action"]),
            data=value["data"],
        )
        if not isinstance(event.data, dict):
            raise TypeError("data is not an object")
        parsed = (event, from_b64url(value["prev"]), from_b64url(value["hash"]))
        written = event_line(*parsed)
    except (KeyError, TypeError, ValueError) as error:
        raise ValueError(f"the line is not an event ({error})") from None
    if written != line:
        raise ValueError("the line is not an event as the protocol writes it")
    return parsed


@dataclass(frozen=True)
class SealFile:
    count: int
    head: bytes
    closed_at: str
    signature: bytes

    def to_bytes(self) -> bytes:
        return canonical_json(
            {
                "count": self.count,
                "head": b64url(self.head),
                "closed_at": self.closed_at,
                "signature": b64url(self.signature),
            }
        )

    @classmethod
    def from_bytes(cls, data: bytes) -> SealFile:
        value = _object(data, "seal.json")
        try:
            seal = cls(
                _int(value["count"]),
                from_b64url(value["head"]),
                _str(value["closed_at"]),
                from_b64url(value["signature"]),
            )
        except (KeyError, TypeError, ValueError) as error:
            raise ValueError(f"seal.json is not a seal ({error})") from None
        if seal.to_bytes() != data:
            raise ValueError("seal.json has fields a seal does not have")
        return seal


def _object(data: bytes, what: str) -> dict[str, Any]:
    """Parse a JSON object; the caller compares the bytes it would write with `data`."""
    try:
        value = json.loads(data)
    except (UnicodeDecodeError, ValueError):
        raise ValueError(f"{what} is not JSON") from None
    if not isinstance(value, dict):
        raise ValueError(f"{what} is not a JSON object")
    return value


def canonical_object(data: bytes, what: str) -> dict[str, Any]:
    """A JSON object that must be written exactly as canonical JSON (manifests, tally
    records, outcome lines): no other spelling of the same value is accepted."""
    value = _object(data, what)
    try:
        canonical = canonical_json(value)
    except (TypeError, ValueError):
        raise ValueError(f"{what} is not canonical JSON (a float?)") from None
    if canonical != data:
        raise ValueError(f"{what} is not canonical JSON")
    return value


def _int(value: Any) -> int:
    if type(value) is not int or value < 0:
        raise TypeError(f"{value!r} is not a count")
    return value


def _bool(value: Any) -> bool:
    if type(value) is not bool:
        raise TypeError(f"{value!r} is not true or false")
    return value


def _str(value: Any) -> str:
    if not isinstance(value, str):
        raise TypeError(f"{value!r} is not a text")
    return value

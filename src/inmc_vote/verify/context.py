"""What the checks have read so far, passed from one check to the next."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from inmc_vote.domain.protocol import bundle
from inmc_vote.domain.protocol.bundle import Head
from inmc_vote.domain.protocol.manifest import Manifest
from inmc_vote.verify.bundle_file import BundleFile
from inmc_vote.verify.report import Report


@dataclass
class Round:
    """One round as the bundle has it."""

    number: int
    head: bundle.RoundHead
    manifest: Manifest
    manifest_bytes: bytes
    manifest_hash: bytes
    seal: bundle.SealFile | None = None
    record: dict[str, Any] | None = None  # the tally record, when in the bundle
    record_bytes: bytes = b""
    record_hash: bytes = b""
    shuffles: int = 0  # shuffle-1.json .. shuffle-K.json in the bundle
    decryptions: tuple[int, ...] = ()  # the trustees whose decryption-L.json is in the bundle
    # What the event log must announce: (index, trustee, SHA-256) of each shuffle file,
    # (trustee, SHA-256) of each decryption file.
    shuffle_refs: tuple[tuple[int, int, bytes], ...] = ()
    decryption_refs: tuple[tuple[int, bytes], ...] = ()

    @property
    def name(self) -> str:
        return f"round {self.number}"

    def member(self, file: str) -> str:
        return bundle.round_member(self.number, file)


@dataclass
class Replay:
    """The event log replayed: the lifecycle, the lost tokens, and what it announced."""

    state: str = "draft"
    round: int = 1
    tokens_issued: bool = False
    revoked: dict[bytes, tuple[str, int]] = field(default_factory=dict)  # pk -> (at, round)
    added: dict[bytes, tuple[str, int]] = field(default_factory=dict)  # pk -> (at, round)
    events: list[tuple[str, dict[str, Any], int]] = field(default_factory=list)  # lifecycle
    wrong: list[int] = field(default_factory=list)  # transitions from another state
    # issuances (tokens-issued, roll-uploaded) and their cancellations, in log order
    # (action, data, seq, the state and round it was made in)
    issuances: list[tuple[str, dict[str, Any], int, str, int]] = field(default_factory=list)
    mix: list[tuple[str, dict[str, Any]]] = field(default_factory=list)  # shuffle/decryption-added


@dataclass
class Audit:
    bundle: BundleFile
    report: Report
    head: Head  # not bundle.Head: the field `bundle` hides the module in this class
    rounds: list[Round] = field(default_factory=list)
    authority: bytes = b""
    registrar: bytes = b""
    roll_keys: bytes = b""  # the initial roll's keys, sorted, 32 bytes each
    roll_size: int = 0
    replay: Replay | None = None

    @property
    def ballot(self) -> str:
        return self.head.ballot

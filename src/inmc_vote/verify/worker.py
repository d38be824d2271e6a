"""The checks of each line of the roll and the board: the costly part (signatures,
proofs), run on every core over chunks of lines. Each function takes a chunk and
returns what it found; nothing here keeps anything between chunks but the roll's keys.
"""

from __future__ import annotations

import base64
import re
import zipfile
from array import array
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from inmc_vote.domain.ballots import Method
from inmc_vote.domain.counting.rules import Rules
from inmc_vote.domain.protocol import ballot, board, bundle, decryption, keys, mixing, tally
from inmc_vote.domain.protocol.credentials import RollLine, credential_message, fingerprint
from inmc_vote.domain.protocol.encoding import b64url, canonical_json, from_b64url

# The initial roll's credential keys, sorted, 32 bytes each: 33 bytes a voter with the
# per-round "has voted" marks, whatever the size of the board.
_roll = b""


def install(roll_keys: bytes) -> None:
    """Give this process the roll's sorted keys (a worker's initializer)."""
    global _roll
    _roll = roll_keys


def roll_position(pk: bytes) -> int:
    """The credential's position on the initial roll, or -1 when it is not there."""
    lo, hi = 0, len(_roll) // 32
    while lo < hi:
        mid = (lo + hi) // 2
        if _roll[32 * mid : 32 * mid + 32] < pk:
            lo = mid + 1
        else:
            hi = mid
    if len(pk) == 32 and _roll[32 * lo : 32 * lo + 32] == pk:
        return lo
    return -1


class Found:
    """Problems found in a chunk, by check code: how many, and the first few in words."""

    QUOTE = 5

    def __init__(self) -> None:
        self.counts: Counter[str] = Counter()
        self.quoted: dict[str, list[str]] = {}

    def add(self, code: str, message: str) -> None:
        self.counts[code] += 1
        said = self.quoted.setdefault(code, [])
        if len(said) < self.QUOTE:
            said.append(message)


# --- The roll ------------------------------------------------------------------------------


@dataclass(frozen=True)
class RollTask:
    ballot: str
    registrar: bytes
    first_line: int
    lines: list[bytes]


_ROLL_LINE = re.compile(rb'\{"pk":"([A-Za-z0-9_-]{43})","sig":"([A-Za-z0-9_-]{86})"\}\n')


def read_roll_line(raw: bytes) -> RollLine:
    """A roll line exactly as `RollLine.line_bytes` writes it; ValueError otherwise."""
    match = _ROLL_LINE.fullmatch(raw)
    if match is None:
        raise ValueError("not a roll line {pk, sig}")
    pk, sig = (base64.urlsafe_b64decode(part + b"=" * (-len(part) % 4)) for part in match.groups())
    if b64url(pk).encode() != match.group(1) or b64url(sig).encode() != match.group(2):
        raise ValueError("not canonical base64url")
    return RollLine(pk, sig)


def check_roll_chunk(task: RollTask) -> Found:
    """Every line signed by the registrar (the lines' form is checked as they are read)."""
    found = Found()
    for number, raw in enumerate(task.lines, start=task.first_line):
        try:
            line = read_roll_line(raw)
        except ValueError:
            continue  # reported by the reader, which also builds the roll's index
        if not keys.verify(task.registrar, line.sig, credential_message(task.ballot, line.pk)):
            found.add(
                "roll",
                f"line {number:,} (credential {fingerprint(line.pk)}) is not signed by "
                "the registrar",
            )
    return found


# --- The board ---------------------------------------------------------------------------


@dataclass(frozen=True)
class RoundTerms:
    """What every chunk of one round's board is checked against."""

    manifest_hash: bytes
    election_key: bytes
    opens_at: str | None
    watched: frozenset[bytes]  # revoked credentials: their ballots are reported with times


@dataclass(frozen=True)
class BoardTask:
    terms: RoundTerms
    first_seq: int
    lines: list[bytes]


@dataclass
class BoardChunk:
    first_seq: int
    count: int
    first_prev: bytes | None = None  # None when the first line cannot be read
    last_hash: bytes | None = None
    positions: bytes = b""  # array("i"): each entry's position on the initial roll, or -1
    others: list[tuple[int, bytes, str]] = field(default_factory=list)
    earliest: str | None = None
    latest: str | None = None
    found: Found = field(default_factory=Found)
    # Each entry's ciphertext alpha ‖ beta (64 bytes; 64 zero bytes when the line cannot
    # be read), in seq order: the mix's input is made of them.
    ciphertexts: bytes = b""


def check_board_chunk(task: BoardTask) -> BoardChunk:
    terms = task.terms
    result = BoardChunk(task.first_seq, len(task.lines))
    positions = array("i")
    ciphertexts = bytearray()
    prev: bytes | None = None
    for index, line in enumerate(task.lines):
        seq = task.first_seq + index
        try:
            entry = bundle.read_board_line(line)
        except ValueError as error:
            result.found.add("board", f"line {seq:,} is not a board entry: {error}")
            positions.append(-1)
            ciphertexts += bytes(64)
            prev = None
            continue
        if index == 0:
            result.first_prev = entry.prev
        elif prev is not None and entry.prev != prev:
            result.found.add("board", f"entry {seq:,} does not follow entry {seq - 1:,}")
        _check_entry(seq, entry, terms, result)
        prev = entry.hash
        credential, ciphertext = _check_ballot(seq, entry, terms, result.found)
        ciphertexts += ciphertext
        position = roll_position(credential)
        positions.append(position)
        if credential and (position < 0 or credential in terms.watched):
            result.others.append((seq, credential, entry.received_at))
    result.last_hash = prev
    result.positions = positions.tobytes()
    result.ciphertexts = bytes(ciphertexts)
    return result


def _check_entry(seq: int, entry: board.Entry, terms: RoundTerms, result: BoardChunk) -> None:
    """The entry's place in the chain: its number, its hash, its time."""
    found = result.found
    if entry.seq != seq:
        found.add("board", f"line {seq:,} carries the number {entry.seq:,}")
    if entry.recomputed() != entry.hash:
        found.add("board", f"entry {seq:,} does not match its hash")
    when = entry.received_at
    if not bundle.TIME.fullmatch(when):
        found.add("board", f"entry {seq:,}'s time «{when}» is not a UTC time to the millisecond")
    else:
        if terms.opens_at is not None and when < terms.opens_at:
            found.add("board", f"entry {seq:,} was received at {when}, before voting opened")
        result.earliest = when if result.earliest is None else min(result.earliest, when)
        result.latest = when if result.latest is None else max(result.latest, when)


def _check_ballot(
    seq: int, entry: board.Entry, terms: RoundTerms, found: Found
) -> tuple[bytes, bytes]:
    """The ballot itself (`ballots`): its shape, its points, its proof of knowledge and
    its signature (`ballot.check`, the server's own check at casting), and the tracker
    the line shows is its hash. Returns its credential and ciphertext (alpha ‖ beta),
    or b"" and zeros when it cannot be read."""
    try:
        cast = ballot.Ballot.parse(entry.ballot_json())
    except ValueError as error:
        found.add("ballots", f"entry {seq:,}'s ballot cannot be read: {error}")
        return b"", bytes(64)
    try:
        ballot.check(cast, terms.manifest_hash, terms.election_key)
    except ballot.BallotError as error:
        found.add("ballots", f"entry {seq:,}: {error}")
    if cast.canonical() != entry.ballot:
        found.add("ballots", f"entry {seq:,}'s ballot is not written as the protocol writes it")
    if board.tracker_of(entry.ballot) != entry.tracker:
        found.add("ballots", f"entry {seq:,}'s tracker is not its ballot's hash")
    return cast.credential, cast.alpha + cast.beta


# --- The decryptions -------------------------------------------------------------------------


@dataclass(frozen=True)
class DecryptionTask:
    """One trustee's decryption file, checked against the mix's last output."""

    path: str  # the bundle: the worker reads the (large) member itself
    member: str
    ballot: str
    round: int
    manifest_hash: bytes
    trustee: Any  # the manifest's member (decryption.TrusteePublic)
    ciphertexts: list[tuple[bytes, bytes]]


@dataclass
class DecryptionFile:
    trustee: int
    hash: bytes = b""  # SHA-256 of the file's bytes, as the record and the log name it
    factors: tuple[bytes, ...] | None = None  # None: the decryption was refused
    reveal: bytes | None = None  # its lot reveal, read whether or not it was refused
    error: str = ""


def check_decryption_file(task: DecryptionTask) -> DecryptionFile:
    """`decryption.read_decryption`, the server's own check: form, signature, input,
    every factor's Chaum–Pedersen proof (and the lot reveal, which `lot` reports too)."""
    index = task.trustee.index
    found = DecryptionFile(index)
    try:
        with zipfile.ZipFile(task.path) as archive:
            data = archive.read(task.member)
    except (OSError, KeyError, ValueError, zipfile.BadZipFile) as error:
        found.error = f"it cannot be read ({error})"
        return found
    found.hash = mixing.message_hash(data)
    try:
        value = bundle.canonical_object(data, task.member)
    except ValueError as error:
        found.error = str(error)
        return found
    try:
        found.reveal = from_b64url(value.get("lot_reveal"))
    except ValueError:
        found.reveal = None
    try:
        checked = decryption.read_decryption(
            value,
            ballot=task.ballot,
            round=task.round,
            manifest_hash=task.manifest_hash,
            trustee_public=task.trustee,
            ciphertexts=task.ciphertexts,
        )
    except ValueError as error:
        found.error = str(error)
        return found
    found.factors = checked.factors
    return found


@dataclass(frozen=True)
class CombineTask:
    """A slice of the mixed list and the chosen trustees' factors for it."""

    first: int  # the position of the slice's first ciphertext, from 1
    ciphertexts: list[tuple[bytes, bytes]]
    factors: dict[int, tuple[bytes, ...]]
    threshold: int
    method: Method
    candidates: tuple[str, ...]
    rules: Rules


def combine_chunk(task: CombineTask) -> list[bytes]:
    """The vote each position holds, as canonical JSON (b"null" when malformed): the
    factors combined (`decryption.combine`), the point read (`tally.judge`), as the
    server's tally does. (Its verdict is the `verdicts` check's.)"""
    points = decryption.combine(task.ciphertexts, task.factors, task.threshold)
    return [
        canonical_json(
            tally.judge(
                point, method=task.method, candidates=task.candidates, rules=task.rules
            ).vote
        )
        for point in points
    ]

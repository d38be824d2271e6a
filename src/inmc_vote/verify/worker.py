"""The checks of each line of the roll and the board: the costly part (signatures,
decryptions), run on every core over chunks of lines. Each function takes a chunk and
returns what it found; nothing here keeps anything between chunks but the roll's keys.
"""

from __future__ import annotations

import base64
import re
from array import array
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, cast

from inmc_vote.domain.ballots import Method
from inmc_vote.domain.codes import InvalidReason, VerdictKind
from inmc_vote.domain.counting.rules import Rules
from inmc_vote.domain.counting.votes import Verdict, classify
from inmc_vote.domain.protocol import bundle, keys, tally, vote
from inmc_vote.domain.protocol.credentials import RollLine, credential_message, fingerprint
from inmc_vote.domain.protocol.encoding import b64url, canonical_json

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


# --- The board -----------------------------------------------------------------------------


@dataclass(frozen=True)
class RoundTerms:
    """What every chunk of one round's board is checked against."""

    manifest_hash: bytes
    ciphertext_size: int
    opens_at: str | None
    watched: frozenset[bytes]  # revoked credentials: their ballots are reported with times
    tally_key: bytes | None  # the revealed key, when the round's tally is in the bundle
    method: Method
    candidates: tuple[str, ...]
    rules: Rules


@dataclass(frozen=True)
class BoardTask:
    terms: RoundTerms
    first_seq: int
    lines: list[bytes]
    outcomes: list[bytes | None] | None  # one per line when the tally is in the bundle


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
    verdicts: Counter[Verdict] = field(default_factory=Counter)


def check_board_chunk(task: BoardTask) -> BoardChunk:
    terms = task.terms
    result = BoardChunk(task.first_seq, len(task.lines))
    positions = array("i")
    prev: bytes | None = None
    for index, line in enumerate(task.lines):
        seq = task.first_seq + index
        try:
            entry = bundle.read_board_line(line)
        except ValueError as error:
            result.found.add("board", f"line {seq:,} is not a board entry: {error}")
            positions.append(-1)
            prev = None
            if task.outcomes is not None:
                result.found.add("decryptions", f"entry {seq:,} cannot be read to decrypt")
            continue
        if index == 0:
            result.first_prev = entry.prev
        elif prev is not None and entry.prev != prev:
            result.found.add("board", f"entry {seq:,} does not follow entry {seq - 1:,}")
        _check_entry(seq, entry, terms, result)
        prev = entry.hash
        position = roll_position(entry.credential)
        positions.append(position)
        if position < 0 or entry.credential in terms.watched:
            result.others.append((seq, entry.credential, entry.received_at))
        if task.outcomes is not None:
            try:
                _check_outcome(seq, entry, task.outcomes[index], terms, result)
            except Exception as error:  # hostile bytes must fail a check, never the verifier
                result.found.add("decryptions", f"entry {seq:,} cannot be opened ({error!r})")
    result.last_hash = prev
    result.positions = positions.tobytes()
    return result


def _check_entry(seq: int, entry: Any, terms: RoundTerms, result: BoardChunk) -> None:
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
    if len(entry.ciphertext) != terms.ciphertext_size:
        found.add(
            "signatures",
            f"entry {seq:,}'s encrypted vote is {len(entry.ciphertext):,} bytes, not "
            f"{terms.ciphertext_size:,} as this round's",
        )
    message = vote.signed_message(terms.manifest_hash, entry.credential, entry.ciphertext)
    if not keys.verify(entry.credential, entry.signature, message):
        found.add("signatures", f"entry {seq:,} is not signed by its credential")


OUTCOME_FIELDS = {"seq", "outcome", "reason", "vote"}
UNREADABLE = (InvalidReason.UNDECRYPTABLE, InvalidReason.MALFORMED)


def _check_outcome(
    seq: int, entry: Any, raw: bytes | None, terms: RoundTerms, result: BoardChunk
) -> None:
    """Decrypt with the revealed key and compare with the outcome line (`decryptions`);
    judge the line's vote again (`verdicts`); add its verdict to the count."""
    found = result.found
    if raw is None:
        found.add("decryptions", f"entry {seq:,} has no outcome line")
        return
    assert terms.tally_key is not None
    opened = tally.open_entry(
        entry.ciphertext,
        entry.credential,
        tally_private=terms.tally_key,
        manifest_hash=terms.manifest_hash,
        method=terms.method,
        candidates=terms.candidates,
        rules=terms.rules,
    )
    if raw == tally.outcome_line(seq, opened):  # the line the tally should have written
        result.verdicts[opened.verdict] += 1
        return
    try:
        line = bundle.canonical_object(raw.removesuffix(b"\n"), "the line")
        if set(line) != OUTCOME_FIELDS or not raw.endswith(b"\n") or line["seq"] != seq:
            raise ValueError("not {seq, outcome, reason, vote} for this entry")
    except ValueError as error:
        found.add("verdicts", f"outcome line {seq:,} cannot be read ({error})")
        return
    _compare(seq, opened, line, terms, result)


def _compare(
    seq: int, opened: tally.Opened, line: dict[str, Any], terms: RoundTerms, result: BoardChunk
) -> None:
    """An outcome line that is not the one expected: say whether the decryption or the
    verdict is wrong (or both), and count what the line's vote is worth."""
    found = result.found
    claimed = line["vote"]
    same_vote = _same(opened.vote, claimed)
    if not same_vote:
        found.add(
            "decryptions",
            f"entry {seq:,} decrypts to {_words(opened.vote, opened.verdict)}, its outcome "
            f"line says {_words(claimed, None)}",
        )
    if claimed is None:
        reason = line["reason"]
        if line["outcome"] != VerdictKind.INVALID or reason not in UNREADABLE:
            found.add(
                "verdicts",
                f"outcome line {seq:,} has no vote but is not invalid as undecryptable or "
                "malformed",
            )
        elif same_vote and reason != opened.verdict.reason:
            found.add(
                "decryptions",
                f"entry {seq:,} is {opened.verdict.reason}, its outcome line says {reason}",
            )
        # As the line says: a reason that is not a code is reported above, and counted as
        # the line has it, so that the count is judged on its own.
        verdict = Verdict(VerdictKind.INVALID, cast(InvalidReason, str(reason)))
    else:
        verdict = classify(claimed, terms.method, terms.candidates, terms.rules)
        if (verdict.kind, verdict.reason) != (line["outcome"], line["reason"]):
            found.add(
                "verdicts",
                f"entry {seq:,}'s vote is {_kind(verdict)}, its outcome line says "
                f"{_said(line['outcome'], line['reason'])}",
            )
    result.verdicts[verdict] += 1


def _same(opened: dict[str, Any] | None, claimed: Any) -> bool:
    if opened is None or claimed is None:
        return opened is None and claimed is None
    try:
        return canonical_json(opened) == canonical_json(claimed)
    except (TypeError, ValueError):
        return False


def _words(value: Any, verdict: Verdict | None) -> str:
    if value is None:
        return f"nothing readable ({verdict.reason})" if verdict else "no vote"
    try:
        return canonical_json(value).decode()
    except (TypeError, ValueError):
        return repr(value)


def _kind(verdict: Verdict) -> str:
    return _said(verdict.kind, verdict.reason)


def _said(kind: object, reason: object) -> str:
    """A verdict as words, from the codes or from what an outcome line claims."""
    return str(kind) if reason is None else f"{kind} ({reason})"

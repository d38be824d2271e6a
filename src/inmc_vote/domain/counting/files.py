"""Files of votes for `inmc-vote count`, read from text (the caller opens the file): JSON
Lines of vote plaintexts, or a PrefLib `.soi`/`.toi` election (preflib.org)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from inmc_vote.domain.codes import InvalidReason, VoteKind
from inmc_vote.domain.counting.rules import Rules
from inmc_vote.domain.counting.votes import Verdict, classify, field_for, invalid

PREFLIB_SUFFIXES = (".soi", ".toi", ".soc", ".toc")
JSONL_SUFFIXES = (".jsonl", ".ndjson", ".json")


class FileError(ValueError):
    """A file that cannot be read as the format it claims; the message names the line."""


# The largest election `inmc-vote count` reads (docs/counting.md): each ballot becomes one
# verdict in memory, so a line such as `10000000000: 1` is refused, not tried.
MAX_ALTERNATIVES = 1_000
MAX_BALLOTS = 10_000_000


def parse_jsonl(lines: Iterable[str]) -> list[Any]:
    """One decoded vote per non-empty line; a line that is not JSON becomes the verdict
    invalid("malformed") in its place, as a ballot that cannot be read is still a ballot."""
    votes: list[Any] = []
    for line in lines:
        if not line.strip():
            continue
        try:
            votes.append(json.loads(line))
        except ValueError:
            votes.append(invalid(InvalidReason.MALFORMED))
    return votes


def jsonl_verdicts(
    votes: Iterable[Any], method: str, candidates: Sequence[str], rules: Rules
) -> list[Verdict]:
    return [
        vote if isinstance(vote, Verdict) else classify(vote, method, candidates, rules)
        for vote in votes
    ]


def candidates_named(votes: Iterable[Any]) -> tuple[str, ...]:
    """Every candidate id the votes name, sorted: the candidates of a JSON Lines file
    counted without a list of candidates (one nobody voted for cannot appear)."""
    named: set[str] = set()
    for vote in votes:
        if not isinstance(vote, dict):
            continue
        for field in (VoteKind.CHOICE, VoteKind.RANKING, VoteKind.APPROVE):
            value = vote.get(field)
            items = [value] if field == VoteKind.CHOICE else value
            if isinstance(items, list):
                named.update(item for item in items if isinstance(item, str))
    return tuple(sorted(named))


@dataclass(frozen=True)
class PrefLib:
    """A PrefLib election: candidates "1".."n" with their names, and each distinct line's
    ranking (already cut at its first tie) with its count, in file order."""

    title: str
    candidates: tuple[str, ...]
    names: dict[str, str]
    ballots: tuple[tuple[tuple[str, ...], int], ...]
    overvotes: int  # ballots with a tie, cut at it
    emptied: int  # of those, the ballots with a tie in first place: nothing left

    @property
    def total(self) -> int:
        return sum(n for _, n in self.ballots)

    @property
    def rankings(self) -> list[tuple[str, ...]]:
        """One ranking per ballot (the same tuple repeated for a line's count)."""
        return [ranking for ranking, n in self.ballots for _ in range(n)]


_HEADER = re.compile(r"#\s*([A-Z ]+?)\s*(?:([0-9]+)\s*)?:\s?(.*)")
_LINE = re.compile(r"\s*([0-9]+)\s*:(.*)")
_ITEM = re.compile(r"\s*(?:\{\s*([0-9]+(?:\s*,\s*[0-9]+)*)\s*\}|([0-9]+))\s*")


def parse_preflib(text: str) -> tuple[tuple[str, ...], list[tuple[str, ...]]]:
    """The candidate ids and one ranking per ballot (see `read_preflib`)."""
    election = read_preflib(text)
    return election.candidates, election.rankings


def read_preflib(text: str) -> PrefLib:
    """Read a `.soi`/`.toi` (or `.soc`/`.toc`) file. A tie inside a ballot is an
    overvote: the ballot is cut at its first tie, so a tie in first place leaves it empty."""
    size: int | None = None
    names: dict[str, str] = {}
    title = ""
    # line number, ranking, count, and every alternative the line names (ties included)
    lines: list[tuple[int, tuple[str, ...], int, set[str]]] = []
    overvotes = emptied = total = 0
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        if line.startswith("#"):
            header = _HEADER.fullmatch(line.rstrip())
            if header is None:
                continue  # a comment
            key, index, value = header.groups()
            if key == "NUMBER ALTERNATIVES":
                size = _number(value, number)
            elif key == "ALTERNATIVE NAME" and index is not None:
                names[str(int(index))] = value.strip()
            elif key == "TITLE":
                title = value.strip()
            continue
        match = _LINE.fullmatch(line)
        if match is None:
            raise FileError(f"line {number}: expected «count: ranking», found «{line[:60]}»")
        n = int(match.group(1))
        total += n
        if total > MAX_BALLOTS:
            raise FileError(
                f"line {number}: more than {MAX_BALLOTS:,} ballots in all; "
                "inmc-vote count reads elections up to that size"
            )
        groups = _groups(match.group(2), number)
        ranking = _cut(groups)
        if any(len(group) > 1 for group in groups):
            overvotes += n
            emptied += 0 if ranking else n
        lines.append((number, ranking, n, {c for group in groups for c in group}))
    if size is None:
        if not names:
            raise FileError("no «# NUMBER ALTERNATIVES» header: this is not a PrefLib file")
        size = len(names)
    if size > MAX_ALTERNATIVES:
        raise FileError(
            f"{size:,} alternatives; inmc-vote count reads elections of at most "
            f"{MAX_ALTERNATIVES:,}"
        )
    candidates = tuple(str(i) for i in range(1, size + 1))
    known = set(candidates)
    if not set(names) <= known:
        raise FileError(f"an ALTERNATIVE NAME header goes beyond the {size} alternatives")
    for number, _, _, named in lines:  # inside or after a tie too, not only the ranking kept
        stray = sorted(named - known, key=lambda c: (len(c), c))
        if stray:
            raise FileError(
                f"line {number}: alternative {stray[0]} is not among the {size} alternatives"
            )
    ballots = tuple((ranking, n) for _, ranking, n, _ in lines)
    return PrefLib(title, candidates, names, ballots, overvotes, emptied)


def _number(value: str, line: int) -> int:
    if not value.strip().isdigit():
        raise FileError(f"line {line}: «{value}» is not a number")
    return int(value)


def _groups(text: str, line: int) -> list[tuple[str, ...]]:
    """`1,{2,3},4` → [("1",), ("2", "3"), ("4",)]; the same alternative twice is an error."""
    if not text.strip():
        return []
    groups: list[tuple[str, ...]] = []
    position = 0
    while True:
        item = _ITEM.match(text, position)
        if item is None:
            raise FileError(f"line {line}: cannot read the ranking «{text.strip()[:60]}»")
        tied, single = item.groups()
        numbers = tied.split(",") if tied is not None else [single]
        groups.append(tuple(str(int(x)) for x in numbers))
        position = item.end()
        if position == len(text):
            break
        if text[position] != ",":
            raise FileError(f"line {line}: cannot read the ranking «{text.strip()[:60]}»")
        position += 1
    seen = [c for group in groups for c in group]
    if len(set(seen)) != len(seen):
        raise FileError(f"line {line}: an alternative appears twice in one ballot")
    return groups


def _cut(groups: list[tuple[str, ...]]) -> tuple[str, ...]:
    ranking: list[str] = []
    for group in groups:
        if len(group) > 1:
            break
        ranking.append(group[0])
    return tuple(ranking)


def preflib_verdicts(
    election: PrefLib, method: str, candidates: Sequence[str], rules: Rules
) -> list[Verdict]:
    """One verdict per ballot. Each ranking keeps the round's candidates only; then the
    method reads it: its first choice (plurality, exhaustive), every candidate in it
    (approval), or the ranking itself (irv, schulze). Nothing left: invalid, "empty"."""
    field = field_for(method)
    keep = set(candidates)
    verdicts: list[Verdict] = []
    for ranking, n in election.ballots:
        kept = [c for c in ranking if c in keep]
        if not kept:
            verdict = invalid(InvalidReason.EMPTY)
        else:
            vote = {"v": 1, field.value: kept[0] if field == VoteKind.CHOICE else kept}
            verdict = classify(vote, method, candidates, rules)
        verdicts.extend([verdict] * n)
    return verdicts


def detect_format(name: str, text: str) -> str:
    """ "preflib" or "jsonl": by the file name's extension, else by the first line."""
    lowered = name.lower()
    if lowered.endswith(PREFLIB_SUFFIXES):
        return "preflib"
    if lowered.endswith(JSONL_SUFFIXES):
        return "jsonl"
    first = next((line.strip() for line in text.splitlines() if line.strip()), "")
    if first.startswith("#") or _LINE.fullmatch(first):
        return "preflib"
    if first.startswith("{"):
        return "jsonl"
    raise FileError(
        "cannot tell the file's format: expected JSON Lines of votes "
        "(.jsonl) or a PrefLib election (.soi, .toi)"
    )

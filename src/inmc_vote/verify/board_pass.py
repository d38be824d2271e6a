"""One streamed pass over a round's board: chunks of lines go to the workers, and what
comes back is linked here (the chain between chunks, the credentials that voted, the
mix's input: the counted ballots' ciphertexts, in seq order)."""

from __future__ import annotations

import itertools
from array import array
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from inmc_vote.domain.counting.votes import Verdict
from inmc_vote.domain.protocol import bundle, tally
from inmc_vote.domain.protocol.credentials import fingerprint
from inmc_vote.verify import worker
from inmc_vote.verify.bundle_file import BundleError
from inmc_vote.verify.context import Audit, Replay, Round
from inmc_vote.verify.pool import Workers
from inmc_vote.verify.progress import Progress
from inmc_vote.verify.report import Problems
from inmc_vote.verify.worker import BoardTask, RoundTerms, check_board_chunk

CHUNK = 500  # board lines a task: a few tens of milliseconds of proofs and signatures
PASS_CODES = ("board", "ballots", "on-roll", "one-per-credential")


class Verdicts(Sequence[Verdict]):
    """Every vote's verdict, kept as how many of each: what `count` reads, in memory
    that grows with the number of different votes, not of ballots."""

    def __init__(self, counts: Counter[Verdict]) -> None:
        self._counts = counts
        self._total = sum(counts.values())

    def __len__(self) -> int:
        return self._total

    def __iter__(self) -> Iterator[Verdict]:
        for verdict, n in self._counts.items():
            yield from itertools.repeat(verdict, n)

    def __getitem__(self, index: Any) -> Any:  # not used by `count`; here to be a Sequence
        return list(self)[index]


@dataclass
class Pass:
    """What one pass over a round's board found."""

    count: int = 0
    last_hash: bytes | None = None
    latest: str | None = None
    problems: dict[str, Problems] = field(
        default_factory=lambda: {c: Problems() for c in PASS_CODES}
    )
    kept: dict[int, bytes] = field(default_factory=dict)  # lines receipts ask for, by seq
    # The mix's input: alpha ‖ beta of each counted entry, in seq order (64 bytes a
    # ballot, one ballot per credential at most: it grows with the electorate).
    counted: bytearray = field(default_factory=bytearray)

    def mix_input(self) -> list[tuple[bytes, bytes]]:
        data = self.counted
        return [
            (bytes(data[i : i + 32]), bytes(data[i + 32 : i + 64])) for i in range(0, len(data), 64)
        ]


def read_round_files(audit: Audit, found: Round, record_problems: Problems) -> Problems:
    """The round's seal and tally record, read before its board; returns the seal's problems."""
    seal_problems = Problems()
    if found.head.sealed:
        try:
            found.seal = bundle.SealFile.from_bytes(audit.bundle.read(found.member("seal.json")))
        except (BundleError, ValueError) as error:
            seal_problems.add(str(error))
    if found.head.tallied:
        try:
            data = audit.bundle.read(found.member("tally.json"))
            found.record = bundle.canonical_object(data, found.member("tally.json"))
            found.record_bytes, found.record_hash = data, tally.record_hash(data)
        except (BundleError, ValueError) as error:
            record_problems.add(str(error))
    return seal_problems


def _terms(found: Round, replay: Replay) -> RoundTerms:
    """What the round's chunks are checked against."""
    manifest = found.manifest
    return RoundTerms(
        manifest_hash=found.manifest_hash,
        election_key=manifest.keys.election,
        opens_at=manifest.opens_at,
        watched=frozenset(replay.revoked),
    )


def board_pass(
    audit: Audit,
    found: Round,
    replay: Replay,
    workers: Workers,
    progress: Progress,
    wanted: set[int],
) -> Pass:
    done = Pass()
    terms = _terms(found, replay)

    def tasks() -> Iterator[BoardTask]:
        chunk: list[bytes] = []
        seq = 1
        for line in audit.bundle.lines(found.member("board.jsonl")):
            if seq in wanted:
                done.kept[seq] = line
            chunk.append(line)
            seq += 1
            if len(chunk) == CHUNK:
                yield BoardTask(terms, seq - len(chunk), chunk)
                chunk = []
        if chunk:
            yield BoardTask(terms, seq - len(chunk), chunk)

    seen = bytearray(audit.roll_size)
    seen_added: set[bytes] = set()
    prev: bytes | None = found.manifest_hash
    try:
        for chunk in workers.map(check_board_chunk, tasks()):
            if chunk.first_prev is not None and prev is not None and chunk.first_prev != prev:
                done.problems["board"].add(
                    f"entry {chunk.first_seq:,} does not follow entry {chunk.first_seq - 1:,}"
                )
            prev = chunk.last_hash
            for code, n in chunk.found.counts.items():
                done.problems[code].absorb(n, chunk.found.quoted.get(code, []))
            _mark_voted(chunk.first_seq, chunk.positions, seen, audit, done)
            excluded: set[int] = set()
            for seq, credential, at in chunk.others:
                _check_other(seq, credential, at, found, replay, seen_added, done)
                if _revoked_by(credential, found, replay):
                    excluded.add(seq)
            _add_counted(chunk, excluded, done)
            if chunk.latest is not None:
                done.latest = max(done.latest or chunk.latest, chunk.latest)
            done.count += chunk.count
            progress.step(f"{found.name} board", chunk.count)
    except BundleError as error:
        done.problems["board"].add(str(error))
    done.last_hash = prev
    return done


def _revoked_by(credential: bytes, found: Round, replay: Replay) -> bool:
    """A credential revoked in this round or an earlier one: its ballot is not counted
    (and fails `on-roll`: the server refuses it)."""
    revoked = replay.revoked.get(credential)
    return revoked is not None and found.number >= revoked[1]


def _add_counted(chunk: worker.BoardChunk, excluded: set[int], done: Pass) -> None:
    """The chunk's ciphertexts, but those of revoked credentials, join the mix's input."""
    if not excluded:
        done.counted += chunk.ciphertexts
        return
    for offset in range(chunk.count):
        if chunk.first_seq + offset not in excluded:
            done.counted += chunk.ciphertexts[64 * offset : 64 * offset + 64]


def _mark_voted(first: int, positions: bytes, seen: bytearray, audit: Audit, done: Pass) -> None:
    """One ballot per credential: a mark per credential of the roll, set once."""
    found = array("i")
    found.frombytes(positions)
    for offset, position in enumerate(found):
        if position < 0:
            continue
        if seen[position]:
            key = audit.roll_keys[32 * position : 32 * position + 32]
            done.problems["one-per-credential"].add(
                f"entry {first + offset:,} is a second ballot of credential {fingerprint(key)}"
            )
        seen[position] = 1


def _check_other(
    seq: int,
    credential: bytes,
    at: str,
    found: Round,
    replay: Replay,
    seen_added: set[bytes],
    done: Pass,
) -> None:
    """A ballot whose credential is not on the initial roll, or was revoked: was it on the
    roll, as the event log replays it, when the ballot was received? Rounds order what
    happened in different rounds; within a round, a ballot comes no earlier than its
    credential's addition, and a credential revoked in a round has no ballot in it (one
    that had voted in the round could not be revoked in it) nor in any later round."""
    on_roll = done.problems["on-roll"]
    who = fingerprint(credential) if len(credential) == 32 else "(not a key)"
    if worker.roll_position(credential) < 0:
        if credential in seen_added:
            done.problems["one-per-credential"].add(
                f"entry {seq:,} is a second ballot of credential {who}"
            )
        seen_added.add(credential)
        added = replay.added.get(credential)
        if added is None:
            on_roll.add(f"entry {seq:,}'s credential {who} is not on the roll")
        elif (found.number, at) < (added[1], added[0]):
            on_roll.add(f"entry {seq:,} was received at {at}, before {who} was added")
    if credential in replay.revoked:
        revoked_at, revoked_round = replay.revoked[credential]
        if found.number >= revoked_round:
            on_roll.add(
                f"entry {seq:,}'s credential {who} was revoked in round {revoked_round} (at "
                f"{revoked_at}): it cannot vote in that round or after"
            )

"""One streamed pass over a round's board (and its outcome lines, once the tally is
published): chunks of lines go to the workers, and what comes back is linked here (the
chain between chunks, the credentials that voted, the verdicts' counts)."""

from __future__ import annotations

import hashlib
import itertools
from array import array
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from inmc_vote.domain.counting.votes import Verdict
from inmc_vote.domain.protocol import bundle, keys, tally, vote
from inmc_vote.domain.protocol.credentials import fingerprint
from inmc_vote.domain.protocol.encoding import from_b64url
from inmc_vote.verify import worker
from inmc_vote.verify.bundle_file import BundleError
from inmc_vote.verify.context import Audit, Replay, Round
from inmc_vote.verify.pool import Workers
from inmc_vote.verify.progress import Progress
from inmc_vote.verify.report import Problems
from inmc_vote.verify.worker import BoardTask, RoundTerms, check_board_chunk

CHUNK = 500  # board lines a task: a few tens of milliseconds of signatures and decryptions
PASS_CODES = ("board", "signatures", "on-roll", "one-per-credential", "decryptions", "verdicts")


class Verdicts(Sequence[Verdict]):
    """Every ballot's verdict, kept as how many of each: what `count` reads, in memory
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
    verdicts: Counter[Verdict] = field(default_factory=Counter)
    outcomes_count: int = 0
    outcomes_hash: bytes = b""
    kept: dict[int, bytes] = field(default_factory=dict)  # lines receipts ask for, by seq
    undecrypted: str = ""  # why the ballots were not decrypted again, when they were not


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


def _terms(found: Round, replay: Replay, done: Pass) -> RoundTerms:
    """What the round's chunks are checked against; `done.undecrypted` says why the
    ballots cannot be decrypted again, when the tally is in the bundle but cannot be used."""
    manifest = found.manifest
    tally_key = None
    try:
        if found.record is not None:
            tally_key = from_b64url(found.record.get("tally_key"))
            keys.x25519_private_key(tally_key)
    except (TypeError, ValueError) as error:
        tally_key = None
        if found.record is not None:
            done.undecrypted = f"nothing was decrypted: {error}"
    if found.head.tallied and found.record is None:
        done.undecrypted = "nothing was decrypted: the tally record cannot be read"
    return RoundTerms(
        manifest_hash=found.manifest_hash,
        ciphertext_size=vote.ciphertext_size(manifest.vote_size),
        opens_at=manifest.opens_at,
        watched=frozenset(replay.revoked),
        tally_key=tally_key,
        method=manifest.method,
        candidates=manifest.candidate_ids,
        rules=manifest.rules,
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
    terms = _terms(found, replay, done)
    outcomes = hashlib.sha256()
    with_outcomes = found.record is not None

    def tasks() -> Iterator[BoardTask]:
        lines = audit.bundle.lines(found.member("board.jsonl"))
        outs = audit.bundle.lines(found.member("outcomes.jsonl")) if with_outcomes else iter(())
        chunk: list[bytes] = []
        chunk_outs: list[bytes | None] = []
        seq = 1
        for line, out in itertools.zip_longest(lines, outs):
            if out is not None:
                outcomes.update(out)
                done.outcomes_count += 1
            if line is None:
                continue
            if seq in wanted:
                done.kept[seq] = line
            chunk.append(line)
            chunk_outs.append(out)
            seq += 1
            if len(chunk) == CHUNK:
                yield BoardTask(terms, seq - len(chunk), chunk, _outs(chunk_outs, terms))
                chunk, chunk_outs = [], []
        if chunk:
            yield BoardTask(terms, seq - len(chunk), chunk, _outs(chunk_outs, terms))

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
            for seq, credential, at in chunk.others:
                _check_other(seq, credential, at, found, replay, seen_added, done)
            done.verdicts.update(chunk.verdicts)
            if chunk.latest is not None:
                done.latest = max(done.latest or chunk.latest, chunk.latest)
            done.count += chunk.count
            progress.step(f"{found.name} board", chunk.count)
    except BundleError as error:
        done.problems["board"].add(str(error))
    done.last_hash = prev
    done.outcomes_hash = outcomes.digest()
    return done


def _outs(chunk_outs: list[bytes | None], terms: RoundTerms) -> list[bytes | None] | None:
    return chunk_outs if terms.tally_key is not None else None


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

"""Benchmark: the server's tally of a closed round against what it cannot skip.

Builds a real ballot in a fresh SQLite file through the services, as the tests do
(tests/voting_helpers.py `open_ballot_now`: N member cities, two candidacies, the
trustees' key ceremony, 3 trustees and threshold 2, by tests/factories.py
`complete_ceremony_async`, freeze, tokens, open). Puts one real v2 ballot per token on
its board (`ballot.build`: choices, blanks and a few unknown-candidate payloads), chained
exactly as actions/casting.py chains them but written in bulk: casting through the
service takes about 19 ms a ballot on this machine, and casting is not what is measured.
Closes the round; trustees 1 and 2 shuffle and decrypt with the trustee tool's own code
(tools/mixing.py `make_shuffle`, `make_decryption`), each message taken by the server's
action (`add_shuffle`, `add_decryption`, which check its proof). None of this is timed.

Then, `--rounds` times, each on a fresh copy of that database: the ceiling, the tally
(Action.TALLY through `actions.lifecycle.perform`, services/steps/tallying.py), the
ceiling again; the least of each is kept (the run the shared machine disturbed least).
The ceiling is what the tally cannot skip, on the same stored factors: their combination
(`decryption.combine`, t = 2), reading and judging each plaintext point
(`tally.judge`: the payload's extraction and decoding, its verdict) and the count
(`counting.count`). The ratio says what the tally costs on top: reading the mix from the
database, the vote lines and their rows, the record and its signature.

    .venv/bin/python bench/tally_bench.py [--ballots N] [--rounds R]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import insert

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "src")]

from tests import factories as f  # noqa: E402
from tests import voting_helpers as helpers  # noqa: E402

from inmc_vote.db.engine import Database  # noqa: E402
from inmc_vote.db.migrate import upgrade  # noqa: E402
from inmc_vote.db.models import BoardEntry  # noqa: E402
from inmc_vote.domain.counting import count  # noqa: E402
from inmc_vote.domain.lifecycle import Action  # noqa: E402
from inmc_vote.domain.protocol import ballot, board, credentials, decryption, lot  # noqa: E402
from inmc_vote.domain.protocol import payload as payloads  # noqa: E402
from inmc_vote.domain.protocol import tally as tallies  # noqa: E402
from inmc_vote.domain.protocol.encoding import from_b64url, rfc3339_ms  # noqa: E402
from inmc_vote.domain.protocol.shuffle import Ciphertext  # noqa: E402
from inmc_vote.services import actions, queries  # noqa: E402
from inmc_vote.services.actions.lifecycle import ActionRequest  # noqa: E402
from inmc_vote.services.steps import mixnet  # noqa: E402
from inmc_vote.tools import mixing as trustee_tool  # noqa: E402

SECRET = helpers.SECRET_KEY  # open_ballot_now's at-rest key
TRUSTEES = (1, 2)  # who shuffles and who decrypts (threshold 2 of 3)


def load() -> str:
    path = Path("/proc/loadavg")
    return path.read_text().split(" ")[0] if path.exists() else "?"


def sqlite_url(path: Path) -> str:
    return f"sqlite+aiosqlite:///{path}"


@dataclass(frozen=True)
class Times:
    """When each step happens: voting opens at `opened` (two hours ago), closes early."""

    opened: datetime

    def at(self, minutes: float) -> datetime:
        return self.opened + timedelta(minutes=minutes)


def vote_payload(i: int, ids: list[str]) -> bytes:
    """Votes of every kind the tally reads: 3 in 7 for the first candidate, 2 for the
    second, 1 blank, 1 for a candidate the round does not have (no tie, so no lot)."""
    kind = i % 7
    if kind == 6:
        return helpers.UNKNOWN_CANDIDATE
    if kind == 3:
        return payloads.encode({"v": 1, "blank": True}, ids)
    return payloads.encode({"v": 1, "choice": ids[0 if kind in (0, 2, 5) else 1]}, ids)


async def cast_in_bulk(db: Database, opened: helpers.OpenedBallot, when: Times) -> int:
    """One ballot per token on round 1's board, chained as casting chains them."""
    async with db.read() as session:
        stated = (await mixnet.round_mix(session, opened.ballot_id, 1)).manifest
    ids = list(stated.candidate_ids)
    entries, prev = [], opened.manifest_hash
    for seq, token in enumerate(opened.tokens, start=1):
        _, seed = credentials.parse_token(token, opened.ballot_id)
        cast = ballot.build(
            opened.manifest_hash, stated.keys.election, seed, vote_payload(seq - 1, ids)
        )
        received_at = rfc3339_ms(when.at(0) + timedelta(seconds=1, milliseconds=seq))
        canonical = cast.canonical()
        tracker = board.tracker_of(canonical)
        digest = board.entry_hash(prev, seq, received_at, tracker)
        entries.append(
            {
                "ballot_id": opened.ballot_id,
                "round": 1,
                "seq": seq,
                "received_at": received_at,
                "credential": cast.credential,
                "ballot": canonical,
                "tracker": tracker,
                "alpha": cast.alpha,
                "beta": cast.beta,
                "prev": prev,
                "hash": digest,
            }
        )
        prev = digest
    async with db.write() as session:
        for start in range(0, len(entries), 2_000):
            await session.execute(insert(BoardEntry), entries[start : start + 2_000])
    return len(entries)


async def last_list(db: Database, ballot_id: str) -> tuple[mixnet.RoundMix, list[Ciphertext]]:
    async with db.read() as session:
        mix = await mixnet.round_mix(session, ballot_id)
        return mix, await mixnet.last_output(session, mix)


async def mix_and_decrypt(db: Database, ballot_id: str, now: datetime) -> None:
    """Trustees 1 and 2 shuffle, then decrypt, with the trustee tool's code; the server's
    actions take (and check) each message."""
    files = {x.trustee: x for x in f.trustee_files(None, ballot_id)}
    for index in TRUSTEES:
        mix, cts = await last_list(db, ballot_id)
        body = await asyncio.to_thread(
            lambda mix=mix, cts=cts, index=index: trustee_tool.make_shuffle(
                ballot_id=ballot_id,
                round_number=mix.round,
                index=len(mix.shuffles) + 1,
                manifest_hash=mix.manifest_hash,
                election_key=mix.election_key,
                cts_in=cts,
                secrets=trustee_tool.secrets_of(files[index]),
            )
        )
        await actions.mixing.add_shuffle(db, ballot_id, files[index].invitation, body, now)
    mix, cts = await last_list(db, ballot_id)
    for index in TRUSTEES:
        body = trustee_tool.make_decryption(
            ballot_id=ballot_id,
            round_number=mix.round,
            manifest_hash=mix.manifest_hash,
            verification_key=mix.trustees.member(index).verification_key,
            cts=cts,
            secrets=trustee_tool.secrets_of(files[index]),
        )
        await actions.decrypting.add_decryption(db, ballot_id, files[index].invitation, body, now)


async def closed_round(url: str, n: int, when: Times) -> str:
    """A ballot of n cities, each of whom voted, closed, shuffled and decrypted by two
    trustees: ready for the tally. Returns its id."""
    opened = await helpers.open_ballot_now(url, n, when.opened)
    db = Database(url, at_rest_key=SECRET)
    try:
        await cast_in_bulk(db, opened, when)
        await actions.lifecycle.perform(
            db,
            f.ORGANISER,
            opened.ballot_id,
            Action.CLOSE,
            ActionRequest(when.at(30), "Every city has voted."),
        )
        await mix_and_decrypt(db, opened.ballot_id, when.at(35))
    finally:
        await db.dispose()
    return opened.ballot_id


async def tally(url: str, ballot_id: str, now: datetime) -> float:
    """Seconds the tally action takes (the database already open)."""
    db = Database(url, at_rest_key=SECRET)
    try:
        started = time.perf_counter()
        await actions.lifecycle.perform(
            db, f.ORGANISER, ballot_id, Action.TALLY, ActionRequest(now)
        )
        took = time.perf_counter() - started
        (found,) = await queries.results.tallied_rounds(db, ballot_id, include_unpublished=True)
    finally:
        await db.dispose()
    result, n = found.result, found.record["votes"]["count"]
    assert (result.turnout, result.blank, result.invalid) == (n, (n + 3) // 7, n // 7), result
    return took


# --- the ceiling -----------------------------------------------------------------------


@dataclass(frozen=True)
class Stored:
    """What the tally reads, read here untimed: the last shuffle's output, the factors,
    the round's counting settings and the lot seed."""

    cts: list[Ciphertext]
    factors: dict[int, tuple[bytes, ...]]
    threshold: int
    method: str
    candidates: tuple[str, ...]
    rules: Any
    eligible: int
    seed: bytes


async def stored(url: str, ballot_id: str) -> Stored:
    db = Database(url, at_rest_key=SECRET)
    try:
        async with db.read() as session:
            mix = await mixnet.round_mix(session, ballot_id)
            cts = await mixnet.last_output(session, mix)
            messages = [
                json.loads(await mixnet.decryption_bytes(session, ballot_id, 1, d.trustee))
                for d in mix.decryptions
            ]
    finally:
        await db.dispose()
    assert mix.seal is not None
    factors = {
        m["trustee"]: tuple(from_b64url(x["factor"]) for x in m["factors"]) for m in messages
    }
    reveals = {m["trustee"]: from_b64url(m["lot_reveal"]) for m in messages}
    stated = mix.manifest
    return Stored(
        cts,
        factors,
        mix.threshold,
        stated.method,
        tuple(stated.candidate_ids),
        stated.rules,
        stated.eligible,
        lot.seed(mix.seal.head, reveals),
    )


def ceiling(s: Stored) -> tuple[float, float, float]:
    """Seconds to combine the factors, to read and judge the points, and to count."""
    started = time.perf_counter()
    points = decryption.combine(s.cts, s.factors, s.threshold)
    combined = time.perf_counter()
    judged = [
        tallies.judge(p, method=s.method, candidates=s.candidates, rules=s.rules) for p in points
    ]
    read = time.perf_counter()
    count(
        s.method,
        s.candidates,
        s.rules,
        [one.verdict for one in judged],
        eligible=s.eligible,
        seed=s.seed,
    )
    return combined - started, read - combined, time.perf_counter() - read


def copy_database(source: Path, target: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        if Path(f"{source}{suffix}").exists():
            shutil.copyfile(f"{source}{suffix}", f"{target}{suffix}")


def main(n: int, rounds: int) -> None:
    print(f"tally_bench: load {load()} (1-minute average, /proc/loadavg), one core")
    when = Times(datetime.now(UTC).replace(microsecond=0) - timedelta(hours=2))
    with tempfile.TemporaryDirectory(prefix="inmc-bench-") as folder:
        closed = Path(folder) / "closed.sqlite3"
        upgrade(sqlite_url(closed))
        started = time.perf_counter()
        ballot_id = asyncio.run(closed_round(sqlite_url(closed), n, when))
        print(
            f"built: {n:,} cities voted, closed, shuffled and decrypted by trustees 1 and 2 "
            f"in {time.perf_counter() - started:.0f} s (not timed)"
        )
        data = asyncio.run(stored(sqlite_url(closed), ballot_id))
        bare: list[tuple[float, float, float]] = []
        took: list[float] = []
        for i in range(rounds):
            bare.append(ceiling(data))
            copy = Path(folder) / f"tally-{i}.sqlite3"
            copy_database(closed, copy)
            took.append(asyncio.run(tally(sqlite_url(copy), ballot_id, when.at(40))))
            bare.append(ceiling(data))
    combine_s, judge_s, count_s = min(bare, key=sum)
    least, real = combine_s + judge_s + count_s, min(took)
    print(f"\ntally of {n:,} ballots (3 trustees, t = 2); the least of {rounds} rounds")
    print(
        f"  ceiling: combine {combine_s:.3f} s + read and judge {judge_s:.3f} s "
        f"+ count {count_s:.3f} s {least:8.3f} s"
    )
    print(f"  {'tally (Action.TALLY, services/steps/tallying.py)':<58} {real:8.3f} s")
    print(f"  {'ratio tally / ceiling:':<58} {real / least:8.2f}")
    rounds_s = ", ".join(f"{t:.3f}" for t in took)
    print(f"  ({1000 * real / n:.3f} ms a ballot; the tally in each round: {rounds_s} s)")
    print(f"\nload at the end: {load()}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ballots", type=int, default=3_000, help="ballots (default 3,000)")
    parser.add_argument("--rounds", type=int, default=3, help="rounds of each (default 3)")
    arguments = parser.parse_args()
    main(arguments.ballots, arguments.rounds)

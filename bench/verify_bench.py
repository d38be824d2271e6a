"""How fast `inmc-vote verify` checks an exported bundle, against the crypto it cannot skip.

Builds a ballot of N cities through the services exactly as bench/tally_bench.py does
(tests/voting_helpers.py `open_ballot_now` with the trustees' ceremony, 3 trustees and
threshold 2; one v2 ballot per token written to the board in bulk, chained as casting
chains them; closed; trustees 1 and 2 shuffle and decrypt through the server's actions),
tallies and publishes the round, and exports its audit bundle with the server's own code
(queries/audit_bundle.py, what GET /api/v1/ballots/ID/audit sends). Not timed.

Then, `--rounds` times: the ceiling on one core, `inmc-vote verify BUNDLE --jobs 1`,
`inmc-vote verify BUNDLE` (every core), the ceiling on every core; the least of each is
kept. The command runs as a user runs it, in a fresh interpreter (its start and imports,
printed apart, included). The ceiling is the cryptography the verifier cannot skip, on
the bundle's own content (read and parsed beforehand, not timed): each ballot's proof and
signature (`ballot.check`), each shuffle's proof (`shuffle.verify`), each trustee's
decryption with its proofs (`decryption.read_decryption`) and their combination
(`decryption.combine`). On every core: the ballots in chunks and the decryptions in a
pool of processes, `shuffle.verify` with `workers`, as the verifier does. Not in the
ceiling: the roll's N registrar signatures, the event log, the hashes and the recount
(each small beside these). The verifier's peak resident memory (from wait4) is printed
for each N, to show it stays flat.

    python bench/verify_bench.py          # N = 1,000
    python bench/verify_bench.py --big    # N = 1,000 and 10,000
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "bench"), str(ROOT), str(ROOT / "src")]

import tally_bench  # noqa: E402

from inmc_vote.db.engine import Database  # noqa: E402
from inmc_vote.db.migrate import upgrade  # noqa: E402
from inmc_vote.domain.lifecycle import Action  # noqa: E402
from inmc_vote.domain.protocol import ballot, board, decryption, manifest, mixing  # noqa: E402
from inmc_vote.domain.protocol import shuffle as shuffles  # noqa: E402
from inmc_vote.domain.protocol.shuffle import Ciphertext  # noqa: E402
from inmc_vote.services import actions, queries  # noqa: E402
from inmc_vote.services.actions.lifecycle import ActionRequest  # noqa: E402
from inmc_vote.verify.pool import default_jobs  # noqa: E402

ORGANISER = tally_bench.f.ORGANISER
CHUNK = 250  # ballots per task on every core


def load() -> str:
    return tally_bench.load()


# --- the bundle -----------------------------------------------------------------------


async def export(url: str, ballot_id: str, when: tally_bench.Times, path: Path) -> None:
    """Tally and publish the closed round, then write its audit bundle to `path`."""
    db = Database(url, at_rest_key=tally_bench.SECRET)
    try:
        for action, minutes in ((Action.TALLY, 40), (Action.PUBLISH, 45)):
            await actions.lifecycle.perform(
                db, ORGANISER, ballot_id, action, ActionRequest(when.at(minutes))
            )
        await actions.schedule.current(db, ballot_id, when.at(50))
        taken = await queries.audit_bundle.snapshot(db, ballot_id, when.at(50))
        await queries.audit_bundle.write_file(db, taken, path)
    finally:
        await db.dispose()


def build(n: int, folder: Path) -> Path:
    started = time.perf_counter()
    when = tally_bench.Times(datetime.now(UTC).replace(microsecond=0) - timedelta(hours=2))
    database = folder / f"ballot-{n}.sqlite3"
    url = tally_bench.sqlite_url(database)
    upgrade(url)
    path = folder / f"bundle-{n}.zip"

    async def made() -> None:
        ballot_id = await tally_bench.closed_round(url, n, when)
        await export(url, ballot_id, when, path)

    asyncio.run(made())
    database.unlink()
    print(
        f"built and exported {n:,} ballots in {time.perf_counter() - started:.0f} s "
        f"({path.stat().st_size:,} bytes; not timed)"
    )
    return path


# --- the ceiling ----------------------------------------------------------------------


@dataclass(frozen=True)
class Work:
    """The bundle's content the ceiling checks, read and parsed beforehand."""

    manifest_hash: bytes
    election_key: bytes
    stated: manifest.Manifest
    ballot_id: str
    ballots: list[ballot.Ballot]
    counted: list[Ciphertext]  # the board's ciphertexts, the first shuffle's input
    shuffles: list[mixing.ShuffleMessage]
    decryptions: dict[int, Any]  # trustee -> its message, as JSON


def read_work(path: Path) -> Work:
    with zipfile.ZipFile(path) as archive:
        data = archive.read("round-1/manifest.json")
        stated = manifest.Manifest.parse(data)
        entries = [
            board.Entry.from_json(json.loads(line))
            for line in archive.read("round-1/board.jsonl").splitlines()
        ]
        names = archive.namelist()
        shuffle_files = sorted(
            (n for n in names if n.startswith("round-1/shuffle-")),
            key=lambda n: int(n.split("-")[-1].split(".")[0]),
        )
        found = [mixing.read_shuffle(archive.read(n)) for n in shuffle_files]
        decryptions = {}
        for name in names:
            if name.startswith("round-1/decryption-"):
                message = json.loads(archive.read(name))
                decryptions[message["trustee"]] = message
    ballots = [ballot.Ballot.parse(e.ballot_json()) for e in entries]
    assert found
    assert len(decryptions) >= stated.trustees.threshold
    return Work(
        manifest.manifest_hash(data),
        stated.keys.election,
        stated,
        stated.ballot,
        ballots,
        [(b.alpha, b.beta) for b in ballots],
        found,
        decryptions,
    )


def check_ballots(mh: bytes, y: bytes, chunk: list[ballot.Ballot]) -> int:
    for one in chunk:
        ballot.check(one, mh, y)
    return len(chunk)


def read_one(message: Any, work: Decrypting, trustee: int) -> list[bytes]:
    return list(
        decryption.read_decryption(
            message,
            ballot=work.ballot_id,
            round=1,
            manifest_hash=work.manifest_hash,
            trustee_public=work.members[trustee],
            ciphertexts=work.cts,
        ).factors
    )


@dataclass(frozen=True)
class Decrypting:
    """What checking a decryption needs (sent to a worker)."""

    ballot_id: str
    manifest_hash: bytes
    members: dict[int, Any]
    cts: list[Ciphertext]


def combine_chunk(cts: list[Ciphertext], factors: dict[int, list[bytes]], t: int) -> int:
    return len(decryption.combine(cts, factors, t))


def ceiling(work: Work, jobs: int) -> None:
    """Every ballot's check, every shuffle's proof, every decryption and the combination;
    on `jobs` processes when more than one (no pool of ours alive while `shuffle.verify`
    starts its own, as in the verifier: it forks only a process with no other thread)."""
    mh, y = work.manifest_hash, work.election_key
    chunks = [work.ballots[i : i + CHUNK] for i in range(0, len(work.ballots), CHUNK)]
    if jobs == 1:
        checked = sum(check_ballots(mh, y, chunk) for chunk in chunks)
    else:
        with ProcessPoolExecutor(jobs, mp_context=_context()) as pool:
            checked = sum(pool.map(check_ballots, [mh] * len(chunks), [y] * len(chunks), chunks))
    assert checked == len(work.ballots)
    cts = work.counted
    for message in work.shuffles:
        output = list(message.output)
        assert shuffles.verify(mh, y, cts, output, message.proof, workers=jobs)
        cts = output
    trustees = sorted(work.decryptions)
    task = Decrypting(
        work.ballot_id, mh, {t: work.stated.trustees.member(t) for t in trustees}, cts
    )
    threshold = work.stated.trustees.threshold
    if jobs == 1:
        factors = {t: read_one(work.decryptions[t], task, t) for t in trustees}
        combined = combine_chunk(cts, factors, threshold)
    else:
        with ProcessPoolExecutor(jobs, mp_context=_context()) as pool:
            futures = {t: pool.submit(read_one, work.decryptions[t], task, t) for t in trustees}
            factors = {t: future.result() for t, future in futures.items()}
            starts = range(0, len(cts), CHUNK)
            combined = sum(
                pool.map(
                    combine_chunk,
                    [cts[i : i + CHUNK] for i in starts],
                    [{t: f[i : i + CHUNK] for t, f in factors.items()} for i in starts],
                    [threshold] * len(starts),
                )
            )
    assert combined == len(cts)


def _context() -> multiprocessing.context.BaseContext:
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("fork" if "fork" in methods else "spawn")


# --- the command ----------------------------------------------------------------------


def environment() -> dict[str, str]:
    paths = [str(ROOT / "src"), os.environ.get("PYTHONPATH", "")]
    return dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in paths if p))


def run_verify(path: Path, jobs: int) -> int:
    """`inmc-vote verify BUNDLE --jobs N` in a fresh interpreter, which must pass; its
    peak resident memory in kB (wait4: the command and its workers, the largest)."""
    command = [sys.executable, "-m", "inmc_vote.verify", str(path), "--jobs", str(jobs)]
    process = subprocess.Popen(  # noqa: S603 (this interpreter, the project's own command)
        command, env=environment(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    assert process.stdout is not None
    output = process.stdout.read()
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    assert process.returncode == 0, output.decode()
    return usage.ru_maxrss


def startup() -> float:
    """Seconds for a fresh interpreter to start and import the verifier."""
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-c", "import inmc_vote.verify.run"], env=environment(), check=True
    )
    return time.perf_counter() - started


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    started = time.perf_counter()
    result = fn()
    return time.perf_counter() - started, result


def run(path: Path, n: int, jobs: int, rounds: int) -> int:
    work = read_work(path)
    assert len(work.ballots) == n
    spent: dict[str, list[float]] = {"bare 1": [], "verify 1": [], "verify N": [], "bare N": []}
    peak = 0
    for _ in range(rounds):
        spent["bare 1"].append(timed(lambda: ceiling(work, 1))[0])
        took, _memory = timed(lambda: run_verify(path, 1))
        spent["verify 1"].append(took)
        took, memory = timed(lambda: run_verify(path, jobs))
        spent["verify N"].append(took)
        peak = max(peak, memory)
        spent["bare N"].append(timed(lambda: ceiling(work, jobs))[0])
    least = {k: min(v) for k, v in spent.items()}
    start = min(startup() for _ in range(3))
    print(
        f"\nN = {n:,} ballots, {len(work.shuffles)} shuffles, {len(work.decryptions)} "
        f"decryptions (3 trustees, t = 2); the least of {rounds} rounds"
    )
    rows = (
        ("ceiling, 1 core", "bare 1"),
        ("inmc-vote verify --jobs 1", "verify 1"),
        (f"inmc-vote verify ({jobs} cores)", "verify N"),
        (f"ceiling, {jobs} cores", "bare N"),
    )
    for label, key in rows:
        print(f"  {label:<58} {least[key]:8.2f} s")
    print(f"  (of each command: {start:.2f} s to start the interpreter and import the verifier)")
    print(f"  {'ratio verify --jobs 1 / ceiling, 1 core:':<58} {_ratio(least, '1', '1'):8.2f}")
    print(
        f"  {f'ratio verify ({jobs} cores) / ceiling, {jobs} cores:':<58} "
        f"{_ratio(least, 'N', 'N'):8.2f}"
    )
    print(
        f"  {f'ratio verify ({jobs} cores) / ceiling, 1 core:':<58} {_ratio(least, 'N', '1'):8.2f}"
    )
    print(
        f"  verified {n / least['verify N']:,.0f} ballots/s; verifier's peak {peak / 1024:.0f} MB"
    )
    return peak


def _ratio(least: dict[str, float], verify: str, bare: str) -> float:
    return least[f"verify {verify}"] / least[f"bare {bare}"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--big", action="store_true", help="also N = 10,000")
    parser.add_argument("--n", type=int, default=1_000, help="ballots (default 1,000)")
    parser.add_argument("--jobs", type=int, default=default_jobs(), help="cores (default: all)")
    parser.add_argument("--rounds", type=int, default=2, help="rounds of each (default 2)")
    args = parser.parse_args()
    print(f"verify_bench: load {load()} (1-minute average, /proc/loadavg), {args.jobs} cores")
    sizes = (args.n, 10_000) if args.big else (args.n,)
    peaks = {}
    with tempfile.TemporaryDirectory(prefix="inmc-bench-") as folder:
        for n in sizes:
            path = build(n, Path(folder))
            peaks[n] = run(path, n, args.jobs, args.rounds)
            path.unlink()
    if len(peaks) > 1:
        shown = ", ".join(f"{n:,} ballots {kb / 1024:.0f} MB" for n, kb in peaks.items())
        print(f"\nverifier's peak resident memory: {shown}")
    print(f"\nload at the end: {load()}")


if __name__ == "__main__":
    main()

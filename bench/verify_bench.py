"""How fast `inmc-vote verify` is against its ceiling, and whether its memory stays flat.

Builds a tallied bundle of N ballots (and one of N/4) straight from protocol code, then:
- times the verifier on every core, and the ceiling measured in the same run: the bare
  Ed25519 checks of the same N ballot signatures (one core, and every core), and the
  bare cryptography the verifier cannot skip (per ballot: its signature, its roll line's
  signature, its decryption);
- measures the verifier's peak memory (its process and its workers, each in a fresh
  interpreter) for N/4 and N ballots.

    python bench/verify_bench.py            # N = 20,000
    python bench/verify_bench.py --n 4000   # quicker
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import subprocess
import sys
import tempfile
import time
import zipfile
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "src")]

from inmc_vote.domain.protocol import bundle, keys, vote  # noqa: E402
from inmc_vote.domain.protocol.credentials import RollLine, credential_message  # noqa: E402
from inmc_vote.domain.protocol.encoding import from_b64url, sha256  # noqa: E402
from inmc_vote.verify import verify  # noqa: E402
from inmc_vote.verify.pool import default_jobs  # noqa: E402

CHOICES = [{"v": 1, "choice": c} for c in ("lyon", "porto", "turin", "lyon")] + [
    {"v": 1, "blank": True}
]


def build(n: int, path: Path) -> Path:
    from tests.unit.audit import builder

    started = time.perf_counter()
    model = builder.honest([CHOICES[i % len(CHOICES)] for i in range(n)])
    model.write(path)
    took = time.perf_counter() - started
    print(f"built {n:,} ballots in {took:.1f} s ({path.stat().st_size:,} bytes)")
    return path


# --- the ceiling ---------------------------------------------------------------------


def _ballot_checks(work: list[tuple[bytes, bytes, bytes]]) -> int:
    return sum(keys.verify(pk, sig, message) for pk, sig, message in work)


def _crypto(work: list[tuple[bytes, bytes, bytes, bytes, bytes, bytes, bytes]]) -> int:
    done = 0
    for pk, sig, message, roll_sig, roll_message, registrar, opened in work:
        done += keys.verify(pk, sig, message)
        done += keys.verify(registrar, roll_sig, roll_message)
        tally_key, manifest_hash, ciphertext = opened[:32], opened[32:64], opened[64:]
        vote.decrypt(ciphertext, tally_key, manifest_hash, pk)
    return done


def ceiling_work(path: Path) -> tuple[list, list]:
    """The ballots' signature checks, and the same with their roll lines and decryptions."""
    with zipfile.ZipFile(path) as archive:
        manifest = json.loads(archive.read("round-1/manifest.json"))
        digest = sha256(archive.read("round-1/manifest.json"))
        record = json.loads(archive.read("round-1/tally.json"))
        roll = {}
        for line in archive.read("roll.jsonl").splitlines():
            parsed = RollLine.from_json(json.loads(line))
            roll[parsed.pk] = parsed.sig
        entries = [
            bundle.read_board_line(line)
            for line in archive.read("round-1/board.jsonl").splitlines(keepends=True)
        ]
    ballot_id = manifest["ballot"]
    registrar = from_b64url(manifest["keys"]["registrar"])
    tally_key = from_b64url(record["tally_key"])
    checks = [
        (e.credential, e.signature, vote.signed_message(digest, e.credential, e.ciphertext))
        for e in entries
    ]
    crypto = [
        (
            *check,
            roll[e.credential],
            credential_message(ballot_id, e.credential),
            registrar,
            tally_key + digest + e.ciphertext,
        )
        for check, e in zip(checks, entries, strict=True)
    ]
    return checks, crypto


def timed(label: str, fn, *args) -> float:
    started = time.perf_counter()
    fn(*args)
    took = time.perf_counter() - started
    print(f"  {label:<58} {took:8.2f} s")
    return took


def on_every_core(fn, work: list, jobs: int) -> None:
    size = 500
    chunks = [work[i : i + size] for i in range(0, len(work), size)]
    with ProcessPoolExecutor(jobs, mp_context=multiprocessing.get_context("spawn")) as pool:
        list(pool.map(fn, chunks))


# --- memory --------------------------------------------------------------------------

MEMORY_PROBE = """
import resource, sys, tracemalloc
from inmc_vote.verify import verify  # noqa: E402
tracemalloc.start()
report = verify(sys.argv[1], jobs=int(sys.argv[2]))
assert report.ok, report.text()
python_peak = tracemalloc.get_traced_memory()[1] // 1024
# VmHWM starts again at exec (ru_maxrss would carry the parent's over on Linux)
status = open("/proc/self/status").read().split("VmHWM:")[1].split()[0]
workers = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print(status, workers, python_peak)
"""


def peak_memory(path: Path, jobs: int) -> tuple[int, int, int]:
    """(verifier process resident, largest worker resident, Python objects) peaks, in kB."""
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"))
    done = subprocess.run(  # noqa: S603 (this interpreter, this file's own probe)
        [sys.executable, "-c", MEMORY_PROBE, str(path), str(jobs)],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    me, workers, objects = (int(x) for x in done.stdout.split())
    return me, workers, objects


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=20_000, help="ballots (default 20,000)")
    parser.add_argument("--jobs", type=int, default=default_jobs(), help="cores (default: all)")
    args = parser.parse_args()
    n, jobs = args.n, args.jobs
    with tempfile.TemporaryDirectory(prefix="inmc-bench-") as folder:
        small = build(n // 4, Path(folder) / "quarter.zip")
        large = build(n, Path(folder) / "full.zip")
        checks, crypto = ceiling_work(large)

        print(f"\nverify, {n:,} ballots (tallied: every signature and decryption), {jobs} cores")
        took = timed("inmc-vote verify", lambda: _ok(verify(large, jobs=jobs)))
        bare_one = timed(
            "ceiling: bare Ed25519 checks of the ballots, 1 core", _ballot_checks, checks
        )
        bare_all = timed(
            f"ceiling: bare Ed25519 checks of the ballots, {jobs} cores",
            on_every_core,
            _ballot_checks,
            checks,
            jobs,
        )
        crypto_all = timed(
            f"bare crypto verify cannot skip (2 sigs + 1 HPKE), {jobs} cores",
            on_every_core,
            _crypto,
            crypto,
            jobs,
        )
        print(f"  ratio verify / bare ballot signatures, {jobs} cores:  {took / bare_all:6.2f}")
        print(f"  ratio verify / bare ballot signatures, 1 core:   {took / bare_one:6.2f}")
        print(f"  ratio verify / bare unavoidable crypto, {jobs} cores: {took / crypto_all:6.2f}")
        print(f"  verified {n / took:,.0f} ballots/s")

        print("\npeak resident memory (fresh interpreter each)")
        for label, path, count in (("N/4", small, n // 4), ("N", large, n)):
            me, worker, objects = peak_memory(path, jobs)
            print(
                f"  {label:<4} {count:>8,} ballots: verifier {me / 1024:6.1f} MB resident "
                f"({objects / 1024:5.1f} MB of Python objects), largest worker "
                f"{worker / 1024:6.1f} MB"
            )


def _ok(report) -> None:
    assert report.ok, report.text()


if __name__ == "__main__":
    main()

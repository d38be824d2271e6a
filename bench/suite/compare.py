"""The test suite's time against an earlier revision's, measured side by side in one run.

    python bench/suite/compare.py --against 23f94c2 [--rounds 1]

Checks the revision out into a temporary worktree with a virtual environment of its own,
then runs each suite as CI does (PostgreSQL and Chromium required), one after the other
and alternating over the rounds, so that both see the same machine. Prints each pytest
run's wall time, the CPU time of its processes, the machine's load, and the ratio of this
checkout's time to the revision's (the revision's run is the ceiling of the same run).
Slow by nature (two whole suites a round): not part of `make bench`.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parents[2]
ENV = {"INMC_REQUIRE_PG": "1", "INMC_REQUIRE_BROWSER": "1"}


@dataclass(frozen=True)
class Run:
    label: str
    wall_s: float
    cpu_s: float
    load: float
    summary: str


def venv(folder: Path) -> Path:
    """`folder`'s .venv with its test extra installed (made once, kept for reruns)."""
    python = folder / ".venv" / "bin" / "python"
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(folder / ".venv")], check=True)
        subprocess.run(
            [str(python), "-m", "pip", "install", "--quiet", "-e", ".[test]"],
            cwd=folder,
            check=True,
        )
    return python


def run_suite(label: str, folder: Path, python: Path) -> Run:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    load = os.getloadavg()[0]
    started = time.perf_counter()
    done = subprocess.run(
        [str(python), "-m", "pytest", "-q", "-p", "no:cacheprovider"],
        cwd=folder,
        env=os.environ | ENV,
        capture_output=True,
        text=True,
        check=False,
    )
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    lines = [line for line in done.stdout.splitlines() if line.strip()]
    summary = lines[-1] if lines else "(no output)"
    if done.returncode != 0:
        raise SystemExit(f"{label}: the suite failed ({summary})\n{done.stdout[-3000:]}")
    return Run(label, wall, cpu, load, summary)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--against", required=True, help="the earlier revision, e.g. 23f94c2")
    parser.add_argument("--rounds", type=int, default=1, help="pairs of runs (default 1)")
    parser.add_argument(
        "--keep", type=Path, help="a folder to keep the revision's worktree and venv in"
    )
    args = parser.parse_args()
    base = args.keep or Path(tempfile.mkdtemp(prefix="inmc-suite-"))
    old = base / f"rev-{args.against}"
    if not old.exists():
        subprocess.run(
            ["git", "worktree", "add", "--detach", str(old), args.against], cwd=HERE, check=True
        )
    olds, news = [], []
    old_python, new_python = venv(old), venv(HERE)
    for n in range(args.rounds):
        pair = [("before", old, old_python), ("now", HERE, new_python)]
        for label, folder, python in pair if n % 2 == 0 else pair[::-1]:
            found = run_suite(label, folder, python)
            (olds if label == "before" else news).append(found)
            print(
                f"{found.label:>6} ({args.against if label == 'before' else 'this checkout'}): "
                f"{found.wall_s:7.1f} s wall, {found.cpu_s:7.1f} s CPU, load {found.load:.1f} "
                f"before it; {found.summary}",
                flush=True,
            )
    wall = sum(r.wall_s for r in news) / sum(r.wall_s for r in olds)
    cpu = sum(r.cpu_s for r in news) / sum(r.cpu_s for r in olds)
    print(f"ratio now/before: wall {wall:.2f}, CPU {cpu:.2f} (goal: wall at most 0.33)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

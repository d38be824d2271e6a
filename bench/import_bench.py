"""How long a cast waits while a large CSV import of member cities runs, against the same
casts with no import, on SQLite (one writer at a time), as ratios (issue 11: a
24,000-row import held the writer 20-32 s while a cast waited 18.9 s).

A ballot is opened through the services (tests/voting_helpers.py `open_ballot_now`) on a
fresh SQLite file, and its ballots are built beforehand (not timed). Then, in one process
and one event loop, as a server runs them:

- alone: `--casts` casts through `actions.casting.cast`, one every 20 ms, each timed;
- during the import: the same number of casts, one every 20 ms, while
  `actions.cities.import_csv` writes a file of `--rows` new cities (default
  `LIMITS.csv_rows`, the most an import takes), in batches as the server writes it;
- the same, with the import written in one transaction (what the server did before), for
  comparison.

The ceiling is the cast alone, measured in the same run. Printed: each cast's longest
and median time, and the ratios of the casts during an import to the casts alone.

    python bench/import_bench.py                 # 2,000 cities, 40 casts
    python bench/import_bench.py --rows 500 --casts 20
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import json
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "src")]

from tests import voting_helpers as helpers  # noqa: E402

from inmc_vote.config import LIMITS  # noqa: E402
from inmc_vote.db.engine import Database  # noqa: E402
from inmc_vote.db.migrate import upgrade  # noqa: E402
from inmc_vote.services import actions, queries  # noqa: E402
from inmc_vote.services.actions import cities  # noqa: E402

SPACING_S = 0.02  # between two casts
HEADER = "name,country,region,contact name,contact email\n"


def load() -> str:
    path = Path("/proc/loadavg")
    return path.read_text().split(" ")[0] if path.exists() else "?"


def csv_of(rows: int, prefix: str) -> bytes:
    lines = (f"{prefix} {i},FR,Region,Contact {i},contact{i}@example.org\n" for i in range(rows))
    return (HEADER + "".join(lines)).encode()


async def timed_casts(db: Database, ballot_id: str, bodies: list[Any]) -> list[float]:
    waits = []
    for body in bodies:
        began = time.perf_counter()
        await actions.casting.cast(db, ballot_id, body, datetime.now(UTC))
        waits.append(time.perf_counter() - began)
        await asyncio.sleep(SPACING_S)
    return waits


async def during_import(
    db: Database, ballot_id: str, bodies: list[Any], data: bytes
) -> tuple[list[float], float]:
    began = time.perf_counter()
    importing = asyncio.create_task(actions.cities.import_csv(db, data, datetime.now(UTC)))
    await asyncio.sleep(0.05)  # the import is under way
    waits: list[float] = []
    for body in bodies:
        if importing.done():
            break
        waits += await timed_casts(db, ballot_id, [body])
    await importing
    return waits, time.perf_counter() - began


def line(label: str, waits: list[float]) -> str:
    return (
        f"{label:<38} {len(waits):>3} casts: longest {max(waits) * 1000:7.1f} ms, "
        f"median {statistics.median(waits) * 1000:6.1f} ms"
    )


async def run(rows: int, casts: int, folder: Path) -> None:
    url = f"sqlite+aiosqlite:///{folder / 'import-bench.sqlite3'}"
    upgrade(url)
    opened = await helpers.open_ballot_now(url, 3 * casts, datetime.now(UTC))
    db = Database(url, at_rest_key=helpers.SECRET_KEY)
    try:
        fixed = await queries.manifests.manifest(db, opened.ballot_id)
        manifest = json.loads(fixed.data)
        choice = {"choice": manifest["candidates"][0]["id"]}
        bodies = [
            helpers.make_ballot(manifest, fixed.hash, token, choice).to_json()
            for token in opened.tokens
        ]
        alone = await timed_casts(db, opened.ballot_id, bodies[:casts])
        batched, took = await during_import(
            db, opened.ballot_id, bodies[casts : 2 * casts], csv_of(rows, "Batched")
        )
        whole_limits = dataclasses.replace(LIMITS, csv_rows=rows, csv_batch_rows=rows)
        cities.LIMITS = whole_limits  # the import as one transaction, as before
        try:
            whole, whole_took = await during_import(
                db, opened.ballot_id, bodies[2 * casts :], csv_of(rows, "Whole")
            )
        finally:
            cities.LIMITS = LIMITS
    finally:
        await db.dispose()
    print(line("alone (the ceiling)", alone))
    print(line(f"during a batched import ({took:.1f} s)", batched))
    print(line(f"during a 1-transaction import ({whole_took:.1f} s)", whole))
    for label, waits in (("batched", batched), ("one transaction", whole)):
        print(
            f"ratio to alone, {label}: longest {max(waits) / max(alone):.1f}x, "
            f"median {statistics.median(waits) / statistics.median(alone):.1f}x"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=LIMITS.csv_rows)
    parser.add_argument("--casts", type=int, default=40)
    args = parser.parse_args()
    print(f"import bench: {args.rows:,} cities, batches of {LIMITS.csv_batch_rows}, load {load()}")
    with tempfile.TemporaryDirectory(prefix="inmc-import-bench-") as folder:
        asyncio.run(run(args.rows, args.casts, Path(folder)))


if __name__ == "__main__":
    main()

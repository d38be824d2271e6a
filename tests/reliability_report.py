"""docs/reliability.md, from the figures the tests recorded (tests/figures.py).

    python -m tests.reliability_report             # build/reliability/figures.json -> docs
    python -m tests.reliability_report --check     # fail if a figure below was not recorded
    python -m tests.reliability_report FIGURES.json --out OTHER.md

Every run of the tests writes build/reliability/figures.json and, next to it, this report
rendered from it (reliability.md). Writing docs/reliability.md refuses a run that lacks a
figure the report names (a partial run), unless --allow-missing.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "reliability.md"
FIGURES = ROOT / "build" / "reliability" / "figures.json"
BACKENDS = ("sqlite", "postgresql")
WIDTH = 90  # the documents' prose width
ROW = re.compile(r"^\|.*\|\s*`([a-z0-9_.]+)`\s*\|\s*$")


@dataclass(frozen=True)
class Section:
    title: str
    text: str
    rows: tuple[tuple[str, str], ...]  # (what, figure name)


def _per_backend(prefix: str, rows: tuple[tuple[str, str], ...]) -> tuple[tuple[str, str], ...]:
    return tuple(
        (f"{what} ({backend})", f"{prefix}.{backend}.{suffix}")
        for backend in BACKENDS
        for what, suffix in rows
    )


SECTIONS = (
    Section(
        "Hostile requests (schemathesis)",
        "Every operation of the OpenAPI schema, anonymous and with an organiser key, with a "
        "bounded number of generated requests each; every answer must be in its schema, and "
        "none may be a 5xx. `tests/integration/test_schemathesis.py`.",
        (
            ("operations exercised", "schemathesis.operations"),
            ("requests generated and sent", "schemathesis.cases"),
            ("answers 5xx", "schemathesis.server_errors"),
        ),
    ),
    Section(
        "Double votes at once",
        "One token sent 100 times at once, as from 100 browser tabs, to two `inmc-vote serve` "
        "processes on one database: one ballot recorded, every other copy refused with 409. "
        "`tests/integration/test_concurrent_casting.py`.",
        _per_backend(
            "double_vote",
            (
                ("casts of one token sent at once", "attempts"),
                ("accepted", "accepted"),
                ("refused (409, already voted)", "refused"),
            ),
        ),
    ),
    Section(
        "Two processes, one chain",
        "500 tokens voting at once through two server processes on one database: every "
        "ballot accepted, and the board is one gapless hash chain with every receipt on it. "
        "`tests/integration/test_concurrent_casting.py`.",
        _per_backend(
            "two_process",
            (
                ("ballots cast through two processes", "ballots"),
                ("runs that gave one gapless chain", "chains"),
            ),
        ),
    ),
    Section(
        "Kills survived",
        "`inmc-vote serve` killed with SIGKILL while a client casts in a loop, then started "
        "again, several times; afterwards every receipt the client received is on the board, "
        "and the board verifies as one chain. `tests/integration/test_sigkill.py`.",
        _per_backend(
            "sigkill",
            (
                ("SIGKILLs while casting", "kills"),
                ("receipts received and found on the board", "receipts_checked"),
                ("receipts missing from the board", "receipts_missing"),
            ),
        ),
    ),
    Section(
        "Tampering refused",
        "Bundles changed by hypothesis (bytes, lines, votes, counts, the lot's seed, "
        "signatures, shuffles, decryptions), each one refused by `inmc-vote verify` "
        "(`tests/property/test_bundle_tampering.py`); and the verifier's own tests "
        "(`tests/unit/audit/`): for every check, a bundle that lies in exactly that place, "
        "everything else derived and signed as an honest server would, refused by that check.",
        (
            ("tampered bundles refused (hypothesis examples)", "fuzz.examples.bundle_tampering"),
            ("lying bundles refused by the verifier's checks", "tampering.by_check.refused"),
        ),
    ),
    Section(
        "Fuzz examples",
        "Examples run by every hypothesis test (counting, lifecycle state machines, "
        "tampering, ...), counted from hypothesis' own statistics.",
        (
            ("hypothesis tests", "fuzz.tests"),
            ("examples run", "fuzz.examples"),
        ),
    ),
    Section(
        "Shared work under load",
        "Concurrent anonymous requests for `/audit/{id}` share one export and verification "
        "per signed head. `tests/integration/test_audit_single_flight.py`.",
        (
            ("concurrent requests for one audit page", "audit.concurrent_requests"),
            ("verifications those requests ran", "audit.verification_runs"),
        ),
    ),
)


def named() -> list[str]:
    return [name for section in SECTIONS for _, name in section.rows]


def _value(entry: dict[str, Any] | None) -> str:
    if entry is None:
        return "not recorded in this run"
    value = entry["value"]
    if isinstance(value, float) and not value.is_integer():
        return f"{value:,.2f}"
    return f"{int(value):,}"


def render(data: dict[str, dict[str, Any]]) -> str:
    lines = [
        "# Reliability figures",
        "",
        "Generated by `python -m tests.reliability_report` from `build/reliability/figures.json`,",
        "which every run of the tests writes (`make test`, as CI runs it, on SQLite and on",
        "PostgreSQL). Each figure is recorded by the tests named in its section through the",
        "`figures` fixture (`tests/figures.py`); do not edit the numbers by hand. A figure",
        "without a database in its name is summed over every test that records it, so in CI's",
        "run (every database test on both databases) it counts both databases' runs.",
        "",
    ]
    for section in SECTIONS:
        text = textwrap.fill(section.text, WIDTH, break_on_hyphens=False, break_long_words=False)
        lines += [f"## {section.title}", "", text, "", "| what | value | figure |"]
        lines += ["| --- | ---: | --- |"]
        lines += [
            f"| {what} | {_value(data.get(name))} | `{name}` |" for what, name in section.rows
        ]
        lines.append("")
    others = sorted(set(data) - set(named()))
    if others:
        lines += ["## Other figures recorded", "", "| value | figure |", "| ---: | --- |"]
        lines += [f"| {_value(data[name])} | `{name}` |" for name in others]
        lines.append("")
    return "\n".join(lines)


def names_in(markdown: str) -> list[str]:
    """The figures a rendered report names (the last column of its tables)."""
    return [m.group(1) for line in markdown.splitlines() if (m := ROW.match(line))]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.reliability_report")
    parser.add_argument("figures", nargs="?", type=Path, default=FIGURES)
    parser.add_argument("--out", type=Path, default=DOC)
    parser.add_argument("--check", action="store_true", help="only check, write nothing")
    parser.add_argument("--allow-missing", action="store_true")
    args = parser.parse_args(argv)
    if not args.figures.exists():
        print(f"{args.figures}: no figures; run the tests first", file=sys.stderr)
        return 2
    data = json.loads(args.figures.read_text())
    missing = [name for name in named() if name not in data]
    if missing:
        print(f"not recorded by this run: {', '.join(missing)}", file=sys.stderr)
        if args.check or not args.allow_missing:
            return 1
    if not args.check:
        args.out.write_text(render(data))
        print(f"wrote {args.out} from {args.figures}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

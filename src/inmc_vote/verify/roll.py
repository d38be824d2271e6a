"""The roll fixed at token issuance: its lines, their order, their hash and signatures."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator

from inmc_vote.domain.protocol import bundle
from inmc_vote.verify.bundle_file import BundleError
from inmc_vote.verify.context import Audit
from inmc_vote.verify.pool import Workers
from inmc_vote.verify.progress import Progress
from inmc_vote.verify.report import Problems, plural
from inmc_vote.verify.worker import RollTask, check_roll_chunk, read_roll_line

CHUNK = 1_000


def read_roll(audit: Audit, problems: Problems) -> None:
    """First pass: each line's form and order, and the roll's hash against every manifest.
    Keeps only the sorted keys (32 bytes a credential), for the board's checks."""
    keys = bytearray()
    digest = hashlib.sha256()
    size = 0
    last = b""
    try:
        for number, raw in enumerate(audit.bundle.lines(bundle.ROLL), start=1):
            digest.update(raw)
            size += 1
            try:
                line = read_roll_line(raw)
            except ValueError:
                problems.add(f"line {number:,} is not a roll line {{pk, sig}}")
                continue
            if line.pk <= last:
                problems.add(f"line {number:,} is out of order or repeats a credential")
                continue
            last = line.pk
            keys += line.pk
    except BundleError as error:
        problems.add(str(error))
    roll_hash = digest.digest()
    for found in audit.rounds:
        stated = found.manifest.roll
        if stated.hash != roll_hash:
            problems.add(f"roll.jsonl's hash is not the one {found.name}'s manifest states")
        if stated.size != size:
            problems.add(
                f"roll.jsonl has {plural(size, 'line')}, {found.name}'s manifest says {stated.size}"
            )
    audit.roll_keys = bytes(keys)
    audit.roll_size = len(keys) // 32


def _tasks(audit: Audit, progress: Progress) -> Iterator[RollTask]:
    chunk: list[bytes] = []
    first = 1
    for raw in audit.bundle.lines(bundle.ROLL):
        chunk.append(raw)
        if len(chunk) == CHUNK:
            yield RollTask(audit.ballot, audit.registrar, first, chunk)
            first += len(chunk)
            chunk = []
    if chunk:
        yield RollTask(audit.ballot, audit.registrar, first, chunk)


def check_roll(audit: Audit, workers: Workers, progress: Progress, problems: Problems) -> None:
    """Second pass: every line signed by the registrar the manifest names."""
    try:
        for found in workers.map(check_roll_chunk, _tasks(audit, progress)):
            problems.absorb(found.counts["roll"], found.quoted.get("roll", []))
            progress.step("roll signatures", CHUNK)
    except BundleError as error:
        problems.add(str(error))
    audit.report.judged(
        "roll",
        "roll",
        audit.roll_size,
        problems,
        f"{plural(audit.roll_size, 'credential')}, sorted, each once, each signed by the "
        "registrar; its hash and size are the manifests'.",
    )

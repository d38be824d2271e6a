"""The verifier's order of work: read what the rest depends on (contents, manifests,
roll, event log), then one streamed pass per round's board, then the comparisons
(event log, an older bundle, receipts). Every check adds one line to the report."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from inmc_vote.domain.protocol import bundle
from inmc_vote.domain.protocol.board import Receipt, ReceiptFile
from inmc_vote.verify import board_pass, ceremony, events, manifests, receipts, rounds
from inmc_vote.verify.bundle_file import BundleError, BundleFile
from inmc_vote.verify.context import Audit, Round
from inmc_vote.verify.electorate import check_electorate
from inmc_vote.verify.growth import check_growth
from inmc_vote.verify.pool import PARALLEL_FROM, Workers, default_jobs
from inmc_vote.verify.progress import Progress
from inmc_vote.verify.report import Check, Problems, Report
from inmc_vote.verify.roll import check_roll, read_roll


def verify(
    path: str | Path,
    *,
    old: str | Path | None = None,
    receipt_files: Sequence[str | Path] = (),
    jobs: int | None = None,
    progress: TextIO | None = None,
    show_progress: bool = False,
    parallel_from: int = PARALLEL_FROM,
) -> Report:
    """Check the bundle at `path` with nothing but its own content; with `old`, also that
    it only adds to that older bundle; with `receipt_files`, that each receipt is on it.
    `progress`: where to draw the progress bar (standard error when it is a terminal);
    `jobs`: processes for the signatures and decryptions (default: every core), used
    from `parallel_from` lines of roll and boards."""
    report = Report(str(path))
    try:
        _verify(
            report, Path(path), old, receipt_files, jobs, progress, show_progress, parallel_from
        )
    except Exception as error:  # a bundle must fail a check, never stop the verifier
        report.add(
            Check("verifier", "verifier", False, 0, f"the bundle made the check stop: {error!r}")
        )
    return report


def _verify(
    report: Report,
    path: Path,
    old: str | Path | None,
    receipt_files: Sequence[str | Path],
    jobs: int | None,
    progress: TextIO | None,
    show_progress: bool,
    parallel_from: int,
) -> None:
    try:
        file = BundleFile(path)
    except BundleError as error:
        report.add(Check("bundle", "bundle contents", False, 0, str(error)))
        return
    with file:
        head = manifests.check_contents(file, report)
        if head is None:
            return
        audit = Audit(file, report, head)
        if not manifests.check_manifests(audit):
            return
        manifests.check_signed_head(audit)
        roll_problems = Problems()
        read_roll(audit, roll_problems)
        lines = audit.roll_size + sum(r.board_count for r in head.rounds)
        bar = Progress(lines, progress, force=show_progress)
        try:
            with Workers(audit.roll_keys, jobs or default_jobs(), lines, parallel_from) as workers:
                check_roll(audit, workers, bar, roll_problems)
                _rest(audit, workers, bar, receipt_files)
        finally:
            bar.close()
        if old is not None:
            check_growth(audit, Path(old))


def _rest(
    audit: Audit,
    workers: Workers,
    bar: Progress,
    receipt_files: Sequence[str | Path],
) -> None:
    logged = events.check_events(audit)
    replayed, lost = events.replay(audit, logged)
    events.report_lost_tokens(audit, replayed, lost)
    check_electorate(audit, replayed)
    ceremony.check_ceremony(audit, logged)
    del logged
    problems: dict[int, tuple[Problems, Problems]] = {}
    for found in audit.rounds:
        record = Problems()
        problems[found.number] = (board_pass.read_round_files(audit, found, record), record)
    manifests.check_rounds(audit)
    wanted = _read_receipts(audit.report, receipt_files)
    judged: list[Check] = []
    for found in audit.rounds:
        seqs = {_receipt(r).seq for _, r in wanted if _receipt(r).round == found.number}
        done = board_pass.board_pass(audit, found, replayed, workers, bar, seqs)
        rounds.report_round(audit, found, done, *problems[found.number], workers)
        for name, receipt in wanted:
            if _receipt(receipt).round == found.number:
                line = done.kept.get(_receipt(receipt).seq)
                judged.append(_judge(audit, name, receipt, found, line, done.count))
    events.check_agreement(audit, replayed)
    for name, receipt in wanted:
        if _receipt(receipt).round > len(audit.rounds):
            judged.append(_judge(audit, name, receipt, None, None, 0))
    for check in judged:
        audit.report.add(check)


Kept = ReceiptFile | Receipt  # a voter's receipt file, or a bare receipt


def _receipt(kept: Kept) -> Receipt:
    return kept.receipt if isinstance(kept, ReceiptFile) else kept


def _read_receipts(report: Report, receipt_files: Sequence[str | Path]) -> list[tuple[str, Kept]]:
    """The receipts to look for; one that cannot be read fails its own line."""
    read: list[tuple[str, Kept]] = []
    for given in receipt_files:
        name = Path(given).name
        try:
            read.append((name, receipts.read_receipt(Path(given).read_bytes())))
        except (OSError, ValueError) as error:
            report.add(Check("receipt", f"receipt {name}", False, 0, str(error)))
    return read


def _judge(
    audit: Audit,
    name: str,
    kept: Kept,
    found: Round | None,
    line: bytes | None,
    count: int,
) -> Check:
    entry = None
    if line is not None:
        try:
            entry = bundle.read_board_line(line)
        except ValueError:
            entry = None
    verdict = receipts.judge(
        kept,
        ballot=audit.ballot,
        manifest_hash=found.manifest_hash if found else None,
        authority=audit.authority,
        entry=entry,
        board_count=count,
        sealed=found is not None and found.head.sealed,
    )
    return Check("receipt", f"receipt {name}", verdict.ok, 1, verdict.words, _receipt(kept).round)

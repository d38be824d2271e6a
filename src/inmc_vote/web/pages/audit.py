"""The auditor's page and the receipt check of the board page.

The auditor's page says what the bundle holds, how to check it offline, and what the
server's own run of the verifier found on the bundle it exports now. The receipt
check answers from the server's database; the page says how to check without it."""

from __future__ import annotations

import asyncio
import json
import tempfile
from collections import OrderedDict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import Any

from litestar import Controller, Request, get
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery
from litestar.response import Template

from inmc_vote.config import LIMITS
from inmc_vote.db.engine import Database
from inmc_vote.domain.errors import NotFound
from inmc_vote.domain.protocol import board, bundle
from inmc_vote.domain.protocol.encoding import b64url
from inmc_vote.domain.protocol.manifest import Manifest, short_fingerprint
from inmc_vote.services import actions, queries
from inmc_vote.verify import Report, verify
from inmc_vote.web.i18n import _
from inmc_vote.web.pages.common import current_ballot, page


@dataclass(frozen=True)
class RoundFacts:
    number: int
    short: str
    full: str
    entries: int
    sealed: bool
    tallied: bool


# The server's own verification, by how far the bundle goes (a new ballot, a new seal or
# a published tally makes a new bundle; a reload does not run the verifier again). Anyone
# may ask for it, so it is single-flight: requests for a head that is being checked wait
# for that run instead of starting their own; finished reports are kept, the most recently
# used last; and the verifier runs in one thread of its own, one bundle at a time, so that
# however many heads are asked for at once the server spends at most one core on them.
_reports: OrderedDict[tuple[Any, ...], Report] = OrderedDict()
_running: dict[tuple[Any, ...], asyncio.Task[Report]] = {}
_verifier = ThreadPoolExecutor(max_workers=1, thread_name_prefix="inmc-own-check")


def _key(head: bundle.Head) -> tuple[Any, ...]:
    return (head.ballot, head.state, head.events_count, head.events_head, head.rounds)


async def _export_and_verify(
    db: Database, taken: queries.audit_bundle.Snapshot, ballot_id: str
) -> Report:
    with tempfile.TemporaryDirectory(prefix="inmc-audit-") as folder:
        path = Path(folder) / queries.audit_bundle.filename(ballot_id)
        await queries.audit_bundle.write_file(db, taken, path)
        # one process: the verifier's pool is for auditors' machines, not the server
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(_verifier, partial(verify, path, jobs=1))


def _finished(key: tuple[Any, ...], task: asyncio.Task[Report]) -> None:
    if _running.get(key) is task:
        del _running[key]
    if task.cancelled() or task.exception() is not None:
        return  # the next request tries again
    _reports[key] = task.result()
    while len(_reports) > LIMITS.kept_audit_reports:
        _reports.popitem(last=False)


async def own_check(db: Database, ballot_id: str, now: datetime) -> tuple[bundle.Head, Report]:
    """Export the bundle as anyone would download it now, and run the verifier on it: once
    per head, however many ask at once."""
    await actions.schedule.current(db, ballot_id, now)  # what the clock made due, first
    taken = await queries.audit_bundle.snapshot(db, ballot_id, now)
    key = _key(taken.head)
    report = _reports.get(key)
    if report is not None:
        _reports.move_to_end(key)
        return taken.head, report
    task = _running.get(key)
    if task is None or task.get_loop() is not asyncio.get_running_loop():
        task = asyncio.ensure_future(_export_and_verify(db, taken, ballot_id))
        _running[key] = task
        task.add_done_callback(partial(_finished, key))
    # shielded: a client that goes away does not cancel the run the others wait for
    return taken.head, await asyncio.shield(task)


class AuditPages(Controller):
    include_in_schema = False

    @get("/audit/{ballot_id:str}")
    async def audit(
        self,
        request: Request[Any, Any, Any],
        ballot_id: FromPath[str],
        db: NamedDependency[Database],
        now: NamedDependency[datetime],
    ) -> Template:
        ballot = await current_ballot(db, ballot_id, now)
        try:
            head, report = await own_check(db, ballot_id, now)
        except NotFound:
            head, report = None, None
        rounds = [
            RoundFacts(
                r.round,
                short_fingerprint(r.manifest),
                b64url(r.manifest),
                r.board_count,
                r.sealed,
                r.tallied,
            )
            for r in (head.rounds if head else ())
        ]
        return await page(
            request,
            "audit.html",
            ballot=ballot,
            head=head,
            rounds=rounds,
            report=report,
            filename=queries.audit_bundle.filename(ballot_id),
            head_short=short_fingerprint(head.events_head) if head else "",
        )

    @get("/ballots/{ballot_id:str}/board/receipt")
    async def receipt(
        self,
        request: Request[Any, Any, Any],
        ballot_id: FromPath[str],
        db: NamedDependency[Database],
        now: NamedDependency[datetime],
        receipt: FromQuery[str] = "",
    ) -> Template:
        ballot = await current_ballot(db, ballot_id, now)
        verdict = await check_receipt(db, ballot_id, receipt) if receipt.strip() else None
        return await page(
            request, "receipt.html", ballot=ballot, receipt=receipt.strip(), verdict=verdict
        )


@dataclass(frozen=True)
class Verdict:
    """What the receipt check found: `ok`, and in words."""

    ok: bool
    words: str


def _pasted_receipt(text: str) -> tuple[board.Receipt, bytes, bool]:
    """The receipt pasted and the tracker to hold it to: the one recomputed from the kept
    ballot for a receipt file (docs/protocol.md, "Board, receipts, seal"), or for a bare
    receipt the tracker it names (the last item says which)."""
    try:
        kept = board.ReceiptFile.parse(text)
    except board.BoardError as error:
        try:
            bare = board.Receipt.parse(json.loads(text))
        except (ValueError, board.BoardError):
            raise error from None
        return bare, bare.tracker, False
    return kept.receipt, kept.tracker, True


async def check_receipt(db: Database, ballot_id: str, text: str) -> Verdict:
    """A pasted receipt (the receipt file, or the bare receipt) against the board as this
    server has it: the tracker it names is the kept ballot's, its hash recomputes, the
    authority signed it, and its entry is on the board."""
    try:
        receipt, own, from_ballot = _pasted_receipt(text)
    except board.BoardError as error:
        return Verdict(False, _("This is not a receipt: %(why)s") % {"why": error})
    if receipt.ballot != ballot_id:
        return Verdict(
            False, f"FOREIGN: this receipt is for ballot {receipt.ballot}, not {ballot_id}"
        )
    try:
        fixed = await queries.manifests.manifest(db, ballot_id, receipt.round)
    except NotFound:
        return Verdict(False, f"FOREIGN: ballot {ballot_id} has no round {receipt.round}")
    authority = Manifest.parse(fixed.data).keys.authority
    where = f"entry {receipt.seq:,} of round {receipt.round}"
    problem = receipt.problem(own, manifest_hash=fixed.hash, authority=authority)
    if problem is not None:
        if receipt.tracker != own:
            return Verdict(
                False,
                "ANOTHER BALLOT: the receipt names the tracker "
                f"{short_fingerprint(receipt.tracker)}, but the ballot kept with it has "
                f"{short_fingerprint(own)}: the server gave a receipt for another ballot",
            )
        return Verdict(False, f"FORGED: {problem}: the server did not give this receipt as it is")
    rows = await queries.board.entries(db, ballot_id, receipt.round, receipt.seq - 1, 1)
    if not rows or rows[0].seq != receipt.seq:
        count = (await queries.board.turnout(db, ballot_id, receipt.round)).ballots
        return Verdict(
            False,
            f"MISSING: the authority signed this receipt for {where}, but the board stops "
            f"at entry {count:,}: a recorded ballot was taken back",
        )
    row = rows[0]
    if (row.hash, row.tracker, row.received_at) != (
        receipt.hash,
        receipt.tracker,
        receipt.received_at,
    ):
        return Verdict(
            False,
            f"CHANGED: the authority signed this receipt for {where}, but that entry on the "
            "board is another ballot: the board was rewritten after the receipt was given",
        )
    checked = (
        "the tracker recomputed from your ballot"
        if from_ballot
        else "the tracker it names (paste the whole receipt file to check it against your "
        "ballot too)"
    )
    return Verdict(
        True,
        f"found: {where}, received at {receipt.received_at}, with {checked}, its hash "
        "recomputed and its signature the authority's",
    )

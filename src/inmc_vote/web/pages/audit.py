"""The auditor's page: what the bundle holds, how to check it offline, and what the
server's own run of the verifier found on the bundle it exports now. (The board's
receipt check is in receipt_check.py.)"""

from __future__ import annotations

import asyncio
import tempfile
from collections import OrderedDict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import Any

from litestar import Controller, get
from litestar.di import NamedDependency
from litestar.response import Template

from inmc_vote.config import LIMITS
from inmc_vote.db.engine import Database
from inmc_vote.documents.verifier_zipapp import PIP_ARGUMENTS, served
from inmc_vote.domain.errors import NotFound
from inmc_vote.domain.protocol import bundle
from inmc_vote.domain.protocol.encoding import b64url
from inmc_vote.domain.protocol.manifest import short_fingerprint
from inmc_vote.services import actions, queries
from inmc_vote.verify import Report, verify
from inmc_vote.web.pages.common import BallotPage, page
from inmc_vote.web.pages.visibility import visible_ballot


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


async def own_check(
    db: Database, ballot_id: str, now: datetime, base_url: str = ""
) -> tuple[bundle.Head, Report]:
    """Export the bundle as anyone would download it now, and run the verifier on it: once
    per head, however many ask at once. The verifier is the one `/verifier/` serves (its
    source is what the server imports), so the report names its version and SHA-256."""
    await actions.schedule.current(db, ballot_id, now)  # what the clock made due, first
    taken = await queries.audit_bundle.snapshot(db, ballot_id, now, base_url)
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
        at: NamedDependency[BallotPage],
    ) -> Template:
        ballot = await visible_ballot(at.request, at.db, at.ballot_id, at.now)
        try:
            head, report = await own_check(at.db, at.ballot_id, at.now, at.settings.base_url)
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
            at.request,
            "audit.html",
            ballot=ballot,
            head=head,
            rounds=rounds,
            report=report,
            filename=queries.audit_bundle.filename(at.ballot_id),
            head_short=short_fingerprint(head.events_head) if head else "",
            # read as a time, to show as people read it (the bundle keeps it as ISO text)
            exported_at=datetime.fromisoformat(head.exported_at.replace("Z", "+00:00"))
            if head
            else None,
            verifier=served(),
            requirements=PIP_ARGUMENTS,
            base_url=at.settings.base_url,
        )

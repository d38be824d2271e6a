"""The board's receipt check: a voter pastes or uploads the receipt its vote page saved,
and this server says whether the ballot it names is on the board as the authority signed.

The receipt is sent in a POST body, pasted or as the file itself: never in the address,
which browsers keep in their history and servers in their logs. The answer comes from
this server's records; the page says how to check without trusting it (the audit page)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from litestar import Controller, get, post
from litestar.datastructures import UploadFile
from litestar.di import NamedDependency
from litestar.params import MultipartBody
from litestar.response import Template

from inmc_vote.db.engine import Database
from inmc_vote.domain.errors import NotFound
from inmc_vote.domain.protocol import board
from inmc_vote.domain.protocol.manifest import Manifest, short_fingerprint
from inmc_vote.services import queries
from inmc_vote.web.i18n import _, show_time
from inmc_vote.web.pages.common import BallotPage, page
from inmc_vote.web.pages.visibility import visible_ballot

RECEIPT_MAX_BYTES = 64 * 1024  # a receipt file is about 2 kB: anything far larger is not one


@dataclass
class ReceiptForm:
    """The receipt pasted (`receipt`) or its file (`file`): the file wins when both come."""

    receipt: str = ""
    file: UploadFile | None = None


@dataclass(frozen=True)
class Verdict:
    """What the receipt check found: `ok`, and in words."""

    ok: bool
    words: str


def _pasted_receipt(text: str) -> tuple[board.Receipt, bytes, bool]:
    """The receipt and the tracker to hold it to: the one recomputed from the kept ballot
    for a receipt file (docs/protocol.md, "Board, receipts, seal"), or for a bare receipt
    the tracker it names (the last item says which)."""
    try:
        kept = board.ReceiptFile.parse(text)
    except board.BoardError as error:
        try:
            bare = board.Receipt.parse(json.loads(text))
        except (ValueError, board.BoardError):
            raise error from None
        return bare, bare.tracker, False
    return kept.receipt, kept.tracker, True


def _received(receipt: board.Receipt, zone: str) -> str:
    """The receipt's time as people read it (it is signed as ISO text)."""
    try:
        moment = datetime.fromisoformat(receipt.received_at.replace("Z", "+00:00"))
    except ValueError:
        return receipt.received_at
    return show_time(moment, zone)  # in the reader's language


async def check_receipt(db: Database, ballot_id: str, text: str, zone: str = "UTC") -> Verdict:
    """A receipt (the receipt file, or the bare receipt) against the board as this server
    has it: the tracker it names is the kept ballot's, its hash recomputes, the authority
    signed it, and its entry is on the board."""
    try:
        receipt, own, from_ballot = _pasted_receipt(text)
    except board.BoardError as error:
        return Verdict(False, _("This is not a receipt: %(why)s.") % {"why": error})
    if receipt.ballot != ballot_id:
        return Verdict(
            False,
            _("This receipt is for another ballot (%(other)s), not this one (%(ballot)s).")
            % {"other": receipt.ballot, "ballot": ballot_id},
        )
    try:
        fixed = await queries.manifests.manifest(db, ballot_id, receipt.round)
    except NotFound:
        return Verdict(
            False,
            _("This receipt names round %(n)d, which this ballot does not have.")
            % {"n": receipt.round},
        )
    authority = Manifest.parse(fixed.data).keys.authority
    where = {"seq": receipt.seq, "round": receipt.round}
    problem = receipt.problem(own, manifest_hash=fixed.hash, authority=authority)
    if problem is not None:
        if receipt.tracker != own:
            return Verdict(
                False,
                _(
                    "Another ballot's receipt: it names the tracker %(theirs)s, but the "
                    "ballot kept with it has %(ours)s. The server gave a receipt for another "
                    "ballot: keep both files and tell the organiser."
                )
                % {"theirs": short_fingerprint(receipt.tracker), "ours": short_fingerprint(own)},
            )
        return Verdict(
            False,
            _(
                "Forged or altered: %(problem)s. The server did not give this receipt as it "
                "is: keep the file and tell the organiser."
            )
            % {"problem": problem},
        )
    rows = await queries.board.entries(db, ballot_id, receipt.round, receipt.seq - 1, 1)
    if not rows or rows[0].seq != receipt.seq:
        count = (await queries.board.turnout(db, ballot_id, receipt.round)).ballots
        return Verdict(
            False,
            _(
                "Missing from the board: the authority signed this receipt for entry "
                "%(seq)d of round %(round)d, but the board stops at entry %(count)d. A "
                "recorded ballot was taken back: keep the file and tell the organiser."
            )
            % {**where, "count": count},
        )
    row = rows[0]
    if (row.hash, row.tracker, row.received_at) != (
        receipt.hash,
        receipt.tracker,
        receipt.received_at,
    ):
        return Verdict(
            False,
            _(
                "Changed: the authority signed this receipt for entry %(seq)d of round "
                "%(round)d, but that entry on the board is another ballot. The board was "
                "rewritten after the receipt was given: keep the file and tell the organiser."
            )
            % where,
        )
    checked = (
        _("The tracker was recomputed from your ballot")
        if from_ballot
        else _(
            "The tracker is the one the receipt names (check the whole receipt file to "
            "compare it with your ballot too)"
        )
    )
    return Verdict(
        True,
        _(
            "Your ballot is entry %(seq)d of round %(round)d on the board, recorded at "
            "%(when)s. %(checked)s; the receipt's hash recomputes and its signature is the "
            "authority's."
        )
        % {**where, "when": _received(receipt, zone), "checked": checked},
    )


async def _receipt_text(data: ReceiptForm) -> tuple[str, str]:
    """The receipt's text, from the file or the field, or why it cannot be read."""
    if data.file is not None and data.file.filename:
        raw = await data.file.read(RECEIPT_MAX_BYTES + 1)
        if len(raw) > RECEIPT_MAX_BYTES:
            return "", _(
                "This file is too large to be a receipt: a receipt file is a few kilobytes."
            )
        try:
            return raw.decode("utf-8-sig"), ""
        except UnicodeDecodeError:
            return "", _(
                "This file is not a receipt: a receipt is a JSON text file, such as "
                "receipt-BALLOT-1.json saved by the voting page."
            )
    return data.receipt.strip(), ""


class ReceiptCheckPages(Controller):
    include_in_schema = False
    path = "/ballots/{ballot_id:str}/board/receipt"

    @get("/")
    async def form(
        self,
        at: NamedDependency[BallotPage],
    ) -> Template:
        """The form alone: a receipt is never read from the address."""
        ballot = await visible_ballot(at.request, at.db, at.ballot_id, at.now)
        return await page(at.request, "receipt.html", ballot=ballot, receipt="", verdict=None)

    @post("/")
    async def check(
        self,
        at: NamedDependency[BallotPage],
        data: MultipartBody[ReceiptForm],
    ) -> Template:
        ballot = await visible_ballot(at.request, at.db, at.ballot_id, at.now)
        text, unreadable = await _receipt_text(data)
        if unreadable:
            verdict: Verdict | None = Verdict(False, unreadable)
        elif not text:
            verdict = Verdict(
                False, _("Paste your receipt, or choose its file, then check it again.")
            )
        else:
            verdict = await check_receipt(at.db, at.ballot_id, text, ballot.timezone)
        return await page(
            at.request,
            "receipt.html",
            # unreadable input is refused (400); a receipt that fails its checks is a finding
            status_code=400 if unreadable or not text else 200,
            ballot=ballot,
            receipt=text if len(text) <= RECEIPT_MAX_BYTES else "",
            verdict=verdict,
        )

"""A voter's receipt file ({"receipt", "ballot"}) against the bundle: found; forged,
foreign, not the voter's (swapped), missing or changed refused. The tracker is always
recomputed from the voter's own ballot."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

from inmc_vote.domain.protocol import board, keys
from inmc_vote.domain.protocol.encoding import b64url
from tests.unit.audit import builder
from tests.unit.audit.conftest import Verifier

LYON = {"v": 1, "choice": "lyon"}


def kept(model: builder.Model, number: int, **changes: object) -> dict:
    """The file the voter of entry `number` keeps, as JSON, with `changes` to its receipt."""
    file = model.receipt_file(model.rounds[0], number)
    value = file.to_json()
    value["receipt"] |= changes
    return value


def check(verifier: Verifier, model: builder.Model, tmp: Path, value: dict):
    path = tmp / f"receipt-{verifier.n}.json"
    path.write_text(json.dumps(value, indent=2))
    report = verifier.report(model, receipt_files=[path])
    (line,) = [c for c in report.checks if c.code == "receipt"]
    others = [c for c in report.checks if c.code != "receipt" and not c.ok]
    assert others == []
    return line


def test_a_receipt_found_on_the_board(verifier: Verifier, tmp_path: Path) -> None:
    model = builder.honest()
    line = check(verifier, model, tmp_path, kept(model, 2))
    assert line.ok, line.detail
    assert line.detail.startswith("found: entry 2 of round 1")
    # the file the command line and the page write (indented, as ReceiptFile.text)
    path = tmp_path / "written.json"
    path.write_text(model.receipt_file(model.rounds[0], 3).text())
    report = verifier.report(model, receipt_files=[path])
    assert report.ok, report.text()


def test_a_forged_receipt_is_refused(verifier: Verifier, tmp_path: Path) -> None:
    model = builder.honest()
    model.signers["receipt"] = keys.new_ed25519()[0]
    forged = kept(model, 2)
    del model.signers["receipt"]
    line = check(verifier, model, tmp_path, forged)
    assert not line.ok
    assert line.detail.startswith("FORGED")
    # a receipt changed after signing is forged too
    moved = kept(model, 2, seq=3)
    assert check(verifier, model, tmp_path, moved).detail.startswith("FORGED")


def test_a_swapped_receipt_is_not_the_voter_s(verifier: Verifier, tmp_path: Path) -> None:
    """A genuine receipt, on the board, but of another voter's ballot: the tracker of
    the voter's own ballot is not the receipt's."""
    model = builder.honest()
    mine, theirs = kept(model, 1), kept(model, 2)
    swapped = {"receipt": theirs["receipt"], "ballot": mine["ballot"]}
    line = check(verifier, model, tmp_path, swapped)
    assert not line.ok
    assert line.detail.startswith("NOT YOURS"), line.detail


def test_a_foreign_receipt_is_refused(verifier: Verifier, tmp_path: Path) -> None:
    model = builder.honest()
    other = builder.honest(ballot_id="zz99yy88xx")
    line = check(verifier, model, tmp_path, kept(other, 1))
    assert not line.ok
    assert line.detail.startswith("FOREIGN"), line.detail
    # the same ballot id, but another manifest (another server's ballot)
    same_id = builder.honest()
    assert check(verifier, model, tmp_path, kept(same_id, 1)).detail.startswith("FOREIGN")
    later_round = kept(model, 1, round=2)
    assert check(verifier, model, tmp_path, later_round).detail.startswith("FOREIGN")


def test_a_signed_receipt_whose_ballot_was_taken_back(verifier: Verifier, tmp_path: Path) -> None:
    model = builder.honest([LYON, LYON, LYON])
    last = kept(model, 3)
    second = kept(model, 2)
    r = model.rounds[0]
    dropped = r.entries.pop()  # the server drops the last ballot, and reseals
    model.tally(r, r.tallied_at)
    line = check(verifier, model, tmp_path, last)
    assert not line.ok
    assert line.detail.startswith("MISSING"), line.detail
    # ... or puts another ballot in its place
    r.entries.insert(1, dataclasses.replace(dropped, received_at=r.entries[1].received_at))
    r.entries.pop(2)
    model.rechain(r)
    model.tally(r, r.tallied_at)
    line = check(verifier, model, tmp_path, second)
    assert not line.ok
    assert line.detail.startswith("CHANGED"), line.detail


def test_a_receipt_after_the_bundle_s_head(verifier: Verifier, tmp_path: Path) -> None:
    model = builder.honest([LYON, LYON], voters=3, sealed=False)
    value = kept(model, 2)
    model.rounds[0].entries.pop()
    line = check(verifier, model, tmp_path, value)
    assert not line.ok
    assert line.detail.startswith("NOT YET"), line.detail


def test_a_bare_receipt_is_found_but_not_proved_the_voter_s(
    verifier: Verifier, tmp_path: Path
) -> None:
    """What the API answers to a cast, without the voter's ballot: on the board, but only
    the file with the ballot proves that it is the voter's own."""
    model = builder.honest()
    line = check(verifier, model, tmp_path, kept(model, 1)["receipt"])
    assert line.ok, line.detail
    assert "only the file with your ballot proves it is yours" in line.detail


def test_a_file_that_is_not_a_receipt(verifier: Verifier, tmp_path: Path) -> None:
    model = builder.honest()
    path = tmp_path / "notes.json"
    path.write_text('{"hello": 1}')
    report = verifier.report(model, receipt_files=[path, tmp_path / "absent.json"])
    lines = [c for c in report.checks if c.code == "receipt"]
    assert [c.ok for c in lines] == [False, False]
    assert "not a receipt file" in lines[0].detail


def test_the_receipt_message_is_the_protocol_s() -> None:
    model = builder.honest()
    r = model.rounds[0]
    file = model.receipt_file(r, 1)
    e = r.entries[0]
    message = board.receipt_message(r.manifest_hash, 1, e.prev, e.received_at, e.tracker)
    assert keys.verify(keys.ed25519_public(model.authority), file.receipt.signature, message)
    assert b64url(file.tracker) == b64url(e.tracker)

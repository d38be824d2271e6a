"""A voter's receipt against the bundle: found; forged, foreign, missing or changed refused."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

from inmc_vote.domain.protocol import board, keys
from inmc_vote.domain.protocol.encoding import b64url
from tests.unit.audit import builder
from tests.unit.audit.conftest import Verifier

LYON = {"v": 1, "choice": "lyon"}


def receipt(model: builder.Model, seq: int, signer: bytes | None = None, **changes) -> dict:
    r = model.rounds[0]
    entry = r.entries[seq - 1] if seq <= len(r.entries) else None
    tracker = changes.pop("hash", entry.hash if entry else bytes(32))
    value = {
        "ballot": model.ballot,
        "round": 1,
        "seq": seq,
        "hash": b64url(tracker),
        "received_at": entry.received_at if entry else builder.at(days=4),
        "tracker_short": "ABCD",
    }
    message = board.receipt_message(r.manifest_hash, seq, tracker)
    value["signature"] = b64url(keys.sign(signer or model.authority, message))
    return value | changes


def check(verifier: Verifier, model: builder.Model, tmp: Path, value: dict):
    path = tmp / f"receipt-{verifier.n}.json"
    path.write_text(json.dumps(value))
    report = verifier.report(model, receipt_files=[path])
    (line,) = [c for c in report.checks if c.code == "receipt"]
    others = [c for c in report.checks if c.code != "receipt" and not c.ok]
    assert others == []
    return line


def test_a_receipt_found_on_the_board(verifier: Verifier, tmp_path: Path) -> None:
    model = builder.honest()
    line = check(verifier, model, tmp_path, receipt(model, 2))
    assert line.ok, line.detail
    assert line.detail.startswith("found: entry 2 of round 1")


def test_the_receipt_files_the_page_and_the_command_line_write(
    verifier: Verifier, tmp_path: Path
) -> None:
    model = builder.honest()
    plain = receipt(model, 1)
    kept = plain | {
        "format": "inmc-vote/receipt/v1",
        "manifest_hash": b64url(model.rounds[0].manifest_hash),
        "authority": b64url(keys.ed25519_public(model.authority)),
    }
    written = {
        "format": "inmc-vote/receipt-file/v1",
        "server": "https://vote.example.org",
        "manifest_hash": b64url(model.rounds[0].manifest_hash),
        "fingerprint": "ABCD-EFGH-JKMN-PQRS",
        "receipt": plain,
    }
    assert check(verifier, model, tmp_path, kept).ok
    assert check(verifier, model, tmp_path, written).ok


def test_a_forged_receipt_is_refused(verifier: Verifier, tmp_path: Path) -> None:
    model = builder.honest()
    forged = receipt(model, 2, signer=keys.new_ed25519()[0])
    line = check(verifier, model, tmp_path, forged)
    assert not line.ok
    assert line.detail.startswith("FORGED")
    # a receipt changed after signing is forged too
    moved = receipt(model, 2) | {"seq": 3, "hash": b64url(model.rounds[0].entries[2].hash)}
    assert check(verifier, model, tmp_path, moved).detail.startswith("FORGED")


def test_a_foreign_receipt_is_refused(verifier: Verifier, tmp_path: Path) -> None:
    model = builder.honest()
    other = builder.honest(ballot="zz99yy88xx")
    line = check(verifier, model, tmp_path, receipt(other, 1))
    assert not line.ok
    assert line.detail.startswith("FOREIGN"), line.detail
    # the same ballot id, but another manifest (another server's ballot)
    same_id = builder.honest()
    assert check(verifier, model, tmp_path, receipt(same_id, 1)).detail.startswith("FORGED")
    named = receipt(same_id, 1) | {"manifest_hash": b64url(same_id.rounds[0].manifest_hash)}
    assert check(verifier, model, tmp_path, named).detail.startswith("FOREIGN")
    later_round = receipt(model, 1) | {"round": 2}
    assert check(verifier, model, tmp_path, later_round).detail.startswith("FOREIGN")


def test_a_signed_receipt_whose_ballot_was_taken_back(verifier: Verifier, tmp_path: Path) -> None:
    model = builder.honest([LYON, LYON, LYON])
    kept = receipt(model, 3)
    changed = receipt(model, 2)
    r = model.rounds[0]
    dropped = r.entries.pop()  # the server drops the last ballot, and reseals
    model.tally(r, r.tallied_at)
    line = check(verifier, model, tmp_path, kept)
    assert not line.ok
    assert line.detail.startswith("MISSING"), line.detail
    # ... or puts another ballot in its place
    r.entries.insert(1, dataclasses.replace(dropped, received_at=r.entries[1].received_at))
    r.entries.pop(2)
    model.rechain(r)
    model.tally(r, r.tallied_at)
    line = check(verifier, model, tmp_path, changed)
    assert not line.ok
    assert line.detail.startswith("CHANGED"), line.detail


def test_a_receipt_after_the_bundle_s_head(verifier: Verifier, tmp_path: Path) -> None:
    model = builder.honest([LYON], voters=3, sealed=False)
    line = check(verifier, model, tmp_path, receipt(model, 2, hash=bytes(32)))
    assert not line.ok
    assert line.detail.startswith("NOT YET"), line.detail


def test_a_file_that_is_not_a_receipt(verifier: Verifier, tmp_path: Path) -> None:
    model = builder.honest()
    path = tmp_path / "notes.json"
    path.write_text('{"hello": 1}')
    report = verifier.report(model, receipt_files=[path, tmp_path / "absent.json"])
    lines = [c for c in report.checks if c.code == "receipt"]
    assert [c.ok for c in lines] == [False, False]
    assert "cannot be read" in lines[0].detail

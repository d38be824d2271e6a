"""The audit bundle through the API, end to end: a real ballot cast, closed, tallied and
published; its bundle downloaded and verified with nothing but the bundle."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path
from typing import Any

import pytest

from inmc_vote.domain.protocol import ballot as ballots
from inmc_vote.domain.protocol import bundle, credentials
from inmc_vote.domain.protocol.encoding import from_b64url
from inmc_vote.verify import verify
from tests import factories as f
from tests.integration.test_api_exhaustive_rounds import exhaustive, next_round, run_round
from tests.integration.test_api_tally import act, close_early, done
from tests.voting_helpers import (
    ballot_body,
    manifest_of,
    mix_and_decrypt,
    open_ballot,
    tokens_from_zip,
)

# storage-specific: the audit export and its bundle
pytestmark = pytest.mark.both_databases

BALLOTS = "/api/v1/ballots"


def cast(client: f.Client, ballot_id: str, token: str, marks: dict[str, Any]) -> dict[str, Any]:
    sent = client.post(
        f"{BALLOTS}/{ballot_id}/cast", json=ballot_body(client, ballot_id, token, marks)
    )
    assert sent.status_code == 201, sent.text
    return sent.json()


def download(client: f.Client, ballot_id: str, path: Path) -> Path:
    answer = client.get(f"{BALLOTS}/{ballot_id}/audit")
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"] == "application/zip"
    assert f"inmc-vote-{ballot_id}-audit.zip" in answer.headers["content-disposition"]
    path.write_bytes(answer.content)
    return path


def failures(report: Any) -> list[str]:
    return [c.line() for c in report.checks if not c.ok]


def test_a_full_ballot_s_bundle_verifies(client, clock, tmp_path) -> None:
    ballot_id, key, rows = open_ballot(client, clock, n_cities=6, n_candidates=3)
    manifest, _ = manifest_of(client, ballot_id)
    a, b, _c = (c["id"] for c in manifest["candidates"])
    # a lost token, replaced before it votes
    lost = rows[5]
    answer = client.post(
        f"{BALLOTS}/{ballot_id}/credentials/{lost['credential_fingerprint']}/revoke", headers=key
    )
    assert answer.status_code == 201, answer.text
    (replacement,) = tokens_from_zip(answer.content)
    receipts = []
    for row, marks in zip(
        rows[:4], [{"choice": a}, {"choice": a}, {"choice": b}, {"blank": True}], strict=True
    ):
        clock.advance(minutes=1)
        receipts.append(cast(client, ballot_id, row["token"], marks))
    clock.advance(minutes=1)
    # an invalid vote: a choice of candidate number 200, which no one is
    _, seed = credentials.parse_token(replacement["token"], ballot_id)
    _, digest = manifest_of(client, ballot_id)
    unknown = bytes([2, 1, 200]) + bytes(25)
    odd = ballots.build(digest, from_b64url(manifest["keys"]["election"]), seed, unknown)
    sent = client.post(f"{BALLOTS}/{ballot_id}/cast", json=odd.to_json())
    assert sent.status_code == 201, sent.text

    during = download(client, ballot_id, tmp_path / "during.zip")
    report = verify(during, jobs=1)
    assert report.ok, report.text()
    assert report.state == "open"

    close_early(client, key, ballot_id)
    done(act(client, key, ballot_id, "tally"))
    tallied = download(client, ballot_id, tmp_path / "tallied.zip")
    members = zipfile.ZipFile(tallied).namelist()
    assert "round-1/tally.json" not in members  # not published
    # the shuffles are public once in; the decryptions (any t reveal the votes) only
    # with the published results
    assert "round-1/shuffle-2.json" in members
    assert not any("decryption" in name for name in members)
    assert verify(tallied, jobs=1).ok

    done(act(client, key, ballot_id, "publish"))
    final = download(client, ballot_id, tmp_path / "final.zip")
    report = verify(final, jobs=1)
    assert report.ok, report.text()
    codes = {c.code for c in report.checks}
    assert {
        "decryption",
        "shuffles",
        "mix-input",
        "verdicts",
        "count",
        "lot",
        "lost-tokens",
        "seal",
    } <= codes
    verdicts = next(c for c in report.checks if c.code == "verdicts")
    assert "3 counted, 1 blank, 1 invalid (1 unknown-candidate)" in verdicts.detail

    # polled during voting, the later bundles only add to the earlier ones
    grown = verify(final, old=during, jobs=1)
    assert grown.ok, grown.text()
    assert {"old-signed-head", "events-grew", "board-grew", "same-ballot"} <= {
        c.code for c in grown.checks
    }
    # a voter's receipt is on the board
    receipt = tmp_path / "receipt.json"
    receipt.write_text(json.dumps(receipts[2]))
    checked = verify(final, receipt_files=[receipt], jobs=1)
    assert checked.ok, checked.text()
    assert "found: entry 3 of round 1" in checked.checks[-1].detail

    # the bundle's members are the documented ones, in order
    with zipfile.ZipFile(final) as archive:
        names = archive.namelist()
        head = bundle.Head.from_bytes(archive.read("bundle.json"))
        assert "python3 inmc-verify-" in archive.read("AUDITORS.txt").decode()
        assert "the proof is tally.json" in archive.read("round-1/result.txt").decode()
    assert names[:5] == ["AUDITORS.txt", "bundle.json", "bundle.sig", "events.jsonl", "roll.jsonl"]
    assert names[5:] == [
        f"round-1/{name}"
        for name in (
            "manifest.json",
            "manifest.sig",
            "board.jsonl",
            "seal.json",
            "shuffle-1.json",
            "shuffle-2.json",
            "decryption-1.json",
            "decryption-2.json",
            "tally.json",
            "tally.sig",
            "votes.jsonl",
            "result.txt",
        )
    ]
    assert head.state == "tallied"
    assert head.rounds[0].board_count == 5


def test_an_exhaustive_ballot_s_rounds_verify(client, clock, tmp_path) -> None:
    ballot_id, key, tokens, (a, b, c, d) = exhaustive(client, clock, "lot")
    run_round(client, key, ballot_id, tokens, {a: 4, b: 3, c: 1, d: 1})
    next_round(client, clock, key, ballot_id)
    manifest, _ = manifest_of(client, ballot_id)
    (survivor,) = {x["id"] for x in manifest["candidates"]} - {a, b}  # the lot kept c or d
    run_round(client, key, ballot_id, tokens, {a: 4, b: 4, survivor: 1})
    report = verify(download(client, ballot_id, tmp_path / "rounds.zip"), jobs=1)
    assert report.ok, report.text()
    assert [c.round for c in report.checks if c.code == "count"] == [1, 2]
    assert any(c.code == "rounds" for c in report.checks)


def test_a_ballot_closed_by_the_clock_verifies(client, clock, tmp_path) -> None:
    ballot_id, key, rows = open_ballot(client, clock, n_cities=3, n_candidates=2)
    manifest, _ = manifest_of(client, ballot_id)
    cast(client, ballot_id, rows[0]["token"], {"choice": manifest["candidates"][0]["id"]})
    clock.advance(days=30)  # past closes_at: the clock closes and seals it
    mix_and_decrypt(client, ballot_id, shufflers=(3, 1), decrypters=(3, 2))
    done(act(client, key, ballot_id, "tally"))
    done(act(client, key, ballot_id, "publish"))
    report = verify(download(client, ballot_id, tmp_path / "clock.zip"), jobs=1)
    assert report.ok, report.text()


def test_no_bundle_before_the_tokens_are_issued(client, clock) -> None:
    made, _ = f.ready_to_freeze(client, clock, 3, 2)
    answer = client.get(f"{BALLOTS}/{made.id}/audit")
    assert "exists once the tokens are issued" in f.problem(answer, 404)
    assert f.problem(client.get(f"{BALLOTS}/nope/audit"), 404)


def test_a_token_lost_between_rounds_is_replayed(client, clock, tmp_path) -> None:
    """A city that voted in round 1 loses its token; its replacement votes in round 2. Each
    ballot is checked against the roll as it was when it was received."""
    ballot_id, key, rows = open_ballot(
        client, clock, n_cities=5, n_candidates=3, method="exhaustive", last_place_tie="lot"
    )
    manifest, _ = manifest_of(client, ballot_id)
    a, b, c = (x["id"] for x in manifest["candidates"])
    tokens = [r["token"] for r in rows]
    run_round(client, key, ballot_id, tokens, {a: 2, b: 2, c: 1})
    next_round(client, clock, key, ballot_id)
    lost = rows[0]
    answer = client.post(
        f"{BALLOTS}/{ballot_id}/credentials/{lost['credential_fingerprint']}/revoke", headers=key
    )
    assert answer.status_code == 201, answer.text
    (replacement,) = tokens_from_zip(answer.content)
    run_round(client, key, ballot_id, [replacement["token"], *tokens[1:]], {a: 3, b: 2})
    report = verify(download(client, ballot_id, tmp_path / "lost.zip"), jobs=1)
    assert report.ok, report.text()
    lost_tokens = next(c for c in report.checks if c.code == "lost-tokens")
    assert lost_tokens.counted == 1

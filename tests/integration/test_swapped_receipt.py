"""An operator who answers one city with another city's receipt is caught.

City 6 votes and keeps its receipt. The server is then made to record city 7's ballot
but answer it with city 6's receipt, a genuine receipt the authority signed, for a
ballot that is on the board: only the tracker, which city 7 computed itself before
sending, gives the swap away. `inmc-vote cast` refuses it (exit 1, nothing written),
and the board page's receipt check, given city 7's ballot with that receipt, says it is
another ballot's. In process: the voter's HTTP client is the app's test client.
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from inmc_vote.cli import main
from inmc_vote.domain.codes import VoteKind
from inmc_vote.domain.protocol import board, payload
from inmc_vote.services.actions import casting
from inmc_vote.tools import voter
from tests import factories as f
from tests.voting_helpers import manifest_of, open_ballot

SAYS_ANOTHER = "The server answered with a receipt for another ballot"
REAL_CAST = casting.cast


def cli_cast(client: f.Client, token: str, *args: str) -> int:
    return main(["cast", "--server", str(client.base_url), "--token", token, *args])


@pytest.fixture
def through_the_app(client: f.Client, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(voter.httpx, "Client", lambda **_: client)
    monkeypatch.setattr(client, "close", lambda: None)  # the app's client outlives the cast


def swap_receipts(monkeypatch: pytest.MonkeyPatch, answer: Any) -> list[board.Receipt]:
    """Make the server record each ballot and answer `answer(real receipt)`; returns
    the real receipts, in order."""
    real: list[board.Receipt] = []

    async def operator(*args: Any, **kwargs: Any) -> casting.Cast:
        done = await REAL_CAST(*args, **kwargs)
        real.append(done.receipt)
        return casting.Cast(answer(done.receipt), done.again)

    monkeypatch.setattr(casting, "cast", operator)
    return real


def check_page(client: f.Client, ballot_id: str, text: str) -> str:
    """The board's receipt check, as its form sends it (POST, never in the address)."""
    page = client.post(
        f"/ballots/{ballot_id}/board/receipt",
        data={"receipt": text, "_csrf_token": f.csrf_headers(client)["x-csrftoken"]},
    )
    assert page.status_code == 200, page.text
    return page.text


@pytest.mark.both_databases
def test_city_7_answered_with_city_6s_receipt_is_caught(
    client, clock, tmp_path: Path, monkeypatch, capsys, through_the_app
) -> None:
    ballot_id, _key, rows = open_ballot(client, clock, n_cities=7, n_candidates=3)
    ids = [c["id"] for c in manifest_of(client, ballot_id)[0]["candidates"]]
    city_6, city_7 = rows[5]["token"], rows[6]["token"]

    kept_6 = tmp_path / "city-6.json"
    assert cli_cast(client, city_6, "--choice", ids[0], "--receipt-out", str(kept_6)) == 0
    receipt_6 = board.Receipt.parse(json.loads(kept_6.read_text())["receipt"])
    capsys.readouterr()

    real = swap_receipts(monkeypatch, lambda _own: receipt_6)
    kept_7 = tmp_path / "city-7.json"
    status = cli_cast(client, city_7, "--choice", ids[1], "--receipt-out", str(kept_7))
    said = capsys.readouterr()
    assert status == 1, said.out + said.err
    assert SAYS_ANOTHER in said.err
    assert "Traceback" not in said.err
    assert not kept_7.exists()  # no receipt file for a receipt that is not ours
    # The tracker city 7 was shown before sending is its ballot's, on the board at entry 2.
    (real_7,) = real
    tracker_7 = said.out.split("Tracker:", 1)[1].split("(", 1)[1].split(")", 1)[0]
    assert tracker_7 == real_7.to_json()["tracker"] != receipt_6.to_json()["tracker"]
    monkeypatch.setattr(casting, "cast", REAL_CAST)

    # The receipt check: city 7's own ballot kept with city 6's receipt is another ballot's.
    lines = client.get(f"/api/v1/ballots/{ballot_id}/board").json()["entries"]
    ballot_7 = next(line["ballot"] for line in lines if line["tracker"] == tracker_7)
    swapped = board.ReceiptFile(receipt_6, ballot_7)
    assert SAYS_ANOTHER.split("The server answered with a ")[1] in (swapped.problem() or "")
    shown = check_page(client, ballot_id, swapped.text())
    assert "receipt: it names the tracker" in shown
    assert "Your ballot is entry" not in shown
    # ... and city 6's own file, and city 7's true receipt with its ballot, are found.
    assert "Your ballot is entry" in check_page(client, ballot_id, kept_6.read_text())
    true_7 = board.ReceiptFile(real_7, ballot_7).text()
    assert "Your ballot is entry" in check_page(client, ballot_id, true_7)


@pytest.mark.both_databases
def test_a_receipt_whose_hash_does_not_recompute_is_refused(
    client, clock, tmp_path: Path, monkeypatch, capsys, through_the_app
) -> None:
    _ballot_id, _key, rows = open_ballot(client, clock, n_cities=3, n_candidates=3)
    # the right tracker, but another time than the entry's: the hash does not recompute
    swap_receipts(monkeypatch, lambda own: replace(own, received_at="2027-01-01T00:00:00.000Z"))
    kept = tmp_path / "receipt.json"
    assert cli_cast(client, rows[0]["token"], "--blank", "--receipt-out", str(kept)) == 1
    said = capsys.readouterr()
    assert "hash does not recompute" in said.err
    assert not kept.exists()
    # and a receipt that the authority did not sign
    swap_receipts(monkeypatch, lambda own: replace(own, signature=bytes(64)))
    assert cli_cast(client, rows[1]["token"], "--blank", "--receipt-out", str(kept)) == 1
    assert "not signed by the ballot's authority key" in capsys.readouterr().err
    assert not kept.exists()


def test_a_ranking_longer_than_26_is_refused_before_anything_is_sent() -> None:
    candidates = [SimpleNamespace(id=f"c{i}", city=f"City {i}", country="FR") for i in range(30)]
    found = SimpleNamespace(candidates=candidates, method="irv", rules=None)
    too_long = voter.Choice(VoteKind.RANKING, tuple(c.id for c in candidates[:27]))
    with pytest.raises(voter.CastError, match="A ranking holds at most 26 candidates"):
        voter._check_choice(too_long, found)  # type: ignore[arg-type]
    full = voter.Choice(VoteKind.RANKING, tuple(c.id for c in candidates[: payload.MAX_RANKS]))
    assert voter._check_choice(full, found).startswith("ranking 1. City 0")  # type: ignore[arg-type]

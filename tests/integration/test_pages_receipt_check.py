"""The board's receipt check (web/pages/receipt_check.py): the receipt as its file or
pasted, in a POST body and never in the address; the verdict in plain, readable words."""

from __future__ import annotations

import html
import json
import re

from inmc_vote.domain.protocol import board
from inmc_vote.domain.protocol.encoding import from_b64url
from tests import factories as f
from tests.voting_helpers import make_ballot


def voted(client, clock) -> tuple[str, str]:
    """An open ballot in Europe/Paris, one city's vote, and that city's receipt file."""
    made, letters = f.frozen_with_tokens(client, clock, n_cities=4, n_candidates=2)
    clock.advance(days=3)  # past opens_at: the clock opens it
    answer = client.get(f"/api/v1/ballots/{made.id}/manifest")
    manifest = json.loads(answer.content)
    digest = from_b64url(answer.headers["x-manifest-hash"])
    sent = make_ballot(manifest, digest, letters[0].token, {"blank": True}).to_json()
    receipt = client.post(f"/api/v1/ballots/{made.id}/cast", json=sent)
    assert receipt.status_code == 201, receipt.text
    kept = board.ReceiptFile(board.Receipt.parse(receipt.json()), sent)
    return made.id, kept.text()


def post(client, ballot_id: str, **parts):
    token = f.csrf_headers(client)["x-csrftoken"]
    files = {"file": parts.pop("file")} if "file" in parts else None
    return client.post(
        f"/ballots/{ballot_id}/board/receipt",
        data={"_csrf_token": token, **parts},
        files=files,
    )


def test_the_receipt_file_itself_is_checked(client, clock):
    ballot_id, receipt = voted(client, clock)
    page = post(client, ballot_id, file=("receipt.json", receipt.encode(), "application/json"))
    assert page.status_code == 200
    said = html.unescape(page.text)
    assert "Your ballot is entry 1 of round 1 on the board, recorded at" in said
    assert "The tracker was recomputed from your ballot" in said
    # the time as people read it, in the ballot's zone; not the receipt's ISO text
    recorded = said.split("recorded at ", 1)[1].split(". The tracker", 1)[0]
    assert "(Europe/Paris, UTC+1)" in recorded
    assert "T" not in recorded.split("(")[0]
    assert "Z" not in recorded
    assert "found:" not in said


def test_a_pasted_receipt_is_checked_too(client, clock):
    ballot_id, receipt = voted(client, clock)
    page = post(client, ballot_id, receipt=receipt)
    assert page.status_code == 200
    assert "Your ballot is entry 1 of round 1 on the board" in html.unescape(page.text)


def test_the_receipt_never_travels_in_the_address(client, clock):
    ballot_id, receipt = voted(client, clock)
    board_page = client.get(f"/ballots/{ballot_id}/board").text
    form = board_page.split('class="stack receipt-form"', 1)[0].rsplit("<form", 1)[1]
    assert 'method="post"' in form
    assert 'enctype="multipart/form-data"' in form
    assert 'type="file"' in board_page
    # an old link with ?receipt= shows the empty form: nothing is read from the address
    page = client.get(f"/ballots/{ballot_id}/board/receipt", params={"receipt": receipt})
    assert page.status_code == 200
    assert "Your ballot is entry" not in page.text
    assert "tracker" not in page.text.split("<textarea", 1)[1].split("</textarea>", 1)[0]


def test_what_is_not_a_receipt_is_refused_in_words(client, clock):
    ballot_id, _receipt = voted(client, clock)
    empty = post(client, ballot_id, receipt="  ")
    assert empty.status_code == 400
    assert "Paste your receipt, or choose its file" in empty.text
    binary = post(client, ballot_id, file=("receipt.json", b"\xff\xfe\x00bad", "application/json"))
    assert binary.status_code == 400
    assert "This file is not a receipt" in binary.text
    huge = post(client, ballot_id, file=("big.json", b" " * 70_000, "application/json"))
    assert huge.status_code == 400
    assert "too large to be a receipt" in huge.text
    nonsense = post(client, ballot_id, receipt="hello")
    assert nonsense.status_code == 200  # read, and found not to be one: a finding
    assert "This is not a receipt" in nonsense.text


def test_the_time_a_receipt_was_recorded_is_in_the_readers_language(client, clock):
    ballot_id, receipt = voted(client, clock)
    client.get("/?lang=fr")  # the reader chooses French (kept in a cookie)
    said = html.unescape(post(client, ballot_id, receipt=receipt).text)
    months = "janvier|février|mars|avril|mai|juin|juillet|août|septembre|octobre|novembre|décembre"
    assert re.search(rf"\d{{1,2}} ({months}) \d{{4}} à \d\d:\d\d \(Europe/Paris, UTC\+1\)", said)

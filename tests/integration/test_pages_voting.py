"""The voting pages: the vote page, the public board (paging, tracker lookup, seal), the
fingerprint and turnout on every page of a ballot; on both databases."""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import html
import json
import re

import pytest

from inmc_vote.config import LIMITS
from inmc_vote.domain.lifecycle import Action
from inmc_vote.domain.protocol import credentials
from inmc_vote.domain.protocol.encoding import b64url, from_b64url
from inmc_vote.domain.protocol.manifest import short_fingerprint
from inmc_vote.web.pages import voting as voting_pages
from tests import factories as f
from tests.voting_helpers import make_ballot


def open_with_tokens(client, clock, n_cities: int = 5):
    """An open ballot and its letters (tokens issued through the service)."""
    made, letters = f.frozen_with_tokens(client, clock, n_cities=n_cities, n_candidates=2)
    clock.advance(days=3)  # past opens_at: the clock opens it
    return made, letters


def cast(client, ballot_id: str, token: str) -> dict:
    response = client.get(f"/api/v1/ballots/{ballot_id}/manifest")
    manifest = json.loads(response.content)
    digest = from_b64url(response.headers["x-manifest-hash"])
    choice = manifest["candidates"][0]["id"]
    body = make_ballot(manifest, digest, token, {"choice": choice}).to_json()
    receipt = client.post(f"/api/v1/ballots/{ballot_id}/cast", json=body)
    assert receipt.status_code == 201, receipt.text
    return receipt.json()


def manifest_hash(client, ballot_id: str) -> bytes:
    response = client.get(f"/api/v1/ballots/{ballot_id}/manifest")
    return from_b64url(response.headers["x-manifest-hash"])


def inline_code(page: str) -> list[str]:
    """Scripts with code in the page itself (an import map is data, not code)."""
    return [
        body
        for attrs, body in re.findall(r"<script\b([^>]*)>(.*?)</script>", page, re.S)
        if body.strip() and 'type="importmap"' not in attrs
    ]


def text_of(response) -> str:
    return html.unescape(response.text)


def test_vote_page_loads_the_module_and_no_inline_code(client, clock):
    made, _letters = open_with_tokens(client, clock)
    page = client.get(f"/vote/{made.id}")
    assert page.status_code == 200
    main = page.text.split('<main id="main">', 1)[1]  # the site's own scripts are in <head>
    scripts = re.findall(r"<script\b[^>]*>", main)
    assert scripts == [
        '<script type="importmap">',
        '<script type="module" src="/static/ballot/vote.js">',
    ]
    assert not inline_code(page.text)
    bodies = re.findall(r"<script\b[^>]*>(.*?)</script>", main, re.S)
    # The one inline script is the import map: data, allowed by its hash in the CSP.
    assert json.loads(bodies[0])["imports"]["@noble/curves/"] == "/static/vendor/noble-curves/"
    assert bodies[1] == ""
    digest = base64.b64encode(hashlib.sha256(bodies[0].encode()).digest()).decode()
    assert f"'sha256-{digest}'" in page.headers["content-security-policy"]
    assert "style=" not in page.text
    assert "<noscript>" in page.text
    assert "inmc-vote cast --server http://testserver.local" in page.text
    assert f'data-ballot="{made.id}"' in page.text
    digest = manifest_hash(client, made.id)
    assert short_fingerprint(digest) in page.text
    assert b64url(digest) in page.text
    assert "0 ballots from 5 eligible cities" in page.text
    assert f'href="/ballots/{made.id}/board"' in page.text
    module = client.get("/static/ballot/vote.js")
    assert module.status_code == 200
    assert "javascript" in module.headers["content-type"]


def test_vote_page_before_opening_and_after_closing(client, clock):
    made, _ = f.frozen_with_tokens(client, clock)
    page = client.get(f"/vote/{made.id}")
    assert "Voting has not opened yet." in page.text
    assert "vote.js" not in page.text
    assert not inline_code(page.text)
    clock.advance(days=30)  # past closes_at: the clock closes it
    page = client.get(f"/vote/{made.id}")
    assert "Voting is closed" in page.text
    assert "vote.js" not in page.text
    assert not inline_code(page.text)
    # not counted yet: where the results will be; no link to a page that has none
    assert "once they are counted and published" in page.text
    assert f'href="/ballots/{made.id}/results"' not in page.text


def test_public_ballot_page_shows_fingerprint_turnout_and_board(client, clock):
    made, letters = open_with_tokens(client, clock)
    cast(client, made.id, letters[0].token)
    page = client.get(f"/ballots/{made.id}")
    digest = manifest_hash(client, made.id)
    assert short_fingerprint(digest) in page.text
    assert b64url(digest) in page.text
    assert "1 ballot from 5 eligible cities" in page.text  # one ballot, in the singular
    assert f'href="/ballots/{made.id}/board"' in page.text
    assert f'href="/vote/{made.id}"' in page.text


def test_board_lists_entries_in_pages(client, clock, monkeypatch):
    monkeypatch.setattr(voting_pages, "LIMITS", dataclasses.replace(LIMITS, board_html_page=2))
    made, letters = open_with_tokens(client, clock)
    receipts = [cast(client, made.id, letter.token) for letter in letters[:3]]

    first = client.get(f"/ballots/{made.id}/board")
    assert first.status_code == 200
    assert 'id="entry-1"' in first.text
    assert 'id="entry-2"' in first.text
    assert 'id="entry-3"' not in first.text
    assert receipts[0]["tracker"] in first.text  # the tracker, not the entry's hash
    assert receipts[0]["hash"] not in first.text
    assert short_fingerprint(from_b64url(receipts[1]["tracker"])) in first.text
    api_entries = client.get(f"/api/v1/ballots/{made.id}/board").json()["entries"]
    credential = from_b64url(api_entries[0]["ballot"]["credential"])
    assert credentials.fingerprint(credential) in first.text
    assert f'href="/ballots/{made.id}/board?after=2"' in first.text
    assert "Later entries" in first.text
    assert "Earlier entries" not in first.text
    assert "3 ballots from 5 eligible cities" in first.text

    second = client.get(f"/ballots/{made.id}/board?after=2")
    assert 'id="entry-3"' in second.text
    assert 'id="entry-2"' not in second.text
    assert "Earlier entries" in second.text
    assert "Later entries" not in second.text

    beyond = client.get(f"/ballots/{made.id}/board?after=9")
    assert "No entry after number 9." in beyond.text


def test_board_finds_a_ballot_by_its_tracker(client, clock):
    made, letters = open_with_tokens(client, clock)
    cast(client, made.id, letters[0].token)
    receipt = cast(client, made.id, letters[1].token)

    found = client.get(f"/ballots/{made.id}/board", params={"tracker": receipt["tracker"]})
    assert found.status_code == 200
    assert "Your ballot is entry 2, recorded at" in found.text
    assert 'class="found" aria-current="true"' in found.text

    spaced = " ".join(receipt["tracker"][i : i + 8] for i in range(0, 43, 8))
    assert (
        "Your ballot is entry 2"
        in client.get(f"/ballots/{made.id}/board", params={"tracker": spaced}).text
    )

    typo = client.get(f"/ballots/{made.id}/board", params={"tracker": receipt["tracker"][:-3]})
    assert "This is not a tracker" in typo.text
    assert 'aria-invalid="true"' in typo.text
    for other in (b64url(bytes(32)), receipt["hash"]):  # the entry's hash is not a tracker
        unknown = client.get(f"/ballots/{made.id}/board", params={"tracker": other})
        assert "No ballot with this tracker is on this board." in unknown.text


def test_board_shows_the_seal_once_closed(client, clock):
    made, letters = open_with_tokens(client, clock)
    cast(client, made.id, letters[0].token)
    assert "Seal" not in client.get(f"/ballots/{made.id}/board").text
    f.act(client, clock, made.id, Action.CLOSE, reason="Everyone has voted.")
    board = text_of(client.get(f"/ballots/{made.id}/board"))
    seal = client.get(f"/api/v1/ballots/{made.id}/board").json()["seal"]
    assert "the board was sealed" in board
    assert '<dd class="seal-count">1</dd>' in board
    assert seal["head"] in board
    assert seal["signature"] in board


def test_board_before_the_tokens(client, clock):
    made, _ = f.ready_to_freeze(client, clock)
    page = client.get(f"/ballots/{made.id}/board")
    assert page.status_code == 200
    assert "The board opens once the tokens are issued" in page.text
    assert client.get("/ballots/nosuchballot/board").status_code == 404


@pytest.mark.parametrize("path", ["/vote/{id}", "/ballots/{id}/board", "/ballots/{id}"])
def test_every_page_of_the_ballot_has_the_fingerprint(client, clock, path):
    made, _ = open_with_tokens(client, clock)
    page = client.get(path.format(id=made.id))
    assert page.status_code == 200
    assert short_fingerprint(manifest_hash(client, made.id)) in page.text


def test_the_vote_page_gives_its_scripts_the_ballot_zone_and_every_plural_form(client, clock):
    made, _letters = open_with_tokens(client, clock)
    page = html.unescape(client.get(f"/vote/{made.id}").text)
    assert f'data-ballot="{made.id}" data-zone="Europe/Paris"' in page
    # the turnout the script updates, in each plural form ({ballots} filled by the script)
    assert '<span data-key="turnout-one">{ballots} ballot from {eligible} eligible cities' in page
    assert '<span data-key="turnout-other">{ballots} ballots from {eligible} eligible' in page
    # the reader's own time, and a token without its ballot prefix explained
    assert 'data-key="your-time">{time} in your time zone<' in page
    assert 'data-key="token-no-prefix">' in page
    assert f"It starts with the ballot's id and a dot ({made.id}.)" in page
    assert "Recorded at (UTC)" not in page

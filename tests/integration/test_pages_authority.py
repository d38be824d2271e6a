"""The credential authority's page (web/pages/authority.py) without a browser: what it
hands the browser (the electorate, the letter and CSV templates cut around markers) is
public, and the parts put together again give the command's own files; the page says
when there is nothing to do. The browser's side is tests/browser/test_authority_pages.py."""

from __future__ import annotations

import base64
import hashlib
import json
import re

from inmc_vote.documents.token_letters import Letter, letters_csv, letters_html
from inmc_vote.domain.lifecycle import Action
from inmc_vote.web.pages.authority import csv_parts, letter_parts
from tests import factories as f

FACTS = re.compile(r'<script type="application/json" id="letter-facts">(.*?)</script>', re.S)
SVG = re.compile(r"<svg\b.*?</svg>", re.S)


def facts_of(text: str) -> dict:
    found = FACTS.search(text)
    assert found, "the page carries its facts"
    return json.loads(found.group(1))


def fill(parts: dict, part: str, values: dict[str, str]) -> str:
    text = parts[part]
    for name, marker in parts["markers"].items():
        text = text.replace(marker, values[name])
    return text


def test_the_letter_parts_give_the_commands_letter_back() -> None:
    facts = {
        "title": "Host <city> & co",
        "question": "Which?",
        "closes": "1 May 2027",
        "base_url": "https://vote.example.org",
        "ballot_id": "abc123",
    }
    parts = letter_parts(**facts)
    token = "abc123.AAAA-BBBB"
    link = f"https://vote.example.org/vote/abc123#t={token}"
    letter = fill(
        parts,
        "letter",
        {
            "city": "O&#39;Higgins",
            "country": "CL",
            "token": token,
            "fingerprint": "ABCD-EFGH",
            "link": link,
            "qr": "",
        },
    )
    expected = letters_html(
        title=facts["title"],
        question=facts["question"],
        closes=facts["closes"],
        manifest_hash=None,
        base_url=facts["base_url"],
        ballot_id=facts["ballot_id"],
        letters=[Letter("O'Higgins", "CL", token, "ABCD-EFGH")],
    )
    assert parts["head"] + letter + parts["tail"] == SVG.sub("", expected)
    assert "Host &lt;city&gt; &amp; co" in parts["head"]


def test_the_csv_parts_give_the_commands_csv_back() -> None:
    parts = csv_parts("https://vote.example.org", "abc123")
    token = "abc123.AAAA-BBBB"
    row = fill(
        parts,
        "row",
        {
            "city": "Troyes",
            "country": "FR",
            "fingerprint": "ABCD-EFGH",
            "token": token,
            "link": f"https://vote.example.org/vote/abc123#t={token}",
        },
    )
    expected = letters_csv(
        "https://vote.example.org", "abc123", [Letter("Troyes", "FR", token, "ABCD-EFGH")]
    )
    assert parts["head"] + row == expected


def test_an_offline_frozen_ballot_gets_its_electorate_and_no_secret(client, clock) -> None:
    made, towns = f.ready_to_freeze(
        client, clock, credential_authority="offline", registrar_party="Porto"
    )
    f.act(client, clock, made.id, Action.FREEZE)
    page = client.get(f"/ballots/{made.id}/authority")
    assert page.status_code == 200
    assert 'id="issue-button"' in page.text
    assert "registrar.key" in page.text
    assert "revocation.json" in page.text
    facts = facts_of(page.text)
    assert sorted(c["name"] for c in facts["cities"]) == sorted(t.name for t in towns)
    assert facts["ballot"] == made.id
    # The import map is the vote page's own, which the site's script policy allows.
    maps = re.findall(r'<script type="importmap">(.*?)</script>', page.text, re.S)
    assert len(maps) == 1
    digest = base64.b64encode(hashlib.sha256(maps[0].encode()).digest()).decode()
    assert f"'sha256-{digest}'" in page.headers["content-security-policy"]
    assert '"/static/vendor/noble-curves/ed25519.js": "sha384-' in maps[0]
    # Nothing the page is given could be a token (ballot id, a dot, groups of four).
    assert not re.search(rf"{made.id}\.[0-9A-Z]{{4}}-", page.text)


def test_a_server_made_ballot_has_nothing_to_do_here(client, clock) -> None:
    made, _ = f.ready_to_freeze(client, clock)
    f.act(client, clock, made.id, Action.FREEZE)
    page = client.get(f"/ballots/{made.id}/authority")
    assert page.status_code == 200
    assert "authority-app" not in page.text
    assert "nothing is to be done on this page" in page.text


def test_an_unknown_ballot_is_not_found(client) -> None:
    assert client.get("/ballots/nosuchballot/authority").status_code == 404


def test_the_organisers_page_links_to_the_authority_page(client, clock) -> None:
    made, _ = f.ready_to_freeze(
        client, clock, credential_authority="offline", registrar_party="Porto"
    )
    f.act(client, clock, made.id, Action.FREEZE)
    new = f.account(client, clock)
    f.sign_in(client, new.email, new.password)
    manage = client.get(f"/organiser/ballots/{made.id}")
    assert f'href="/ballots/{made.id}/authority"' in manage.text

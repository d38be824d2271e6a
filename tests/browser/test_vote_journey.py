"""The representative's journey in Chromium against a live server: the token link, the
fingerprint check, the vote (one choice; a ranking made with the keyboard only), the
confirmation with the ballot's tracker shown before sending (protocol v2), the verified
receipt naming that tracker, the receipt file, the board; and what goes wrong: a second
vote, a typo in a pasted token; and the page on a phone."""

from __future__ import annotations

import json
import re
from pathlib import Path

import httpx
import pytest

from inmc_vote.domain.protocol import board
from inmc_vote.domain.protocol.ballot import Ballot
from inmc_vote.domain.protocol.encoding import b64url, from_b64url
from inmc_vote.domain.protocol.manifest import short_fingerprint

pytestmark = pytest.mark.browser


def api(server, ballot: dict, path: str = "") -> dict:
    return httpx.get(f"{server.base_url}/api/v1/ballots/{ballot['id']}{path}", timeout=5).json()


def open_with_link(page, server, ballot: dict, token: str) -> None:
    page.goto(f"{server.base_url}/vote/{ballot['id']}#t={token}")
    page.get_by_role("heading", name="2. Check the ballot's fingerprint").wait_for()
    assert "#t=" not in page.url  # the token left the address bar (and the history)
    assert token not in page.evaluate("window.location.href")


def tracker_before_sending(page) -> str:
    """The tracker the confirmation step shows before anything is sent (in full)."""
    shown = page.locator("#summary #tracker-before")
    full = shown.locator("code.full").inner_text()
    assert len(from_b64url(full)) == 32  # a SHA-256, in full
    text = shown.inner_text()
    assert text.startswith(f"Your ballot's tracker: {short_fingerprint(from_b64url(full))}. ")
    assert text.endswith(f"In full: {full}")
    return full


def cast_and_check_receipt(page, server, ballot: dict, *, keyboard: bool = False) -> dict:
    """Cast the ballot on the confirmation step (with Enter if `keyboard`); check the
    receipt the page shows and the receipt file it offers (`{"receipt", "ballot"}`)
    against the tracker shown before sending and against the board; return the file."""
    before = tracker_before_sending(page)
    cast = page.get_by_role("button", name="Cast my vote")
    if keyboard:
        cast.press("Enter")
    else:
        cast.click()
    heading = page.get_by_role("heading", name="Your vote is recorded")
    heading.wait_for()
    assert page.evaluate("document.activeElement.id") == "receipt-title"
    assert "Receipt verified" in page.locator("#receipt-check").inner_text()
    download = page.get_by_role("link", name="Download the signed receipt")
    with page.expect_download() as waiting:
        if keyboard:
            download.press("Enter")
        else:
            download.click()
    text = Path(waiting.value.path()).read_text()
    kept = json.loads(text)
    assert set(kept) == {"receipt", "ballot"}
    receipt, own = kept["receipt"], kept["ballot"]
    assert "token" not in text
    assert receipt["ballot"] == ballot["id"]
    # The tracker shown before sending is the receipt's, the page's, and the kept
    # ballot's own (recomputed here from its bytes).
    assert receipt["tracker"] == before
    assert b64url(Ballot.parse(own).tracker) == before
    assert b64url(board.ReceiptFile.parse(text).tracker) == before
    assert page.locator("#receipt-full").inner_text() == before
    assert page.locator("#receipt-seq").inner_text() == str(receipt["seq"])
    # the time as people read it, in the ballot's zone, named; never the receipt's ISO text
    when = page.locator("#receipt-time")
    assert when.get_attribute("datetime") == receipt["received_at"]
    assert "(Europe/Paris, UTC+" in when.inner_text()
    assert receipt["received_at"] not in when.inner_text()
    # The board's entry at that seq is this ballot, with this tracker and this hash.
    entries = api(server, ballot, f"/board?after={receipt['seq'] - 1}")["entries"]
    entry = entries[0]
    assert entry["seq"] == receipt["seq"]
    assert entry["tracker"] == before
    assert entry["hash"] == receipt["hash"]
    assert entry["ballot"] == own
    return kept


def test_one_choice_from_the_link_to_the_board(page, voting_server):
    ballot = voting_server.plurality
    token = ballot["tokens"][0]
    open_with_link(page, voting_server, ballot, token)
    assert page.locator("#fp-short").inner_text() == api(voting_server, ballot)["fingerprint"]
    assert page.evaluate("document.activeElement.id") == "check-title"

    page.get_by_role("button", name="Yes, it is the same: continue").click()
    page.get_by_label("Ota (JP)").check()
    page.get_by_role("button", name="Continue to the confirmation").click()
    summary = page.locator("#summary")
    assert summary.locator(".summary-line").inner_text() == "You vote for Ota (JP)."
    assert summary.inner_text().startswith("You vote for Ota (JP).\n")
    shown = tracker_before_sending(page)
    receipt = cast_and_check_receipt(page, voting_server, ballot)["receipt"]
    assert receipt["tracker"] == shown
    turnout = page.locator(".voting-facts .turnout")
    turnout.filter(has_text="1 ballot from 5 eligible cities").wait_for()  # it grew (one: singular)

    page.get_by_role("link", name="Find it on the board").click()
    page.wait_for_url("**/board?tracker=*")
    found = page.locator("#lookup-result").inner_text()
    assert f"Your ballot is entry {receipt['seq']}, recorded at" in found
    assert shown in found  # the board's entry names the tracker shown before sending
    entry = page.locator(f"#entry-{receipt['seq']}")
    assert entry.get_attribute("aria-current") == "true"
    assert entry.locator(".tracker code.full").inner_text() == shown

    # The same token a second time: refused, in plain words.
    open_link = f"{voting_server.base_url}/vote/{ballot['id']}#t={token}"
    page.goto(open_link)
    problem = page.get_by_role("alert")
    problem.filter(has_text="already voted").wait_for()
    assert f"entry {receipt['seq']} on the board" in problem.inner_text()


def test_a_typo_in_a_pasted_token(page, voting_server):
    ballot = voting_server.plurality
    token = ballot["tokens"][1]
    head, body = token.split(".")
    wrong = "1" if body[5] != "1" else "2"
    typo = f"{head}.{body[:5]}{wrong}{body[6:]}"
    page.goto(f"{voting_server.base_url}/vote/{ballot['id']}")
    field = page.get_by_role("textbox", name="Voting token")
    field.wait_for()
    field.fill(typo)
    page.get_by_role("button", name="Read my token").click()
    page.get_by_role("alert").filter(has_text="There is a typo").wait_for()
    assert "check what you typed" in page.get_by_role("alert").inner_text()
    assert field.get_attribute("aria-invalid") == "true"
    assert page.evaluate("document.activeElement.id") == "token"

    field.fill(f"  {token.lower()}  ")  # case and spaces do not matter
    page.get_by_role("button", name="Read my token").click()
    page.get_by_role("heading", name="2. Check the ballot's fingerprint").wait_for()


def test_a_ranking_made_with_the_keyboard(page, voting_server):
    ballot = voting_server.irv
    open_with_link(page, voting_server, ballot, ballot["tokens"][0])
    page.get_by_role("button", name="Yes, it is the same: continue").press("Enter")
    page.get_by_role("heading", name="3. Your vote").wait_for()
    assert page.evaluate("document.activeElement.id") == "choose-title"

    def focused() -> str:
        return page.evaluate(
            "(e => e.getAttribute('aria-label') ?? e.textContent)(document.activeElement)"
        )

    # Tab to the first "Add to my ranking" button (past the dossier links).
    for _ in range(10):
        page.keyboard.press("Tab")
        if focused().startswith("Add to my ranking"):
            break
    assert focused() == "Add to my ranking: Cuneo (IT)"
    page.keyboard.press("Enter")  # Cuneo first; the focus moves to the next city to add
    assert focused() == "Add to my ranking: Greenville (US)"
    page.keyboard.press("Enter")
    assert focused() == "Add to my ranking: Ota (JP)"
    page.keyboard.press("Space")  # all ranked: the focus is on Ota's "Move up"
    assert focused() == "Move up: Ota (JP)"
    page.keyboard.press("Enter")  # Ota above Greenville
    assert "Ota (JP) is now number 2 of your ranking." in page.locator("#vote-status").inner_text()
    assert focused() == "Move up: Ota (JP)"
    page.keyboard.press("Enter")  # Ota first; "Move up" is now off, the focus on "Move down"
    assert focused() == "Move down: Ota (JP)"
    ranked = page.locator("#ranking-list li .rank-name").all_inner_texts()
    assert ranked == ["1. Ota (JP)", "2. Cuneo (IT)", "3. Greenville (US)"]

    page.get_by_role("button", name="Remove: Greenville (US)").press("Enter")  # partial
    page.get_by_role("button", name="Continue to the confirmation").press("Enter")
    summary = page.locator("#summary")
    assert summary.locator("li").all_inner_texts() == ["Ota (JP)", "Cuneo (IT)"]
    assert "did not rank" in summary.inner_text()
    tracker_before_sending(page)
    page.get_by_role("button", name="Change my vote").press("Enter")
    page.get_by_role("button", name="Continue to the confirmation").press("Enter")
    assert summary.locator("li").all_inner_texts() == ["Ota (JP)", "Cuneo (IT)"]
    cast_and_check_receipt(page, voting_server, ballot, keyboard=True)


def test_the_vote_page_fits_a_phone(phone, voting_server):
    ballot = voting_server.irv
    open_with_link(phone, voting_server, ballot, ballot["tokens"][1])

    def overflow() -> int:
        return phone.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )

    assert overflow() <= 0, f"the fingerprint step scrolls sideways by {overflow()}px"
    phone.get_by_role("button", name="Yes, it is the same: continue").tap()
    for city in ("Cuneo (IT)", "Greenville (US)", "Ota (JP)"):
        phone.get_by_role("button", name=f"Add to my ranking: {city}").tap()
    assert overflow() <= 0, f"the ranking scrolls sideways by {overflow()}px on a 360px screen"
    phone.goto(f"{voting_server.base_url}/ballots/{ballot['id']}/board")
    assert overflow() <= 0, f"the board scrolls sideways by {overflow()}px on a 360px screen"


def test_a_second_token_link_in_the_same_tab_is_read(page, voting_server):
    """Opening another city's link in the same tab changes only the fragment: the page
    reads the new token, and takes it out of the address bar as the first one."""
    ballot = voting_server.plurality
    first, second = ballot["tokens"][2], ballot["tokens"][3]
    open_with_link(page, voting_server, ballot, first)
    shown = page.locator("#token-fp").inner_text()
    page.evaluate("(token) => { window.location.hash = 't=' + token; }", second)
    page.wait_for_function(
        "(before) => document.getElementById('token-fp').textContent !== before", arg=shown
    )
    page.get_by_role("heading", name="2. Check the ballot's fingerprint").wait_for()
    assert "#t=" not in page.url
    assert second not in page.evaluate("window.location.href")
    assert page.locator("#token").input_value() == second
    # a fragment with no token (a link to a section) leaves the page as it is
    page.evaluate("() => { window.location.hash = 'main'; }")
    page.wait_for_function("() => window.location.hash === ''")
    assert page.locator("#token-fp").is_visible()


def test_a_token_without_its_ballot_prefix_is_explained(page, voting_server):
    ballot = voting_server.plurality
    token = ballot["tokens"][2]
    page.goto(f"{voting_server.base_url}/vote/{ballot['id']}")
    field = page.get_by_role("textbox", name="Voting token")
    field.fill(token.split(".", 1)[1])  # the groups alone, without "<ballot>."
    page.get_by_role("button", name="Read my token").click()
    problem = page.get_by_role("alert").filter(has_text="with its beginning")
    problem.wait_for()
    assert f"({ballot['id']}.)" in problem.inner_text()
    assert field.get_attribute("aria-invalid") == "true"


def test_the_ranking_error_goes_once_the_ranking_is_fixed(page, voting_server):
    ballot = voting_server.irv
    open_with_link(page, voting_server, ballot, ballot["tokens"][2])
    page.get_by_role("button", name="Yes, it is the same: continue").click()
    page.get_by_role("button", name="Continue to the confirmation").click()
    alert = page.locator("#vote-problem")
    alert.filter(has_text="Add at least one city to your ranking").wait_for()
    page.get_by_role("button", name="Add to my ranking: Ota (JP)").click()
    page.wait_for_function("() => document.getElementById('vote-problem').textContent === ''")
    assert not alert.is_visible()
    # and a blank vote together with a ranking says so, then clears when the blank goes
    page.get_by_label("Blank vote (no city)").check()
    page.get_by_role("button", name="Continue to the confirmation").click()
    alert.filter(has_text="not both").wait_for()
    page.get_by_label("Blank vote (no city)").uncheck()
    page.wait_for_function("() => document.getElementById('vote-problem').textContent === ''")


def test_the_already_voted_message_gives_a_readable_time_and_the_readers_own(
    browser, voting_server
):
    """A reader in New York: the time in the ballot's zone (Paris), and in theirs, in the
    page's English (day first, as the server writes it)."""
    context = browser.new_context(timezone_id="America/New_York", locale="en-US")
    tab = context.new_page()
    try:
        ballot = voting_server.plurality
        token = ballot["tokens"][0]  # cast by the first test of this file
        entry = next(
            e for e in api(voting_server, ballot, "/board?after=0")["entries"] if e["seq"] == 1
        )
        tab.goto(f"{voting_server.base_url}/vote/{ballot['id']}#t={token}")
        problem = tab.get_by_role("alert").filter(has_text="already voted")
        problem.wait_for()
        said = problem.inner_text()
        assert entry["received_at"] not in said
        assert "(Europe/Paris, UTC+1)" in said
        assert "(America/New_York, UTC-5) in your time zone" in said
        assert re.search(r"recorded at \d{1,2} [A-Z][a-z]+ \d{4}, \d\d:\d\d \(Europe/Paris", said)
    finally:
        context.close()


def test_a_token_cut_short_or_for_another_ballot_is_explained_in_the_pages_words(
    page, voting_server
):
    ballot, other = voting_server.plurality, voting_server.irv
    page.goto(f"{voting_server.base_url}/vote/{ballot['id']}")
    field = page.get_by_role("textbox", name="Voting token")
    field.fill(ballot["tokens"][2][:-5])  # the last group left out
    page.get_by_role("button", name="Read my token").click()
    page.get_by_role("alert").filter(has_text="this one has 52").wait_for()
    assert (
        "a token has 56 letters and digits after the dot" in page.get_by_role("alert").inner_text()
    )
    field.fill(other["tokens"][4])
    page.get_by_role("button", name="Read my token").click()
    said = page.get_by_role("alert").filter(has_text="another ballot")
    said.wait_for()
    assert f"({other['id']}), not this one ({ballot['id']}): use the letter" in said.inner_text()

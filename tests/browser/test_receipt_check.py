"""A city checks its receipt in Chromium: it votes, saves the receipt the page offers,
pastes it on the public board's receipt check, and sees it found; a changed receipt is
refused as forged. Then the auditor's page shows the server's own verification."""

from __future__ import annotations

import json

import pytest

from tests.browser.test_vote_journey import cast_and_check_receipt, open_with_link

pytestmark = pytest.mark.browser


def test_a_saved_receipt_is_found_and_a_changed_one_refused(page, voting_server):
    ballot = voting_server.irv  # the plurality ballot's turnout is another test's
    open_with_link(page, voting_server, ballot, ballot["tokens"][3])
    page.get_by_role("button", name="Yes, it is the same: continue").click()
    page.get_by_role("button", name="Add to my ranking: Ota (JP)").click()
    page.get_by_role("button", name="Continue to the confirmation").click()
    receipt = cast_and_check_receipt(page, voting_server, ballot)

    page.goto(f"{voting_server.base_url}/ballots/{ballot['id']}/board")
    field = page.get_by_role("textbox", name="Paste your receipt")
    field.fill(json.dumps(receipt, indent=2))
    page.get_by_role("button", name="Check the receipt").click()
    verdict = page.get_by_role("status").filter(has_text="Your ballot is on the board.")
    verdict.wait_for()
    assert f"found: entry {receipt['seq']} of round 1" in verdict.inner_text()

    changed = receipt | {"received_at": "2020-01-01T00:00:00.000Z", "seq": receipt["seq"] + 1}
    field = page.get_by_role("textbox", name="Your receipt")
    field.fill(json.dumps(changed))
    page.get_by_role("button", name="Check the receipt").click()
    page.get_by_role("alert").filter(has_text="FORGED").wait_for()
    assert field.get_attribute("aria-invalid") == "true"

    page.get_by_role("link", name="Audit page").click()
    page.get_by_role("heading", name="The server's own check").wait_for()
    assert "checks passed" in page.get_by_role("status").inner_text()
    assert "FAILED" not in page.content()

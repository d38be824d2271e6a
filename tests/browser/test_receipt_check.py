"""A city checks its receipt in Chromium: it votes, saves the receipt file the page offers
(`{"receipt", "ballot"}`, protocol v2), pastes it on the public board's receipt check,
and sees it found with the tracker recomputed from its own ballot; a changed receipt is
refused as forged, and a receipt kept with another ballot as another ballot's. Then the
auditor's page shows the server's own verification."""

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
    kept = cast_and_check_receipt(page, voting_server, ballot)
    receipt = kept["receipt"]

    # The file itself, chosen on the board's form: sent in the POST body, never the address.
    page.goto(f"{voting_server.base_url}/ballots/{ballot['id']}/board")
    page.get_by_label("Your receipt file").set_input_files(
        files=[
            {
                "name": "receipt.json",
                "mimeType": "application/json",
                "buffer": json.dumps(kept, indent=2).encode(),
            }
        ]
    )
    page.get_by_role("button", name="Check the receipt").click()
    verdict = page.get_by_role("status").filter(has_text="Your ballot is entry")
    verdict.wait_for()
    assert "receipt=" not in page.url
    assert "%7B" not in page.url
    said = verdict.inner_text()
    assert f"Your ballot is entry {receipt['seq']} of round 1 on the board" in said
    assert "The tracker was recomputed from your ballot" in said
    assert "(Europe/Paris, UTC+" in said
    assert receipt["received_at"] not in said

    field = page.get_by_role("textbox", name="Or paste the receipt here")
    field.fill(json.dumps(kept, indent=2))
    page.get_by_role("button", name="Check the receipt").click()
    page.get_by_role("status").filter(has_text="Your ballot is entry").wait_for()

    changed = receipt | {"received_at": "2020-01-01T00:00:00.000Z", "seq": receipt["seq"] + 1}
    field = page.get_by_role("textbox", name="Or paste the receipt here")
    field.fill(json.dumps({"receipt": changed, "ballot": kept["ballot"]}))
    page.get_by_role("button", name="Check the receipt").click()
    page.get_by_role("alert").filter(has_text="Forged or altered").wait_for()
    assert field.get_attribute("aria-invalid") == "true"

    # The receipt as given, but kept with another ballot (one byte of its proof changed):
    # the tracker recomputed from that ballot is not the one the receipt names.
    other = dict(kept["ballot"])
    response = other["pok"]["response"]
    other["pok"] = other["pok"] | {"response": ("B" if response[0] != "B" else "C") + response[1:]}
    field.fill(json.dumps({"receipt": receipt, "ballot": other}))
    page.get_by_role("button", name="Check the receipt").click()
    page.get_by_role("alert").filter(has_text="receipt: it names the tracker").wait_for()
    assert field.get_attribute("aria-invalid") == "true"

    # A bare receipt (without its ballot) is still checked, against the tracker it names.
    field.fill(json.dumps(receipt))
    page.get_by_role("button", name="Check the receipt").click()
    verdict = page.get_by_role("status").filter(has_text="Your ballot is entry")
    verdict.wait_for()
    assert "The tracker is the one the receipt names" in verdict.inner_text()

    page.get_by_role("link", name="Audit page").click()
    page.get_by_role("heading", name="The server's own check").wait_for()
    assert "checks passed" in page.get_by_role("status").inner_text()
    assert "FAILED" not in page.content()

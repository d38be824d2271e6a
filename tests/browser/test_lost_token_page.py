"""The lost-token page in Chromium, with the demo's letters file: the browser reads the
ZIP itself and sends only the cities' names and fingerprints (never a token), the page
lists the cities, and choosing one asks for confirmation (nothing is replaced here:
the demo server is shared with other tests)."""

from __future__ import annotations

import csv
import io
import re
import zipfile

import pytest
from playwright.sync_api import expect

from tests.browser.test_organiser_pages import sign_in

pytestmark = pytest.mark.browser


def open_ballot_id(folder) -> str:
    found = re.search(r"open for voting: \S+/ballots/(\w+)", (folder / "demo.log").read_text())
    assert found, "the demo printed no open ballot"
    return found.group(1)


def test_the_letters_zip_is_read_in_the_browser(phone, demo_server) -> None:
    letters = demo_server.folder / "demo.tokens.zip"
    with zipfile.ZipFile(letters) as archive:
        rows = list(csv.DictReader(io.StringIO(archive.read("tokens.csv").decode("utf-8-sig"))))
    ballot_id = open_ballot_id(demo_server.folder)
    errors: list[str] = []
    phone.on("pageerror", lambda e: errors.append(str(e)))
    sign_in(phone, demo_server)
    phone.goto(f"{demo_server.base_url}/organiser/ballots/{ballot_id}/lost-token/find")
    phone.set_input_files("#letters", str(letters))
    # keep a copy of what the form sends, in this tab's session storage
    phone.evaluate(
        """() => {
        const form = document.getElementById("letters-form");
        const send = form.submit.bind(form);
        form.submit = () => {
            const file = form.querySelector("input[type=file]").files[0];
            file.text().then((text) => {
                sessionStorage.setItem("sent", file.name + "\\n" + text);
                send();
            });
        };
    }"""
    )
    phone.get_by_role("button", name="Find the city").click()
    expect(phone.get_by_role("heading", name="The cities in your letters file")).to_be_visible()
    sent = phone.evaluate("() => sessionStorage.getItem('sent')")
    assert sent is not None, "the script did not read the file"
    name, _, text = sent.partition("\n")
    assert name == "cities.csv"
    assert text.splitlines()[0] == "city,country,credential_fingerprint"
    for row in rows:
        assert row["token"] not in text  # no token leaves the browser
        assert row["credential_fingerprint"] in text
        assert row["city"] in phone.content()
    city = rows[3]
    phone.get_by_role("row", name=re.compile(re.escape(city["city"]))).get_by_role("button").click()
    expect(
        phone.get_by_role("heading", name=f"Replace the token of {city['city']}?")
    ).to_be_visible()
    expect(phone.locator(".chosen-fingerprint")).to_have_text(city["credential_fingerprint"])
    assert errors == []

"""A French browser in Tokyo, on a 360 px phone: the page comes in French, each time
of the ballot (in Paris) gains the reader's own time, written by the browser in French,
and the language switch leads to the same page in English, its fragment kept.

Chromium's requests go to the app through its test client (Playwright's routing)."""

from __future__ import annotations

from typing import Any

import pytest

from inmc_vote.domain.lifecycle import Action
from tests import factories as f
from tests.browser.conftest import route_to

pytestmark = [
    pytest.mark.browser,
    pytest.mark.parametrize("backend", ["sqlite"], indirect=True),
]

ORIGIN = "http://testserver.local"


@pytest.fixture
def french_phone(browser: Any) -> Any:
    context = browser.new_context(
        viewport={"width": 360, "height": 740},
        is_mobile=True,
        has_touch=True,
        locale="fr-FR",
        timezone_id="Asia/Tokyo",
    )
    yield context.new_page()
    context.close()


def test_a_french_reader_abroad_sees_french_and_their_own_time(french_phone, client, clock):
    made = f.ballot(client, clock, timezone="Europe/Paris")
    f.act(client, clock, made.id, Action.OPEN_CANDIDACIES)
    errors: list[str] = []
    french_phone.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    french_phone.route(f"{ORIGIN}/**", route_to(client))

    french_phone.goto(f"{ORIGIN}/ballots/{made.id}#kept")

    assert french_phone.evaluate("document.documentElement.lang") == "fr"
    yours = french_phone.locator(".your-time").first
    yours.wait_for()
    # 18 January 2027, 10:00 in Paris is 18:00 in Tokyo.
    assert yours.inner_text() == " (Votre heure : 18 janvier 2027 à 18:00, Asia/Tokyo)"
    assert french_phone.evaluate("document.documentElement.scrollWidth") <= 360
    assert errors == []  # nothing refused by the Content-Security-Policy

    english = french_phone.get_by_role("link", name="English")
    assert english.is_visible()
    english.click()
    french_phone.wait_for_load_state()
    assert french_phone.evaluate("document.documentElement.lang") == "en"
    assert french_phone.url == f"{ORIGIN}/ballots/{made.id}?lang=en#kept"  # the fragment kept
    again = french_phone.locator(".your-time").first.inner_text()
    assert again.startswith(" (Your time: January 18, 2027")

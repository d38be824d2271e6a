"""The results page in Chromium on a 360 px phone: no sideways scroll, the charts drawn
with their numbers as text, nothing refused by the Content-Security-Policy, and an A4
PDF printed from it.

Chromium's requests go to the app through its test client (Playwright's routing), so the
ballot is made in the test's own database with its own clock."""

from __future__ import annotations

from typing import Any

import pytest

from inmc_vote.domain.lifecycle import Action
from inmc_vote.services import actions
from tests import factories as f
from tests.browser.conftest import route_to
from tests.voting_helpers import (
    cast_all,
    close_tally,
    manifest_of,
    tokens_from_zip,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.parametrize("backend", ["sqlite"], indirect=True),  # even with INMC_ALL_BACKENDS
]

ORIGIN = "http://testserver.local"
NAMES = [
    ("Vitoria-Gasteiz", "ES"),
    ("Santa Cruz de la Sierra", "BO"),
    ("Llanfairpwllgwyngyllgogerychwyrndrobwllllantysiliogogogoch", "GB"),
    ("Ota", "JP"),
]


def instant_runoff_ballot(client: f.Client, clock: Any) -> str:
    """An instant-runoff ballot with long city names, its trustees' key made, cast,
    shuffled and decrypted by two trustees, tallied and published: three counting rounds
    (a city with no vote out first, then the third, whose ballots go to the second, who
    wins)."""
    key = f.bearer(f.account(client, clock))
    towns = [
        f.call(
            client,
            actions.cities.add_city,
            f.db(client),
            actions.cities.fields_of(name, country, "Region", "Contact", "contact@example.org"),
            clock(),
        )
        for name, country in NAMES
    ]
    towns += f.member_cities(client, clock, 5)
    made = f.ballot(client, clock, method="irv")
    f.act(client, clock, made.id, Action.OPEN_CANDIDACIES)
    for town in towns[:4]:
        f.candidacy(client, clock, made.id, town, accept=True)
    f.complete_ceremony(client, made.id, now=clock())  # 3 trustees, threshold 2: the key
    clock.advance(days=8)
    f.act(client, clock, made.id, Action.FREEZE)
    issued = client.post(f"/api/v1/ballots/{made.id}/tokens", headers=key)
    assert issued.status_code == 201, issued.text
    clock.advance(days=3)
    manifest, _ = manifest_of(client, made.id)
    a, b, c, _nobody = (x["id"] for x in manifest["candidates"])
    rankings = [[a], [a], [a, b], [a, c], [b], [b, a], [b, c], [c, b], [c, b]]
    tokens = [row["token"] for row in tokens_from_zip(issued.content)]
    cast_all(client, made.id, tokens, [{"ranking": r} for r in rankings])
    close_tally(client, key, made.id, publish=True)
    return made.id


def test_the_results_page_on_a_phone_and_on_paper(phone, client, clock):
    ballot_id = instant_runoff_ballot(client, clock)
    refused: list[str] = []
    phone.on("console", lambda m: refused.append(m.text) if m.type == "error" else None)
    phone.route(f"{ORIGIN}/**", route_to(client))

    phone.goto(f"{ORIGIN}/ballots/{ballot_id}/results")
    phone.get_by_role("heading", name="Outcome").wait_for()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    assert phone.evaluate("document.body.scrollWidth") <= 360

    charts = phone.locator("svg.chart")
    assert charts.count() == 3  # one per counting round
    first = charts.first
    assert first.get_attribute("role") == "img"
    assert first.locator("title").text_content()
    for shown in ("Vitoria-Gasteiz", "4 (44.4%)", "3 (33.3%)", "2 (22.2%)", "0 (0.0%)"):
        assert shown in first.text_content(), shown
    for index in range(charts.count()):
        box = charts.nth(index).bounding_box()
        assert box is not None
        assert box["x"] >= 0
        assert box["x"] + box["width"] <= 360
        assert box["height"] > 50
    # the longest name wraps inside its chart: every line of it within the chart's width
    for box in phone.locator("svg.chart text.bar-label").evaluate_all(
        "ts => ts.map(t => t.getBoundingClientRect().right)"
    ):
        assert box <= 360
    assert phone.get_by_role("img", name="Counting round 1: votes per city").count() == 1
    assert phone.get_by_role("region", name="Counting round 1: votes per city").count() == 1
    assert refused == []  # the strict CSP refused nothing (no inline style or script)

    phone.emulate_media(media="print")
    assert all(nav.is_hidden() for nav in phone.locator("header.site nav").all())
    pdf = phone.pdf(format="A4", print_background=False)
    assert pdf.startswith(b"%PDF")
    assert len(pdf) > 10_000

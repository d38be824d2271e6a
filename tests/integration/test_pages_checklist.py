"""The organiser's dashboard: each ballot under way with its checklist (done, next,
later, the deadlines in the ballot's zone and in UTC) and, while voting is open, its
live turnout."""

from __future__ import annotations

import html
import re

from inmc_vote.domain.lifecycle import Action
from tests import factories as f
from tests.voting_helpers import open_ballot


def signed_in(client, clock) -> None:
    new = f.account(client, clock, email="dashboard@example.org")
    f.sign_in(client, new.email, new.password)


def steps_of(page: str) -> dict[str, str]:
    """data-step -> the step's status class, from the dashboard's checklist."""
    return dict(
        (step, status)
        for status, step in re.findall(r'<li class="step (\w+)" data-step="(\w+)"', page)
    )


def test_the_dashboard_shows_where_the_ballot_stands(client, clock) -> None:
    made, _ = f.ready_to_freeze(client, clock, timezone="Europe/Paris")
    signed_in(client, clock)
    page = html.unescape(client.get("/organiser").text)
    assert "Where each ballot stands" in page
    steps = steps_of(page)
    assert steps["cities"] == "done"
    assert steps["ceremony"] == "done"
    assert steps["freeze"] == "next"
    assert steps["tokens"] == "later"
    assert steps["links"] == "passed"  # no link was sent, and the deadline passed
    assert steps["candidacies"] == "done"
    assert "Next step: Freeze the ballot: candidates and electorate fixed" in re.sub(
        r"<[^>]+>", "", page
    )
    assert f'href="/organiser/ballots/{made.id}/confirm/freeze"' in page
    # deadlines in the ballot's zone, then in UTC
    closes = re.search(r'data-step="close">.*?</li>', page, re.S)
    assert closes is not None
    assert re.search(r"Closes: [^<]*\(Europe/Paris, UTC\+1\) · [^<]*\(UTC\)", closes.group(0))

    f.act(client, clock, made.id, Action.FREEZE)
    steps = steps_of(client.get("/organiser").text)
    assert (steps["freeze"], steps["tokens"]) == ("done", "next")
    # the ballot's own page has the same checklist, folded
    manage = client.get(f"/organiser/ballots/{made.id}").text
    assert '<details class="checklist-details">' in manage
    assert steps_of(manage) == steps


def test_an_open_ballot_s_turnout_is_live_on_the_dashboard(client, clock) -> None:
    ballot_id, _key, _rows = open_ballot(client, clock, n_cities=3, n_candidates=2)
    signed_in(client, clock)
    page = client.get("/organiser").text
    assert f'data-turnout-stream="/ballots/{ballot_id}/turnout/stream"' in page
    assert "0 ballots from 3 eligible cities" in page
    assert '<script src="/static/turnout.js" defer></script>' in page
    assert steps_of(page)["close"] == "next"

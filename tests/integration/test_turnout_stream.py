"""Live turnout by server-sent events: the count and the eligible cities, nothing else,
an event only when the count changes, and the stream's end once voting is closed."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest

from inmc_vote.web.pages import turnout_stream
from tests import factories as f
from tests.integration.test_api_tally import act, done
from tests.voting_helpers import ballot_body, open_ballot


@pytest.fixture
def quick(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(turnout_stream, "POLL_S", 0.02)


def events_of(lines: list[str]) -> list[dict[str, Any]]:
    """The `turnout` events' data in a stream's lines (blank lines end an event)."""
    found, kind = [], None
    for line in lines:
        if line.startswith("event:"):
            kind = line.partition(":")[2].strip()
        elif line.startswith("data:") and kind == "turnout":
            found.append(json.loads(line.partition(":")[2].strip()))
        elif not line:
            kind = None
    return found


def cast(client: f.Client, ballot_id: str, token: str) -> None:
    body = ballot_body(client, ballot_id, token, {"blank": True})
    assert client.post(f"/api/v1/ballots/{ballot_id}/cast", json=body).status_code == 201


def test_the_events_follow_the_count_and_end_when_voting_closes(client, clock, quick) -> None:
    """The stream's events, read as they come, while cities vote and the organiser
    closes: one on connecting, one per change, a last one when voting closed."""
    ballot_id, key, rows = open_ballot(client, clock, n_cities=4, n_candidates=2)
    cast(client, ballot_id, rows[0]["token"])
    later = [ballot_body(client, ballot_id, r["token"], {"blank": True}) for r in rows[1:3]]
    db = f.db(client)
    polls = 0
    counting = turnout_stream.turnout_now

    async def counted(*args: Any) -> turnout_stream.Turnout:
        nonlocal polls
        polls += 1
        return await counting(*args)

    async def follow() -> list[dict[str, Any]]:
        seen: list[dict[str, Any]] = []
        first = await turnout_stream.turnout_now(db, ballot_id, clock)
        async for message in turnout_stream.turnout_events(db, ballot_id, clock, "en", first):
            seen.append(json.loads(str(message.data)))
            if len(seen) == 1:
                for body in later:  # through the API, from another thread, as cities do
                    sent = await asyncio.to_thread(
                        client.post, f"/api/v1/ballots/{ballot_id}/cast", json=body
                    )
                    assert sent.status_code == 201
            elif seen[-1]["open"]:
                await asyncio.sleep(0.2)  # ten polls with nothing new: no event
                done(
                    await asyncio.to_thread(act, client, key, ballot_id, "close", reason="Enough.")
                )
        return seen

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(turnout_stream, "turnout_now", counted)
        seen = f.call(client, follow)
    assert seen == [
        {
            "round": 1,
            "ballots": 1,
            "eligible": 4,
            "open": True,
            "text": "1 ballot from 4 eligible cities",
        },
        {
            "round": 1,
            "ballots": 3,
            "eligible": 4,
            "open": True,
            "text": "3 ballots from 4 eligible cities",
        },
        {
            "round": 1,
            "ballots": 3,
            "eligible": 4,
            "open": False,
            "text": "3 ballots from 4 eligible cities",
        },
    ]
    assert polls >= 3


def test_the_stream_over_http(client, clock, quick, monkeypatch) -> None:
    """The answer is an event stream that tells the browser when to reconnect; it ends
    after MAX_STREAM_S even while voting is open."""
    monkeypatch.setattr(turnout_stream, "MAX_STREAM_S", 0.1)
    ballot_id, _key, rows = open_ballot(client, clock, n_cities=3, n_candidates=2)
    cast(client, ballot_id, rows[0]["token"])
    answer = client.get(f"/ballots/{ballot_id}/turnout/stream")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/event-stream")
    assert answer.headers["cache-control"] == "no-store"
    lines = answer.text.splitlines()
    assert "retry: 5000" in lines
    [only] = events_of(lines)
    assert only == {
        "round": 1,
        "ballots": 1,
        "eligible": 3,
        "open": True,
        "text": "1 ballot from 3 eligible cities",
    }


def test_a_closing_time_that_passed_ends_the_stream_at_once(client, clock, quick) -> None:
    ballot_id, _key, _rows = open_ballot(client, clock, n_cities=3, n_candidates=2)
    clock.advance(days=30)  # past the closing time, before the clock task caught up
    answer = client.get(f"/ballots/{ballot_id}/turnout/stream")
    assert answer.status_code == 200
    [only] = events_of(answer.text.splitlines())
    assert only["open"] is False
    assert only["ballots"] == 0


def test_an_unknown_ballot_has_no_stream(client) -> None:
    assert client.get("/ballots/nope/turnout/stream").status_code == 404


def test_the_pages_show_the_count_and_load_the_script_while_open(client, clock) -> None:
    ballot_id, _key, _rows = open_ballot(client, clock, n_cities=3, n_candidates=2)
    page = client.get(f"/ballots/{ballot_id}").text
    assert f'data-turnout-stream="/ballots/{ballot_id}/turnout/stream"' in page
    assert '<script src="/static/turnout.js" defer></script>' in page
    assert "0 ballots from 3 eligible cities" in page  # without JavaScript
    new = f.account(client, clock, email="turnout@example.org")
    f.sign_in(client, new.email, new.password)
    organiser = client.get(f"/organiser/ballots/{ballot_id}").text
    assert f'data-turnout-stream="/ballots/{ballot_id}/turnout/stream"' in organiser
    assert '<span class="turnout">0 ballots from 3 eligible cities</span>' in organiser
    script = client.get("/static/turnout.js")
    assert script.status_code == 200
    assert "EventSource" in script.text


def test_many_streams_share_one_reading_a_second(client, clock, monkeypatch) -> None:
    """However many pages watch a ballot, the database is read about once a poll."""
    monkeypatch.setattr(turnout_stream, "POLL_S", 0.5)
    ballot_id, _key, _rows = open_ballot(client, clock, n_cities=3, n_candidates=2)
    db = f.db(client)
    reads = 0
    counting = turnout_stream.turnout_now

    async def counted(*args: Any) -> turnout_stream.Turnout:
        nonlocal reads
        reads += 1
        return await counting(*args)

    async def twenty_watchers() -> list[turnout_stream.Turnout]:
        return list(
            await asyncio.gather(
                *(turnout_stream.shared_turnout(db, ballot_id, clock) for _ in range(20))
            )
        )

    monkeypatch.setattr(turnout_stream, "turnout_now", counted)
    seen = f.call(client, twenty_watchers)
    assert len(set(seen)) == 1
    assert reads == 1  # twenty at once: one reading
    f.call(client, twenty_watchers)
    assert reads == 1  # and again within the poll: the same reading

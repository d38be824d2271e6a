"""The results page on both databases: hidden from the public until published, every
round as a table and a chart, the pairwise tables, the lots with their keys, an
exhaustive ballot's rounds, and the fingerprints."""

from __future__ import annotations

import hashlib
import html
import re
import subprocess
from datetime import timedelta
from html.parser import HTMLParser
from typing import Any

from inmc_vote.domain.protocol.encoding import b64url, from_b64url
from inmc_vote.domain.protocol.manifest import short_fingerprint
from tests import factories as f
from tests.voting_helpers import (
    UNKNOWN_CANDIDATE,
    cast_all,
    close_tally,
    lifecycle_call,
    manifest_of,
    open_ballot,
    tallied_ballot,
)


class Tables(HTMLParser):
    """Every table of a page whose class contains `wanted`: rows of cell texts as seen
    (without the words for screen readers only)."""

    def __init__(self, wanted: str) -> None:
        super().__init__()
        self.wanted = wanted
        self.tables: list[list[list[str]]] = []
        self.depth = 0
        self.row: list[str] | None = None
        self.cell: list[str] | None = None
        self.hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        classes = (dict(attrs).get("class") or "").split()
        if tag == "table" and self.wanted in classes:
            self.tables.append([])
            self.depth = 1
        elif self.depth and tag == "tr":
            self.row = []
        elif self.depth and tag in ("td", "th"):
            self.cell = []
        elif self.depth and tag == "span" and (self.hidden or "visually-hidden" in classes):
            self.hidden += 1

    def handle_endtag(self, tag: str) -> None:
        if not self.depth:
            return
        if tag == "table":
            self.depth = 0
        elif tag in ("td", "th") and self.cell is not None and self.row is not None:
            self.row.append(" ".join("".join(self.cell).split()))
            self.cell = None
        elif tag == "tr" and self.row is not None:
            self.tables[-1].append(self.row)
            self.row = None
        elif tag == "span" and self.hidden:
            self.hidden -= 1

    def handle_data(self, data: str) -> None:
        if self.cell is not None and not self.hidden:
            self.cell.append(data)


def tables(page: str, wanted: str) -> list[list[list[str]]]:
    parser = Tables(wanted)
    parser.feed(page)
    return parser.tables


def text(response: Any) -> str:
    return html.unescape(response.text)


def words(response: Any) -> str:
    """The page's text as read, tags taken out and spaces collapsed."""
    return " ".join(re.sub(r"<[^>]+>", " ", text(response)).split())


def results(client: f.Client, ballot_id: str, **headers: str) -> Any:
    return client.get(f"/ballots/{ballot_id}/results", headers=headers)


def test_results_are_hidden_from_the_public_until_published(client, clock):
    t = tallied_ballot(
        client,
        clock,
        lambda ids: [{"choice": ids[0]}] * 3 + [{"choice": ids[1]}, {"blank": True}],
    )
    winner = t.names[t.candidates[0]]

    hidden = results(client, t.ballot_id)
    assert hidden.status_code == 404
    assert "results will be public once the organiser publishes them" in text(hidden)
    assert "badge-tallied" in hidden.text
    assert winner not in hidden.text.split("<main", 1)[1].split("No results to show", 1)[1]
    assert (
        f'href="/ballots/{t.ballot_id}/results"' not in client.get(f"/ballots/{t.ballot_id}").text
    )

    early = results(client, t.ballot_id, **t.key)
    assert early.status_code == 200
    assert "Not yet published." in early.text
    assert "not yet published" in early.text
    assert f'<strong class="winner-name">{winner}</strong>' in early.text
    assert "/confirm/publish" in early.text  # the organiser's next step
    assert (
        f'href="/ballots/{t.ballot_id}/results"'
        in client.get(f"/ballots/{t.ballot_id}", headers=t.key).text
    )

    lifecycle_call(client, t.key, t.ballot_id, "publish")
    shown = results(client, t.ballot_id)
    assert shown.status_code == 200
    assert "not yet published" not in shown.text.lower()
    assert "/confirm/" not in shown.text
    assert f'<strong class="winner-name">{winner}</strong>' in shown.text
    assert f"{winner} wins." in text(shown)
    assert f'href="/ballots/{t.ballot_id}/results"' in client.get(f"/ballots/{t.ballot_id}").text


def test_nothing_to_show_is_a_clear_404_naming_the_state(client, clock):
    ballot_id, _key, _rows = open_ballot(client, clock)
    missing = results(client, ballot_id)
    assert missing.status_code == 404
    assert "No results to show." in missing.text
    assert "This ballot has no results yet: it is “Open for voting”." in text(missing)
    assert f'href="/ballots/{ballot_id}"' in missing.text
    unknown = client.get("/ballots/nosuchballot/results")
    assert unknown.status_code == 404


def test_the_count_shows_turnout_quorum_blank_invalid_and_a_chart(client, clock):
    def votes(ids: list[str]) -> list[dict[str, Any]]:
        return [
            {"choice": ids[0]},
            {"choice": ids[0]},
            {"choice": ids[1]},
            {"blank": True},
            {"payload": UNKNOWN_CANDIDATE},  # not a candidate: set aside at the tally
            {"choice": ids[0]},
        ]

    t = tallied_ballot(client, clock, votes, n_cities=7, publish=True, quorum="1/2")
    page = results(client, t.ballot_id)
    assert page.status_code == 200
    said = text(page)
    assert "6 of 7 eligible cities (85.7%)" in said
    # said once: the term "Quorum" heads the value, which does not repeat it
    assert "Quorum 1/2 of the eligible cities: at least 4 ballots, met." in words(page)
    assert "Quorum Quorum" not in words(page)
    assert re.search(r'<dd class="valid">4</dd>', page.text)
    assert re.search(r'<dd class="blank">1 ', page.text)
    assert "1 ballot: The vote names a candidate who is not standing in this round." in said
    a, b, c = (t.names[i] for i in t.candidates)
    (table,) = tables(page.text, "tally")
    assert table[1:4] == [
        [a, "3", "75.0%", "✓ elected"],
        [b, "1", "25.0%", ""],
        [c, "0", "0.0%", ""],
    ]
    assert table[4][:2] == ["Votes counted in this round", "4"]
    # The chart: an image with its title, every number as text, no inline style.
    svg = re.search(r"<svg\b.*?</svg>", page.text, re.S)
    assert svg is not None
    assert 'role="img"' in svg.group(0)
    for shown in ("3 (75.0%)", "1 (25.0%)", "0 (0.0%)", a, b, c):
        assert f">{shown}<" in html.unescape(svg.group(0)) or shown in svg.group(0)
    assert "style=" not in page.text
    assert "<script" not in page.text.split('<main id="main">', 1)[1]  # none of its own


def test_without_the_quorum_there_is_no_winner_and_the_page_says_why(client, clock):
    t = tallied_ballot(
        client, clock, lambda ids: [{"choice": ids[0]}] * 2, publish=True, quorum="1/2"
    )
    page = results(client, t.ballot_id)
    said = text(page)
    assert page.status_code == 200
    assert 'class="winner-name"' not in page.text
    assert "No winner: 2 ballots were cast and the quorum needs 3." in said
    assert "Quorum 1/2 of the eligible cities: at least 3 ballots, NOT met." in words(page)
    assert "2 of 5 eligible cities (40.0%)" in said
    assert "The quorum was not met, so nobody is elected; the count is shown for information:" in (
        said
    )
    assert "mark-elected" not in page.text
    assert "bar-elected" not in page.text


def test_the_fingerprints_and_the_audit_links(client, clock):
    t = tallied_ballot(client, clock, lambda ids: [{"choice": ids[1]}] * 4, publish=True)
    page = results(client, t.ballot_id)
    _manifest, digest = manifest_of(client, t.ballot_id)
    record = client.get(f"/api/v1/ballots/{t.ballot_id}/tally/record")
    tally_hash = from_b64url(record.headers["x-tally-hash"])
    seal = client.get(f"/api/v1/ballots/{t.ballot_id}/results").json()["rounds"][0]["seal"]
    for shown in (
        short_fingerprint(digest),
        b64url(digest),
        short_fingerprint(tally_hash),
        b64url(tally_hash),
        seal["head"],
        short_fingerprint(from_b64url(seal["head"])),
        f'href="/api/v1/ballots/{t.ballot_id}/audit"',
        f'href="/audit/{t.ballot_id}"',
        f'href="/api/v1/ballots/{t.ballot_id}/tally/record?round=1"',
    ):
        assert shown in page.text


def test_a_schulze_ballot_shows_the_pairwise_table_and_the_strongest_paths(client, clock):
    def votes(ids: list[str]) -> list[dict[str, Any]]:
        a, b, c = ids
        return [
            {"ranking": [a, b, c]},
            {"ranking": [a, b, c]},
            {"ranking": [b, c, a]},
            {"ranking": [b, c, a]},
            {"ranking": [c, a]},
        ]

    t = tallied_ballot(client, clock, votes, publish=True, method="schulze")
    page = results(client, t.ballot_id)
    assert page.status_code == 200
    a, b, c = (t.names[i] for i in t.candidates)
    pairwise, paths = tables(page.text, "matrix")
    # d[x][y]: a>b 3 (two a-b-c, one c-a), b>a 2; a>c 2, c>a 3; b>c 4, c>b 1.
    assert pairwise[1:] == [
        [a, "—", "3 ✓", "2"],
        [b, "2", "—", "4 ✓"],
        [c, "3 ✓", "1", "—"],
    ]
    assert "(wins)" in page.text  # the mark in words, for screen readers
    assert pairwise[0] == ["", a, b, c]
    # links a→b 3, b→c 4, c→a 3: p[b][a] = min(4, 3) = 3 = p[a][b]...
    assert paths[1:] == [
        [a, "—", "3", "3"],
        [b, "3", "—", "4 ✓"],
        [c, "3", "3", "—"],
    ]
    assert "Pairwise comparisons" in page.text
    assert "Strongest paths" in page.text


def test_a_lot_is_explained_with_its_keys_and_a_command_that_redoes_it(client, clock):
    t = tallied_ballot(
        client,
        clock,
        lambda ids: [
            {"choice": ids[0]},
            {"choice": ids[1]},
            {"choice": ids[0]},
            {"choice": ids[1]},
        ],
        n_cities=4,
        publish=True,
    )
    page = results(client, t.ballot_id)
    said = text(page)
    record = client.get(f"/api/v1/ballots/{t.ballot_id}/tally/record").json()
    manifest, _ = manifest_of(client, t.ballot_id)
    seed = from_b64url(record["lot"]["seed"])
    (lot,) = record["result"]["lots"]
    assert seed.hex() in said
    assert "a secret each trustee revealed with its decryption" in said
    for member in manifest["trustees"]["members"][:2]:  # trustees 1 and 2 decrypted
        assert member["name"] in said
    first, second = t.candidates[:2]
    for candidate in (first, second):
        assert hashlib.sha256(seed + candidate.encode()).hexdigest() in said
    (keys,) = tables(page.text, "lot-keys")
    order = [row[1].split(" · ")[0] for row in keys[1:]]
    assert order == [t.names[c] for c in lot["order"]]
    chosen = t.names[lot["chosen"]]
    assert f"The first in the order drawn wins: {chosen}." in said
    assert f"{chosen} wins, chosen by lot among the cities tied for first place." in said
    # The command on the page redoes the draw: it prints the keys, smallest first.
    command = re.search(r'<pre class="command"><code>(python3 [^<]*sorted[^<]*)</code>', page.text)
    assert command is not None
    printed = subprocess.run(
        ["sh", "-c", html.unescape(command.group(1))], capture_output=True, text=True, check=True
    ).stdout.split()
    assert printed[1::2] == lot["order"]
    assert printed[0::2] == [lot["keys"][c] for c in lot["order"]]


def test_instant_runoff_shows_each_counting_round_and_the_exhausted_ballots(client, clock):
    def votes(ids: list[str]) -> list[dict[str, Any]]:
        a, b, c = ids
        return [
            {"ranking": [a]},
            {"ranking": [a]},
            {"ranking": [a, c]},
            {"ranking": [c]},
            {"ranking": [c, b]},
            {"ranking": [b]},  # exhausted when b is eliminated
        ]

    t = tallied_ballot(client, clock, votes, publish=True, method="irv", n_cities=6)
    page = results(client, t.ballot_id)
    said = text(page)
    a, b, c = (t.names[i] for i in t.candidates)
    first, second = tables(page.text, "tally")
    assert [row[:2] for row in first[1:4]] == [[a, "3"], [c, "2"], [b, "1"]]
    assert first[3][3] == "✕ eliminated"
    assert first[4] == ["Votes counted in this round", "6", "", "more than half: 4 needed"]
    assert [row[:2] for row in second[1:3]] == [[a, "3"], [c, "2"]]
    assert second[1][3] == "✓ elected"
    assert second[3] == ["Votes counted in this round", "5", "", "more than half: 3 needed"]
    assert second[4] == ["Exhausted (no choice left in the race)", "1", "", ""]
    assert "Counting round 1" in said
    assert "Counting round 2" in said
    assert f"{b} has the fewest votes (1): eliminated." in said
    assert said.count('role="img"') == 2
    assert "more than half: 4" in said


def test_an_exhaustive_ballot_shows_every_round_of_voting(client, clock):
    ballot_id, key, rows = open_ballot(
        client, clock, n_cities=5, n_candidates=3, method="exhaustive"
    )
    manifest, _ = manifest_of(client, ballot_id)
    a, b, c = (x["id"] for x in manifest["candidates"])
    names = {x["id"]: x["city"] for x in manifest["candidates"]}
    tokens = [r["token"] for r in rows]
    cast_all(client, ballot_id, tokens, [{"choice": x} for x in (a, a, b, b, c)])
    close_tally(client, key, ballot_id, publish=True)

    between = text(results(client, ballot_id))
    assert f"{names[c]} has the fewest votes (1): eliminated." in between
    assert f"Next: a round of voting between {names[a]} and {names[b]}." in between
    assert "No winner yet: round 1 needs another round of voting." in between

    closes = (clock() + timedelta(days=2)).isoformat()
    lifecycle_call(client, key, ballot_id, "next-round", closes_at=closes)
    lifecycle_call(client, key, ballot_id, "open")
    under_way = text(results(client, ballot_id))
    assert "No winner yet: round 2 of voting is under way" in under_way
    cast_all(client, ballot_id, tokens, [{"choice": x} for x in (a, a, a, b, b)])
    close_tally(client, key, ballot_id, publish=True)

    page = results(client, ballot_id)
    said = text(page)
    assert f'<strong class="winner-name">{names[a]}</strong>' in page.text
    assert f"{names[a]} wins, in round 2 of voting." in said
    assert said.index('id="round-1"') < said.index('id="round-2"')
    assert "Round 1 of voting" in said
    assert "Round 2 of voting" in said
    assert f"A round of voting between {names[a]} and {names[b]}." in said
    assert f"{names[a]} has more than half the votes counted in this round (3 of 5; 3 needed)" in (
        said
    )
    round1, round2 = tables(page.text, "tally")
    assert [row[:2] for row in round1[1:4]] == [[names[a], "2"], [names[b], "2"], [names[c], "1"]]
    assert [row[:2] for row in round2[1:3]] == [[names[a], "3"], [names[b], "2"]]
    assert said.count('role="img"') == 2


def test_an_extra_round_between_the_cities_tied_for_last_is_named(client, clock):
    ballot_id, key, rows = open_ballot(
        client, clock, n_cities=7, n_candidates=4, method="exhaustive", last_place_tie="runoff"
    )
    manifest, _ = manifest_of(client, ballot_id)
    a, b, c, d = (x["id"] for x in manifest["candidates"])
    names = {x["id"]: x["city"] for x in manifest["candidates"]}
    tokens = [r["token"] for r in rows]
    cast_all(client, ballot_id, tokens, [{"choice": x} for x in (a, a, a, b, b, c, d)])
    close_tally(client, key, ballot_id, publish=True)
    first = text(results(client, ballot_id))
    assert f"{names[c]} and {names[d]} are tied for last place: they alone face" in first
    assert f"Next: an extra round between {names[c]} and {names[d]} only" in first

    closes = (clock() + timedelta(days=2)).isoformat()
    lifecycle_call(client, key, ballot_id, "next-round", closes_at=closes)
    lifecycle_call(client, key, ballot_id, "open")
    cast_all(client, ballot_id, tokens, [{"choice": x} for x in (c, c, c, c, d, d, d)])
    close_tally(client, key, ballot_id)
    page = text(results(client, ballot_id, **key))
    assert "an extra round between the cities tied for last" in page
    assert (
        f"An extra round between the cities tied for last place ({names[c]} and {names[d]})" in page
    )
    assert f"Still in the race: {names[a]}, {names[b]}, {names[c]} and {names[d]}." in page
    assert f"{names[d]} has the fewest votes (3): eliminated." in page
    assert f"Next: a round of voting between {names[a]}, {names[b]} and {names[c]}." in page


def test_published_results_are_named_so_and_linked_from_home_and_the_vote_page(client, clock):
    t = tallied_ballot(client, clock, lambda ids: [{"choice": ids[0]}] * 4 + [{"choice": ids[1]}])
    winner = t.names[t.candidates[0]]
    # counted, not published: the public reads that, and no winner anywhere
    for path in ("/", f"/ballots/{t.ballot_id}", f"/vote/{t.ballot_id}"):
        page = text(client.get(path))
        assert "Counted, not published yet" in page, path
        assert "Tallied" not in page, path
        assert "Elected:" not in page, path
    assert "once they are counted and published" in text(client.get(f"/vote/{t.ballot_id}"))

    lifecycle_call(client, t.key, t.ballot_id, "publish")
    home = text(client.get("/"))
    assert ">Results published<" in home
    assert f"Elected: {winner}." in home
    assert f'href="/ballots/{t.ballot_id}/results"' in home
    for path in (f"/ballots/{t.ballot_id}", f"/ballots/{t.ballot_id}/results"):
        assert ">Results published<" in text(client.get(path)), path
    closed = text(client.get(f"/vote/{t.ballot_id}"))
    assert "Voting is closed" in closed
    assert f'<a class="button" href="/ballots/{t.ballot_id}/results">See the results</a>' in closed


def test_counts_of_one_are_in_the_singular(client, clock):
    t = tallied_ballot(
        client, clock, lambda ids: [{"choice": ids[0]}], publish=True, quorum="1/2", n_cities=3
    )
    said = words(results(client, t.ballot_id))
    assert "No winner: 1 ballot was cast and the quorum needs 2." in said
    assert "1 ballots" not in said

"""`inmc-vote cast --ranking` on a ranked ballot sends the protocol's `ranking` vote (the
v2 payload's kind 2), which the tally counts; `--rank`, the option's first spelling,
still does the same. In process: the voter's HTTP client is the app's test client. The
votes come out of the mix-net in a shuffled order, so they are compared as a multiset."""

from __future__ import annotations

import json

import pytest

from inmc_vote.cli import main
from inmc_vote.domain.codes import VerdictKind, VoteKind
from inmc_vote.tools import voter
from tests import factories as f
from tests.voting_helpers import close_tally, manifest_of, open_ballot

pytestmark = pytest.mark.both_databases  # casting is storage-specific


def test_a_ranking_cast_from_the_command_line_is_counted(
    client: f.Client, clock: f.FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    ballot_id, key, rows = open_ballot(client, clock, n_cities=3, n_candidates=3, method="irv")
    ids = [c["id"] for c in manifest_of(client, ballot_id)[0]["candidates"]]
    monkeypatch.setattr(voter.httpx, "Client", lambda **_: client)
    monkeypatch.setattr(client, "close", lambda: None)  # the app's client outlives the cast
    for option, token, ranking in (
        ("--ranking", rows[0]["token"], ids[::-1]),
        ("--rank", rows[1]["token"], ids[1:]),
    ):
        args = ["cast", "--server", str(client.base_url), "--token", token]
        assert main([*args, option, ",".join(ranking)]) == 0
    close_tally(client, key, ballot_id, publish=True)
    votes = client.get(f"/api/v1/ballots/{ballot_id}/tally/votes?round=1")
    assert votes.status_code == 200, votes.text
    lines = [json.loads(line) for line in votes.text.splitlines()]
    counted = sorted(
        json.dumps(line["vote"], sort_keys=True)
        for line in lines
        if line["outcome"] == VerdictKind.COUNTED
    )
    assert len(lines) == len(counted) == 2
    assert counted == sorted(
        json.dumps({"v": 1, VoteKind.RANKING: ranking}, sort_keys=True)
        for ranking in (ids[::-1], ids[1:])
    )

"""The ten real PrefLib elections, counted by our code and by pref_voting (an independent
implementation), with the same reading of each file: a ballot is cut at its first tie."""

from __future__ import annotations

import functools
import hashlib

import pytest
from pref_voting.iterative_methods import instant_runoff_put, instant_runoff_with_explanation
from pref_voting.margin_based_methods import beat_path
from pref_voting.profiles_with_ties import ProfileWithTies

from inmc_vote.domain.counting import Result, Rules, count, draw
from inmc_vote.domain.counting.files import PrefLib, preflib_verdicts, read_preflib

from .helpers import PREFLIB, PREFLIB_FILES, SEED, preflib_path


@functools.cache
def election(name: str) -> PrefLib:
    return read_preflib(preflib_path(name).read_text(encoding="utf-8"))


@functools.cache
def counted(name: str, method: str) -> Result:
    e = election(name)
    verdicts = preflib_verdicts(e, method, e.candidates, Rules())
    return count(method, e.candidates, Rules(), verdicts, eligible=len(verdicts), seed=SEED)


@functools.cache
def reference(name: str) -> ProfileWithTies:
    """pref_voting's profile of the same cut ballots (empty ones left out, as ours set them
    aside), with an unranked candidate below every ranked one."""
    e = election(name)
    merged: dict[tuple[str, ...], int] = {}
    for ranking, n in e.ballots:
        if ranking:
            merged[ranking] = merged.get(ranking, 0) + n
    profile = ProfileWithTies(
        [{c: rank for rank, c in enumerate(r, start=1)} for r in merged],
        list(merged.values()),
        candidates=list(e.candidates),
    )
    profile.use_extended_strict_preference()
    return profile


def test_the_files_are_the_published_ones() -> None:
    preflib_path(PREFLIB_FILES[0])
    sums = dict(
        reversed(line.split()) for line in (PREFLIB / "SHA256SUMS").read_text().splitlines()
    )
    assert sorted(sums) == sorted(PREFLIB_FILES)
    for name in PREFLIB_FILES:
        assert hashlib.sha256((PREFLIB / name).read_bytes()).hexdigest() == sums[name], name


@pytest.mark.parametrize("name", PREFLIB_FILES)
def test_irv_agrees_with_pref_voting_round_by_round(name: str) -> None:
    """pref_voting is given our lot as its tie-breaker (its first is eliminated first: the
    last in our lot order), so the winner and every elimination must match."""
    e = election(name)
    ours = counted(name, "irv")
    assert ours.outcome == "elected"
    assert ours.valid + ours.invalid == e.total
    assert ours.invalid == e.emptied
    tie_breaker = list(reversed(draw(SEED, e.candidates)))
    winners, eliminations = instant_runoff_with_explanation(
        reference(name), tie_breaker=tie_breaker
    )
    assert winners == [ours.winner]
    our_order = [r.eliminated[0] for r in ours.rounds if r.eliminated]
    their_order = [c for group in eliminations for c in group]
    # pref_voting goes on after the majority, down to one candidate
    assert their_order[: len(our_order)] == our_order
    if len(e.ballots) < 2000:  # PUT explores every tie: too slow on Meath and San Francisco
        put = instant_runoff_put(reference(name))
        assert ours.winner in put
        if not ours.lots:
            assert put == [ours.winner]


@pytest.mark.parametrize("name", PREFLIB_FILES)
def test_schulze_agrees_with_pref_voting_beat_path_on_winning_votes(name: str) -> None:
    """beat_path with `support` as the strength of a link is Schulze with winning votes;
    extended strict preference puts the unranked below the ranked, as ours does."""
    e = election(name)
    ours = counted(name, "schulze")
    profile = reference(name)
    assert ours.pairwise == {
        x: {y: profile.support(x, y) for y in e.candidates if y != x} for x in e.candidates
    }
    theirs = beat_path(profile, strength_function=profile.support)
    assert set(ours.tied_winners) == set(theirs)
    assert ours.winner in theirs


def test_burlington_2009_irv_elects_kiss_and_montroll_is_the_condorcet_winner() -> None:
    name = "00005-00000002.toi"
    e = election(name)
    by_name = {full.split()[-1]: number for number, full in e.names.items()}
    kiss, montroll = by_name["Kiss"], by_name["Montroll"]
    assert e.names[kiss] == "Bob Kiss"
    assert e.names[montroll] == "Andy Montroll"
    assert counted(name, "irv").winner == kiss
    schulze = counted(name, "schulze")
    assert schulze.winner == montroll
    d = schulze.pairwise
    assert d is not None
    assert all(d[montroll][x] > d[x][montroll] for x in e.candidates if x != montroll)
    assert reference(name).condorcet_winner() == montroll


def test_the_largest_file_is_counted() -> None:
    """How fast: bench/counting_bench.py."""
    e = election("00021-00000011.toi")
    verdicts = preflib_verdicts(e, "irv", e.candidates, Rules())
    result = count("irv", e.candidates, Rules(), verdicts, eligible=len(verdicts), seed=SEED)
    assert result.turnout == 194_530
    assert len(result.rounds) == 24

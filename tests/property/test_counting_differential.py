"""Our counting against pref_voting, an independent implementation, on random small
elections with many ties (2 to 6 candidates, up to 30 voters, ballots often repeated)."""

from __future__ import annotations

import itertools

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from pref_voting.grade_methods import approval
from pref_voting.grade_profiles import GradeProfile
from pref_voting.iterative_methods import instant_runoff_put, instant_runoff_with_explanation
from pref_voting.margin_based_methods import beat_path
from pref_voting.profiles_with_ties import ProfileWithTies
from pref_voting.scoring_methods import plurality

from inmc_vote.domain.counting import Result, Rules, Verdict, count, draw

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
Ballot = tuple[str, ...]


@st.composite
def elections(
    draw: st.DrawFn, *, complete: bool = False, single: bool = False
) -> tuple[tuple[str, ...], list[Ballot], bytes]:
    """Candidates, one ballot per voter, a seed. Half the ballots come from a pool of a
    few, so ties are common."""
    n = draw(st.integers(2, 6))
    candidates = tuple(f"c{i}" for i in range(n))
    shortest = n if complete else 1
    longest = 1 if single else n
    ballot = st.permutations(candidates).flatmap(
        lambda order: st.integers(shortest, longest).map(lambda k: tuple(order[:k]))
    )
    pool = draw(st.lists(ballot, min_size=1, max_size=4))
    voters = draw(st.lists(st.sampled_from(pool) | ballot, min_size=1, max_size=30))
    seed = draw(st.binary(min_size=1, max_size=16))
    return candidates, voters, seed


def ours(method: str, candidates: tuple[str, ...], voters: list[Ballot], seed: bytes) -> Result:
    if method == "approval":
        order = {c: i for i, c in enumerate(candidates)}
        voters = [tuple(sorted(b, key=order.__getitem__)) for b in voters]
    verdicts = [Verdict("counted", None, b) for b in voters]
    result = count(method, candidates, Rules(), verdicts, eligible=len(verdicts), seed=seed)
    event(f"{len(result.lots)} lots" if len(result.lots) < 2 else "2+ lots")
    return result


def profile(candidates: tuple[str, ...], voters: list[Ballot]) -> ProfileWithTies:
    """pref_voting's profile, with an unranked candidate below every ranked one."""
    prof = ProfileWithTies(
        [{c: rank for rank, c in enumerate(b, start=1)} for b in voters],
        candidates=list(candidates),
    )
    prof.use_extended_strict_preference()
    return prof


@SETTINGS
@given(elections(single=True))
def test_plurality_winners_are_pref_voting_s(election: tuple) -> None:
    candidates, voters, seed = election
    result = ours("plurality", candidates, voters, seed)
    assert set(result.tied_winners) == set(plurality(profile(candidates, voters)))
    assert result.winner in result.tied_winners


@SETTINGS
@given(elections())
def test_approval_winners_are_pref_voting_s(election: tuple) -> None:
    candidates, voters, seed = election
    result = ours("approval", candidates, voters, seed)
    grades = GradeProfile(
        [dict.fromkeys(b, 1) for b in voters], [0, 1], candidates=list(candidates)
    )
    assert set(result.tied_winners) == set(approval(grades))
    assert result.winner in result.tied_winners


@SETTINGS
@given(elections(complete=True))
def test_schulze_on_complete_rankings_winning_votes_and_margins_agree(election: tuple) -> None:
    """With every candidate ranked, d[x][y] + d[y][x] is the number of voters, so margins
    and winning votes order the links alike: pref_voting's default (margins) must agree."""
    candidates, voters, seed = election
    result = ours("schulze", candidates, voters, seed)
    prof = profile(candidates, voters)
    by_margin = set(beat_path(prof))
    by_winning_votes = set(beat_path(prof, strength_function=prof.support))
    assert set(result.tied_winners) == by_margin == by_winning_votes


@SETTINGS
@given(elections())
def test_schulze_on_partial_rankings_is_beat_path_with_winning_votes(election: tuple) -> None:
    """pref_voting's beat_path with `support` (the ballots preferring x to y) as each
    link's strength is winning votes; a brute-force search of every path checks both."""
    candidates, voters, seed = election
    result = ours("schulze", candidates, voters, seed)
    prof = profile(candidates, voters)
    assert result.pairwise == {
        x: {y: prof.support(x, y) for y in candidates if y != x} for x in candidates
    }
    assert set(result.tied_winners) == set(beat_path(prof, strength_function=prof.support))
    paths, winners = brute_force_schulze(candidates, voters)
    assert result.strongest_paths == paths
    assert set(result.tied_winners) == winners
    assert result.winner in result.tied_winners


def brute_force_schulze(
    candidates: tuple[str, ...], voters: list[Ballot]
) -> tuple[dict[str, dict[str, int]], set[str]]:
    """Schulze with winning votes by the definition, ballot by ballot: every simple path,
    its weakest link; the strongest paths and the winners."""

    def prefers(ballot: Ballot, x: str, y: str) -> bool:
        if x not in ballot:
            return False
        return y not in ballot or ballot.index(x) < ballot.index(y)

    d = {(x, y): sum(prefers(b, x, y) for b in voters) for x in candidates for y in candidates}
    link = {(x, y): d[x, y] if d[x, y] > d[y, x] else 0 for x, y in d}

    def strongest(x: str, y: str) -> int:
        best = 0
        others = [c for c in candidates if c not in (x, y)]
        for k in range(len(others) + 1):
            for middle in itertools.permutations(others, k):
                path = (x, *middle, y)
                best = max(best, min(link[a, b] for a, b in itertools.pairwise(path)))
        return best

    p = {(x, y): strongest(x, y) for x in candidates for y in candidates if x != y}
    winners = {x for x in candidates if all(p[x, y] >= p[y, x] for y in candidates if y != x)}
    return {x: {y: p[x, y] for y in candidates if y != x} for x in candidates}, winners


@SETTINGS
@given(elections())
def test_irv_winner_is_among_pref_voting_s_parallel_universes(election: tuple) -> None:
    """instant_runoff_put gives every winner some way of breaking the ties could give;
    ours must be one of them, and the only one when our count drew no lot."""
    candidates, voters, seed = election
    result = ours("irv", candidates, voters, seed)
    prof = profile(candidates, voters)
    universes = instant_runoff_put(prof)
    assert result.winner in universes
    if not result.lots:
        assert universes == [result.winner]


@SETTINGS
@given(elections())
def test_irv_with_our_lot_as_tie_breaker_is_pref_voting_s_count(election: tuple) -> None:
    """Given our lot order as its tie-breaker (its first goes first: our last), pref_voting
    must eliminate the same candidates in the same order and elect the same winner."""
    candidates, voters, seed = election
    result = ours("irv", candidates, voters, seed)
    tie_breaker = list(reversed(draw(seed, candidates)))
    winners, eliminations = instant_runoff_with_explanation(
        profile(candidates, voters), tie_breaker=tie_breaker
    )
    assert winners == [result.winner]
    our_order = [r.eliminated[0] for r in result.rounds if r.eliminated]
    assert [c for group in eliminations for c in group][: len(our_order)] == our_order

"""Properties every count must have, whatever the ballots: a majority's first choice
wins, the order of the ballots does not matter, the lot depends on the seed alone, and
an exhaustive round always moves towards an end."""

from __future__ import annotations

import random

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from inmc_vote.domain.counting import NextRound, Rules, Verdict, count, draw, invalid

SETTINGS = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
METHODS = ("plurality", "exhaustive", "irv", "schulze", "approval")
CITIES = ("lyon", "porto", "gdansk", "turku", "bergen", "split")


def marks_for(
    method: str, ranking: tuple[str, ...], candidates: tuple[str, ...]
) -> tuple[str, ...]:
    """What a voter with this ranking marks: the first (plurality, exhaustive), the whole
    ranking (irv, schulze), or every ranked candidate in candidate order (approval)."""
    if method in ("plurality", "exhaustive"):
        return ranking[:1]
    if method == "approval":
        return tuple(c for c in candidates if c in ranking)
    return ranking


@st.composite
def rankings(draw: st.DrawFn, candidates: tuple[str, ...]) -> tuple[str, ...]:
    order = draw(st.permutations(candidates))
    return tuple(order[: draw(st.integers(1, len(candidates)))])


@st.composite
def majority_elections(draw: st.DrawFn) -> tuple[str, tuple[str, ...], list[tuple[str, ...]], int]:
    candidates = CITIES[: draw(st.integers(2, 6))]
    favourite = draw(st.sampled_from(candidates))
    others = draw(st.lists(rankings(candidates), max_size=15))
    majority = len(others) + 1 + draw(st.integers(0, 5))  # more than all the others together
    backing = draw(
        st.lists(rankings(candidates), min_size=majority, max_size=majority).map(
            lambda rs: [(favourite, *(c for c in r if c != favourite)) for r in rs]
        )
    )
    return favourite, candidates, backing + others, majority


@SETTINGS
@given(majority_elections(), st.sampled_from(METHODS), st.binary(max_size=8))
def test_a_candidate_ranked_first_by_a_strict_majority_wins(
    election: tuple[str, tuple[str, ...], list[tuple[str, ...]], int], method: str, seed: bytes
) -> None:
    """For approval the majority approves the favourite alone: more than half the ballots
    approve it, so at most the rest approve anyone else."""
    favourite, candidates, voters, majority = election
    verdicts = []
    for i, ranking in enumerate(voters):
        if method == "approval" and i < majority:
            ranking = (favourite,)
        verdicts.append(Verdict("counted", None, marks_for(method, ranking, candidates)))
    result = count(method, candidates, Rules(), verdicts, eligible=len(verdicts), seed=seed)
    assert (result.outcome, result.winner, result.tied_winners) == (
        "elected",
        favourite,
        (favourite,),
    )
    assert result.lots == ()
    assert len(result.rounds) == 1


@st.composite
def boards(draw: st.DrawFn, method: str) -> tuple[tuple[str, ...], list[Verdict]]:
    candidates = CITIES[: draw(st.integers(1, 6))]
    counted = [
        Verdict("counted", None, marks_for(method, r, candidates))
        for r in draw(st.lists(rankings(candidates), max_size=30))
    ]
    others = draw(
        st.lists(
            st.sampled_from([Verdict("blank"), invalid("malformed"), invalid("empty")]),
            max_size=4,
        )
    )
    return candidates, counted + others


@SETTINGS
@given(st.data(), st.sampled_from(METHODS), st.randoms(use_true_random=False))
def test_the_order_of_the_ballots_changes_nothing(
    data: st.DataObject, method: str, rng: random.Random
) -> None:
    candidates, verdicts = data.draw(boards(method))
    rules = Rules(last_place_tie=data.draw(st.sampled_from(["lot", "runoff"])))
    seed = data.draw(st.binary(max_size=8))
    first = count(method, candidates, rules, verdicts, eligible=40, seed=seed)
    shuffled = list(verdicts)
    rng.shuffle(shuffled)
    again = count(method, candidates, rules, shuffled, eligible=40, seed=seed)
    assert again.to_json() == first.to_json()


@settings(max_examples=100, deadline=None)
@given(
    st.lists(st.text(min_size=1, max_size=12), min_size=2, max_size=6, unique=True),
    st.binary(max_size=16),
)
def test_the_lot_depends_on_the_seed_alone(tied: list[str], base: bytes) -> None:
    """The same seed always gives the same order; over many seeds the order changes (64
    seeds giving one order of k >= 2 candidates has a chance of (1/k!)^63)."""
    order = draw(base, tied)
    assert sorted(order) == sorted(tied)
    assert draw(base, reversed(tied)) == order
    orders = {tuple(draw(base + i.to_bytes(2, "big"), tied)) for i in range(64)}
    assert len(orders) > 1
    assert len({o[0] for o in orders}) > 1  # the favoured one changes too


@st.composite
def exhaustive_rounds(draw: st.DrawFn) -> tuple[tuple[str, ...], Rules, list[Verdict]]:
    """A round as the service could call it: regular, or a runoff for last place among
    some of the continuing candidates."""
    tie = draw(st.sampled_from(["lot", "runoff"]))
    race = CITIES[: draw(st.integers(2, 6))]
    if len(race) >= 3 and draw(st.booleans()):
        tied = tuple(draw(st.lists(st.sampled_from(race), min_size=2, unique=True)))
        rules = Rules(last_place_tie=tie, round_kind="last-place-runoff", continuing=race)
        candidates = tuple(c for c in race if c in tied)
    else:
        rules = Rules(last_place_tie=tie)
        candidates = race
    # few voters and few distinct choices: ties everywhere
    choices = draw(st.lists(st.sampled_from(candidates), min_size=1, max_size=12))
    return candidates, rules, [Verdict("counted", None, (c,)) for c in choices]


@SETTINGS
@given(exhaustive_rounds(), st.binary(max_size=8))
def test_an_exhaustive_round_always_moves_towards_an_end(
    round_: tuple[tuple[str, ...], Rules, list[Verdict]], seed: bytes
) -> None:
    """Either a winner, or a next round with fewer candidates in the race, except two
    candidates tied under the runoff rule (they vote again) and a runoff for last place
    (which itself takes one out of the race)."""
    candidates, rules, verdicts = round_
    result = count("exhaustive", candidates, rules, verdicts, eligible=40, seed=seed)
    race = rules.continuing or candidates
    if result.outcome == "elected":
        assert result.winner in race
        assert result.next_round is None
        return
    assert result.outcome == "next-round"
    nxt = result.next_round
    assert nxt is not None
    if nxt.kind == "regular":
        if len(nxt.candidates) == len(race):
            assert nxt == NextRound("regular", candidates)
            assert len(candidates) == 2
            assert rules.last_place_tie == "runoff"
        else:
            assert len(nxt.candidates) == len(race) - 1
            assert set(nxt.candidates) < set(race)
            assert len(nxt.candidates) >= 2
    else:
        assert rules.round_kind == "regular"
        assert rules.last_place_tie == "runoff"
        assert nxt.continuing == candidates
        assert 2 <= len(nxt.candidates) <= len(candidates)
        assert set(nxt.candidates) <= set(candidates)


@SETTINGS
@given(st.integers(2, 6), st.data())
def test_successive_exhaustive_rounds_with_fixed_preferences_end(
    n: int, data: st.DataObject
) -> None:
    """The service's loop, with voters who keep their preferences: under the lot rule it
    elects within n rounds; under the runoff rule it elects, or comes to two candidates
    tied again and again (only voters changing their minds can end that)."""
    race = CITIES[:n]
    voters = data.draw(st.lists(st.permutations(race), min_size=1, max_size=12))
    tie = data.draw(st.sampled_from(["lot", "runoff"]))
    seed = data.draw(st.binary(max_size=8))
    rules, candidates = Rules(last_place_tie=tie), race
    for _ in range(2 * n):
        verdicts = [
            Verdict("counted", None, (next(c for c in v if c in candidates),)) for v in voters
        ]
        result = count("exhaustive", candidates, rules, verdicts, eligible=40, seed=seed)
        if result.outcome == "elected":
            return
        nxt = result.next_round
        assert nxt is not None
        if nxt.kind == "regular" and nxt.candidates == candidates:
            assert tie == "runoff"
            assert len(candidates) == 2
            return
        rules = Rules(last_place_tie=tie, round_kind=nxt.kind, continuing=nxt.continuing)
        candidates = nxt.candidates
    raise AssertionError(f"no end after {2 * n} rounds of voting")

"""The organiser's checklist, derived from a ballot's state and facts."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from inmc_vote.domain.checklist import Facts, Status, Step, checklist, next_step
from inmc_vote.domain.lifecycle import State

OPENS = datetime(2026, 12, 1, 9, tzinfo=UTC)
CLOSES = datetime(2026, 12, 13, 22, tzinfo=UTC)
DRAFT = Facts(
    state=State.DRAFT,
    round=1,
    published=False,
    active_cities=0,
    links_made=False,
    ceremony_complete=False,
    tokens_issued=False,
    shuffles_in=False,
    decryptions_in=False,
    opens_at=OPENS,
    closes_at=CLOSES,
)


def statuses(facts: Facts) -> dict[Step, Status]:
    return {item.step: item.status for item in checklist(facts)}


def test_every_step_in_order_with_one_next() -> None:
    items = checklist(DRAFT)
    assert [i.step for i in items] == list(Step)
    assert next_step(items) is Step.CITIES
    assert [i.status for i in items].count(Status.NEXT) == 1
    assert statuses(DRAFT)[Step.BALLOT] is Status.DONE
    deadlines = {i.step: i.deadline for i in items if i.deadline}
    assert deadlines == {Step.OPEN: OPENS, Step.CLOSE: CLOSES}


def test_the_next_step_follows_the_ballot() -> None:
    cities = replace(DRAFT, active_cities=40)
    assert next_step(checklist(cities)) is Step.LINKS
    linked = replace(cities, links_made=True, state=State.CANDIDACIES)
    assert next_step(checklist(linked)) is Step.CANDIDACIES
    frozen = replace(linked, state=State.FROZEN, ceremony_complete=True)
    assert next_step(checklist(frozen)) is Step.TOKENS
    issued = replace(frozen, tokens_issued=True)
    assert next_step(checklist(issued)) is Step.OPEN
    voting = replace(issued, state=State.OPEN)
    assert next_step(checklist(voting)) is Step.CLOSE
    closed = replace(voting, state=State.CLOSED)
    assert next_step(checklist(closed)) is Step.MIX
    mixed = replace(closed, shuffles_in=True)
    assert next_step(checklist(mixed)) is Step.DECRYPT
    decrypted = replace(mixed, decryptions_in=True)
    assert next_step(checklist(decrypted)) is Step.TALLY
    tallied = replace(decrypted, state=State.TALLIED)
    assert next_step(checklist(tallied)) is Step.PUBLISH
    published = replace(tallied, published=True)
    assert next_step(checklist(published)) is None
    assert set(statuses(published).values()) == {Status.DONE}


def test_a_step_the_ballot_went_past_is_shown_as_skipped() -> None:
    frozen = replace(DRAFT, active_cities=3, state=State.FROZEN, ceremony_complete=True)
    assert statuses(frozen)[Step.LINKS] is Status.PASSED
    assert next_step(checklist(frozen)) is Step.TOKENS
    assert statuses(frozen)[Step.OPEN] is Status.LATER


def test_a_cancelled_ballot_has_no_next_step() -> None:
    cancelled = replace(DRAFT, active_cities=3, state=State.CANCELLED)
    assert next_step(checklist(cancelled)) is None


def test_a_second_round_starts_again_at_opening() -> None:
    second = replace(
        DRAFT,
        active_cities=3,
        links_made=True,
        ceremony_complete=True,
        tokens_issued=True,
        state=State.FROZEN,
        round=2,
    )
    assert next_step(checklist(second)) is Step.OPEN
    assert statuses(second)[Step.TALLY] is Status.LATER

"""`verify OLD NEW`: an honest growth is accepted; a removed, changed or reordered entry,
or a rewritten event, is refused."""

from __future__ import annotations

import dataclasses

from inmc_vote.verify import verify
from tests.unit.audit import builder
from tests.unit.audit.conftest import Verifier

VOTES = [{"v": 1, "choice": c} for c in ("lyon", "porto", "lyon", "turin", "lyon", "porto")]


def polled(verifier: Verifier) -> tuple[builder.Model, object]:
    """A ballot during voting with three ballots, its bundle kept by an auditor."""
    model = builder.honest(VOTES[:3], voters=6, sealed=False)
    model.exported_at = builder.at(days=3, hours=1)
    return model, model.write(verifier.path())


def grow(model: builder.Model, until: int = 6) -> None:
    r = model.rounds[0]
    for i in range(len(r.entries), until):
        model.cast(r, model.voters[i], VOTES[i], builder.at(days=3, hours=2, seconds=i))
    model.exported_at = builder.at(days=3, hours=3)


def growth_failures(verifier: Verifier, model: builder.Model, old: object) -> set:
    report = verifier.report(model, old=old)
    return {(c.code, c.round) for c in report.checks if not c.ok}


def test_an_honest_growth_is_accepted(verifier: Verifier) -> None:
    model, old = polled(verifier)
    grow(model)
    report = verifier.report(model, old=old)
    assert report.ok, report.text()
    codes = [c.code for c in report.checks][-5:]
    assert codes == ["old-signed-head", "same-ballot", "events-grew", "board-grew", "round-kept"]
    # through sealing, the tally and publication too
    r = model.rounds[0]
    r.closed_at = r.closes_at
    model.tally(r, builder.at(days=10, hours=1))
    model.exported_at = ""
    assert verifier.report(model, old=old).ok
    # and the same bundle twice
    assert verifier.report(model, old=model.write(verifier.path())).ok


def test_a_removed_entry_is_refused(verifier: Verifier) -> None:
    model, old = polled(verifier)
    grow(model)
    r = model.rounds[0]
    del r.entries[1]
    model.rechain(r)
    assert growth_failures(verifier, model, old) == {("board-grew", 1)}


def test_a_truncated_board_is_refused(verifier: Verifier) -> None:
    model, old = polled(verifier)
    r = model.rounds[0]
    r.entries.pop()
    report = verifier.report(model, old=old)
    (failed,) = report.failed()
    assert (failed.code, failed.round) == ("board-grew", 1)
    assert "were removed" in failed.detail


def test_a_changed_entry_is_refused(verifier: Verifier) -> None:
    model, old = polled(verifier)
    grow(model)
    r = model.rounds[0]
    r.entries[0] = dataclasses.replace(r.entries[0], received_at=builder.at(days=3, seconds=9))
    model.rechain(r)
    assert growth_failures(verifier, model, old) == {("board-grew", 1)}


def test_a_reordered_board_is_refused(verifier: Verifier) -> None:
    model, old = polled(verifier)
    grow(model)
    r = model.rounds[0]
    r.entries[0], r.entries[1] = r.entries[1], r.entries[0]
    model.rechain(r)
    assert growth_failures(verifier, model, old) == {("board-grew", 1)}


def test_a_rewritten_event_log_is_refused(verifier: Verifier) -> None:
    model, old = polled(verifier)
    grow(model)

    def patch(events: list) -> None:
        events[0] = dataclasses.replace(events[0], actor="organiser:someone-else@example.org")

    model.event_patch = patch
    assert growth_failures(verifier, model, old) == {("events-grew", None)}


def test_a_bundle_of_another_ballot_or_authority_is_refused(verifier: Verifier) -> None:
    model, _old = polled(verifier)
    stranger = builder.honest(VOTES[:3], voters=6, sealed=False)
    old = stranger.write(verifier.path())
    failed = growth_failures(verifier, model, old)
    assert ("old-signed-head", None) in failed


def test_old_and_new_given_the_wrong_way_round(verifier: Verifier) -> None:
    model, old = polled(verifier)
    grow(model)
    new = model.write(verifier.path())
    swapped = verify(old, old=new, jobs=1)
    assert not swapped.ok
    assert any("give the older bundle first" in c.detail for c in swapped.failed())


def test_a_changed_seal_is_refused(verifier: Verifier) -> None:
    model = builder.honest(VOTES[:3], voters=6)
    old = model.write(verifier.path())
    model.rounds[0].closed_at = builder.at(days=9)  # resealed at another time
    # the seal differs, and so does the close event that recorded it
    assert growth_failures(verifier, model, old) == {("round-kept", 1), ("events-grew", None)}


def test_a_changed_manifest_is_refused(verifier: Verifier) -> None:
    model, old = polled(verifier)

    def patch(manifest: dict) -> None:
        manifest["question"] = "Which city should host the 2031 meetings?"

    model.rounds[0].manifest_patch = patch
    model.refix()
    grow(model)
    failed = growth_failures(verifier, model, old)
    assert ("same-ballot", None) in failed
    assert ("board-grew", 1) in failed  # chained from another manifest


def test_a_round_missing_from_new_is_refused_in_words(verifier: Verifier) -> None:
    model = builder.honest(
        [{"v": 1, "choice": c} for c in ("lyon", "lyon", "porto", "porto", "turin")],
        method="exhaustive",
        rules={"quorum": None, "blank_allowed": True, "last_place_tie": "lot"},
    )
    builder.next_round(model, [{"v": 1, "choice": c} for c in ("lyon",) * 3 + ("porto",) * 2])
    old = model.write(verifier.path())
    model.rounds.pop()  # NEW forgets round 2
    model.exported_at = builder.at(days=30)
    (missing,) = [c for c in verifier.report(model, old=old).checks if c.round == 2]
    assert (missing.code, missing.ok, missing.counted) == ("board-grew", False, 0)
    assert missing.detail == "OLD has round 2, NEW does not"


def test_a_mix_taken_back_and_made_again_is_refused(verifier: Verifier) -> None:
    """The mix and the tally are append-only too: NEW may not mix the round again (new
    shuffles, new decryptions, even honest ones) once OLD had them."""
    model = builder.honest(VOTES[:3], voters=6)
    old = model.write(verifier.path())
    r = model.rounds[0]
    model.tally(r, r.tallied_at)  # shuffled again: fresh randomness, another order
    report = verifier.report(model, old=old)
    failed = {(c.code, c.round) for c in report.failed()}
    assert ("round-kept", 1) in failed
    (kept,) = [c for c in report.failed() if c.code == "round-kept"]
    assert "shuffle-1.json is not the same in OLD and NEW" in kept.detail

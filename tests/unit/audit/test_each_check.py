"""For every check of the verifier: an honest bundle passes it, and a bundle that lies in
exactly that place (everything else derived and signed as an honest server would) fails
that check and no other."""

from __future__ import annotations

import dataclasses
import json

import pytest

from inmc_vote.domain.protocol import bundle, keys, vote
from inmc_vote.domain.protocol.credentials import RollLine, credential_message
from inmc_vote.domain.protocol.encoding import b64url
from tests.unit.audit import builder
from tests.unit.audit.conftest import Verifier

LYON = {"v": 1, "choice": "lyon"}
PORTO = {"v": 1, "choice": "porto"}
BLANK = {"v": 1, "blank": True}


def other_key() -> bytes:
    return keys.new_ed25519()[0]


def test_an_honest_bundle_passes_every_check(verifier: Verifier) -> None:
    model = builder.honest([LYON, LYON, PORTO, BLANK, {"v": 1, "choice": "nowhere"}])
    report = verifier.report(model)
    assert report.ok, report.text()
    assert [c.code for c in report.checks] == [
        "bundle",
        "manifests",
        "signed-head",
        "roll",
        "events",
        "lost-tokens",
        "board",
        "signatures",
        "on-roll",
        "one-per-credential",
        "turnout",
        "seal",
        "tally-record",
        "seed",
        "decryptions",
        "verdicts",
        "count",
        "event-agreement",
    ]
    words = {c.code: c.detail for c in report.checks}
    assert words["verdicts"].startswith("3 counted, 1 blank, 1 invalid (1 unknown-candidate)")
    assert "winner lyon" in words["count"]


def test_a_bundle_during_voting_passes_with_no_seal_and_no_tally(verifier: Verifier) -> None:
    report = verifier.report(builder.honest([LYON, PORTO], voters=4, sealed=False))
    assert report.ok, report.text()
    assert report.state == "open"
    words = {c.code: c.detail for c in report.checks}
    assert words["seal"].startswith("not sealed yet")
    assert words["tally-record"].startswith("not in this bundle")


# --- one lie each ----------------------------------------------------------------------------


def test_bundle_an_unknown_or_missing_file(verifier: Verifier) -> None:
    model = builder.honest()
    model.extra_members["notes.txt"] = b"trust me"
    assert verifier.failed(model) == {("bundle", None)}
    members = builder.honest().members()
    del members[bundle.AUDITORS]
    assert verifier.failed(builder.honest(), members) == {("bundle", None)}


def test_manifests_a_manifest_not_signed_by_the_authority(verifier: Verifier) -> None:
    model = builder.honest()
    model.signers["manifest"] = other_key()
    assert verifier.failed(model) == {("manifests", None)}


def test_signed_head_a_head_not_signed_by_the_authority(verifier: Verifier) -> None:
    model = builder.honest()
    model.signers["bundle"] = other_key()
    assert verifier.failed(model) == {("signed-head", None)}


def test_roll_a_credential_not_signed_by_the_registrar(verifier: Verifier) -> None:
    model = builder.honest()
    voter = model.voters[1]
    forged = keys.sign(other_key(), credential_message(model.ballot, voter.pk))
    voter.line = RollLine(voter.pk, forged)
    model.refix()
    assert verifier.failed(model) == {("roll", None)}


def test_events_a_rewritten_event(verifier: Verifier) -> None:
    model = builder.honest()
    members = model.members()
    lines = members[bundle.EVENTS].splitlines(keepends=True)
    event, prev, digest = bundle.read_event_line(lines[0])
    changed = dataclasses.replace(event, data={"title": "Another title"})
    lines[0] = bundle.event_line(changed, prev, digest)
    members[bundle.EVENTS] = b"".join(lines)
    assert verifier.failed(model, members) == {("events", None)}


def replaced(model: builder.Model, index: int = 0) -> builder.Voter:
    """Voter `index` loses its token before voting opens and gets a replacement."""
    new = builder.new_voter(model.ballot, model.registrar)
    model.replacements.append((index, new, builder.at(days=2, hours=1)))
    return new


def test_lost_tokens_a_revocation_not_signed_by_the_registrar(verifier: Verifier) -> None:
    model = builder.honest([None, LYON, PORTO], voters=3)
    new = replaced(model)
    model.cast(model.rounds[0], new, PORTO, builder.at(days=4))
    model.rounds[0].entries.sort(key=lambda e: e.received_at)
    model.rechain(model.rounds[0])
    model.tally(model.rounds[0], model.rounds[0].tallied_at)
    assert verifier.report(model).ok
    model.signers["registrar"] = other_key()
    assert verifier.failed(model) == {("lost-tokens", None)}


def test_event_agreement_a_freeze_that_committed_to_another_seed(verifier: Verifier) -> None:
    model = builder.honest()

    def patch(events: list) -> None:
        for i, event in enumerate(events):
            if event.action == "freeze":
                data = event.data | {"tiebreak_commitment": b64url(bytes(32))}
                events[i] = dataclasses.replace(event, data=data)

    model.event_patch = patch
    assert verifier.failed(model) == {("event-agreement", None)}


def test_event_agreement_tokens_issued_for_another_manifest_or_roll(verifier: Verifier) -> None:
    for field in ("manifest_hash", "roll_hash"):
        model = builder.honest()

        def patch(events: list, field: str = field) -> None:
            for i, event in enumerate(events):
                if event.action == "tokens-issued":
                    data = event.data | {field: b64url(bytes(32))}
                    events[i] = dataclasses.replace(event, data=data)

        model.event_patch = patch
        assert verifier.failed(model) == {("event-agreement", None)}, field


def exhaustive() -> builder.Model:
    """Two rounds: lyon 2, porto 2, turin 1, then lyon 3, porto 2."""
    model = builder.honest(
        [LYON, LYON, PORTO, PORTO, {"v": 1, "choice": "turin"}],
        method="exhaustive",
        rules={"quorum": None, "blank_allowed": True, "last_place_tie": "lot"},
    )
    builder.next_round(model, [LYON, LYON, PORTO, PORTO, LYON])
    return model


def test_event_agreement_reads_the_hex_hashes_of_logs_written_before(verifier: Verifier) -> None:
    """Events kept their bytes when the log moved from hex to base64url hashes."""
    model = exhaustive()
    model.hash_text = bytes.hex
    report = verifier.report(model)
    assert report.ok, report.text()


def test_rounds_a_second_round_that_does_not_name_the_first(verifier: Verifier) -> None:
    model = exhaustive()
    report = verifier.report(model)
    assert report.ok, report.text()
    assert [c.round for c in report.checks if c.code == "count"] == [1, 2]

    def patch(manifest: dict) -> None:
        manifest["previous"]["result"] = b64url(bytes(32))

    model.rounds[1].manifest_patch = patch
    model.refix()
    assert verifier.failed(model) == {("rounds", None)}


def test_rounds_a_second_round_with_a_candidate_the_result_eliminated(verifier: Verifier) -> None:
    model = exhaustive()
    model.rounds[1].candidates.append("turin")
    model.refix()
    assert verifier.failed(model) == {("rounds", None)}


def test_board_an_entry_that_does_not_match_its_hash(verifier: Verifier) -> None:
    model = builder.honest()
    members = model.members()
    lines = members["round-1/board.jsonl"].splitlines(keepends=True)
    entry = bundle.read_board_line(lines[1])
    lines[1] = bundle.board_line(
        dataclasses.replace(entry, received_at=builder.at(days=3, hours=5))
    )
    members["round-1/board.jsonl"] = b"".join(lines)
    assert verifier.failed(model, members) == {("board", 1)}


def test_board_an_entry_received_before_voting_opened(verifier: Verifier) -> None:
    model = builder.honest()
    r = model.rounds[0]
    r.entries[0] = dataclasses.replace(r.entries[0], received_at=builder.at(days=2))
    model.rechain(r)
    assert verifier.failed(model) == {("board", 1)}


def test_signatures_a_ballot_not_signed_by_its_credential(verifier: Verifier) -> None:
    model = builder.honest()
    r = model.rounds[0]
    e = r.entries[1]
    message = vote.signed_message(r.manifest_hash, e.credential, e.ciphertext)
    r.entries[1] = dataclasses.replace(e, signature=keys.sign(other_key(), message))
    model.rechain(r)
    assert verifier.failed(model) == {("signatures", 1)}


def test_on_roll_a_ballot_from_a_credential_not_on_the_roll(verifier: Verifier) -> None:
    model = builder.honest([LYON, PORTO], voters=4)
    r = model.rounds[0]
    stranger = builder.new_voter(model.ballot, model.registrar)
    model.cast(r, stranger, LYON, builder.at(days=4))
    model.tally(r, r.tallied_at)
    assert verifier.failed(model) == {("on-roll", 1)}


def test_on_roll_a_ballot_from_a_revoked_credential(verifier: Verifier) -> None:
    model = builder.honest([None, LYON, PORTO], voters=4)
    replaced(model, 0)
    r = model.rounds[0]
    model.cast(r, model.voters[0], LYON, builder.at(days=4))
    model.tally(r, r.tallied_at)
    assert verifier.failed(model) == {("on-roll", 1)}


def test_one_per_credential_a_second_ballot_of_a_credential(verifier: Verifier) -> None:
    model = builder.honest([LYON, PORTO], voters=4)
    r = model.rounds[0]
    model.cast(r, model.voters[0], PORTO, builder.at(days=4))
    model.tally(r, r.tallied_at)
    assert verifier.failed(model) == {("one-per-credential", 1)}


def test_turnout_an_electorate_smaller_than_the_roll(verifier: Verifier) -> None:
    model = builder.honest()

    def patch(manifest: dict) -> None:
        manifest["eligible"] = 2

    model.rounds[0].manifest_patch = patch
    model.refix()
    assert verifier.failed(model) == {("turnout", 1)}


def test_seal_not_signed_by_the_authority(verifier: Verifier) -> None:
    model = builder.honest()
    model.signers["seal"] = other_key()
    assert verifier.failed(model) == {("seal", 1)}


def test_seal_a_ballot_received_after_the_seal(verifier: Verifier) -> None:
    model = builder.honest()
    model.rounds[0].closed_at = builder.at(days=3, seconds=2)  # the third came a second later
    assert verifier.failed(model) == {("seal", 1)}


def test_tally_record_not_signed_by_the_authority(verifier: Verifier) -> None:
    model = builder.honest()
    model.signers["tally"] = other_key()
    assert verifier.failed(model) == {("tally-record", 1)}


def test_tally_record_outcome_lines_that_are_not_the_record_s(verifier: Verifier) -> None:
    model = builder.honest()
    members = model.members()
    members["round-1/outcomes.jsonl"] += members["round-1/outcomes.jsonl"].splitlines(True)[0]
    assert verifier.failed(model, members) == {("tally-record", 1)}


def test_seed_a_revealed_seed_that_is_not_the_committed_one(verifier: Verifier) -> None:
    model = builder.honest()

    def patch(record: dict) -> None:
        record["seed"] = b64url(bytes(32))

    model.rounds[0].record_patch = patch
    assert verifier.failed(model) == {("seed", 1)}


def _outcome(r: builder.RoundModel, index: int, **changes: object) -> None:
    value = json.loads(r.outcomes[index]) | changes
    r.outcomes[index] = json.dumps(value, sort_keys=True, separators=(",", ":")).encode() + b"\n"


def test_decryptions_a_vote_that_is_not_what_the_ballot_decrypts_to(verifier: Verifier) -> None:
    model = builder.honest()
    r = model.rounds[0]
    _outcome(r, 0, vote=PORTO)  # the ballot says lyon
    r.result = model.recount(r)
    assert verifier.failed(model) == {("decryptions", 1)}


def test_decryptions_a_revealed_key_that_is_not_the_round_s(verifier: Verifier) -> None:
    model = builder.honest()
    r = model.rounds[0]
    wrong = b64url(keys.new_x25519()[0])

    def patch(record: dict) -> None:
        record["tally_key"] = wrong

    r.record_patch = patch
    assert verifier.failed(model) == {("decryptions", 1)}


def test_verdicts_an_outcome_that_is_not_the_vote_s(verifier: Verifier) -> None:
    model = builder.honest([LYON, {"v": 1, "choice": "nowhere"}, PORTO])
    r = model.rounds[0]
    _outcome(r, 1, reason="malformed")  # it is unknown-candidate
    _outcome(r, 0, outcome="blank")  # it is counted
    assert verifier.failed(model) == {("verdicts", 1)}


def test_count_a_result_that_is_not_the_count(verifier: Verifier) -> None:
    model = builder.honest()
    r = model.rounds[0]
    assert r.result is not None
    r.result["rounds"][0]["tallies"]["porto"] += 1
    report = verifier.report(model)
    assert {(c.code, c.round) for c in report.checks if not c.ok} == {("count", 1)}
    (failed,) = report.failed()
    assert "rounds: the record says" in failed.detail
    r.result = model.recount(r) | {"winner": "porto"}
    assert verifier.failed(model) == {("count", 1)}


@pytest.mark.parametrize("round_number", [1, 2])
def test_each_round_is_checked_on_its_own(verifier: Verifier, round_number: int) -> None:
    model = exhaustive()
    model.rounds[round_number - 1].closed_at = model.rounds[round_number - 1].entries[1].received_at
    assert verifier.failed(model) == {("seal", round_number)}


def test_manifests_a_manifest_of_the_wrong_shape(verifier: Verifier) -> None:
    model = builder.honest()
    model.rounds[0].manifest["vote_size"] = "large"  # signed by the authority all the same
    report = verifier.report(model)
    assert [(c.code, c.ok) for c in report.checks] == [("bundle", True), ("manifests", False)]
    assert "its numbers are not whole numbers" in report.checks[1].detail


def test_on_roll_a_token_lost_between_rounds(verifier: Verifier) -> None:
    """Voter 0 votes in round 1 and loses its token before round 2, where its replacement
    votes: both ballots stand. The old token voting in round 2 would not."""
    model = exhaustive()
    second = model.rounds[1]
    new = builder.new_voter(model.ballot, model.registrar)
    model.replacements.append((0, new, builder.later(second.opens_at, hours=-1)))
    old_seed, choice, when = second.cast_log[0]
    assert old_seed == model.voters[0].seed
    second.cast_log[0] = (new.seed, choice, when)
    model.refix()
    report = verifier.report(model)
    assert report.ok, report.text()
    second.cast_log[0] = (old_seed, choice, when)
    model.refix()
    assert verifier.failed(model) == {("on-roll", 2)}

"""For every check of the verifier: an honest bundle passes it, and a bundle that lies in
exactly that place (everything else derived and signed as an honest server and honest
trustees would) fails that check and no other."""

from __future__ import annotations

import dataclasses
import json

from inmc_vote.domain.protocol import ballot, board, bundle, ceremony, group, keys, trustee_message
from inmc_vote.domain.protocol.credentials import RollLine, credential_message
from inmc_vote.domain.protocol.encoding import b64url, canonical_json
from tests.unit.audit import builder
from tests.unit.audit.conftest import Verifier

LYON = {"v": 1, "choice": "lyon"}
PORTO = {"v": 1, "choice": "porto"}
BLANK = {"v": 1, "blank": True}

ORDER = [
    "bundle",
    "manifests",
    "signed-head",
    "roll",
    "events",
    "lost-tokens",
    "electorate",
    "ceremony",
    "board",
    "ballots",
    "on-roll",
    "one-per-credential",
    "turnout",
    "seal",
    "tally-record",
    "mix-input",
    "shuffles",
    "decryption",
    "lot",
    "verdicts",
    "count",
    "event-agreement",
]


def other_key() -> bytes:
    return keys.new_ed25519()[0]


def test_an_honest_bundle_passes_every_check(verifier: Verifier) -> None:
    model = builder.honest([LYON, LYON, PORTO, BLANK, builder.UNKNOWN, builder.MALFORMED])
    report = verifier.report(model)
    assert report.ok, report.text()
    assert [c.code for c in report.checks] == ORDER
    words = {c.code: c.detail for c in report.checks}
    assert words["verdicts"].startswith(
        "3 counted, 1 blank, 2 invalid (1 malformed, 1 unknown-candidate)"
    )
    assert "winner lyon" in words["count"]
    assert words["shuffles"].startswith("2 shuffles")
    assert json.loads(json.dumps(report.to_json()))["ok"] is True


def test_a_bundle_during_voting_passes_with_no_seal_and_no_tally(verifier: Verifier) -> None:
    report = verifier.report(builder.honest([LYON, PORTO], voters=4, sealed=False))
    assert report.ok, report.text()
    assert report.state == "open"
    words = {c.code: c.detail for c in report.checks}
    assert words["seal"].startswith("not sealed yet")
    assert words["tally-record"].startswith("not in this bundle")
    assert "mix-input" not in words


def test_a_round_with_no_ballot_has_nothing_to_mix(verifier: Verifier) -> None:
    model = builder.honest([None, None], voters=2)
    report = verifier.report(model)
    assert report.ok, report.text()


# --- what v1 already checked -----------------------------------------------------------------


def test_bundle_an_unknown_or_missing_file(verifier: Verifier) -> None:
    model = builder.honest()
    model.extra_members["notes.txt"] = b"trust me"
    assert verifier.failed(model) == {("bundle", None)}
    members = builder.honest().members()
    del members[bundle.AUDITORS]
    assert verifier.failed(builder.honest(), members) == {("bundle", None)}


def test_bundle_a_shuffle_missing_from_the_numbering(verifier: Verifier) -> None:
    model = builder.honest()
    members = model.members()
    members["round-1/shuffle-3.json"] = members.pop("round-1/shuffle-2.json")
    assert ("bundle", None) in verifier.failed(model, members)


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
    model.tally(model.rounds[0], model.rounds[0].tallied_at)
    assert verifier.report(model).ok
    model.signers["registrar"] = other_key()
    assert verifier.failed(model) == {("lost-tokens", None)}


def _patch_event(model: builder.Model, action: str, change) -> None:
    def patch(events: list) -> None:
        for i, event in enumerate(events):
            if event.action == action:
                new = change(dict(event.data), event)
                if new is not None:
                    events[i] = dataclasses.replace(event, data=new)

    model.event_patch = patch


def test_event_agreement_a_freeze_that_fixed_another_ceremony(verifier: Verifier) -> None:
    model = builder.honest()
    _patch_event(model, "freeze", lambda d, e: d | {"trustees": {"ceremony": 2, "threshold": 2}})
    assert verifier.failed(model) == {("event-agreement", None)}


def test_event_agreement_a_shuffle_the_log_does_not_announce(verifier: Verifier) -> None:
    model = builder.honest()
    _patch_event(model, "shuffle-added", lambda d, e: d | {"hash": b64url(bytes(32))})
    assert verifier.failed(model) == {("event-agreement", None)}


def test_event_agreement_tokens_issued_for_another_manifest_or_roll(verifier: Verifier) -> None:
    for field in ("manifest_hash", "roll_hash"):
        model = builder.honest()
        _patch_event(model, "tokens-issued", lambda d, e, f=field: d | {f: b64url(bytes(32))})
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
    assert [c.round for c in report.checks if c.code == "lot"] == [1, 2]

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
    lines[1] = dataclasses.replace(entry, received_at=builder.at(days=3, hours=5)).line()
    members["round-1/board.jsonl"] = b"".join(lines)
    assert verifier.failed(model, members) == {("board", 1)}


def test_board_an_entry_received_before_voting_opened(verifier: Verifier) -> None:
    model = builder.honest()
    r = model.rounds[0]
    r.entries[0] = dataclasses.replace(r.entries[0], received_at=builder.at(days=2))
    model.rechain(r)
    model.tally(r, r.tallied_at)  # the lot takes the sealed head
    assert verifier.failed(model) == {("board", 1)}


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
    model.tally(r, r.tallied_at)  # the server leaves it out of the mix
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
    # The manifest's electorate is also checked against the cities published at freeze.
    assert verifier.failed(model) == {("turnout", 1), ("electorate", None)}


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


def test_tally_record_vote_lines_that_are_not_the_record_s(verifier: Verifier) -> None:
    model = builder.honest()
    members = model.members()
    members["round-1/votes.jsonl"] += b"\n"
    assert ("tally-record", 1) in verifier.failed(model, members)


def test_tally_record_a_record_of_another_round(verifier: Verifier) -> None:
    model = builder.honest()
    model.rounds[0].record_patch = lambda record: record.update(round=2)
    assert verifier.failed(model) == {("tally-record", 1)}


# --- the key ceremony ------------------------------------------------------------------------


def _resign(message: dict, model: builder.Model, who: int) -> dict:
    return trustee_message.sign(message, model.trustees.secrets[who - 1].signing_seed)


def test_ceremony_a_key_share_that_does_not_match_the_deals(verifier: Verifier) -> None:
    """Trustee 2 publishes (and signs) a verification key that is not Σ_j Σ_k l^k·C_{j,k}."""
    model = builder.honest()
    wrong = b64url(group.base_mul(group.random_scalar()))
    _patch_event(
        model,
        "trustee-key",
        lambda d, e: (
            _resign(d | {"verification_key": wrong}, model, 2) if d["trustee"] == 2 else None
        ),
    )
    report = verifier.report(model)
    assert {(c.code, c.round) for c in report.failed()} == {("ceremony", None)}
    assert "trustee 2's" in report.failed()[0].detail


def test_ceremony_a_deal_not_signed_by_its_dealer(verifier: Verifier) -> None:
    model = builder.honest()
    _patch_event(
        model,
        "trustee-deal",
        lambda d, e: trustee_message.sign(d, other_key()) if d["trustee"] == 3 else None,
    )
    assert verifier.failed(model) == {("ceremony", None)}


def test_ceremony_a_complaint_fails_it(verifier: Verifier) -> None:
    model = builder.honest()
    complaint = ceremony.make_complaint(
        ballot=model.ballot,
        ceremony=1,
        trustee=1,
        about=2,
        reason="my share does not match",
        signing_seed=model.trustees.secrets[0].signing_seed,
    )
    model.extra_events.append(
        (builder.at(days=1, hours=3, minutes=30), "trustee:1", "trustee-complaint", complaint)
    )
    assert verifier.failed(model) == {("ceremony", None)}


def test_ceremony_the_log_records_another_election_key(verifier: Verifier) -> None:
    model = builder.honest()
    other = b64url(group.base_mul(group.random_scalar()))
    _patch_event(model, "ceremony-complete", lambda d, e: d | {"election_key": other})
    assert verifier.failed(model) == {("ceremony", None)}


# --- the ballots ------------------------------------------------------------------------------


def _replace_ballot(model: builder.Model, index: int, change) -> None:
    """Entry `index` carries the ballot `change` makes of its own (signed again by its
    credential, its tracker the new ballot's hash), the board chained again."""
    r = model.rounds[0]
    seed, _, _ = r.cast_log[index]
    value = change(r.entries[index].ballot_json())
    cast = ballot.Ballot.parse(value)
    body = {k: v for k, v in value.items() if k != "signature"}
    signed = dataclasses.replace(cast, signature=keys.sign(seed, ballot.signed_message(body)))
    data = signed.canonical()
    r.entries[index] = dataclasses.replace(
        r.entries[index], ballot=data, tracker=board.tracker_of(data)
    )
    model.rechain(r)
    model.tally(r, r.tallied_at)


def test_ballots_a_proof_of_knowledge_that_does_not_check(verifier: Verifier) -> None:
    model = builder.honest()
    response = b64url(group.random_scalar())
    _replace_ballot(model, 1, lambda v: v | {"pok": v["pok"] | {"response": response}})
    report = verifier.report(model)
    assert {(c.code, c.round) for c in report.failed()} == {("ballots", 1)}
    assert "proof of knowledge" in report.failed()[0].detail


def test_ballots_a_ballot_not_signed_by_its_credential(verifier: Verifier) -> None:
    model = builder.honest()
    r = model.rounds[0]
    value = r.entries[2].ballot_json() | {"signature": b64url(keys.sign(other_key(), b"x"))}
    data = canonical_json(value)
    r.entries[2] = dataclasses.replace(r.entries[2], ballot=data, tracker=board.tracker_of(data))
    model.rechain(r)
    model.tally(r, r.tallied_at)
    assert verifier.failed(model) == {("ballots", 1)}


def test_ballots_a_tracker_that_is_not_the_ballot_s_hash(verifier: Verifier) -> None:
    model = builder.honest()
    r = model.rounds[0]
    r.entries[0] = dataclasses.replace(r.entries[0], tracker=r.entries[1].tracker)
    model.rechain(r)
    model.tally(r, r.tallied_at)
    assert verifier.failed(model) == {("ballots", 1)}


def test_ballots_a_ciphertext_that_is_not_a_point(verifier: Verifier) -> None:
    model = builder.honest()
    r = model.rounds[0]
    value = r.entries[0].ballot_json() | {"alpha": b64url(bytes(32))}
    data = canonical_json(value)
    r.entries[0] = dataclasses.replace(r.entries[0], ballot=data, tracker=board.tracker_of(data))
    model.rechain(r)
    r.input_patch = lambda cts: cts[1:]  # no server would mix it
    model.tally(r, r.tallied_at)
    failed = verifier.failed(model)
    assert ("ballots", 1) in failed  # and the mix, which could not take it, differs from the board
    assert failed <= {("ballots", 1), ("mix-input", 1), ("shuffles", 1)}


# --- the mix ---------------------------------------------------------------------------------


def test_mix_input_a_record_that_names_another_input(verifier: Verifier) -> None:
    model = builder.honest([LYON, PORTO, PORTO])
    model.rounds[0].record_patch = lambda record: record["mix"]["input"].update(count=2)
    report = verifier.report(model)
    assert {(c.code, c.round) for c in report.failed()} == {("mix-input", 1)}


def test_mix_input_a_ballot_left_out_of_or_slipped_into_the_mix(verifier: Verifier) -> None:
    """The first shuffle then mixes another list than the board's: its proof cannot be
    checked against the board's list either, so `shuffles` fails with `mix-input`."""
    model = builder.honest([LYON, PORTO, PORTO])
    r = model.rounds[0]
    extra = model.make_ballot(r, keys.new_ed25519()[0], PORTO).ciphertext
    for change in (lambda cts: cts[:1] + cts[2:], lambda cts: [*cts, extra]):
        r.input_patch = change
        model.tally(r, r.tallied_at)
        report = verifier.report(model)
        assert {(c.code, c.round) for c in report.failed()} == {("mix-input", 1), ("shuffles", 1)}
        words = {c.code: c.detail for c in report.failed()}
        assert (
            "the first shuffle's input is not the board's 3 counted ballots" in words["mix-input"]
        )


def test_shuffles_a_proof_changed_by_its_trustee(verifier: Verifier) -> None:
    model = builder.honest()
    r = model.rounds[0]

    def patch(index: int, message: dict) -> None:
        if index == 2:
            message["proof"]["s1"] = b64url(group.random_scalar())

    r.shuffle_patch = patch
    model.tally(r, r.tallied_at)
    report = verifier.report(model)
    assert {(c.code, c.round) for c in report.failed()} == {("shuffles", 1)}
    assert "shuffle 2 (trustee 2): its proof" in report.failed()[0].detail


def test_shuffles_two_outputs_swapped(verifier: Verifier) -> None:
    """The shuffler swaps two ciphertexts after proving: the permutation is not the one
    proved (the decryption of the swapped list is honest, and proved)."""
    model = builder.honest([LYON, PORTO, BLANK])
    r = model.rounds[0]

    def patch(index: int, message: dict) -> None:
        if index == 1:
            out = message["output"]
            out[0], out[2] = out[2], out[0]

    r.shuffle_patch = patch
    model.tally(r, r.tallied_at)
    assert verifier.failed(model) == {("shuffles", 1)}


def test_shuffles_a_shuffle_not_signed_by_its_trustee(verifier: Verifier) -> None:
    model = builder.honest()
    model.signers["trustee-2"] = other_key()
    r = model.rounds[0]
    model.tally(r, r.tallied_at)
    assert verifier.failed(model) == {("shuffles", 1)}


def test_shuffles_fewer_than_the_threshold(verifier: Verifier) -> None:
    for shufflers in ([1], [1, 1]):
        model = builder.honest()
        r = model.rounds[0]
        r.shufflers = shufflers
        model.tally(r, r.tallied_at)
        assert verifier.failed(model) == {("shuffles", 1)}, shufflers


# --- decryption and lot -------------------------------------------------------------------------


def _vote(r: builder.RoundModel, index: int, **changes: object) -> None:
    value = json.loads(r.votes[index]) | changes
    r.votes[index] = canonical_json(value) + b"\n"


def test_decryption_a_vote_that_is_not_what_the_factors_give(verifier: Verifier) -> None:
    model = builder.honest([LYON, LYON, LYON])
    r = model.rounds[0]
    _vote(r, 0, vote=PORTO)  # every ballot says lyon
    r.result = model.recount(r)
    report = verifier.report(model)
    assert {(c.code, c.round) for c in report.failed()} == {("decryption", 1)}
    assert "vote line 1 is not what the decryption gives" in report.failed()[0].detail


def test_decryption_a_factor_whose_proof_fails(verifier: Verifier) -> None:
    """Trustee 2 sends a wrong factor (signed); trustees 1 and 3 decrypt honestly."""
    model = builder.honest()
    r = model.rounds[0]
    r.decrypters = [1, 2, 3]

    def patch(who: int, message: dict) -> None:
        if who == 2:
            message["factors"][1]["factor"] = b64url(group.base_mul(group.random_scalar()))

    r.decryption_patch = patch
    model.tally(r, r.tallied_at)
    report = verifier.report(model)
    assert {(c.code, c.round) for c in report.failed()} == {("decryption", 1)}
    assert "the proof for ciphertext 2 fails" in report.failed()[0].detail


def test_decryption_a_decryption_of_another_list(verifier: Verifier) -> None:
    model = builder.honest()
    r = model.rounds[0]
    r.decrypters = [1, 2, 3]

    def patch(who: int, message: dict) -> None:
        if who == 3:
            message["input"] = b64url(bytes(32))

    r.decryption_patch = patch
    model.tally(r, r.tallied_at)
    assert verifier.failed(model) == {("decryption", 1)}


def test_lot_a_seed_that_is_not_the_reveals(verifier: Verifier) -> None:
    model = builder.honest()
    model.rounds[0].record_patch = lambda record: record.update(lot={"seed": b64url(bytes(32))})
    assert verifier.failed(model) == {("lot", 1)}


def test_lot_a_reveal_that_is_not_the_committed_one(verifier: Verifier) -> None:
    """A wrong reveal fails the lot; the server refuses such a decryption too."""
    model = builder.honest()
    r = model.rounds[0]
    r.decrypters = [1, 2, 3]
    r.decryption_patch = lambda who, m: m.update(lot_reveal=b64url(bytes(32))) if who == 3 else None
    model.tally(r, r.tallied_at)
    report = verifier.report(model)
    assert {(c.code, c.round) for c in report.failed()} == {("decryption", 1), ("lot", 1)}
    assert "trustee 3's lot reveal" in next(c for c in report.failed() if c.code == "lot").detail


def test_verdicts_an_outcome_that_is_not_the_vote_s(verifier: Verifier) -> None:
    model = builder.honest([LYON, LYON, LYON])
    r = model.rounds[0]
    _vote(r, 0, outcome="blank")  # it is counted
    assert verifier.failed(model) == {("verdicts", 1)}


def test_count_a_result_that_is_not_the_count(verifier: Verifier) -> None:
    model = builder.honest()
    r = model.rounds[0]
    assert r.result is not None
    r.result["rounds"][0]["tallies"]["porto"] += 1
    report = verifier.report(model)
    assert {(c.code, c.round) for c in report.failed()} == {("count", 1)}
    assert "rounds: the record says" in report.failed()[0].detail


def test_count_is_redone_with_the_lot_s_seed(verifier: Verifier) -> None:
    """A tie that the lot breaks: a result drawn with another seed than the reveals give
    fails the count, though the record states the right seed."""
    model = builder.honest([LYON, PORTO])
    r = model.rounds[0]
    assert r.result is not None
    true_seed, winner = r.seed, r.result["winner"]
    for i in range(1, 64):
        r.seed = bytes([i]) * 32
        r.result = model.recount(r)
        if r.result["winner"] != winner:
            break
    r.seed = true_seed  # the record's lot.seed is the reveals' one
    assert r.result["winner"] != winner
    assert verifier.failed(model) == {("count", 1)}


def test_each_round_is_checked_on_its_own(verifier: Verifier) -> None:
    for number in (1, 2):
        model = exhaustive()
        model.rounds[number - 1].closed_at = model.rounds[number - 1].entries[1].received_at
        assert verifier.failed(model) == {("seal", number)}


def test_manifests_a_manifest_of_the_wrong_shape(verifier: Verifier) -> None:
    model = builder.honest()
    model.rounds[0].manifest["eligible"] = "large"  # signed by the authority all the same
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


def test_a_sealed_round_being_mixed_has_its_shuffles_checked(verifier: Verifier) -> None:
    """Once sealed, the bundle holds the shuffles in so far (no decryption before the
    results are published): each is checked, the threshold not yet."""
    model = builder.honest([LYON, PORTO, BLANK], published=False)
    r = model.rounds[0]
    r.shufflers = [3]
    model.mix(r)
    report = verifier.report(model)
    assert report.ok, report.text()
    codes = [c.code for c in report.checks]
    assert codes[codes.index("seal") :] == [
        "seal",
        "tally-record",
        "mix-input",
        "shuffles",
        "event-agreement",
    ]
    assert "(the mix so far)" in report.checks[codes.index("shuffles")].detail
    r.shuffle_patch = lambda index, message: message["proof"].update(s2=b64url(bytes(32)))
    model.mix(r)
    assert verifier.failed(model) == {("shuffles", 1)}

"""The trustees' key ceremony over the JSON API (web/api/ceremony.py), each trustee played
by the trustee tools' own logic (tools/trustee.py): naming, certificates, deals, keys,
completion and freeze; each refusal, storing nothing; a complaint and the restart."""

from __future__ import annotations

import json
from typing import Any

import pytest

from inmc_vote.config import LIMITS
from inmc_vote.domain.protocol import ceremony as protocol
from inmc_vote.domain.protocol import group, keys, trustee_message
from inmc_vote.domain.protocol.encoding import b64url, from_b64url
from inmc_vote.tools import trustee
from inmc_vote.tools.trustee import TrusteeFile
from tests import factories as f

NAMES = ["Ana Costa", "Bram de Vries", "Chiara Rossi"]


def name(client: f.Client, key: dict[str, str], ballot_id: str, names=NAMES, t: int = 2) -> Any:
    return client.put(
        f"/api/v1/ballots/{ballot_id}/trustees",
        json={"trustees": names, "threshold": t},
        headers=key,
    )


def state(client: f.Client, ballot_id: str) -> dict[str, Any]:
    answer = client.get(f"/api/v1/ballots/{ballot_id}/ceremony")
    assert answer.status_code == 200, answer.text
    return answer.json()


def send(client: f.Client, file: TrusteeFile, kind: str, message: dict[str, Any] | bytes) -> Any:
    body = message if isinstance(message, bytes) else trustee.message_bytes(message)
    return client.post(
        f"/api/v1/ballots/{file.ballot}/ceremony/{kind}",
        content=body,
        headers={"Authorization": f"Bearer {file.invitation}", "Content-Type": "application/json"},
    )


def joined(client: f.Client, ballot_id: str, invitations: list[str]) -> list[TrusteeFile]:
    files = [trustee.new_trustee_file("http://testserver.local", ballot_id, i) for i in invitations]
    for file in files:
        answer = send(
            client, file, "certificate", trustee.certificate_message(file, state(client, ballot_id))
        )
        assert answer.status_code == 201, answer.text
    return files


def dealt(client: f.Client, files: list[TrusteeFile]) -> list[TrusteeFile]:
    out = []
    for file in files:
        message, file = trustee.deal_message(file, state(client, file.ballot))
        answer = send(client, file, "deal", message)
        assert answer.status_code == 201, answer.text
        out.append(file)
    return out


def setup(client: f.Client, clock: f.FakeClock) -> tuple[str, dict[str, str], list[TrusteeFile]]:
    """A ballot ready to freeze but for its ceremony, trustees named and joined."""
    key = f.bearer(f.account(client, clock))
    made, _ = f.ready_to_freeze(client, clock, ceremony=False)
    answer = name(client, key, made.id)
    assert answer.status_code == 200, answer.text
    invitations = [t["invitation"] for t in answer.json()["trustees"]]
    return made.id, key, joined(client, made.id, invitations)


def events(client: f.Client, ballot_id: str) -> list[dict[str, Any]]:
    return client.get(f"/api/v1/ballots/{ballot_id}/events").json()


def test_the_whole_ceremony_then_freeze(client, clock):
    key = f.bearer(f.account(client, clock))
    made, _ = f.ready_to_freeze(client, clock, ceremony=False)
    assert f.problem(client.get(f"/api/v1/ballots/{made.id}/ceremony"), 404)
    answer = name(client, key, made.id)
    assert answer.status_code == 200, answer.text
    named = answer.json()
    assert (named["ceremony"], named["threshold"], named["replaced"]) == (1, 2, None)
    assert named["warning"] == (
        "Decryption needs 2 of these 3 trustees; if fewer than 2 keep their files, the "
        "votes can never be counted."
    )
    base = client.app.state.settings.base_url
    for i, one in enumerate(named["trustees"], start=1):
        assert (one["index"], one["name"]) == (i, NAMES[i - 1])
        assert one["invitation"].startswith(f"1.{i}.")
        assert one["command"] == (
            f"inmc-vote trustee join --server {base} --ballot {made.id} "
            f"--invitation {one['invitation']} --key-file trustee-{made.id}-{i}.json"
        )
    shown = state(client, made.id)
    assert (shown["phase"], shown["waiting_for"], shown["election_key"]) == (
        "certificates",
        [1, 2, 3],
        None,
    )
    assert "invitation" not in json.dumps(shown)

    files = joined(client, made.id, [t["invitation"] for t in named["trustees"]])
    assert state(client, made.id)["phase"] == "deals"
    files = dealt(client, files)
    assert state(client, made.id)["phase"] == "keys"
    answers = []
    for file in files:
        checked = trustee.check_message(file, state(client, made.id))
        assert checked.kind == "key"
        answers.append(send(client, file, "key", checked.message))
        assert answers[-1].status_code == 201, answers[-1].text
    assert [a.json()["state"] for a in answers] == ["open", "open", "complete"]
    done = state(client, made.id)
    assert (done["state"], done["phase"], done["waiting_for"]) == ("complete", "complete", [])
    election = answers[-1].json()["election_key"]
    assert done["election_key"] == election

    logged = [e["action"] for e in events(client, made.id)]
    assert logged[-11:] == [
        "trustees-named",
        *["trustee-certificate"] * 3,
        *["trustee-deal"] * 3,
        *["trustee-key"] * 3,
        "ceremony-complete",
    ]
    last = events(client, made.id)[-1]
    assert (last["actor"], last["data"]) == ("trustee:3", {"ceremony": 1, "election_key": election})

    frozen = client.post(f"/api/v1/ballots/{made.id}/freeze", headers=key)
    assert frozen.status_code == 200, frozen.text
    freeze_event = events(client, made.id)[-1]
    assert freeze_event["data"]["keys"]["election"] == election
    assert freeze_event["data"]["trustees"] == {"ceremony": 1, "threshold": 2}
    issued = client.post(f"/api/v1/ballots/{made.id}/tokens", headers=key)
    assert issued.status_code == 201, issued.text
    manifest = json.loads(client.get(f"/api/v1/ballots/{made.id}/manifest").content)
    assert manifest["format"] == "inmc-vote/manifest/v2"
    assert manifest["keys"]["election"] == election
    assert manifest["trustees"]["threshold"] == 2
    members = manifest["trustees"]["members"]
    assert [m["name"] for m in members] == NAMES
    for member, file in zip(members, files, strict=True):
        share = trustee.check_message(file, done).file.share
        assert share is not None
        assert member["verification_key"] == b64url(group.base_mul(share))
        assert member["signing_key"] == b64url(keys.ed25519_public(file.signing_seed))
    # naming the trustees again is refused once frozen
    assert "before freeze" in f.problem(name(client, key, made.id), 409)


def test_freeze_is_refused_until_the_ceremony_is_complete(client, clock):
    key = f.bearer(f.account(client, clock))
    made, _ = f.ready_to_freeze(client, clock, ceremony=False)
    freeze = f"/api/v1/ballots/{made.id}/freeze"
    assert "Name the trustees first" in f.problem(client.post(freeze, headers=key), 409)
    named = name(client, key, made.id).json()
    joined(client, made.id, [named["trustees"][0]["invitation"]])
    said = f.problem(client.post(freeze, headers=key), 409)
    assert "waiting for the certificate of trustee 2 (Bram de Vries), trustee 3" in said
    assert "Decryption needs 2 of these 3 trustees" in said
    assert client.get(f"/api/v1/ballots/{made.id}").json()["state"] == "candidacies"


@pytest.mark.both_databases
def test_each_refusal_names_the_trustee_and_stores_nothing(client, clock):
    ballot_id, _key, files = setup(client, clock)
    first = files[0]
    before = f.snapshot_of(client)

    path = f"/api/v1/ballots/{ballot_id}/ceremony/deal"
    assert "Authorization: Bearer" in f.problem(client.post(path, content=b"{}"), 401)
    forged = trustee.new_trustee_file("http://x", ballot_id, "1.1." + "A" * 43)
    assert "not known for this ballot" in f.problem(send(client, forged, "deal", {}), 401)
    assert "not a trustee invitation" in f.problem(
        client.post(path, content=b"{}", headers={"Authorization": "Bearer nope"}), 401
    )
    # the same certificate again is a retry; a different one is refused
    again = send(
        client, first, "certificate", trustee.certificate_message(first, state(client, ballot_id))
    )
    assert again.status_code == 200, again.text
    assert again.json()["stored"] is False
    other = trustee.new_trustee_file("http://x", ballot_id, first.invitation)
    refused = send(
        client, other, "certificate", trustee.certificate_message(other, state(client, ballot_id))
    )
    assert "Trustee 1 (Ana Costa) already sent its certificate" in f.problem(refused, 409)
    # a key before every deal is in
    checked_too_early = f.problem(send(client, first, "key", {"format": "x"}), 409)
    assert "once every deal is in: still waiting for the deal of trustee 1 (Ana Costa)" in (
        checked_too_early
    )
    # a tampered deal: 422 naming the trustee and the check
    message, _ = trustee.deal_message(first, state(client, ballot_id))
    tampered = dict(message, commitments=list(reversed(message["commitments"])))
    said = f.problem(send(client, first, "deal", tampered), 422)
    assert "trustee 1 (Ana Costa)" in said
    assert "trustee 1's deal: the signature is not by its certificate's signing key" in said
    assert "Nothing was stored" in said
    wrong_index = trustee_message.sign(dict(message, trustee=2), first.signing_seed)
    said = f.problem(send(client, first, "deal", wrong_index), 422)
    assert "it was expected from trustee 1" in said
    assert "not JSON" in f.problem(send(client, first, "deal", b"{nope"), 422)
    oversized = b" " * (LIMITS.ceremony_body_bytes + 1)
    said = f.problem(send(client, first, "deal", oversized), 413)
    assert said == "What you sent is larger than this address accepts."
    assert f.snapshot_of(client) == before


def test_an_invitation_of_a_replaced_ceremony_is_refused(client, clock):
    ballot_id, key, files = setup(client, clock)
    renamed = name(client, key, ballot_id, NAMES[:2], 1)
    assert renamed.status_code == 200, renamed.text
    assert (renamed.json()["ceremony"], renamed.json()["replaced"]) == (2, 1)
    said = f.problem(send(client, files[0], "deal", {}), 403)
    assert "ceremony 1, which the organiser replaced" in said
    shown = state(client, ballot_id)
    assert (shown["ceremony"], shown["size"], shown["phase"]) == (2, 2, "certificates")
    assert [e["action"] for e in events(client, ballot_id)][-1] == "trustees-named"


def _bad_deal(file: TrusteeFile, shown: dict[str, Any], victim: int) -> dict[str, Any]:
    """A deal, properly signed, whose share for `victim` does not match its commitments."""
    certificates = trustee.certificates(file, shown)
    polynomial = [group.scalar_of(5), group.scalar_of(7)]
    message = protocol.make_deal(
        ballot=file.ballot,
        ceremony=file.ceremony,
        trustee=file.trustee,
        certificates=certificates,
        threshold=2,
        signing_seed=file.signing_seed,
        coefficients=polynomial,
    )
    wrong = protocol.SUITE.encrypt(
        group.scalar_of(12345),
        keys.x25519_public_key(certificates[victim - 1].encryption_key),
        info=protocol.share_info(file.ballot, file.ceremony, file.trustee, victim),
    )
    message["shares"][victim - 1]["ciphertext"] = b64url(wrong)
    return trustee_message.sign(message, file.signing_seed)


def test_a_complaint_fails_the_ceremony_and_naming_again_restarts_it(client, clock):
    ballot_id, key, files = setup(client, clock)
    shown = state(client, ballot_id)
    bad = _bad_deal(files[0], shown, victim=2)
    assert send(client, files[0], "deal", bad).status_code == 201
    files[1:] = dealt(client, files[1:])
    checked = trustee.check_message(files[1], state(client, ballot_id))
    assert (checked.kind, checked.about) == ("complaint", 1)
    assert "does not match its commitments" in checked.reason
    answer = send(client, files[1], "complaint", checked.message)
    assert answer.status_code == 201, answer.text
    assert answer.json()["state"] == "failed"
    assert state(client, ballot_id)["phase"] == "failed"
    good = trustee.check_message(files[2], state(client, ballot_id))
    assert "has failed" in f.problem(send(client, files[2], "key", good.message), 409)
    said = f.problem(client.post(f"/api/v1/ballots/{ballot_id}/freeze", headers=key), 409)
    assert "trustee 2 (Bram de Vries) complained about the deal of trustee 1 (Ana Costa)" in said
    complaint = events(client, ballot_id)[-1]
    assert (complaint["action"], complaint["actor"]) == ("trustee-complaint", "trustee:2")
    assert complaint["data"] == checked.message

    renamed = name(client, key, ballot_id).json()
    assert renamed["ceremony"] == 2
    assert all(t["invitation"].startswith("2.") for t in renamed["trustees"])
    assert state(client, ballot_id)["phase"] == "certificates"


@pytest.mark.parametrize(
    ("names", "t", "words"),
    [
        (NAMES, 4, "between 1 and the number of trustees (3); 4 was given"),
        (NAMES, 0, "between 1 and the number of trustees"),
        ([], 1, "Name between 1 and 20 trustees; 0 were given"),
        ([f"T{i}" for i in range(21)], 2, "Name between 1 and 20 trustees; 21 were given"),
        (["Ana", " ana "], 1, "«Ana» is named twice"),
        (["Ana", "  "], 1, "Every trustee needs a name"),
    ],
)
def test_naming_refuses_what_cannot_make_a_ceremony(client, clock, names, t, words):
    key = f.bearer(f.account(client, clock))
    made = f.ballot(client, clock)
    assert words in f.problem(name(client, key, made.id, names, t), 422)
    assert (
        client.put(f"/api/v1/ballots/{made.id}/trustees", json={"trustees": NAMES}).status_code
        == 401
    )


def test_a_trustee_tool_retry_is_recognised(client, clock):
    ballot_id, _key, files = setup(client, clock)
    files = dealt(client, files)
    shown = state(client, ballot_id)
    assert trustee.already_sent(files[0], shown, "deal")
    stranger = trustee.new_trustee_file("http://x", ballot_id, files[0].invitation)
    with pytest.raises(trustee.TrusteeError, match="different certificate"):
        trustee.already_sent(stranger, shown, "certificate")
    assert from_b64url(shown["trustees"][0]["deal"]["commitments"][0])

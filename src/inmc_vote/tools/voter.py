"""`inmc-vote cast`: the command-line voter. It makes the same ballot as the browser
(protocol v2: `payload.encode`, then `ballot.build` with the manifest's election key) and
checks what the browser checks: the manifest's hash and authority signature, the token's
registrar-signed roll line, the candidate ids; it says the ballot's tracker before
sending it, and refuses a receipt that names another tracker, whose hash does not
recompute, or that the authority did not sign."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from inmc_vote.domain.codes import VoteKind
from inmc_vote.domain.counting.votes import field_for
from inmc_vote.domain.protocol import ballot as ballots
from inmc_vote.domain.protocol import board, credentials, keys, manifest, payload, readable
from inmc_vote.domain.protocol.encoding import b64url, from_b64url
from inmc_vote.domain.protocol.manifest import Manifest

TIMEOUT_S = 30.0
SEND_ATTEMPTS = 4  # the ballot is sent at most this many times when no reply comes
RETRY_PAUSE_S = 1.0  # times the attempt number, between attempts

# The option that gives each kind of vote. Which kind a method takes is the counting
# code's own `field_for`: a vote of another kind would only be set aside as invalid at
# the tally, so it is refused here, before anything is sent.
OPTION_OF_KIND = {
    VoteKind.CHOICE: "--choice ID",
    VoteKind.RANKING: "--ranking ID,ID,...",
    VoteKind.APPROVE: "--approve ID,ID,...",
}


class CastError(Exception):
    """A refusal or a failed check; the message is for a person."""


@dataclass(frozen=True)
class Choice:
    kind: VoteKind
    ids: tuple[str, ...] = ()

    def vote(self) -> dict[str, Any]:
        """The vote plaintext: the kind is the protocol's field name."""
        if self.kind == VoteKind.CHOICE:
            return {"v": 1, self.kind.value: self.ids[0]}
        if self.kind == VoteKind.BLANK:
            return {"v": 1, self.kind.value: True}
        return {"v": 1, self.kind.value: list(self.ids)}


def split_ids(text: str) -> tuple[str, ...]:
    return tuple(part.strip().lower() for part in text.split(",") if part.strip())


@dataclass(frozen=True)
class CastResult:
    manifest: Manifest
    manifest_hash: bytes
    tracker: bytes  # the ballot's, computed here before sending
    receipt: dict[str, Any]
    receipt_file: dict[
        str, Any
    ]  # {"receipt": ..., "ballot": ...} (docs/protocol.md, "Board, receipts, seal")


def _detail(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        body = None
    if isinstance(body, dict) and isinstance(body.get("detail"), str):
        return body["detail"]
    return f"the server answered {response.status_code} {response.reason_phrase}"


def _check_choice(choice: Choice, found: Manifest) -> str:
    """Refuse a choice this ballot cannot count; return the vote in words."""
    by_id = {c.id: c for c in found.candidates}

    def listed() -> str:
        return "\n".join(f"  {c.id}  ({c.city}, {c.country})" for c in by_id.values())

    if choice.kind == VoteKind.BLANK:
        if not found.rules.blank_allowed:
            raise CastError("This ballot does not allow blank votes.")
        return "blank"
    method = found.method
    wanted = field_for(method)
    if choice.kind != wanted:
        raise CastError(
            f"This ballot is counted by {method}: vote with {OPTION_OF_KIND[wanted]} (or --blank)."
        )
    if not choice.ids:
        raise CastError("Name at least one candidate (or vote --blank).")
    unknown = [i for i in choice.ids if i not in by_id]
    if unknown:
        raise CastError(
            f"Not a candidate of this ballot: {', '.join(unknown)}. The candidates' ids are:\n"
            + listed()
        )
    repeated = sorted({i for i in choice.ids if choice.ids.count(i) > 1})
    if repeated:
        raise CastError(f"Each candidate appears once; repeated: {', '.join(repeated)}.")
    if choice.kind == VoteKind.RANKING and len(choice.ids) > payload.MAX_RANKS:
        raise CastError(
            f"A ranking holds at most {payload.MAX_RANKS} candidates; this one names "
            f"{len(choice.ids)}. Rank your first {payload.MAX_RANKS} and leave out the rest."
        )
    names = [f"{by_id[i].city} ({by_id[i].country})" for i in choice.ids]
    if choice.kind == VoteKind.CHOICE:
        return names[0]
    if choice.kind == VoteKind.RANKING:
        return "ranking " + ", ".join(f"{n}. {name}" for n, name in enumerate(names, start=1))
    return "approve " + ", ".join(names)


def cast(
    server: str,
    token: str,
    choice: Choice,
    *,
    expect_fingerprint: str | None = None,
    say: Callable[[str], None] = print,
    client: httpx.Client | None = None,
) -> CastResult:
    """Check, encrypt, prove, sign and send one ballot; return the verified receipt."""
    try:
        ballot_id, seed = credentials.parse_token(token)
    except credentials.TokenError as error:
        raise CastError(error.message) from None
    base = server.rstrip("/")
    owned = client is None
    http = client or httpx.Client(timeout=TIMEOUT_S)
    try:
        return _cast(http, base, ballot_id, seed, choice, expect_fingerprint, say)
    except httpx.HTTPError as error:
        raise CastError(f"Cannot reach the server at {base}: {error}") from None
    finally:
        if owned:
            http.close()


def _cast(
    http: httpx.Client,
    base: str,
    ballot_id: str,
    seed: bytes,
    choice: Choice,
    expect_fingerprint: str | None,
    say: Callable[[str], None],
) -> CastResult:
    api = f"{base}/api/v1/ballots/{ballot_id}"
    got = http.get(f"{api}/manifest")
    if got.status_code != 200:
        raise CastError(f"No manifest for ballot {ballot_id}: {_detail(got)}")
    data = got.content
    digest = manifest.manifest_hash(data)
    try:
        found = Manifest.parse(data)
        authority, registrar = found.keys.authority, found.keys.registrar
        signature = from_b64url(got.headers.get("x-authority-signature", ""))
    except ValueError:  # ManifestError too
        raise CastError(
            "The server's manifest cannot be read: this is not an inmc-vote ballot."
        ) from None
    if got.headers.get("x-manifest-hash") not in (None, b64url(digest)):
        raise CastError("The manifest's bytes do not match the hash the server announces.")
    if not keys.verify(authority, signature, manifest.signed_message(digest)):
        raise CastError("The manifest is not signed by the ballot's authority key: not voting.")
    if found.ballot != ballot_id:
        raise CastError(f"The server's manifest is not the one of ballot {ballot_id}.")
    short = manifest.short_fingerprint(digest)
    say(f"Ballot:      {found.title}")
    say(f"Question:    {found.question}")
    say(f"Fingerprint: {short}  (round {found.round})")
    if expect_fingerprint is not None:
        if readable.normalise(expect_fingerprint) != readable.normalise(short):
            raise CastError(
                f"The ballot's fingerprint is {short}, not {expect_fingerprint}: "
                "this is not the ballot you expected; not voting."
            )
    else:
        say("             check it against your letter or the organiser's announcement")

    credential = keys.ed25519_public(seed)
    line_answer = http.post(f"{api}/roll/line", json={"credential": b64url(credential)})
    if line_answer.status_code == 404:
        raise CastError(
            "This token is not on this ballot's roll: check that you used the token of "
            "this ballot's letter (or its replacement)."
        )
    if line_answer.status_code != 200:
        raise CastError(f"The roll could not be read: {_detail(line_answer)}")
    line = line_answer.json()
    try:
        roll_line = credentials.RollLine(from_b64url(line["pk"]), from_b64url(line["sig"]))
    except (KeyError, TypeError, ValueError):
        raise CastError("The server's roll line cannot be read.") from None
    if roll_line.pk != credential or not roll_line.valid(ballot_id, registrar):
        raise CastError(
            "The roll line of this token is not signed by the ballot's registrar: not voting."
        )
    if line.get("revoked"):
        raise CastError(
            "This token was revoked (reported lost) and replaced; use the replacement letter."
        )

    in_words = _check_choice(choice, found)
    say(f"Your vote:   {in_words}")
    try:
        vote_payload = payload.encode(choice.vote(), [c.id for c in found.candidates])
    except payload.PayloadError as error:
        raise CastError(f"This vote cannot be written on this ballot: {error}.") from None
    ballot = ballots.build(digest, found.keys.election, seed, vote_payload)
    tracker = ballot.tracker
    say(f"Tracker:     {manifest.short_fingerprint(tracker)}  ({b64url(tracker)})")
    say("             your ballot's own; the receipt must name it")
    sent = _send(http, f"{api}/cast", ballot.to_json(), say)
    if sent.status_code not in (200, 201):  # 200: the same ballot, sent again, its receipt
        raise CastError(f"The server refused the ballot: {_detail(sent)}")
    try:
        receipt = board.Receipt.parse(sent.json())
    except (ValueError, board.BoardError) as error:
        raise CastError(f"The server's receipt cannot be read: {error}.") from None
    problem = receipt.problem(tracker, manifest_hash=digest, authority=authority, ballot=ballot_id)
    if problem is not None:
        if receipt.tracker != tracker:
            problem = (
                "The server answered with a receipt for another ballot: it names the "
                f"tracker {manifest.short_fingerprint(receipt.tracker)}, and your ballot's "
                f"is {manifest.short_fingerprint(tracker)}. Your ballot may not be on the "
                "board: keep this output and tell the organiser and the auditors"
            )
        else:
            problem = (
                f"The server's receipt does not hold: {problem}. Keep this output and "
                "tell the organiser and the auditors"
            )
        raise CastError(problem + ".")
    receipt_file = board.ReceiptFile(receipt, ballot.to_json()).to_json()
    return CastResult(found, digest, tracker, receipt.to_json(), receipt_file)


def _send(
    http: httpx.Client, url: str, body: dict[str, Any], say: Callable[[str], None]
) -> httpx.Response:
    """POST the ballot, sending the very same bytes again when the reply is lost: the
    server answers a repeat with the receipt it already gave, so no vote is lost to a
    network failure and none is counted twice."""
    for attempt in range(1, SEND_ATTEMPTS + 1):
        try:
            return http.post(url, json=body)
        except httpx.TransportError as error:
            if attempt == SEND_ATTEMPTS:
                raise
            say(f"No answer ({error or type(error).__name__}): sending the same ballot again.")
            time.sleep(RETRY_PAUSE_S * attempt)
    raise AssertionError("unreachable")


def write_receipt(path: Path, receipt_file: dict[str, Any]) -> None:
    """The receipt file {"receipt": ..., "ballot": ...}, in a new file."""
    with path.open("x", encoding="utf-8") as out:
        json.dump(receipt_file, out, indent=2, sort_keys=True, ensure_ascii=False)
        out.write("\n")

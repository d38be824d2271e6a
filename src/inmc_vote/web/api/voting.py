"""Voting: tokens, the manifest, the roll, casting, the public board, lost tokens."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency
from litestar.exceptions import HTTPException
from litestar.params import FromPath, JSONBody
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED

from inmc_vote.config import LIMITS, Settings
from inmc_vote.db.engine import Database
from inmc_vote.domain.errors import Invalid
from inmc_vote.domain.protocol.credentials import RollLine, roll_bytes
from inmc_vote.domain.protocol.encoding import b64url, from_b64url
from inmc_vote.domain.protocol.manifest import short_fingerprint
from inmc_vote.domain.timefmt import show_time
from inmc_vote.services import actions, queries
from inmc_vote.services.actors import Actor
from inmc_vote.web.api.openapi import file_answer, json_bytes
from inmc_vote.web.auth import organisers_only
from inmc_vote.web.letters_download import issue_letters, replacement_letter, zip_response
from inmc_vote.web.params import After, Round


@dataclass
class RollLineOut:
    pk: str
    sig: str
    fingerprint: str
    revoked: bool


@dataclass
class CredentialIn:
    credential: str  # unpadded base64url of the credential's public key


@dataclass
class TrackerIn:
    tracker: str  # unpadded base64url of the ballot's tracker


@dataclass
class ProofOut:
    commitment: str
    response: str


@dataclass
class BallotJson:
    """A ballot of protocol v2 (docs/protocol.md, «The ballot»), bytes in unpadded
    base64url: the ElGamal ciphertext (alpha, beta) of the vote's point under the election
    key, a proof of knowledge of its randomness, and the credential's Ed25519 signature.
    Its tracker is SHA-256 of its canonical JSON."""

    v: int
    manifest_hash: str
    credential: str
    alpha: str
    beta: str
    pok: ProofOut
    signature: str

    @classmethod
    def of(cls, value: dict[str, Any]) -> BallotJson:
        pok = value["pok"]
        return cls(
            value["v"],
            value["manifest_hash"],
            value["credential"],
            value["alpha"],
            value["beta"],
            ProofOut(pok["commitment"], pok["response"]),
            value["signature"],
        )


@dataclass
class ReceiptOut:
    """The signed receipt: check that `tracker` is your ballot's (SHA-256 of its
    canonical JSON) and that `hash` recomputes, and keep it with your ballot. The
    authority signs "inmc-vote/v2/receipt" 0 manifest_hash u64(seq) prev received_at 0
    tracker."""

    ballot: str
    round: int
    seq: int
    prev: str
    received_at: str
    tracker: str
    hash: str
    signature: str


@dataclass
class EntryOut:
    """A board line (protocol.md, 'Board, receipts, seal'): hash = SHA-256("inmc-vote/v2/entry" 0
    prev u64(seq)
    received_at 0 tracker), prev of entry 1 the manifest hash."""

    seq: int
    received_at: str
    ballot: BallotJson
    tracker: str
    prev: str
    hash: str


@dataclass
class SealOut:
    count: int
    head: str
    closed_at: str
    signature: str


@dataclass
class BoardOut:
    ballot: str
    round: int
    manifest_hash: str
    entries: list[EntryOut]
    next_after: int | None
    seal: SealOut | None


@dataclass
class FoundOut:
    round: int
    entry: EntryOut
    message: str


def _entry(row: Any) -> EntryOut:
    line = queries.board.protocol_entry(row).to_json()
    return EntryOut(
        line["seq"],
        line["received_at"],
        BallotJson.of(line["ballot"]),
        line["tracker"],
        line["prev"],
        line["hash"],
    )


def _bytes_param(value: str, what: str) -> bytes:
    try:
        return from_b64url(value)
    except ValueError:
        raise Invalid("The {what} is not unpadded base64url.", what=what) from None


class VotingApi(Controller):
    path = "/api/v1/ballots/{ballot_id:str}"
    tags = ["voting"]

    @post(
        "/tokens",
        guards=[organisers_only],
        summary="Issue the tokens (once)",
        responses=file_answer("application/zip", "letters.html and tokens.csv", 201),
        description="One credential per eligible city, registrar-signed and put on the "
        "roll; the manifest is then fixed. Answers a ZIP with letters.html (one printable "
        "letter per city) and tokens.csv. The server keeps no token and no link between "
        "a city and its credential: this download is the only copy.",
        status_code=HTTP_201_CREATED,
        response_headers=None,
    )
    async def issue(
        self,
        ballot_id: FromPath[str],
        db: NamedDependency[Database],
        settings: NamedDependency[Settings],
        now: NamedDependency[datetime],
        actor: NamedDependency[Actor],
    ) -> Response[bytes]:
        return zip_response(
            await issue_letters(db, settings, actor, ballot_id, now), HTTP_201_CREATED
        )

    @get(
        "/manifest",
        summary="The manifest's exact canonical bytes",
        responses=json_bytes("The manifest (canonical JSON)"),
        description="Hash the bytes you receive: SHA-256 of them is the ballot's fingerprint "
        "(also in X-Manifest-Hash). X-Authority-Signature is the authority's Ed25519 "
        'signature over "inmc-vote/manifest-signature/v1" 0 manifest_hash.',
    )
    async def manifest(
        self,
        ballot_id: FromPath[str],
        db: NamedDependency[Database],
        round: Round = None,
    ) -> Response[bytes]:
        found = await queries.manifests.manifest(db, ballot_id, round)
        return Response(
            found.data,
            media_type="application/json",
            headers={
                "X-Manifest-Hash": b64url(found.hash),
                "X-Manifest-Fingerprint": short_fingerprint(found.hash),
                "X-Authority-Signature": b64url(found.signature),
            },
        )

    @get(
        "/roll",
        summary="The roll fixed by the manifest, as JSON Lines",
        responses=file_answer("application/jsonl", "One signed line per credential"),
        description="Lines {pk, sig} sorted by the raw public key; SHA-256 of these bytes is "
        "the manifest's roll hash. Revocations and replacements are in the event log.",
    )
    async def roll(
        self, ballot_id: FromPath[str], db: NamedDependency[Database]
    ) -> Response[bytes]:
        lines = [RollLine(e.pk, e.sig) for e in await queries.roll.roll(db, ballot_id)]
        return Response(roll_bytes(lines), media_type="application/jsonl")

    @post(
        "/roll/line",
        summary="One credential's signed roll line",
        description="Body {credential}: the credential in the body, never in the path, so "
        "that no access log ties an address to a credential.",
        status_code=HTTP_200_OK,
    )
    async def roll_line(
        self, ballot_id: FromPath[str], data: JSONBody[CredentialIn], db: NamedDependency[Database]
    ) -> RollLineOut:
        credential = _bytes_param(data.credential, "credential")
        entry = await queries.roll.roll_entry(db, ballot_id, credential)
        return RollLineOut(
            b64url(entry.pk), b64url(entry.sig), entry.fingerprint, entry.revoked_at is not None
        )

    @post(
        "/credentials/{credential_fingerprint:str}/revoke",
        guards=[organisers_only],
        summary="A lost token: revoke it and get its replacement's letter",
        responses=file_answer("application/zip", "The replacement letter", 201),
        description="Only a credential that has not voted. Answers a ZIP with the "
        "replacement letter.",
        status_code=HTTP_201_CREATED,
    )
    async def revoke(
        self,
        ballot_id: FromPath[str],
        credential_fingerprint: FromPath[str],
        db: NamedDependency[Database],
        settings: NamedDependency[Settings],
        now: NamedDependency[datetime],
        actor: NamedDependency[Actor],
    ) -> Response[bytes]:
        download = await replacement_letter(
            db, settings, actor, ballot_id, credential_fingerprint, now
        )
        return zip_response(download, HTTP_201_CREATED)

    @post(
        "/cast",
        summary="Cast a ballot; get a signed receipt",
        description="Body: the ballot of protocol v2, {v: 2, manifest_hash, credential, "
        "alpha, beta, pok: {commitment, response}, signature}, bytes in unpadded base64url "
        "(docs/protocol.md, «The ballot»). Refusals, in this order, each storing nothing: "
        "409 not open / outside its window; 422 a field missing, extra or malformed (the "
        "detail names it); 409 another manifest; 403 not on the roll or revoked; 422 a "
        "point not in the group, a proof of knowledge or a signature that does not check; "
        "409 this token has already voted in this round. The very same ballot sent again "
        "(a reply that was lost) answers 200 with the same receipt, storing nothing. The "
        "receipt names the ballot's tracker (SHA-256 of its canonical JSON): refuse one "
        "that names another.",
        request_max_body_size=LIMITS.cast_body_bytes,
        status_code=HTTP_201_CREATED,
    )
    async def cast(
        self,
        ballot_id: FromPath[str],
        request: Request[Any, Any, Any],
        db: NamedDependency[Database],
        now: NamedDependency[datetime],
    ) -> Response[ReceiptOut]:
        try:
            body = await request.json()
        except HTTPException:  # e.g. 413, a body over LIMITS.cast_body_bytes: not a JSON problem
            raise
        except Exception:
            raise Invalid("The ballot is not JSON.") from None
        if not isinstance(body, dict):
            raise Invalid(
                "The ballot is a JSON object with v, manifest_hash, credential, alpha, "
                "beta, pok and signature."
            )
        done = await actions.casting.cast(db, ballot_id, body, now)
        # The same ballot sent again (a lost reply): its receipt, 200, nothing new stored.
        return Response(
            ReceiptOut(**done.receipt.to_json()),
            status_code=HTTP_200_OK if done.again else HTTP_201_CREATED,
        )

    @get(
        "/board",
        summary="The public board, in pages",
        description="Entries after `after` (a seq), at most 500; `next_after` is the seq to "
        "ask for next, or null at the end. Each entry is a board line {seq, received_at, "
        "ballot, tracker, prev, hash}: the ballot as cast, its tracker (SHA-256 of its "
        "canonical JSON), and the hash chaining it to the entry before (the manifest hash "
        'for entry 1), SHA-256("inmc-vote/v2/entry" 0 prev u64(seq) received_at 0 tracker). '
        "With the seal once the round is closed: the authority's signature over "
        '"inmc-vote/v2/seal" 0 manifest_hash u64(count) head closed_at.',
    )
    async def board_page(
        self,
        ballot_id: FromPath[str],
        db: NamedDependency[Database],
        now: NamedDependency[datetime],
        after: After = 0,
        round: Round = None,
    ) -> BoardOut:
        await actions.schedule.current(db, ballot_id, now)  # a round past its time is sealed first
        current = await queries.manifests.manifest(db, ballot_id, round)
        found = await queries.board.entries(db, ballot_id, current.round, max(after, 0))
        seal = await queries.board.seal(db, ballot_id, current.round)
        return BoardOut(
            ballot_id,
            current.round,
            b64url(current.hash),
            [_entry(e) for e in found],
            found[-1].seq if len(found) == LIMITS.board_page else None,
            SealOut(seal.count, b64url(seal.head), seal.closed_at, b64url(seal.signature))
            if seal
            else None,
        )

    @post(
        "/board/find",
        summary="Find a ballot on the board by its tracker",
        description="Body {tracker}: SHA-256 of the ballot's canonical JSON, in base64url, "
        "as the voter computed it and as the receipt names it; in the body, never in the "
        "path, so that no access log ties an address to a ballot.",
        status_code=HTTP_200_OK,
    )
    async def find(
        self, ballot_id: FromPath[str], data: JSONBody[TrackerIn], db: NamedDependency[Database]
    ) -> FoundOut:
        entry = await queries.board.entry_by_tracker(
            db, ballot_id, _bytes_param(data.tracker, "tracker")
        )
        ballot = await queries.ballots.get_ballot(db, ballot_id)  # its zone, to say when
        when = show_time(datetime.fromisoformat(entry.received_at), ballot.timezone)
        return FoundOut(
            entry.round,
            _entry(entry),
            f"Your ballot is entry {entry.seq} of round {entry.round}, recorded at {when}.",
        )

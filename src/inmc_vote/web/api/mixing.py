"""The mix and the decryption of a closed round, for the trustees and for anyone watching.

Trustees authenticate with their key-ceremony invitation (`Authorization: Bearer
<invitation>`); reading the mix needs nothing. Messages are sent and served as their
exact bytes (canonical JSON), whose SHA-256 the events and the tally record name."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Stream
from litestar.status_codes import HTTP_201_CREATED

from inmc_vote.config import LIMITS
from inmc_vote.db.engine import Database
from inmc_vote.domain.protocol.encoding import b64url
from inmc_vote.domain.protocol.mixing import message_hash
from inmc_vote.services import actions, queries
from inmc_vote.web.api.openapi import json_bytes
from inmc_vote.web.api.results import sees_unpublished
from inmc_vote.web.auth import trustee_invitation
from inmc_vote.web.params import PathId, Round

JSON = "application/json"


@dataclass
class ShuffleAdded:
    """The shuffle is stored; `hash` is SHA-256 of the message's bytes."""

    round: int
    index: int
    trustee: int
    hash: str


@dataclass
class DecryptionAdded:
    """The decryption is stored; `hash` is SHA-256 of the message's bytes."""

    round: int
    trustee: int
    hash: str


_REFUSALS = (
    "Refusals (nothing stored), each naming the trustee and the check: 401 without an "
    "invitation; 403 an invitation that is not a trustee's of this ballot's completed "
    "ceremony, or a message signed as another trustee; 409 the round is not closed or is "
    "already tallied, the list to work on has moved on (download it again), the trustee "
    "already sent one"
)


class MixApi(Controller):
    path = "/api/v1/ballots/{ballot_id:str}"
    tags = ["mix"]

    @get(
        "/mix",
        summary="Where a round's mix stands: input, shuffles, decryptions, who may act next",
        description="`input` is the sealed board's ciphertexts (count and list hash); each "
        "shuffle gives its trustee, its message hash and its input and output list hashes; "
        "`next.shuffle` and `next.decrypt` list the trustees who may send one now; "
        "`waiting_for` says what the tally still needs. `round` defaults to the current "
        "round. 404 for an unknown ballot or round.",
    )
    async def state(
        self,
        ballot_id: FromPath[str],
        db: NamedDependency[Database],
        now: NamedDependency[datetime],
        round: Round = None,
    ) -> dict[str, Any]:
        await actions.schedule.current(db, ballot_id, now)
        return (await queries.mixing.mix_state(db, ballot_id, round)).to_json()

    @get(
        "/mix/input",
        summary="A round's mix input: the sealed board's ciphertexts (JSON Lines)",
        description="One line `[alpha, beta]` (base64url) per board entry, in seq order: "
        "what shuffle 1 takes. Its list hash is the mix state's `input.hash`. 409 before "
        "the round is sealed; 404 for an unknown ballot or round.",
        media_type="application/jsonl",
    )
    async def input(
        self,
        ballot_id: FromPath[str],
        db: NamedDependency[Database],
        now: NamedDependency[datetime],
        round: Round = None,
    ) -> Stream:
        await actions.schedule.current(db, ballot_id, now)
        lines = await queries.mixing.input_lines(db, ballot_id, round)
        return Stream(lines, media_type="application/jsonl")

    @get(
        "/mix/shuffles/{index:int}",
        summary="One shuffle message, as the trustee sent it (canonical JSON bytes)",
        responses=json_bytes("The shuffle message"),
        description="Its `output` is what shuffle index + 1 takes, or what the trustees "
        "decrypt when it is the last. 404 when there is no such shuffle.",
        media_type=JSON,
    )
    async def shuffle(
        self,
        ballot_id: FromPath[str],
        index: PathId,
        db: NamedDependency[Database],
        round: Round = None,
    ) -> Response[bytes]:
        data = await queries.mixing.shuffle_message(db, ballot_id, round, index)
        return Response(data, media_type=JSON, headers={"X-Message-Hash": _hash(data)})

    @post(
        "/mix/shuffles",
        summary="A trustee sends its shuffle of the round's last list",
        description="Body: the signed shuffle message (docs/protocol.md, «Mixing»), "
        "canonical JSON, "
        "`Authorization: Bearer <invitation>`. Taken once the round is closed and sealed, "
        "at most once per trustee and round, and never after the first decryption; its "
        "`input` must be the list hash of the current last list (the board's, or the last "
        "shuffle's output) and its proof must verify. "
        + _REFUSALS
        + ", or decryption has started; 422 a malformed message, a bad signature, an "
        "output of the wrong length or a proof that does not verify; 413 a body larger "
        "than the server's limit.",
        request_max_body_size=LIMITS.mix_body_bytes,
        status_code=HTTP_201_CREATED,
    )
    async def add_shuffle(
        self,
        ballot_id: FromPath[str],
        request: Request[Any, Any, Any],
        db: NamedDependency[Database],
        now: NamedDependency[datetime],
    ) -> ShuffleAdded:
        invitation = trustee_invitation(request)
        added = await actions.mixing.add_shuffle(
            db, ballot_id, invitation, await request.body(), now
        )
        return ShuffleAdded(added.round, added.index, added.trustee, b64url(added.hash))

    @get(
        "/decryptions",
        summary="The decryptions a round has received (trustee and message hash)",
        description="`round` defaults to the current round. 404 for an unknown ballot or round.",
    )
    async def decryptions(
        self,
        ballot_id: FromPath[str],
        db: NamedDependency[Database],
        round: Round = None,
    ) -> list[dict[str, Any]]:
        state = (await queries.mixing.mix_state(db, ballot_id, round)).to_json()
        return list(state["decryptions"])

    @get(
        "/decryptions/{trustee:int}",
        summary="One trustee's decryption message (canonical JSON bytes)",
        responses=json_bytes("The decryption message"),
        description="Public once the round's results are published (any t decryptions "
        "reveal the votes, in the mixed order); organisers see them at once. 404 when the "
        "trustee has sent none, or before publication.",
        media_type=JSON,
    )
    async def decryption(
        self,
        request: Request[Any, Any, Any],
        ballot_id: FromPath[str],
        trustee: PathId,
        db: NamedDependency[Database],
        round: Round = None,
    ) -> Response[bytes]:
        data = await queries.mixing.decryption_message(
            db, ballot_id, round, trustee, include_unpublished=await sees_unpublished(request)
        )
        return Response(data, media_type=JSON, headers={"X-Message-Hash": _hash(data)})

    @post(
        "/decryptions",
        summary="A trustee sends its decryption factors of the round's last list",
        description="Body: the signed decryption message (docs/protocol.md, «Decryption»), "
        "canonical JSON, "
        "`Authorization: Bearer <invitation>`. Taken once at least t shuffles are in: "
        "one factor per ciphertext of the last shuffle's output, each with its "
        "Chaum–Pedersen proof against the trustee's verification key, and the trustee's lot "
        "reveal for the round. "
        + _REFUSALS
        + ", or fewer than t shuffles are in; 422 a malformed message, a bad signature, "
        "a factor or proof that does not verify, or a lot reveal that does not match the "
        "trustee's commitment; 413 a body larger than the server's limit.",
        request_max_body_size=LIMITS.mix_body_bytes,
        status_code=HTTP_201_CREATED,
    )
    async def add_decryption(
        self,
        ballot_id: FromPath[str],
        request: Request[Any, Any, Any],
        db: NamedDependency[Database],
        now: NamedDependency[datetime],
    ) -> DecryptionAdded:
        invitation = trustee_invitation(request)
        added = await actions.decrypting.add_decryption(
            db, ballot_id, invitation, await request.body(), now
        )
        return DecryptionAdded(added.round, added.trustee, b64url(added.hash))


def _hash(data: bytes) -> str:
    return b64url(message_hash(data))

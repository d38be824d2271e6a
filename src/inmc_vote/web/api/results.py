"""Results: every tallied round with its count, and the signed tally records behind them.

Organisers see a round's results as soon as it is tallied; everyone else once the
organiser publishes them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from litestar import Controller, Request, Response, get
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Stream

from inmc_vote.db.engine import Database
from inmc_vote.domain.errors import NotFound
from inmc_vote.domain.protocol.encoding import b64url
from inmc_vote.services import actions, queries
from inmc_vote.services.queries.results import RoundResult
from inmc_vote.web.api.openapi import json_bytes
from inmc_vote.web.api.voting import SealOut
from inmc_vote.web.auth import principal
from inmc_vote.web.params import Round


@dataclass
class RoundOut:
    """One tallied round: its candidates (from the manifest), the result of its count (see
    docs/counting.md), and the fingerprints that tie it to the manifest, the sealed board,
    the mix (its input, each trustee's shuffle), the trustees' decryptions, the lot seed,
    the votes in the mixed order and the authority-signed tally record."""

    round: int
    manifest_hash: str
    tally_hash: str
    tally_signature: str
    published_at: datetime | None
    seal: SealOut
    candidates: list[dict[str, str]]
    mix: dict[str, Any]
    decryptions: list[dict[str, Any]]
    lot_seed: str | None
    votes: dict[str, Any]
    result: dict[str, Any]


@dataclass
class ResultsOut:
    ballot: str
    title: str
    state: str
    method: str
    rounds: list[RoundOut]
    winner: str | None
    winner_city: str | None
    final: bool


def round_out(found: RoundResult) -> RoundOut:
    seal = found.seal
    return RoundOut(
        round=found.round,
        manifest_hash=b64url(found.manifest_hash),
        tally_hash=b64url(found.tally_hash),
        tally_signature=b64url(found.signature),
        published_at=found.published_at,
        seal=SealOut(seal.count, b64url(seal.head), seal.closed_at, b64url(seal.signature)),
        candidates=[c.to_json() for c in found.manifest.candidates],
        mix=found.record["mix"],
        decryptions=found.record["decryptions"],
        lot_seed=found.record["lot"]["seed"],
        votes=found.record["votes"],
        result=found.record["result"],
    )


async def sees_unpublished(request: Request[Any, Any, Any]) -> bool:
    return await principal(request) is not None


async def visible_rounds(
    request: Request[Any, Any, Any], db: Database, ballot_id: str, now: datetime
) -> tuple[Any, list[RoundResult]]:
    """The ballot and the rounds this viewer may see; 404 saying why when there are none."""
    ballot = await actions.schedule.current(db, ballot_id, now)
    rounds = await queries.results.tallied_rounds(
        db, ballot_id, include_unpublished=await sees_unpublished(request)
    )
    if not rounds:
        if ballot.state != "tallied":
            raise NotFound(
                "This ballot has no published results yet: it is {state}.", state=ballot.state
            )
        raise NotFound(
            "This ballot is tallied; its results will be public once the organiser publishes them."
        )
    return ballot, rounds


class ResultsApi(Controller):
    path = "/api/v1/ballots/{ballot_id:str}"
    tags = ["results"]

    @get(
        "/results",
        summary="The results, with every round of the count",
        description="Every tallied round this viewer may see (organisers: also before "
        "publication). `final` says whether the ballot is decided: an exhaustive ballot "
        "can call for another round.",
    )
    async def results(
        self,
        request: Request[Any, Any, Any],
        ballot_id: FromPath[str],
        db: NamedDependency[Database],
        now: NamedDependency[datetime],
    ) -> ResultsOut:
        ballot, rounds = await visible_rounds(request, db, ballot_id, now)
        last = rounds[-1]
        decided = last.result.next_round is None
        winner = last.result.winner if decided else None
        return ResultsOut(
            ballot=ballot.id,
            title=ballot.title,
            state=ballot.state,
            method=ballot.method,
            rounds=[round_out(r) for r in rounds],
            winner=winner,
            winner_city=last.names.get(winner) if winner else None,
            final=decided and last.round == ballot.round,
        )

    @get(
        "/tally/record",
        summary="A round's signed tally record (canonical JSON bytes)",
        responses=json_bytes("The tally record (canonical JSON)"),
        description="The exact bytes whose SHA-256 is the tally hash; X-Authority-Signature "
        "is the authority's signature over `inmc-vote/tally-signature/v1` 0 hash. It names "
        "the mix's input, every shuffle and decryption by hash, the lot seed and the votes' "
        "hash. 404 when no tally of this round is visible to this viewer.",
    )
    async def tally_record(
        self,
        request: Request[Any, Any, Any],
        ballot_id: FromPath[str],
        db: NamedDependency[Database],
        round: Round = None,
    ) -> Response[bytes]:
        found = await self._round(request, db, ballot_id, round)
        return Response(
            found.record_bytes,
            media_type="application/json",
            headers={
                "X-Tally-Hash": b64url(found.tally_hash),
                "X-Authority-Signature": b64url(found.signature),
            },
        )

    @get(
        "/tally/votes",
        summary="The decrypted votes, in the mixed order (JSON Lines)",
        description="One line per mixed ciphertext, position from 1: counted, blank or "
        "invalid with its reason, and the decoded vote. The votes are attached to no "
        "ballot, credential or tracker: the mix broke that link. Its SHA-256 is the "
        "record's `votes.hash`. 404 when no tally of this round is visible to this viewer.",
        media_type="application/jsonl",
    )
    async def tally_votes(
        self,
        request: Request[Any, Any, Any],
        ballot_id: FromPath[str],
        db: NamedDependency[Database],
        round: Round = None,
    ) -> Stream:
        found = await self._round(request, db, ballot_id, round)
        return Stream(
            queries.results.vote_lines(db, ballot_id, found.round),
            media_type="application/jsonl",
        )

    async def _round(
        self,
        request: Request[Any, Any, Any],
        db: Database,
        ballot_id: str,
        round_number: int | None,
    ) -> RoundResult:
        rounds = await queries.results.tallied_rounds(
            db, ballot_id, include_unpublished=await sees_unpublished(request)
        )
        wanted = [r for r in rounds if round_number is None or r.round == round_number]
        if not wanted:
            if round_number:
                raise NotFound(
                    "No visible tally for this ballot in round {round}. Results become public "
                    "when the organiser publishes them.",
                    round=round_number,
                )
            raise NotFound(
                "No visible tally for this ballot. Results become public when the organiser "
                "publishes them."
            )
        return wanted[-1]

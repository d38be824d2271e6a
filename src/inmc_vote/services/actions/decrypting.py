"""A trustee's decryption of a round's mixed ciphertexts (docs/protocol.md, "Decryption").

Taken once at least t shuffles are in (t the manifest's threshold): for each ciphertext
of the last shuffle's output, the trustee's factor D_i = x_l·alpha_i with its
Chaum–Pedersen proof, and the trustee's lot reveal for the round. The first decryption
closes the mix: no shuffle is taken after it. Refusals are 4xx naming the trustee and the
check, nothing stored: 403 not this trustee's invitation, 409 the round not closed or
already tallied, fewer than t shuffles, already sent, 422 anything
`decryption.read_decryption` refuses (form, signature, input hash, a factor or proof,
the lot reveal). Stored with its event `decryption-added` {round, trustee, hash}."""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass
from datetime import datetime

from inmc_vote.db.engine import Database
from inmc_vote.db.models import Decryption
from inmc_vote.domain.codes import EventAction
from inmc_vote.domain.errors import Conflict, Forbidden, Invalid
from inmc_vote.domain.protocol import decryption, mixing
from inmc_vote.domain.protocol.encoding import b64url, canonical_json
from inmc_vote.services import actors
from inmc_vote.services.steps import event_log, mixnet


@dataclass(frozen=True)
class Added:
    round: int
    trustee: int
    hash: bytes


async def add_decryption(
    db: Database, ballot_id: str, invitation: str, data: bytes, now: datetime
) -> Added:
    try:
        value = json.loads(data)
    except (UnicodeDecodeError, ValueError):
        raise Invalid("The decryption is refused: it is not JSON.") from None
    async with db.read() as session:
        index = await mixnet.trustee_by_invitation(session, ballot_id, invitation)
        mix = await mixnet.round_mix(session, ballot_id)
        _check(mix, value, index)
        cts = await mixnet.last_output(session, mix)
    who = mix.who(index)
    try:
        canonical = canonical_json(value) == data
    except (TypeError, ValueError):
        canonical = False
    if not canonical:
        raise Invalid("The decryption of {who} is refused: it is not canonical JSON.", who=who)
    try:
        await asyncio.to_thread(
            decryption.read_decryption,
            value,
            ballot=ballot_id,
            round=mix.round,
            manifest_hash=mix.manifest_hash,
            trustee_public=mix.trustees.member(index),
            ciphertexts=cts,
        )
    except decryption.DecryptionError as error:
        raise Invalid(
            "The decryption of {who} is refused: {check}.", who=who, check=error.check
        ) from None
    digest = mixing.message_hash(data)
    async with db.write() as session:
        again = await mixnet.locked_mix(session, ballot_id, now, db.at_rest_key)
        _check(again, value, index)
        if again.last_output_hash != mix.last_output_hash:  # cannot move once t are in
            raise Conflict(
                "The decryption of {who} is refused: the mix moved on; try again.", who=who
            )
        session.add(
            Decryption(
                ballot_id=ballot_id,
                round=again.round,
                trustee=index,
                hash=digest,
                data=data,
                created_at=now,
            )
        )
        await event_log.record(
            session,
            ballot_id,
            actors.trustee(index),
            EventAction.DECRYPTION_ADDED,
            {"round": again.round, "trustee": index, "hash": b64url(digest)},
            now,
        )
    return Added(again.round, index, digest)


def _check(mix: mixnet.RoundMix, value: object, index: int) -> None:
    """Every check of a decryption the message's own reader does not make."""
    who = mix.who(index)
    mixnet.require_open(mix, "decryption")
    named = value.get("trustee") if isinstance(value, dict) else None
    if named != index:
        raise Forbidden(
            "The decryption is refused: it is signed as trustee {named}, but the "
            "invitation is {who}'s.",
            named=named,
            who=who,
        )
    if mix.empty:
        raise Conflict(
            "The decryption of {who} is refused: round {round}'s board is empty, so "
            "there is nothing to decrypt (the tally needs no trustee).",
            who=who,
            round=mix.round,
        )
    if len(mix.shuffles) < mix.threshold:
        raise Conflict(
            "The decryption of {who} is refused: decryption starts once {threshold} "
            "shuffles are in, and {count} are.",
            who=who,
            threshold=mix.threshold,
            count=len(mix.shuffles),
        )
    if any(d.trustee == index for d in mix.decryptions):
        raise Conflict(
            "The decryption of {who} is refused: it has already sent its decryption of "
            "round {round}.",
            who=who,
            round=mix.round,
        )

"""A trustee's shuffle of a closed round (docs/protocol.md, "Mixing").

The trustee downloads the round's last list (the sealed board's ciphertexts, or the last
shuffle's output), re-encrypts and permutes it offline, and sends the signed message with
its Terelius–Wikström proof. The server checks, in this order, and refuses with a 4xx
naming the trustee and the check, storing nothing: the form of the message; that the
invitation is a trustee's and that this trustee is the one the message names (403); the
round is closed and sealed, not tallied, and no decryption has started (409); the trustee
has not shuffled this round (409); `index` is the next one and `input` is the hash of the
current last list (409, the list moved on); the signature and the output's length (422);
then the proof (422). The proof is checked outside any transaction (it takes seconds for
a large board), and the cheap checks are made again under the ballot's lock before the
shuffle is stored with its event `shuffle-added` {round, index, trustee, hash}."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime

from inmc_vote.db.engine import Database
from inmc_vote.db.models import Shuffle
from inmc_vote.domain.codes import EventAction
from inmc_vote.domain.errors import Conflict, Forbidden, Invalid
from inmc_vote.domain.protocol import mixing, shuffle, trustee_message
from inmc_vote.domain.protocol.encoding import b64url
from inmc_vote.services import actors
from inmc_vote.services.steps import event_log, mixnet


@dataclass(frozen=True)
class Added:
    round: int
    index: int
    trustee: int
    hash: bytes


async def add_shuffle(
    db: Database, ballot_id: str, invitation: str, data: bytes, now: datetime
) -> Added:
    try:
        message = mixing.read_shuffle(data)
    except mixing.MessageError as error:
        raise Invalid("The shuffle is refused: {error}.", error=error) from None
    async with db.read() as session:
        index = await mixnet.trustee_by_invitation(session, ballot_id, invitation)
        mix = await mixnet.round_mix(session, ballot_id)
        _check(mix, message, index)
        cts_in = await mixnet.last_output(session, mix)
    who = mix.who(index)
    member = mix.trustees.member(index)
    if not trustee_message.signature_valid(message.value, member.signing_key):
        raise Invalid("The shuffle of {who} is refused: its signature does not verify.", who=who)
    if len(message.output) != len(cts_in):
        raise Invalid(
            "The shuffle of {who} is refused: its output has {count:,} "
            "ciphertexts, its input {expected:,}.",
            who=who,
            count=len(message.output),
            expected=len(cts_in),
        )
    proved = await asyncio.to_thread(
        shuffle.verify,
        mix.manifest_hash,
        mix.election_key,
        cts_in,
        list(message.output),
        message.proof,
    )
    if not proved:
        raise Invalid(
            "The shuffle of {who} is refused: its proof does not verify (the output is not "
            "shown to re-encrypt a permutation of the input).",
            who=who,
        )
    digest = mixing.message_hash(data)
    async with db.write() as session:
        again = await mixnet.locked_mix(session, ballot_id, now, db.at_rest_key)
        _check(again, message, index)  # nothing moved while the proof was checked
        session.add(
            Shuffle(
                ballot_id=ballot_id,
                round=message.round,
                index=message.index,
                trustee=index,
                hash=digest,
                input_hash=message.input,
                output_hash=message.output_hash,
                data=data,
                created_at=now,
            )
        )
        await event_log.record(
            session,
            ballot_id,
            actors.trustee(index),
            EventAction.SHUFFLE_ADDED,
            {
                "round": message.round,
                "index": message.index,
                "trustee": index,
                "hash": b64url(digest),
            },
            now,
        )
    return Added(message.round, message.index, index, digest)


def _check(mix: mixnet.RoundMix, message: mixing.ShuffleMessage, index: int) -> None:
    """Every check of a shuffle but its signature and proof; raises naming the trustee."""
    who = mix.who(index)
    mixnet.require_open(mix, "shuffle")
    if message.trustee != index:
        raise Forbidden(
            "The shuffle is refused: it is signed as trustee {trustee}, but the "
            "invitation is {who}'s.",
            trustee=message.trustee,
            who=who,
        )
    if message.ballot != mix.ballot_id or message.round != mix.round:
        raise Conflict(
            "The shuffle of {who} is refused: it is for ballot «{ballot}» round "
            "{round}; the mix open now is round {open_round} of «{ballot_id}».",
            who=who,
            ballot=message.ballot,
            round=message.round,
            open_round=mix.round,
            ballot_id=mix.ballot_id,
        )
    if mix.empty:
        raise Conflict(
            "The shuffle of {who} is refused: round {round}'s board is empty, so there "
            "is nothing to mix (the tally needs no trustee).",
            who=who,
            round=mix.round,
        )
    if mix.decryptions:
        raise Conflict(
            "The shuffle of {who} is refused: decryption of round {round} has started, "
            "so no further shuffle is taken.",
            who=who,
            round=mix.round,
        )
    if any(s.trustee == index for s in mix.shuffles):
        raise Conflict(
            "The shuffle of {who} is refused: it has already shuffled this round.", who=who
        )
    expected = len(mix.shuffles) + 1
    if message.index != expected or message.input != mix.last_output_hash:
        raise Conflict(
            "The shuffle of {who} is refused: it shuffles the list after step {sent} (0 is "
            "the board), but the list to shuffle now is the one after step {step} (index "
            "{expected}, input {hash}): download it again.",
            who=who,
            sent=message.index - 1,
            step=expected - 1,
            expected=expected,
            hash=b64url(mix.last_output_hash),
        )

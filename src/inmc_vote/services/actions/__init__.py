"""Actions: each public function owns one transaction (it takes the `Database`)."""

from inmc_vote.services.actions import (
    accounts,
    ballots,
    candidacies,
    casting,
    ceremony,
    cities,
    decrypting,
    keys,
    lifecycle,
    lost_tokens,
    mixing,
    offline_roll,
    portal,
    schedule,
    tokens,
)

__all__ = [
    "accounts",
    "ballots",
    "candidacies",
    "casting",
    "ceremony",
    "cities",
    "decrypting",
    "keys",
    "lifecycle",
    "lost_tokens",
    "mixing",
    "offline_roll",
    "portal",
    "schedule",
    "tokens",
]

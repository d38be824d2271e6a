"""Actions: each public function owns one transaction (it takes the `Database`)."""

from inmc_vote.services.actions import (
    accounts,
    ballots,
    candidacies,
    casting,
    cities,
    lifecycle,
    lost_tokens,
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
    "cities",
    "lifecycle",
    "lost_tokens",
    "offline_roll",
    "portal",
    "schedule",
    "tokens",
]

"""Queries: reads, each in its own read transaction; nothing here writes."""

from inmc_vote.services.queries import (
    accounts,
    audit_bundle,
    ballots,
    board,
    candidacies,
    ceremony,
    checklist,
    cities,
    keys,
    lost_tokens,
    mail,
    manifests,
    mixing,
    portal,
    results,
    roll,
)

__all__ = [
    "accounts",
    "audit_bundle",
    "ballots",
    "board",
    "candidacies",
    "ceremony",
    "checklist",
    "cities",
    "keys",
    "lost_tokens",
    "mail",
    "manifests",
    "mixing",
    "portal",
    "results",
    "roll",
]

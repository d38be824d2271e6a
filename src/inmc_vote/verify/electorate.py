"""The electorate published at freeze against the roll: one credential per eligible city,
and no more (issue 11, "ghost voters"). A server that mints extra credentials at issuance
makes a roll, and manifests, larger than the list of cities everyone can read."""

from __future__ import annotations

from typing import Any

from inmc_vote.domain.lifecycle import Action
from inmc_vote.domain.protocol.encoding import canonical_json, sha256
from inmc_vote.verify.context import Audit, Replay
from inmc_vote.verify.events import digest_of
from inmc_vote.verify.report import Problems, plural

CITY_FIELDS = {"slug", "name", "country"}
CITIES = "eligible cities"


def check_electorate(audit: Audit, done: Replay) -> None:
    problems = Problems()
    freezes = [d for a, d, n in done.events if a == Action.FREEZE and n == 1]
    cities = _published(freezes[0] if len(freezes) == 1 else {}, problems)
    size = len(cities) if cities is not None else 0
    if cities is not None:
        for found in audit.rounds:
            if found.manifest.eligible != size:
                eligible = found.manifest.eligible
                problems.add(
                    f"{found.name}'s manifest says {plural(eligible, 'eligible city', CITIES)}, "
                    f"the electorate published at freeze has {size:,}"
                )
        if audit.roll_size != size:
            extra = audit.roll_size - size
            problems.add(
                f"the roll has {plural(audit.roll_size, 'credential')} for "
                f"{plural(size, 'eligible city', CITIES)}: "
                + (
                    f"{plural(extra, 'credential')} that no city was given"
                    if extra > 0
                    else f"{plural(-extra, 'city', 'cities')} without a credential"
                )
            )
        if len(done.added) != len(done.revoked):
            problems.add(
                f"{plural(len(done.revoked), 'credential')} revoked but "
                f"{len(done.added):,} added: the roll no longer holds one credential a city"
            )
    audit.report.judged(
        "electorate",
        "electorate",
        size,
        problems,
        f"{plural(size, 'eligible city', CITIES)} published at freeze (its hash and "
        "size the freeze's), as many as every manifest's electorate and the roll's "
        "credentials; each lost token revoked is replaced once.",
    )


def _published(freeze: dict[str, Any], problems: Problems) -> list[dict[str, str]] | None:
    """The freeze event's list of cities, checked against the hash and size it records."""
    cities = freeze.get("electorate")
    if not isinstance(cities, list) or not all(
        isinstance(c, dict)
        and set(c) == CITY_FIELDS
        and all(isinstance(v, str) and v for v in c.values())
        for c in cities
    ):
        problems.add(
            "the freeze event does not publish the electorate (each eligible city's slug, "
            "name and country)"
        )
        return None
    slugs = [c["slug"] for c in cities]
    if slugs != sorted(set(slugs)):
        problems.add("the electorate published at freeze is not each city once, in slug order")
    try:
        recorded = digest_of(freeze.get("electorate_sha256"))
    except (TypeError, ValueError):
        recorded = b""
    if recorded != sha256(canonical_json(slugs)):
        problems.add("the electorate published at freeze is not the one whose hash it records")
    if freeze.get("electorate_size") != len(cities):
        problems.add(
            f"the freeze event records {freeze.get('electorate_size')} eligible cities but "
            f"lists {len(cities):,}"
        )
    return cities

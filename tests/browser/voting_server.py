"""A live server with two ballots open for voting, for the browser journey.

Run as `python -m tests.browser.voting_server --port P --folder F`: it builds a fresh
SQLite database through the services (the real write path) with times in the past,
so that the real clock finds both ballots open, writes F/facts.json (ballot ids and
their tokens), then serves.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from inmc_vote.db.engine import Database
from inmc_vote.demo.sample_network import key_ceremony
from inmc_vote.domain.lifecycle import Action
from inmc_vote.services import actions, queries
from inmc_vote.services.actions.ballots import BallotForm
from inmc_vote.services.actions.lifecycle import ActionRequest
from inmc_vote.services.actors import organiser
from tests.browser.serve import accept_candidacy, serve

CITIES = [
    ("Cuneo", "IT"),
    ("Greenville", "US"),
    ("Ota", "JP"),
    ("Troyes", "FR"),
    ("Vitoria-Gasteiz", "ES"),
]
WHO = organiser("organiser@example.org")


async def open_ballot(
    db: Database, start: datetime, method: str, candidates: list[str], title: str
) -> dict[str, object]:
    """A ballot frozen with its tokens issued in the past, opened by the clock since."""
    made = await actions.ballots.create_ballot(
        db,
        WHO,
        BallotForm(
            title=title,
            question="Which city should host the next meetings?",
            method=method,
            blank_allowed=True,
            timezone="Europe/Paris",
            candidacy_deadline=start + timedelta(days=1),
            opens_at=start + timedelta(days=2),
            closes_at=start + timedelta(days=40),
            credential_authority="server",
        ),
        start,
    )
    await actions.lifecycle.perform(db, WHO, made.id, Action.OPEN_CANDIDACIES, ActionRequest(start))
    await key_ceremony(db, WHO, made.id, start)  # 3 trustees, threshold 2, as in the demo
    by_name = {c.name: c for c in await queries.cities.list_cities(db)}
    for name in candidates:
        await accept_candidacy(
            db,
            WHO,
            made.id,
            by_name[name],
            start,
            venue=f"{name} congress centre",
            pdf_title=f"Candidacy of {name}",
        )
    frozen_at = start + timedelta(days=1, hours=1)
    await actions.lifecycle.perform(db, WHO, made.id, Action.FREEZE, ActionRequest(frozen_at))
    issued = await actions.tokens.issue_tokens(db, WHO, made.id, frozen_at)
    return {
        "id": made.id,
        "tokens": [letter.token for letter in issued.letters],
        "candidates": {c.slug: c.name for c in by_name.values() if c.name in candidates},
    }


async def build(url: str, secret_key: bytes) -> dict[str, object]:
    start = datetime.now(UTC) - timedelta(days=10)
    db = Database(url, at_rest_key=secret_key)
    try:
        for name, country in CITIES:
            await actions.cities.add_city(db, actions.cities.fields_of(name, country), start)
        return {
            "plurality": await open_ballot(
                db, start, "plurality", ["Greenville", "Ota"], "Host city (one choice)"
            ),
            "irv": await open_ballot(
                db, start, "irv", ["Cuneo", "Greenville", "Ota"], "Host city (ranked)"
            ),
        }
    finally:
        await db.dispose()


def main() -> None:
    serve("voting.sqlite3", build)


if __name__ == "__main__":
    main()

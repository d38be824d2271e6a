"""A live server with two ballots open for voting, for the browser journey.

Run as `python -m tests.browser.voting_server --port P --folder F`: it builds a fresh
SQLite database through the services (the real write path) with times in the past,
so that the real clock finds both ballots open, writes F/facts.json (ballot ids and
their tokens), then serves.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

from inmc_vote.config import Settings
from inmc_vote.db.engine import Database
from inmc_vote.db.migrate import upgrade
from inmc_vote.demo.sample_network import key_ceremony
from inmc_vote.demo.sample_pdf import sample_pdf
from inmc_vote.domain.lifecycle import Action
from inmc_vote.services import actions, queries
from inmc_vote.services.actions.ballots import BallotForm
from inmc_vote.services.actions.candidacies import CandidacyForm, Upload
from inmc_vote.services.actions.lifecycle import ActionRequest
from inmc_vote.services.actors import city as city_actor
from inmc_vote.services.actors import organiser

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
        town = by_name[name]
        submitted = await actions.candidacies.submit(
            db,
            city_actor(town.slug),
            made.id,
            town.id,
            CandidacyForm(f"The meetings in {name}.", "May 2028", f"{name} congress centre"),
            Upload(f"{town.slug}.pdf", sample_pdf(f"Candidacy of {name}", ["A sample."])),
            start,
        )
        await actions.candidacies.decide(db, WHO, made.id, submitted.id, True, "", start)
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
    import uvicorn

    from inmc_vote.web.app import create_app

    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--folder", type=Path, required=True)
    args = parser.parse_args()
    database = args.folder / "voting.sqlite3"
    url = f"sqlite+aiosqlite:///{database.resolve()}"
    base = f"http://127.0.0.1:{args.port}"
    env = dict(
        os.environ,
        INMC_DATABASE_URL=url,
        INMC_BASE_URL=base,
        INMC_SECRET_KEY_FILE=str(args.folder / "secret.key"),
    )
    settings = Settings.from_env(env)
    upgrade(url)
    facts = asyncio.run(build(url, settings.secret_key))
    (args.folder / "facts.json").write_text(json.dumps({"base_url": base, **facts}))
    uvicorn.run(create_app(settings), host="127.0.0.1", port=args.port, log_level="warning")


if __name__ == "__main__":
    main()

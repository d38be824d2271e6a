"""Every operation of the JSON API, fuzzed from its own OpenAPI description (schemathesis).

Each operation gets valid and invalid requests, anonymous and with an organiser's API key,
on a world with member cities and a ballot in draft: no answer may be a 5xx, and every
answer must be in the description (a documented status, its media type, its schema).
The run's figures (operations, cases, 5xx) are recorded for docs/reliability.md.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as hypothesis_settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi import checks as openapi_checks

from inmc_vote.config import Settings
from inmc_vote.services import actions
from inmc_vote.web.app import create_app
from tests import factories as f
from tests.conftest import FakeClock

EXAMPLES = 15  # per operation, mode and caller: about 2,500 requests, under a minute
CHECKS = [
    not_a_server_error,
    openapi_checks.status_code_conformance,
    openapi_checks.content_type_conformance,
    openapi_checks.response_schema_conformance,
]


def exercise(
    operation: Any, mode: GenerationMode, headers: dict[str, str], statuses: Counter[int]
) -> None:
    """EXAMPLES requests made for `operation` in `mode`, each answer checked."""

    @hypothesis_settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy(generation_mode=mode))
    def run(case: Any) -> None:
        response = case.call(headers=headers)
        statuses[response.status_code] += 1
        case.validate_response(response, checks=CHECKS, headers=headers)

    run()


@pytest.mark.fresh_database
def test_every_operation_answers_within_its_schema_and_never_5xx(
    client: f.Client, clock: FakeClock, settings: Settings, figures: Any
) -> None:
    organiser = f.call(
        client, actions.accounts.add_account, f.db(client), "organiser@example.org", now=clock()
    )
    f.member_cities(client, clock, 3)
    f.ballot(client, clock)
    # Its own app on the same database: schemathesis runs the app's lifespan itself.
    app = create_app(settings, clock=clock, run_schedule=False)
    schema = schemathesis.openapi.from_asgi("/schema/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 50

    statuses: Counter[int] = Counter()
    failures: list[str] = []
    for caller, headers in (("anonymous", {}), ("organiser", f.bearer(organiser))):
        for operation in operations:
            for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
                try:
                    exercise(operation, mode, headers, statuses)
                except Unsatisfiable:
                    continue  # no invalid request exists for an operation without inputs
                except BaseException as error:  # a FailureGroup: keep going, report all
                    failures.append(f"{caller} {mode.value} {operation.label}: {error}"[:2000])

    cases = sum(statuses.values())
    server_errors = sum(n for status, n in statuses.items() if status >= 500)
    figures.add("schemathesis.operations", len(operations))
    figures.add("schemathesis.cases", cases)
    figures.add("schemathesis.server_errors", server_errors)
    assert cases > 500, failures[:3]
    assert server_errors == 0, "\n\n".join(failures)
    assert failures == [], "\n\n".join(failures)

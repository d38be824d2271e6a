"""What the OpenAPI description says about answers that are not a handler's JSON object.

Every refusal of the JSON API is a problem detail (RFC 9457, `application/problem+json`,
written by web/errors.py): `document_problems` adds them to every /api/ operation, in one
place, rather than Litestar's own 400 shape that the API never sends. Handlers that answer
bytes (JSON Lines, PDF, ZIP, a canonical JSON document) say so with `file_answer` or
`json_bytes`, so that a client (and schemathesis, tests/integration/test_schemathesis.py)
knows each answer's media type and schema.
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from litestar.openapi.datastructures import ResponseSpec
from litestar.openapi.spec import (
    Components,
    OpenAPI,
    OpenAPIMediaType,
    OpenAPIResponse,
    Operation,
    Reference,
    Schema,
)
from litestar.openapi.spec.enums import OpenAPIType

from inmc_vote.web.errors import PROBLEM_JSON

# The refusals any API operation may answer: a malformed request (400), an unknown or
# missing credential (401) or one without the right (403), an unknown ballot or item
# (404), a step the ballot's state does not allow (409), a body too large (413), a
# request whose content breaks a rule (422).
PROBLEM_STATUSES = (400, 401, 403, 404, 409, 413, 422)
_READS = (400, 401, 403, 404, 422)  # GET: no state to conflict with, no body
PROBLEM_SCHEMA = Schema(
    type=OpenAPIType.OBJECT,
    required=["type", "title", "status", "detail"],
    properties={
        "type": Schema(type=OpenAPIType.STRING),
        "title": Schema(type=OpenAPIType.STRING),
        "status": Schema(type=OpenAPIType.INTEGER),
        "detail": Schema(
            type=OpenAPIType.STRING, description="What is wrong, for a person to read"
        ),
    },
    description="A problem detail (RFC 9457)",
)


def file_answer(media_type: str, description: str, status: int = 200) -> dict[int, ResponseSpec]:
    """`responses=` for a handler whose answer is a file: ZIP, PDF, JSON Lines."""
    return {
        status: ResponseSpec(
            data_container=bytes,
            media_type=media_type,
            description=description,
            generate_examples=False,
        )
    }


def json_bytes(description: str, status: int = 200) -> dict[int, ResponseSpec]:
    """`responses=` for a handler that answers a JSON object as exact bytes (a manifest,
    a tally record, a trustee's message): typed as an object, not as a string."""
    return {
        status: ResponseSpec(
            data_container=dict[str, Any],
            media_type="application/json",
            description=description,
            generate_examples=False,
        )
    }


def document_problems(openapi: OpenAPI) -> None:
    """Every /api/ operation answers its refusals as problem details: say so."""
    openapi.components = openapi.components or Components()
    schemas = openapi.components.schemas or {}
    schemas["Problem"] = PROBLEM_SCHEMA
    openapi.components.schemas = schemas
    reference = Reference(ref="#/components/schemas/Problem")
    for path, item in (openapi.paths or {}).items():
        if not path.startswith("/api/"):
            continue
        for method in ("get", "put", "post", "delete", "patch"):
            operation: Operation | None = getattr(item, method, None)
            if operation is None:
                continue
            responses: dict[str, Any] = dict(operation.responses or {})
            for status in _READS if method == "get" else PROBLEM_STATUSES:
                responses[str(status)] = OpenAPIResponse(
                    description=HTTPStatus(status).phrase,
                    content={PROBLEM_JSON: OpenAPIMediaType(schema=reference)},
                )
            operation.responses = responses

"""The OpenAPI description at /schema: every /api/v1 route is in it, with a summary."""

from __future__ import annotations

import re

from litestar.routes import HTTPRoute

from tests import factories as f

OPERATIONS = {"get", "put", "post", "delete", "patch", "head", "options"}


def api_routes(client: f.Client) -> set[tuple[str, str]]:
    """(method, path) of every /api/v1 handler of the app, paths written as OpenAPI does."""
    found = set()
    for route in client.app.routes:
        if isinstance(route, HTTPRoute) and route.path.startswith("/api/v1"):
            path = re.sub(r"\{(\w+):\w+\}", r"{\1}", route.path)
            for handler in route.route_handlers:
                methods = handler.http_methods - {"HEAD", "OPTIONS"}
                found.update((m.lower(), path) for m in methods)
    return found


def test_the_schema_lists_every_api_route_with_a_summary(client: f.Client) -> None:
    response = client.get("/schema/openapi.json")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/")
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    assert schema["info"]["title"] == "inmc-vote"

    documented = {
        (method, path)
        for path, item in schema["paths"].items()
        for method in item
        if method in OPERATIONS
    }
    routes = api_routes(client)
    assert len(routes) >= 25
    assert ("post", "/api/v1/ballots/{ballot_id}/freeze") in routes
    assert ("post", "/api/v1/cities/import") in routes
    missing = routes - documented
    assert not missing, f"not in the OpenAPI schema: {sorted(missing)}"
    assert {p for _, p in documented if not p.startswith("/api/")} == set()

    no_summary = [
        f"{method.upper()} {path}"
        for path, item in schema["paths"].items()
        for method, operation in item.items()
        if method in OPERATIONS and not str(operation.get("summary", "")).strip()
    ]
    assert no_summary == []


def test_the_schema_describes_problem_details_and_tags(client: f.Client) -> None:
    schema = client.get("/schema/openapi.json").json()
    tags = {
        tag
        for item in schema["paths"].values()
        for operation in item.values()
        if isinstance(operation, dict)
        for tag in operation.get("tags", [])
    }
    assert {"ballots", "lifecycle", "candidacies", "member cities", "candidacy portal"} <= tags
    assert "problem details" in schema["info"]["description"]

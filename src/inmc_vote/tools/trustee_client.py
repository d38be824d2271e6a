"""The trustee's HTTP client (httpx): read what the ballot publishes, send one message
with the invitation as a bearer secret; it is the `Transport` of tools/mixing.py too.
Every failure becomes a TrusteeError whose message a person reads (the server's own
words for a refusal)."""

from __future__ import annotations

import json
from typing import Any

import httpx

from inmc_vote.tools.trustee import TrusteeError, TrusteeFile

TIMEOUT_S = 30.0


class TrusteeClient:
    """One trustee's conversation with the server of its key file."""

    def __init__(
        self,
        server: str,
        ballot: str,
        invitation: str,
        *,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.server = server.rstrip("/")
        self.ballot = ballot
        self._invitation = invitation
        self._http = httpx.Client(base_url=self.server, timeout=TIMEOUT_S, transport=transport)

    @classmethod
    def of(cls, file: TrusteeFile, **options: Any) -> TrusteeClient:
        return cls(file.server, file.ballot, file.invitation, **options)

    def __enter__(self) -> TrusteeClient:
        return self

    def __exit__(self, *_exc: object) -> None:
        self._http.close()

    def get_bytes(self, path: str) -> bytes:
        """GET /api/v1/ballots/{id}{path}: the answer's bytes."""
        return self._call("GET", f"/api/v1/ballots/{self.ballot}{path}").content

    def post_bytes(self, path: str, body: bytes) -> dict[str, Any]:
        """POST one message's exact bytes to /api/v1/ballots/{id}{path}, with the
        invitation; the server's answer."""
        answer = self._call(
            "POST",
            f"/api/v1/ballots/{self.ballot}{path}",
            content=body,
            headers={
                "Authorization": f"Bearer {self._invitation}",
                "Content-Type": "application/json",
            },
        )
        return dict(answer.json())

    def state(self) -> dict[str, Any]:
        """The key ceremony's public state (GET .../ceremony)."""
        return dict(json.loads(self.get_bytes("/ceremony")))

    def send(self, kind: str, body: bytes) -> dict[str, Any]:
        """Send one ceremony message; the server's answer (`stored` is False for a retry
        of the same bytes)."""
        return self.post_bytes(f"/ceremony/{kind}", body)

    def _call(self, method: str, path: str, **options: Any) -> httpx.Response:
        try:
            answer = self._http.request(method, path, **options)
        except httpx.HTTPError as error:
            raise TrusteeError(f"Cannot reach {self.server}: {error}.") from None
        if answer.status_code >= 400:
            raise TrusteeError(f"The server refused ({answer.status_code}): {_detail(answer)}")
        return answer


def _detail(answer: httpx.Response) -> str:
    try:
        body = answer.json()
    except ValueError:
        return answer.text[:500] or answer.reason_phrase
    if isinstance(body, dict) and isinstance(body.get("detail"), str):
        return body["detail"]
    return answer.text[:500]

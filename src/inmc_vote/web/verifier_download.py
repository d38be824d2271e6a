"""The verifier this server runs, for auditors to download and run on their own computer
(documents/verifier_zipapp.py builds it): at a versioned URL that never changes its
bytes, with its SHA-256 in `SHA256SUMS` for `sha256sum -c`, and a stable alias that
redirects to the current version."""

from __future__ import annotations

from litestar import Controller, Response, get
from litestar.params import FromPath
from litestar.response import Redirect
from litestar.status_codes import HTTP_302_FOUND

from inmc_vote.documents.verifier_zipapp import served
from inmc_vote.domain.errors import NotFound
from inmc_vote.web.attachment import attachment

PREFIX = "/verifier"
ALIAS = "inmc-verify.pyz"


def versioned_url() -> str:
    return f"{PREFIX}/{served().filename}"


class VerifierDownload(Controller):
    path = PREFIX
    include_in_schema = False

    @get("/{name:str}")
    async def download(self, name: FromPath[str]) -> Response[bytes] | Redirect:
        verifier = served()
        if name == ALIAS:  # the latest: a redirect, so the saved file names its version
            return Redirect(
                versioned_url(),
                status_code=HTTP_302_FOUND,
                headers={"Cache-Control": "no-cache"},
            )
        if name == "SHA256SUMS":
            return Response(
                verifier.sums.encode(),
                media_type="text/plain; charset=utf-8",
                headers={"Cache-Control": "no-cache"},
            )
        if name != verifier.filename:
            raise NotFound(
                "This server serves the verifier {name} (and SHA256SUMS) only; "
                "it has no «{asked}».",
                name=verifier.filename,
                asked=name,
            )
        return Response(
            verifier.content,
            media_type="application/zip",
            headers={
                "Content-Disposition": attachment(verifier.filename),
                "Cache-Control": "public, max-age=86400",
                "ETag": f'"{verifier.sha256}"',
            },
        )

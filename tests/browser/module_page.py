"""A local page for testing the site's ES modules in Chromium (test_ballot_crypto.py,
test_trustee_crypto.py, test_trustee_shuffle_js.py): web/static/ served under /static/
as the site serves it (modules need http, not file://), plus each test's own pages, each
with the import map it carries and its script policy."""

from __future__ import annotations

import base64
import hashlib
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar

import inmc_vote

WEB = Path(inmc_vote.__file__).parent / "web"


def hash_source(import_map: str) -> str:
    """The CSP source that lets Chromium run this inline import map."""
    digest = base64.b64encode(hashlib.sha256(import_map.encode()).digest()).decode("ascii")
    return f"'sha256-{digest}'"


def page_html(title: str, import_map: str) -> bytes:
    """An empty page that loads nothing but carries `import_map`, for `page.evaluate`."""
    return (
        f'<!doctype html><html lang="en"><meta charset="utf-8"><title>{title}</title>'
        f'<script type="importmap">{import_map}</script><p>{title}</p></html>'
    ).encode()


class ModulePageHandler(SimpleHTTPRequestHandler):
    """Serves `pages` (path → (HTML, CSP)) and web/static/; anything else is a 404, as
    on the site, and no favicon (a 204, so the console shows no error)."""

    extensions_map = {**SimpleHTTPRequestHandler.extensions_map, ".js": "text/javascript"}
    pages: ClassVar[dict[str, tuple[bytes, str]]] = {}

    def do_GET(self) -> None:
        if self.path in self.pages:
            body, csp = self.pages[self.path]
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Security-Policy", csp)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        if self.path == "/favicon.ico":
            self.send_response(204)
            self.end_headers()
            return
        if not self.path.startswith("/static/"):  # only what the site serves
            self.send_error(404)
            return
        super().do_GET()

    def log_message(self, format: str, *args: Any) -> None:
        pass


@contextmanager
def serve(handler: type[ModulePageHandler]) -> Iterator[str]:
    """Run `handler` on a free local port in a thread; yields its origin."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(handler, directory=str(WEB)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def open_page(browser: Any, url: str) -> tuple[Any, list[str]]:
    """A new tab at `url`, and the list its console errors and page errors go to (a CSP
    violation or a refused integrity shows there)."""
    context = browser.new_context()
    tab = context.new_page()
    errors: list[str] = []
    tab.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    tab.on("pageerror", lambda error: errors.append(str(error)))
    tab.goto(url)
    return tab, errors


def check_loads_only_ours_and_vendored(folder: Path, local_prefix: str) -> None:
    """Every module in `folder` runs no string as code and imports only files beside it
    (specifiers starting with `local_prefix`) or the vendored library under the bare
    `@noble/...` names the import map gives it."""
    vendor = WEB / "static" / "vendor"
    vendored = {
        "@noble/" + p.relative_to(vendor).as_posix().removeprefix("noble-")
        for p in vendor.rglob("*.js")
    }
    assert "@noble/curves/ed25519.js" in vendored
    assert "@noble/hashes/sha2.js" in vendored
    for path in folder.glob("*.js"):
        source = path.read_text()
        assert not re.search(r"\beval\s*\(|new\s+Function\b|\bsetTimeout\s*\(\s*['\"]", source)
        imports = re.findall(r"""\bfrom\s+["']([^"']+)["']|import\s*\(\s*["']([^"']+)""", source)
        for spec in (spec for pair in imports for spec in pair if spec):
            if spec.startswith(local_prefix):
                assert (path.parent / spec).is_file(), (path.name, spec)
            else:
                assert spec in vendored, (path.name, spec)

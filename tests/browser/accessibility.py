"""Every page state a browser test reaches is checked with axe-core and photographed.

`check(page, name)` runs the vendored axe-core (tests/browser/vendor/axe-core/) on the page as
it stands and fails on any violation of impact "serious" or "critical", naming the rule, its
help text and the elements; it first saves a full-page screenshot to
`build/screenshots/<name>.png` (kept as a test artifact, also when the check fails).

axe is evaluated through the DevTools protocol (`page.evaluate`), which the page's
Content-Security-Policy does not govern: the pages are tested with their real CSP on.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
AXE_SOURCE = (Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js").read_text(
    encoding="utf-8"
)
SCREENSHOTS = ROOT / "build" / "screenshots"
BLOCKING = {"serious", "critical"}


def _file_name(name: str) -> str:
    return re.sub(r"[^\w.-]+", "-", name).strip("-") or "page"


def screenshot(page: Any, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{_file_name(name)}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def violations(page: Any) -> list[dict[str, Any]]:
    """axe's violations of impact serious or critical on the page as it stands."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(AXE_SOURCE + "\n;undefined")
    found = page.evaluate(
        "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
        ".map(v => ({id: v.id, impact: v.impact, help: v.help,"
        " nodes: v.nodes.map(n => n.target.join(' '))}))"
    )
    return [v for v in found if v["impact"] in BLOCKING]


def check(page: Any, name: str) -> None:
    """Screenshot, then fail on any serious or critical accessibility violation."""
    screenshot(page, name)
    blocking = violations(page)
    assert not blocking, f"axe found on «{name}» ({page.url}):\n" + "\n".join(
        f"- {v['impact']} {v['id']}: {v['help']} at {', '.join(v['nodes'][:5])}" for v in blocking
    )

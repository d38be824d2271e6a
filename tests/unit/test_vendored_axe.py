"""The axe-core the browser tests run (tests/browser/vendor/axe-core/) is the published
axe-core 4.14.1, unchanged: each file matches SHA256SUMS, and axe.min.js matches the
Subresource Integrity hash axe-core publishes for that version (its sri-history.json)."""

from __future__ import annotations

import base64
import hashlib
from pathlib import Path

AXE = Path(__file__).resolve().parents[1] / "browser" / "vendor" / "axe-core"
PUBLISHED_SRI = "sha256-KTSJmUUM3yhJqOcLeRL8LahahJ2jnA0NU5T1HUqe2Vw="


def test_every_file_matches_its_sum_and_none_is_unlisted() -> None:
    sums = {}
    for line in (AXE / "SHA256SUMS").read_text(encoding="utf-8").splitlines():
        digest, name = line.split("  ")
        sums[name] = digest
    present = {p.name for p in AXE.iterdir() if p.is_file() and p.name != "SHA256SUMS"}
    assert present == set(sums)
    for name, digest in sums.items():
        assert hashlib.sha256((AXE / name).read_bytes()).hexdigest() == digest, name


def test_axe_is_the_published_build() -> None:
    digest = hashlib.sha256((AXE / "axe.min.js").read_bytes()).digest()
    assert "sha256-" + base64.b64encode(digest).decode() == PUBLISHED_SRI
    assert (AXE / "LICENSE").read_text(encoding="utf-8").startswith("Mozilla Public License")

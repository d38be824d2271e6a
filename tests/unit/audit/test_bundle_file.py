"""The verifier opens a bundle's ZIP: what it refuses before reading a member (issue 11:
one deflated 1 GiB member stalled `inmc-vote verify` for an hour)."""

from __future__ import annotations

import time
import zipfile
from pathlib import Path

import pytest

from inmc_vote.domain.protocol.bundle_zip import STORED, member_problem
from inmc_vote.verify.bundle_file import BundleError, BundleFile
from inmc_vote.verify.run import verify

ZEROS = 8 * 1024 * 1024  # deflates to a few kilobytes, as a gigabyte would to a megabyte


def hostile_bundle(path: Path) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("bundle.json", b"{}", compress_type=zipfile.ZIP_STORED)
        archive.writestr("events.jsonl", b"\0" * ZEROS, compress_type=zipfile.ZIP_DEFLATED)
    return path


def test_a_compressed_member_is_refused_before_it_is_read(tmp_path: Path) -> None:
    path = hostile_bundle(tmp_path / "hostile.zip")
    assert path.stat().st_size < ZEROS // 100
    with pytest.raises(BundleError, match=r"events.jsonl is compressed \(method 8\)"):
        BundleFile(path)


def test_verify_refuses_such_a_bundle_at_once(tmp_path: Path) -> None:
    path = hostile_bundle(tmp_path / "hostile.zip")
    started = time.monotonic()
    report = verify(path)
    assert time.monotonic() - started < 5
    assert not report.ok
    assert any("is compressed" in check.detail for check in report.checks)


@pytest.mark.parametrize(
    ("method", "compressed", "size", "offset", "words"),
    [
        (8, 100, 1_000_000, 0, "is compressed (method 8)"),
        (STORED, 10, 20, 0, "declares 10 stored bytes for 20 bytes"),
        (STORED, 2_000, 2_000, 0, "past the end of the 1,000-byte file"),
        (STORED, 100, 100, 950, "past the end"),
    ],
)
def test_a_member_is_stored_and_within_the_file(
    method: int, compressed: int, size: int, offset: int, words: str
) -> None:
    problem = member_problem("events.jsonl", method, compressed, size, offset, 1_000)
    assert problem is not None
    assert words in problem
    assert member_problem("events.jsonl", STORED, 100, 100, 0, 1_000) is None

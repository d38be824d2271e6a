"""The verifier's machinery: the same report on every core as on one, the progress bar,
the board line written by hand is canonical JSON, the ZIP container is readable."""

from __future__ import annotations

import dataclasses
import io
import threading
import zipfile
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from inmc_vote.domain.protocol import board, bundle
from inmc_vote.domain.protocol.bundle_zip import ZipStream
from inmc_vote.domain.protocol.encoding import b64url, canonical_json
from inmc_vote.verify import verify
from tests.unit.audit import builder

VOTES = [{"v": 1, "choice": c} for c in ("lyon", "porto", "turin", "lyon")] * 3


def test_every_core_gives_the_same_report_as_one(tmp_path: Path) -> None:
    model = builder.honest(VOTES, voters=14)
    path = model.write(tmp_path / "b.zip")
    alone = verify(path, jobs=1)
    pooled = verify(path, jobs=2, parallel_from=1)
    assert alone.ok
    assert pooled.ok
    assert [c.to_json() for c in alone.checks] == [c.to_json() for c in pooled.checks]
    # and a failure found by a worker is reported the same way
    r = model.rounds[0]
    value = r.entries[4].ballot_json() | {"signature": b64url(bytes(64))}
    data = canonical_json(value)
    r.entries[4] = dataclasses.replace(r.entries[4], ballot=data, tracker=board.tracker_of(data))
    model.rechain(r)
    model.tally(r, r.tallied_at)
    broken = model.write(tmp_path / "broken.zip")
    a, b = verify(broken, jobs=1), verify(broken, jobs=2, parallel_from=1)
    assert [c.to_json() for c in a.checks] == [c.to_json() for c in b.checks]
    assert {c.code for c in a.failed()} == {"ballots"}
    assert "entry 5: The ballot's signature is not the credential's" in a.failed()[0].detail


def test_workers_spawned_from_a_threaded_process(tmp_path: Path) -> None:
    """With other threads running (a server), the workers start as fresh interpreters."""
    path = builder.honest(VOTES, voters=14).write(tmp_path / "b.zip")
    reports = []
    thread = threading.Thread(target=lambda: reports.append(verify(path, jobs=2, parallel_from=1)))
    thread.start()
    thread.join()
    assert reports[0].ok, reports[0].text()


def test_the_progress_bar(tmp_path: Path) -> None:
    path = builder.honest(VOTES, voters=14).write(tmp_path / "b.zip")
    shown = io.StringIO()
    assert verify(path, jobs=1, progress=shown, show_progress=True).ok
    assert "round 1 board" in shown.getvalue()
    assert "100%" in shown.getvalue()
    quiet = io.StringIO()  # not a terminal: nothing unless asked
    assert verify(path, jobs=1, progress=quiet).ok
    assert quiet.getvalue() == ""


@given(st.integers(1, 2**40), st.text(max_size=30), st.binary(min_size=32, max_size=32))
def test_a_board_line_is_canonical_json(seq: int, when: str, key: bytes) -> None:
    value = {"v": 2, "credential": bundle.b64url(key), "note": when}
    entry = board.Entry(seq, when, canonical_json(value), key, key[::-1], key)
    fields = {
        "seq": seq,
        "received_at": when,
        "ballot": value,
        "tracker": bundle.b64url(key),
        "prev": bundle.b64url(key[::-1]),
        "hash": bundle.b64url(key),
    }
    assert bundle.board_line(entry) == canonical_json(fields) + b"\n"
    assert bundle.read_board_line(canonical_json(fields) + b"\n") == entry


def test_a_board_line_in_another_spelling_is_refused() -> None:
    entry = builder.honest().rounds[0].entries[0]
    line = bundle.board_line(entry)
    for other in (
        line.replace(b'","', b'", "', 1),  # a space
        line.replace(b"\n", b""),  # no newline
        line.replace(b'"seq":1', b'"seq":1.0'),
        line.replace(b'"seq":1', b'"seq":true'),
        line[:-2] + b',"x":1}\n',  # a field more
        line.replace(b'"seq":1', b'"seq":1,"seq":1'),  # a field twice
    ):
        try:
            bundle.read_board_line(other)
        except ValueError:
            continue
        raise AssertionError(other)


def test_the_container_is_a_zip_any_reader_opens(tmp_path: Path) -> None:
    sink = io.BytesIO()
    stream = ZipStream(sink, "2027-01-11T09:00:58.123Z")
    stream.add("a.txt", b"hello\n")
    stream.begin("b.jsonl")
    for i in range(3):
        stream.write(b"line %d\n" % i)
    stream.end()
    stream.add("empty", b"")
    stream.close()
    with zipfile.ZipFile(io.BytesIO(sink.getvalue())) as archive:
        assert archive.testzip() is None
        assert archive.namelist() == ["a.txt", "b.jsonl", "empty"]
        assert archive.read("b.jsonl") == b"line 0\nline 1\nline 2\n"
        info = archive.getinfo("a.txt")
        assert info.date_time == (2027, 1, 11, 9, 0, 58)
        assert info.compress_type == zipfile.ZIP_STORED
        assert info.external_attr >> 16 == 0o100644

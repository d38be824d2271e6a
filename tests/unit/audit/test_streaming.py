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
from inmc_vote.domain.protocol.encoding import canonical_json
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
    entries = model.rounds[0].entries
    entries[4] = dataclasses.replace(entries[4], signature=bytes(64))
    model.rechain(model.rounds[0])
    broken = model.write(tmp_path / "broken.zip")
    a, b = verify(broken, jobs=1), verify(broken, jobs=2, parallel_from=1)
    assert [c.to_json() for c in a.checks] == [c.to_json() for c in b.checks]
    assert {c.code for c in a.failed()} == {"signatures"}
    assert "entry 5 is not signed by its credential" in a.failed()[0].detail


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


@given(
    st.integers(1, 2**40),
    st.text(max_size=30),
    st.binary(max_size=40),
    st.binary(max_size=400),
    st.binary(max_size=70),
)
def test_a_board_line_is_canonical_json(
    seq: int, when: str, key: bytes, ciphertext: bytes, signature: bytes
) -> None:
    entry = board.Entry(seq, when, key, ciphertext, signature, key[::-1], key + b"x")
    fields = {
        "seq": seq,
        "received_at": when,
        "credential": key,
        "ciphertext": ciphertext,
        "signature": signature,
        "prev": key[::-1],
        "hash": key + b"x",
    }
    expected = canonical_json(
        {k: v if not isinstance(v, bytes) else bundle.b64url(v) for k, v in fields.items()}
    )
    assert bundle.board_line(entry) == expected + b"\n"
    assert bundle.read_board_line(expected + b"\n") == entry


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

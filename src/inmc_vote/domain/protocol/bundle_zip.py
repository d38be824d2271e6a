"""The bundle's ZIP container, byte for byte: every member stored (no compression) with
ZIP64 sizes and a data descriptor, so it can be written as a stream of unknown length.

The export writes the bundle with `ZipStream`; the verifier writes it again from the
members it read into a hash, and compares with the file. So no byte of the file is left
unchecked: a changed byte of a member fails that member's checks, and a changed byte of
the container (a date, an attribute, a size) fails this comparison. Standard library
only, and independent of the Python version's zipfile writer. `member_problem` is the
reader's side: what the verifier refuses before reading a member.
"""

from __future__ import annotations

import hashlib
import struct
import zlib
from collections.abc import Iterable
from typing import Protocol

VERSION = 45  # ZIP64
MADE_BY = (3 << 8) | VERSION  # Unix
FLAGS = 0x0008  # sizes and CRC in the data descriptor
FILE_MODE = 0o100644 << 16  # a regular file, rw-r--r--
ALL_ONES_32 = 0xFFFF_FFFF


class Sink(Protocol):
    def write(self, data: bytes, /) -> object: ...


def dos_time(exported_at: str) -> tuple[int, int]:
    """(time, date) in MS-DOS form from an RFC 3339 time such as 2027-01-11T09:00:00.000Z."""
    year, month, day = int(exported_at[0:4]), int(exported_at[5:7]), int(exported_at[8:10])
    hour, minute, second = int(exported_at[11:13]), int(exported_at[14:16]), int(exported_at[17:19])
    year = min(max(year, 1980), 2107)
    return hour << 11 | minute << 5 | second // 2, (year - 1980) << 9 | month << 5 | day


class ZipStream:
    """Members written one after the other; `close` writes the central directory."""

    def __init__(self, sink: Sink, exported_at: str) -> None:
        self._sink = sink
        self._time, self._date = dos_time(exported_at)
        self._offset = 0
        self._entries: list[bytes] = []
        self._open: tuple[bytes, int, int, int] | None = None  # name, offset, crc, size

    def _out(self, data: bytes) -> None:
        self._sink.write(data)
        self._offset += len(data)

    def begin(self, name: str) -> None:
        assert self._open is None, "one member at a time"
        raw = name.encode()
        self._open = (raw, self._offset, 0, 0)
        self._out(
            struct.pack(
                "<IHHHHHIIIHH",
                0x04034B50,
                VERSION,
                FLAGS,
                0,
                self._time,
                self._date,
                0,
                ALL_ONES_32,
                ALL_ONES_32,
                len(raw),
                20,
            )
            + raw
            + struct.pack("<HHQQ", 0x0001, 16, 0, 0)
        )

    def write(self, data: bytes) -> None:
        assert self._open is not None
        raw, offset, crc, size = self._open
        self._open = (raw, offset, zlib.crc32(data, crc), size + len(data))
        self._out(data)

    def end(self) -> None:
        assert self._open is not None
        raw, offset, crc, size = self._open
        self._open = None
        self._out(struct.pack("<IIQQ", 0x08074B50, crc, size, size))
        self._entries.append(
            struct.pack(
                "<IHHHHHHIIIHHHHHII",
                0x02014B50,
                MADE_BY,
                VERSION,
                FLAGS,
                0,
                self._time,
                self._date,
                crc,
                ALL_ONES_32,
                ALL_ONES_32,
                len(raw),
                28,
                0,
                0,
                0,
                FILE_MODE,
                ALL_ONES_32,
            )
            + raw
            + struct.pack("<HHQQQ", 0x0001, 24, size, size, offset)
        )

    def add(self, name: str, data: bytes) -> None:
        self.begin(name)
        self.write(data)
        self.end()

    def close(self) -> None:
        assert self._open is None
        start = self._offset
        for entry in self._entries:
            self._out(entry)
        size, count = self._offset - start, len(self._entries)
        end64 = self._offset
        self._out(
            struct.pack(
                "<IQHHIIQQQQ", 0x06064B50, 44, MADE_BY, VERSION, 0, 0, count, count, size, start
            )
        )
        self._out(struct.pack("<IIQI", 0x07064B50, 0, end64, 1))
        self._out(
            struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, 0xFFFF, 0xFFFF, ALL_ONES_32, ALL_ONES_32, 0)
        )


STORED = 0  # the ZIP compression method "stored": the only one a bundle uses


def member_problem(
    name: str, method: int, compressed: int, size: int, offset: int, file_size: int
) -> str | None:
    """Why a member, as the ZIP's central directory declares it, cannot be a bundle's,
    or None: the reader's side of `ZipStream`. A bundle's members are stored, so a
    compressed one (a deflated gigabyte of zeros hides in a few megabytes) is refused
    before a byte of it is read, and so is one that claims more bytes than the file has."""
    if method != STORED:
        return f"{name} is compressed (method {method}); a bundle's members are stored"
    if compressed != size:
        return f"{name} declares {compressed:,} stored bytes for {size:,} bytes of content"
    if offset + size > file_size:
        return f"{name} declares {size:,} bytes, past the end of the {file_size:,}-byte file"
    return None


class _Digest:
    def __init__(self) -> None:
        self.hash = hashlib.sha256()

    def write(self, data: bytes, /) -> None:
        self.hash.update(data)


def canonical_digest(exported_at: str, members: Iterable[tuple[str, Iterable[bytes]]]) -> bytes:
    """SHA-256 of the ZIP file `ZipStream` makes of these members (name, pieces)."""
    digest = _Digest()
    stream = ZipStream(digest, exported_at)
    for name, pieces in members:
        stream.begin(name)
        for piece in pieces:
            stream.write(piece)
        stream.end()
    stream.close()
    return digest.hash.digest()

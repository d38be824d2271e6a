"""Reading an audit bundle (a ZIP file) member by member: small members whole, the
board and the outcomes line by line, so that memory does not grow with the board."""

from __future__ import annotations

import hashlib
import re
import struct
import zipfile
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from types import TracebackType

from inmc_vote.domain.protocol import bundle, bundle_zip

# The verifier's own reading limits, not config.Limits: it runs on auditors' machines
# with the standard library, cryptography and the domain only.
SMALL_LIMIT = 16 * 1024 * 1024  # bundle.json, manifests, seals, tally records
LINE_LIMIT = 1024 * 1024  # one line of a JSON Lines member
PIECE = 1024 * 1024


_NUMBERED = re.compile(r"(shuffle|decryption)-([1-9][0-9]*)\.json")


def round_member(name: str) -> tuple[int, str] | None:
    """(round, file) for a round's member name such as "round-2/shuffle-1.json", else None."""
    return bundle.parse_round_member(name)


def numbered(file: str) -> tuple[str, int] | None:
    """("shuffle", K) for "shuffle-K.json", ("decryption", L) for "decryption-L.json"."""
    match = _NUMBERED.fullmatch(file)
    return (match.group(1), int(match.group(2))) if match else None


class BundleError(Exception):
    """The file cannot be read as a bundle at all; the message says why, for a person."""


# zipfile raises many kinds of errors on damaged input (BadZipFile, NotImplementedError
# for a flag it does not know, RuntimeError for "encryption", struct and value errors):
# each means "this is not the bundle", never a reason for the verifier to stop.
DAMAGED = (
    zipfile.BadZipFile,
    OSError,
    EOFError,
    ValueError,
    NotImplementedError,
    RuntimeError,
    struct.error,
)


class BundleFile:
    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        try:
            self._zip = zipfile.ZipFile(self.path)
        except FileNotFoundError:
            raise BundleError(f"{self.path} does not exist.") from None
        except DAMAGED as error:
            raise BundleError(f"{self.path} is not a ZIP file ({error}).") from None
        file_size = self.path.stat().st_size
        for info in self._zip.infolist():
            problem = bundle_zip.member_problem(
                info.filename,
                info.compress_type,
                info.compress_size,
                info.file_size,
                info.header_offset,
                file_size,
            )
            if problem:
                self._zip.close()
                raise BundleError(f"{self.path} is not an audit bundle: {problem}.")
        names = [info.filename for info in self._zip.infolist()]
        self.names = set(names)
        self.duplicates = sorted(n for n, k in Counter(names).items() if k > 1)

    def __enter__(self) -> BundleFile:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        self._zip.close()

    def has(self, name: str) -> bool:
        return name in self.names

    def unknown(self) -> list[str]:
        """Members that a bundle does not have (a reader would not know what they prove)."""
        known = {bundle.AUDITORS, bundle.HEAD, bundle.HEAD_SIG, bundle.EVENTS, bundle.ROLL}
        return sorted(
            n
            for n in self.names
            if n not in known and round_member(n) is None and not n.endswith("/")
        )

    def read(self, name: str, limit: int = SMALL_LIMIT) -> bytes:
        """A small member, whole; BundleError when it is missing or too large."""
        if name not in self.names:
            raise BundleError(f"the bundle has no {name}")
        info = self._zip.getinfo(name)
        if info.file_size > limit:
            raise BundleError(f"{name} is larger than {limit:,} bytes")
        try:
            with self._zip.open(info) as member:
                return member.read(limit + 1)[:limit]
        except DAMAGED as error:
            raise BundleError(f"{name} cannot be read ({error})") from None

    def order(self) -> list[str]:
        """The members' names in the order the file holds them."""
        return [info.filename for info in self._zip.infolist()]

    def pieces(self, name: str) -> Iterator[bytes]:
        """A member's bytes, a piece at a time."""
        try:
            with self._zip.open(name) as member:
                while piece := member.read(PIECE):
                    yield piece
        except DAMAGED as error:
            raise BundleError(f"{name} cannot be read ({error})") from None

    def digest(self) -> bytes:
        """SHA-256 of the whole file."""
        digest = hashlib.sha256()
        with self.path.open("rb") as raw:
            while piece := raw.read(PIECE):
                digest.update(piece)
        return digest.digest()

    def lines(self, name: str) -> Iterator[bytes]:
        """A JSON Lines member, one line at a time (each with its newline, if it has one).

        A missing member reads as empty; a damaged one raises BundleError."""
        if name not in self.names:
            return
        try:
            with self._zip.open(name) as member:
                while line := member.readline(LINE_LIMIT):
                    yield line
        except DAMAGED as error:
            raise BundleError(f"{name} cannot be read ({error})") from None

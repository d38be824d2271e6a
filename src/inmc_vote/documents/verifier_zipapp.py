"""The verifier as one file an auditor can download and run: a zipapp (PEP 441) holding
`inmc_vote.verify` and exactly the modules of ours it imports, as source anyone can read.

Its only dependencies are on the public index (PyNaCl and `cryptography`), so an auditor
needs nothing of this project's packaging. It is built from the very source files the
server runs, reproducibly: stored (not compressed, so no zlib version changes a byte),
members sorted, fixed timestamps and attributes. Every build of the same source gives
the same bytes, hence the same SHA-256, which the audit page, AUDITORS.txt and
`/verifier/SHA256SUMS` publish. It lives here, among the files the server hands out,
because the audit bundle's AUDITORS.txt names it (services may read documents).
"""

from __future__ import annotations

import ast
import functools
import hashlib
import io
import zipfile
from dataclasses import dataclass
from pathlib import Path

import inmc_vote

PACKAGE = Path(inmc_vote.__file__).resolve().parent
ROOT = "inmc_vote.verify"
# The verifier's whole public-index footprint; tests check it against pyproject.toml.
REQUIREMENTS = ("pynacl>=1.5", "cryptography>=46")
PIP_ARGUMENTS = " ".join(f"'{r}'" for r in REQUIREMENTS)  # quoted for the shell
FIXED_TIME = (1980, 1, 1, 0, 0, 0)  # the earliest a ZIP can say
SHEBANG = b"#!/usr/bin/env python3\n"
MAIN = '''"""inmc-verify {version}: checks an inmc-vote audit bundle with nothing but the bundle.

    python3 -m pip install {requirements}
    python3 inmc-verify-{version}.pyz BUNDLE.zip [NEWER.zip] [--receipt FILE] [--json]

Built from inmc-vote {version}; every module in this file is readable source."""

import sys

if sys.version_info < (3, 11):
    sys.exit("inmc-verify needs Python 3.11 or later.")

from inmc_vote.verify.command import main

if __name__ == "__main__":
    raise SystemExit(main())
'''


def file_of(module: str) -> Path | None:
    """The source file of one of our modules (a package's `__init__.py`), or None."""
    parts = module.split(".")
    if parts[0] != PACKAGE.name:
        return None
    base = PACKAGE.joinpath(*parts[1:])
    for candidate in (base / "__init__.py", base.with_suffix(".py")):
        if candidate.is_file():
            return candidate
    return None


def imported(module: str, path: Path) -> set[str]:
    """The modules of ours a source file imports, relative imports resolved; a name that is
    not a module (`from x import function`) is dropped by `file_of` later."""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_bytes(), filename=str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
    return {name for name in found if name.split(".")[0] == PACKAGE.name}


def verifier_modules() -> dict[str, Path]:
    """Every module of the verifier package (its worker processes import them by name),
    then whatever they import, transitively, with each package's `__init__` on the way."""
    start = [
        f"{ROOT}.{p.stem}" if p.stem != "__init__" else ROOT
        for p in sorted((PACKAGE / "verify").glob("*.py"))
    ]
    wanted: dict[str, Path] = {}
    queue = list(start)
    while queue:
        name = queue.pop()
        if name in wanted:
            continue
        path = file_of(name)
        if path is None:
            continue
        wanted[name] = path
        parent = name.rpartition(".")[0]
        queue.extend([parent] if parent else [])
        queue.extend(imported(name, path))
    return wanted


@dataclass(frozen=True)
class Verifier:
    version: str
    content: bytes
    sha256: str  # hex, as sha256sum prints it
    modules: tuple[str, ...]

    @property
    def filename(self) -> str:
        return f"inmc-verify-{self.version}.pyz"

    @property
    def sums(self) -> str:
        """The `SHA256SUMS` file, for `sha256sum -c`."""
        return f"{self.sha256}  {self.filename}\n"


def _member(name: str, data: bytes) -> tuple[zipfile.ZipInfo, bytes]:
    info = zipfile.ZipInfo(name, date_time=FIXED_TIME)
    info.compress_type = zipfile.ZIP_STORED
    info.create_system = 3  # Unix, so that the attributes below mean what they say
    info.external_attr = 0o100644 << 16
    return info, data


def build(version: str | None = None) -> Verifier:
    """The zipapp's bytes, the same for the same source and version."""
    version = version or inmc_vote.__version__
    modules = verifier_modules()
    members = [
        _member(path.relative_to(PACKAGE.parent).as_posix(), path.read_bytes())
        for path in modules.values()
    ]
    main = MAIN.format(version=version, requirements=PIP_ARGUMENTS)
    members.append(_member("__main__.py", main.encode()))
    members.sort(key=lambda m: m[0].filename)
    out = io.BytesIO()
    out.write(SHEBANG)
    with zipfile.ZipFile(out, "w") as archive:
        for info, data in members:
            archive.writestr(info, data)
    content = out.getvalue()
    return Verifier(version, content, hashlib.sha256(content).hexdigest(), tuple(sorted(modules)))


@functools.cache
def served() -> Verifier:
    """The verifier this server serves and runs, built once per process."""
    return build()


def main(argv: list[str] | None = None) -> int:
    """`python -m inmc_vote.documents.verifier_zipapp DIR`: build the zipapp from this
    source into DIR and print its SHA256SUMS line, to compare with the server's."""
    import sys

    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: python -m inmc_vote.documents.verifier_zipapp DIR", file=sys.stderr)
        return 2
    built = build()
    folder = Path(args[0])
    folder.mkdir(parents=True, exist_ok=True)
    (folder / built.filename).write_bytes(built.content)
    print(built.sums, end="")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

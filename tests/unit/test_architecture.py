"""The layer table: which part of the package may import which, checked on every module's
imports (the package root included), and the same table as the README shows it.

A part is a folder (or a module) directly under `inmc_vote/`. `inmc_vote` itself holds only
the version, which anyone may read. Third-party imports are limited where it matters: the
pure core and the verifier run on auditors' machines with the standard library and
`cryptography` only, and no service speaks HTTP.
"""

from __future__ import annotations

import ast
import re
import sys
from pathlib import Path

import pytest

import inmc_vote

PACKAGE = Path(inmc_vote.__file__).resolve().parent
README = PACKAGE.parents[1] / "README.md"

EVERYTHING = frozenset(
    {"config", "domain", "documents", "db", "services", "web", "tools", "verify", "demo", "cli"}
)
# part -> the parts of ours it may import (besides itself and the package root)
LAYERS: dict[str, frozenset[str]] = {
    "domain": frozenset(),
    "config": frozenset(),
    "documents": frozenset({"domain"}),
    "db": frozenset({"domain", "config"}),
    "services": frozenset({"domain", "db", "documents", "config"}),
    "web": frozenset({"services", "domain", "db", "documents", "verify", "config"}),
    "tools": frozenset({"domain", "documents"}),
    "verify": frozenset({"domain"}),
    "demo": EVERYTHING - {"cli", "demo"},
    "cli": EVERYTHING - {"cli"},
}
# part -> the only third-party packages it may import (None: any)
THIRD_PARTY: dict[str, frozenset[str] | None] = {
    "domain": frozenset({"cryptography", "nacl"}),
    "verify": frozenset({"cryptography", "nacl"}),
    "config": frozenset(),
    "documents": frozenset({"jinja2", "markupsafe", "segno"}),
    "tools": frozenset({"cryptography", "httpx", "nacl"}),
}
NEVER_IN_SERVICES = ("litestar", "jinja2", "msgspec", "uvicorn", "httpx")
# Inside services: actions may use steps and queries; queries only steps; steps only steps.
SERVICE_KINDS: dict[str, frozenset[str]] = {
    "actions": frozenset({"actions", "steps", "queries"}),
    "queries": frozenset({"queries", "steps"}),
    "steps": frozenset({"steps"}),
}


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules_under(folder: str) -> list[Path]:
    found = sorted((PACKAGE / folder).rglob("*.py"))
    assert found, f"no module under {folder}"
    return found


def names_in_source(source: str, module: str, is_package: bool) -> set[str]:
    """Every module that the source imports, with relative imports resolved."""
    package = module if is_package else module.rpartition(".")[0]
    names: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            names.add(base)
            names.update(f"{base}.{alias.name}" for alias in node.names)
    return names


def imported_names(path: Path) -> set[str]:
    return names_in_source(
        path.read_text(encoding="utf-8"), module_name(path), path.name == "__init__.py"
    )


def part_of(module: str) -> str | None:
    """`inmc_vote.services.actions.casting` -> "services"; the package root -> None."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else None


def problems(module: str, names: set[str]) -> list[str]:
    """What `module` imports (`names`) that its part may not."""
    own = part_of(module)
    bad = []
    for name in sorted(names):
        top = name.split(".")[0]
        if top == "inmc_vote":
            other = part_of(name)
            if other in (None, "__version__", own) or other in LAYERS.get(own or "", frozenset()):
                continue
            if own is None and other not in LAYERS:
                continue  # the root's own names
            bad.append(name)
        elif top in sys.stdlib_module_names or top == "__future__":
            continue
        elif (own == "services" and top in NEVER_IN_SERVICES) or (
            (allowed := THIRD_PARTY.get(own or "")) is not None and top not in allowed
        ):
            bad.append(name)
    return bad


ALL_MODULES = sorted(PACKAGE.rglob("*.py"))


def test_every_part_of_the_package_is_in_the_table() -> None:
    parts = {p.name.removesuffix(".py") for p in PACKAGE.iterdir() if p.name != "__pycache__"}
    parts -= {"__init__", "py.typed"}
    assert parts == set(LAYERS), "add the new part to LAYERS and to README's layer table"


@pytest.mark.parametrize("path", ALL_MODULES, ids=module_name)
def test_each_module_imports_only_what_its_layer_may(path: Path) -> None:
    assert problems(module_name(path), imported_names(path)) == []


@pytest.mark.parametrize("path", modules_under("services"), ids=module_name)
def test_services_import_by_kind(path: Path) -> None:
    parts = module_name(path).split(".")
    if len(parts) < 4 or parts[2] not in SERVICE_KINDS:
        return
    kind = parts[2]
    used = {
        n.split(".")[2]
        for n in imported_names(path)
        if n.startswith("inmc_vote.services.") and n.split(".")[2] in SERVICE_KINDS
    }
    assert used <= SERVICE_KINDS[kind], f"{module_name(path)} ({kind}) uses {used}"


def test_the_readme_shows_the_same_table() -> None:
    """README's "may import" table lists, for each part, the same parts as LAYERS."""
    rows = re.findall(r"^\| `(\w+)(?:/|\.py)` \| ([^|]*) \| ([^|]*) \|$", README.read_text(), re.M)
    shown = {part: frozenset(re.findall(r"`(\w+)`", may)) for part, _, may in rows}
    assert shown == LAYERS


# The checker itself: each rule must be able to fail.


def test_the_checker_resolves_relative_imports() -> None:
    source = "from ..db import models\nfrom . import lifecycle\nimport sqlalchemy.orm as orm\n"
    names = names_in_source(source, "inmc_vote.domain", is_package=True)
    assert {"inmc_vote.db.models", "inmc_vote.domain.lifecycle", "sqlalchemy.orm"} <= names
    nested = names_in_source("from ...web import app\n", "inmc_vote.domain.protocol.x", False)
    assert "inmc_vote.web.app" in nested


def test_the_checker_finds_a_forbidden_import() -> None:
    forbidden = {
        "inmc_vote.domain.x": "inmc_vote.db.models",
        "inmc_vote.domain.y": "sqlalchemy",
        "inmc_vote.verify.x": "inmc_vote.services.queries",
        "inmc_vote.verify.y": "litestar",
        "inmc_vote.services.x": "litestar",
        "inmc_vote.tools.x": "inmc_vote.web.app",
        "inmc_vote.db.x": "inmc_vote.services.actions",
        "inmc_vote.config": "inmc_vote.db",
    }
    for module, name in forbidden.items():
        assert problems(module, {name}) == [name], module
    assert problems("inmc_vote.web.x", {"inmc_vote.services.actions", "litestar"}) == []
    assert problems("inmc_vote.verify.x", {"inmc_vote.domain.protocol", "cryptography"}) == []
    assert problems("inmc_vote.cli.x", {"inmc_vote.web.app", "uvicorn"}) == []

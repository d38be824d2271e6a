"""Data flows one way (web → services → domain + db): checked on the imports themselves."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import inmc_vote

PACKAGE = Path(inmc_vote.__file__).resolve().parent
DOMAIN_MAY_NOT_IMPORT = (
    "inmc_vote.db",
    "inmc_vote.services",
    "inmc_vote.web",
    "inmc_vote.audit",
    "inmc_vote.cli",
    "inmc_vote.config",
    "inmc_vote.security",
    "sqlalchemy",
    "litestar",
)


def modules_under(folder: str) -> list[Path]:
    found = sorted((PACKAGE / folder).rglob("*.py"))
    assert found, f"no module under {folder}"
    return found


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported_names(path: Path) -> set[str]:
    return names_in_source(
        path.read_text(encoding="utf-8"), module_name(path), path.name == "__init__.py"
    )


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


def breaks(name: str, forbidden: tuple[str, ...]) -> bool:
    return any(name == f or name.startswith(f + ".") for f in forbidden)


def test_the_helper_sees_the_domains_own_imports() -> None:
    sample = PACKAGE / "domain" / "protocol" / "events.py"
    assert "inmc_vote.domain.protocol.encoding" in imported_names(sample)
    assert breaks("sqlalchemy.orm", DOMAIN_MAY_NOT_IMPORT)
    assert breaks("inmc_vote.db", DOMAIN_MAY_NOT_IMPORT)
    assert not breaks("inmc_vote.dbx", DOMAIN_MAY_NOT_IMPORT)
    assert not breaks("inmc_vote.domain.errors", DOMAIN_MAY_NOT_IMPORT)


@pytest.mark.parametrize("path", modules_under("domain"), ids=module_name)
def test_the_domain_imports_nothing_of_the_rest(path: Path) -> None:
    bad = sorted(n for n in imported_names(path) if breaks(n, DOMAIN_MAY_NOT_IMPORT))
    assert bad == [], f"{module_name(path)} imports {bad}"


def test_relative_imports_are_resolved_too() -> None:
    source = "from ..db import models\nfrom . import lifecycle\nimport sqlalchemy.orm as orm\n"
    names = names_in_source(source, "inmc_vote.domain", is_package=True)
    assert {"inmc_vote.db.models", "inmc_vote.domain.lifecycle", "sqlalchemy.orm"} <= names
    nested = names_in_source("from ...web import app\n", "inmc_vote.domain.protocol.x", False)
    assert "inmc_vote.web.app" in nested
    assert any(breaks(n, DOMAIN_MAY_NOT_IMPORT) for n in nested)


@pytest.mark.parametrize("path", modules_under("services"), ids=module_name)
def test_services_import_nothing_of_the_web(path: Path) -> None:
    bad = sorted(n for n in imported_names(path) if breaks(n, ("inmc_vote.web", "litestar")))
    assert bad == [], f"{module_name(path)} imports {bad}"

"""The verifier's own modules import only the standard library, `cryptography`, the
domain's pure code and each other (the subprocess test in tests/integration proves it
runs so; this one names the line that would break it)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from tests.unit.test_architecture import imported_names, module_name, modules_under

ALLOWED = ("cryptography", "inmc_vote.domain", "inmc_vote.audit.verify", "__future__")


def allowed(name: str) -> bool:
    top = name.split(".")[0]
    if top in sys.stdlib_module_names:
        return True
    return any(name == a or name.startswith(a + ".") for a in ALLOWED) or name == "inmc_vote.audit"


@pytest.mark.parametrize("path", modules_under("audit/verify"), ids=module_name)
def test_the_verifier_imports_only_what_an_auditor_installs(path: Path) -> None:
    bad = sorted(n for n in imported_names(path) if not allowed(n))
    assert bad == [], f"{module_name(path)} imports {bad}"

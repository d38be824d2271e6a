"""Build hook: compile the French and English catalogues (.po → .mo) at install.

Runs for the editable install (`make install`, `pip install -e .`: the .mo files are
written next to the .po files, where the installed package reads them) and for a wheel
(the same files, shipped as artifacts although git ignores them). Babel is a build
requirement (pyproject.toml). src/inmc_vote/web/locale/catalogues.py does the work; it is
loaded by path, since the package itself is not importable while it is being built.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

CATALOGUES = Path(__file__).parent / "src" / "inmc_vote" / "web" / "locale" / "catalogues.py"


class CompileCatalogues(BuildHookInterface):
    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        if self.target_name not in ("wheel", "editable"):
            return  # the sdist ships the .po files; its wheel compiles them
        spec = importlib.util.spec_from_file_location("inmc_vote_catalogues", CATALOGUES)
        assert spec is not None
        assert spec.loader is not None
        catalogues = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(catalogues)
        written = catalogues.compile_all()
        if version == "editable":
            return  # the installed package reads src/ itself, where they were written
        root = Path(self.root)
        for mo in written:
            relative = Path(mo).relative_to(root / "src").as_posix()
            build_data["force_include"][str(mo)] = relative

"""Helpers for the verifier's tests: write a model, verify it, name what failed."""

from __future__ import annotations

from pathlib import Path

import pytest

from inmc_vote.verify import Report, verify
from tests.figures import RecordingFigures
from tests.unit.audit import builder


class Verifier:
    def __init__(self, folder: Path, figures: RecordingFigures | None = None) -> None:
        self.folder = folder
        self.n = 0
        self.figures = figures

    def path(self) -> Path:
        self.n += 1
        return self.folder / f"bundle-{self.n}.zip"

    def report(
        self, model: builder.Model, members: dict[str, bytes] | None = None, **options
    ) -> Report:
        return verify(model.write(self.path(), members), jobs=1, **options)

    def failed(
        self, model: builder.Model, members: dict[str, bytes] | None = None, **options
    ) -> set[tuple[str, int | None]]:
        report = self.report(model, members, **options)
        failed = {(c.code, c.round) for c in report.checks if not c.ok}
        if failed and self.figures is not None:  # a lying bundle, refused (docs/reliability.md)
            self.figures.add("tampering.by_check.refused")
        return failed


@pytest.fixture
def verifier(tmp_path: Path, figures: RecordingFigures) -> Verifier:
    return Verifier(tmp_path, figures)

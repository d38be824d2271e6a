"""docs/reliability.md names only figures that some test records, and the figures of
xdist workers add up."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from tests import reliability_report
from tests.figures import Figures, merge

TESTS = Path(__file__).resolve().parents[1]
RECORDERS = {"add", "set_max"}


def _pattern(node: ast.expr) -> str | None:
    """A figure name as a regular expression: a literal, or an f-string whose holes match
    any dotted word."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return re.escape(node.value)
    if isinstance(node, ast.JoinedStr):
        return "".join(
            re.escape(part.value) if isinstance(part, ast.Constant) else r"[a-z0-9_]+"
            for part in node.values
        )
    return None


def _receiver_is_figures(node: ast.expr) -> bool:
    return (isinstance(node, ast.Name) and node.id == "figures") or (
        isinstance(node, ast.Attribute) and node.attr == "figures"
    )


def recorded_patterns() -> list[str]:
    """Every figure name that a test (or the figures plugin) records, as found in the
    source of tests/."""
    patterns = []
    for path in TESTS.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in RECORDERS
                and _receiver_is_figures(node.func.value)
                and node.args
                and (pattern := _pattern(node.args[0])) is not None
            ):
                patterns.append(pattern)
    return patterns


def test_the_document_names_only_figures_that_tests_record() -> None:
    named = reliability_report.names_in(reliability_report.DOC.read_text())
    assert named, "docs/reliability.md names no figure"
    patterns = recorded_patterns()
    unrecorded = [n for n in named if not any(re.fullmatch(p, n) for p in patterns)]
    assert unrecorded == []


def test_the_report_names_only_figures_that_tests_record() -> None:
    patterns = recorded_patterns()
    unrecorded = [
        n for n in reliability_report.named() if not any(re.fullmatch(p, n) for p in patterns)
    ]
    assert unrecorded == []


def test_the_document_is_the_rendering_of_some_run() -> None:
    """Generated, not edited: its tables name exactly the figures of the report."""
    text = reliability_report.DOC.read_text()
    assert reliability_report.names_in(text)[: len(reliability_report.named())] == (
        reliability_report.named()
    )


def test_the_check_finds_a_figure_no_test_records() -> None:
    text = reliability_report.render({}) + "| a ghost | 3 | `ghost.figure` |\n"
    assert "ghost.figure" in reliability_report.names_in(text)
    assert not any(re.fullmatch(p, "ghost.figure") for p in recorded_patterns())


def test_workers_figures_add_up_and_peaks_keep_the_largest() -> None:
    one, two = Figures(), Figures()
    one.current_test, two.current_test = "a", "b"
    one.add("casts", 3)
    two.add("casts", 4)
    one.set_max("peak", 5)
    two.set_max("peak", 2)
    merged: dict = {}
    merge(merged, one.data)
    merge(merged, two.data)
    assert merged["casts"] == {"value": 7, "mode": "sum", "tests": ["a", "b"]}
    assert merged["peak"]["value"] == 5


def test_the_report_writes_the_document_only_from_a_complete_run(tmp_path: Path) -> None:
    figures = tmp_path / "figures.json"
    out = tmp_path / "reliability.md"
    figures.write_text('{"fuzz.tests": {"value": 2, "mode": "sum", "tests": []}}')
    assert reliability_report.main([str(figures), "--out", str(out)]) == 1
    assert not out.exists()
    assert reliability_report.main([str(figures), "--out", str(out), "--allow-missing"]) == 0
    assert "| hypothesis tests | 2 | `fuzz.tests` |" in out.read_text()

"""Named figures that tests record, for docs/reliability.md.

A test asks for the `figures` fixture (tests/conftest.py) and records what it showed:

    def test_no_double_vote(figures, ...):
        ...
        figures.add("double_vote.refused", refused)      # adds to the figure's total
        figures.set_max("sigkill.kills", kills)         # keeps the largest value seen

Names are dotted, lowercase, and written as string literals (or f-strings whose holes
are filled by parametrization, e.g. f"sigkill.{backend}.kills"): tests/unit/
test_reliability_report.py checks that every figure docs/reliability.md names is recorded
by some test. Values are numbers; `add` sums them over every call, every test and every
xdist worker, so that a parametrized test contributes once per case.

At the end of the session each xdist worker hands its figures to the controller
(`workeroutput`), which merges them and writes build/reliability/figures.json and
build/reliability/reliability.md (the report for this run). `python -m
tests.reliability_report` turns figures.json into docs/reliability.md.

Hypothesis tests are counted without asking: every example a hypothesis test runs adds
to "fuzz.examples" and to "fuzz.examples.<module>" (the module's file name without
"test_").
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
OUTPUT = ROOT / "build" / "reliability"
FIGURES_FILE = "figures.json"
WORKER_KEY = "inmc_reliability_figures"


class Figures:
    """The figures recorded in this process: name -> {"value", "mode", "tests"}."""

    def __init__(self) -> None:
        self.data: dict[str, dict[str, Any]] = {}
        self.current_test: str | None = None

    def _entry(self, name: str, mode: str) -> dict[str, Any]:
        if not name or name != name.strip() or " " in name:
            raise ValueError(f"a figure's name is dotted words, not {name!r}")
        entry = self.data.setdefault(name, {"value": 0, "mode": mode, "tests": []})
        if entry["mode"] != mode:
            raise ValueError(f"figure {name!r} is recorded both as {entry['mode']} and {mode}")
        if self.current_test and self.current_test not in entry["tests"]:
            entry["tests"].append(self.current_test)
        return entry

    def add(self, name: str, amount: float = 1) -> None:
        """Add `amount` to the figure `name` (a count: summed over every test and worker)."""
        self._entry(name, "sum")["value"] += amount

    def set_max(self, name: str, value: float) -> None:
        """Keep the largest `value` recorded for `name` (a peak, not a count)."""
        entry = self._entry(name, "max")
        entry["value"] = max(entry["value"], value)


class RecordingFigures:
    """What the `figures` fixture hands a test: the process's figures, tagged with the
    test's node id (the report names the tests behind each figure)."""

    def __init__(self, figures: Figures, nodeid: str) -> None:
        self._figures = figures
        self._nodeid = nodeid

    def add(self, name: str, amount: float = 1) -> None:
        self._figures.current_test = self._nodeid
        self._figures.add(name, amount)

    def set_max(self, name: str, value: float) -> None:
        self._figures.current_test = self._nodeid
        self._figures.set_max(name, value)


def merge(into: dict[str, dict[str, Any]], other: dict[str, dict[str, Any]]) -> None:
    for name, entry in other.items():
        mine = into.get(name)
        if mine is None:
            into[name] = {"value": entry["value"], "mode": entry["mode"], "tests": []}
            mine = into[name]
        elif entry["mode"] == "max":
            mine["value"] = max(mine["value"], entry["value"])
        else:
            mine["value"] += entry["value"]
        mine["tests"] = sorted(set(mine["tests"]) | set(entry["tests"]))


def _module_name(nodeid: str) -> str:
    stem = Path(nodeid.split("::", 1)[0]).stem
    return stem.removeprefix("test_")


class FiguresPlugin:
    """Collects the figures of this process; the controller (or a run without xdist)
    writes them out at the end of the session."""

    def __init__(self, config: pytest.Config) -> None:
        self.config = config
        self.figures = Figures()
        self.merged: dict[str, dict[str, Any]] = {}
        self.is_worker = hasattr(config, "workerinput")

    @pytest.hookimpl(wrapper=True, trylast=True)
    def pytest_runtest_call(self, item: pytest.Item) -> Iterator[None]:
        """Count the examples of hypothesis tests: chain a callback onto the statistics
        collector that hypothesis' own pytest plugin has set (this wrapper runs inside it)."""
        if not getattr(getattr(item, "obj", None), "is_hypothesis_test", False):
            return (yield)
        from hypothesis.statistics import collector

        outer: Callable[[Any], None] | None = collector.value
        nodeid = item.nodeid

        def note(stats: Any) -> None:
            examples = 0
            for phase in ("explicit-phase", "reuse-phase", "generate-phase", "target-phase"):
                cases = stats.get(phase, {}).get("test-cases", [])
                examples += sum(1 for case in cases if case.get("status") == "valid")
            self.figures.current_test = nodeid
            self.figures.add("fuzz.tests", 1)
            self.figures.add("fuzz.examples", examples)
            self.figures.add(f"fuzz.examples.{_module_name(nodeid)}", examples)
            if outer is not None:
                outer(stats)

        with collector.with_value(note):
            return (yield)

    @pytest.hookimpl(optionalhook=True)
    def pytest_testnodedown(self, node: Any, error: Any) -> None:
        output = getattr(node, "workeroutput", {})
        if WORKER_KEY in output:
            merge(self.merged, json.loads(output[WORKER_KEY]))

    @pytest.hookimpl(trylast=True)
    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        if self.is_worker:
            self.config.workeroutput[WORKER_KEY] = json.dumps(self.figures.data)  # type: ignore[attr-defined]
            return
        merge(self.merged, self.figures.data)
        write(self.merged)


def write(data: dict[str, dict[str, Any]], folder: Path = OUTPUT) -> Path:
    """build/reliability/figures.json and the report rendered from it."""
    from tests.reliability_report import render

    folder.mkdir(parents=True, exist_ok=True)
    path = folder / FIGURES_FILE
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    tmp.write_text(json.dumps(dict(sorted(data.items())), indent=2) + "\n")
    tmp.replace(path)
    (folder / "reliability.md").write_text(render(data))
    return path

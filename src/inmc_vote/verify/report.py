"""What the verifier found: one line per check, in plain words, and the same as JSON."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

MAX_DETAILS = 5  # problems quoted per check; the rest are counted


@dataclass(frozen=True)
class Check:
    """One check: `counted` is how many things it looked at, `detail` what it found
    (on failure, the first problems, in words). `code` and `round` name it for machines."""

    code: str
    name: str
    ok: bool
    counted: int
    detail: str
    round: int | None = None

    def line(self) -> str:
        mark = "  ok" if self.ok else "FAIL"
        return f"{mark}  {self.name}: {self.detail}"

    def to_json(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "round": self.round,
            "name": self.name,
            "ok": self.ok,
            "counted": self.counted,
            "detail": self.detail,
        }


class Problems:
    """The problems one check found: the first few in words, and how many in all."""

    def __init__(self) -> None:
        self.count = 0
        self.quoted: list[str] = []

    def add(self, message: str) -> None:
        self.count += 1
        if len(self.quoted) < MAX_DETAILS:
            self.quoted.append(message)

    def absorb(self, total: int, messages: list[str]) -> None:
        """Problems found elsewhere (a worker): `total` of them, the first few `messages`."""
        for message in messages:
            self.add(message)
        self.count += total - len(messages)

    def __bool__(self) -> bool:
        return self.count > 0

    def words(self) -> str:
        said = "; ".join(self.quoted)
        more = self.count - len(self.quoted)
        return said + (f"; and {more} more" if more > 0 else "") + "."


def plural(n: int, one: str, many: str | None = None) -> str:
    return f"{n:,} {one if n == 1 else (many or one + 's')}"


@dataclass
class Report:
    """Every check of one run, with what an auditor compares by eye (the fingerprints)."""

    bundle: str
    ballot: str | None = None
    exported_at: str | None = None
    state: str | None = None
    fingerprints: dict[int, str] = field(default_factory=dict)  # round -> manifest fingerprint
    checks: list[Check] = field(default_factory=list)

    def add(self, check: Check) -> Check:
        self.checks.append(check)
        return check

    def passed(
        self, code: str, name: str, counted: int, detail: str, round: int | None = None
    ) -> Check:
        return self.add(Check(code, name, True, counted, detail, round))

    def judged(
        self,
        code: str,
        name: str,
        counted: int,
        problems: Problems,
        success: str,
        round: int | None = None,
    ) -> Check:
        """A check that passes with `success` unless `problems` holds any."""
        if problems:
            return self.add(Check(code, name, False, counted, problems.words(), round))
        return self.add(Check(code, name, True, counted, success, round))

    @property
    def ok(self) -> bool:
        return bool(self.checks) and all(c.ok for c in self.checks)

    def failed(self) -> list[Check]:
        return [c for c in self.checks if not c.ok]

    def text(self) -> str:
        lines = [f"Bundle {self.bundle}"]
        if self.ballot:
            lines.append(
                f"  ballot {self.ballot}, state {self.state}, exported at {self.exported_at}"
            )
        for number, short in sorted(self.fingerprints.items()):
            lines.append(
                f"  round {number} fingerprint {short} "
                "(compare it with the one the organiser announced)"
            )
        lines.extend(c.line() for c in self.checks)
        failed = len(self.failed())
        if self.ok:
            lines.append(f"All {len(self.checks)} checks passed.")
        else:
            lines.append(f"{failed} of {len(self.checks)} checks FAILED.")
        return "\n".join(lines)

    def to_json(self) -> dict[str, Any]:
        return {
            "bundle": self.bundle,
            "ok": self.ok,
            "ballot": self.ballot,
            "state": self.state,
            "exported_at": self.exported_at,
            "fingerprints": {str(k): v for k, v in sorted(self.fingerprints.items())},
            "checks": [c.to_json() for c in self.checks],
        }

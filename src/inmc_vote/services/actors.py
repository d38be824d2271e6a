"""Who did something, as written in the event log."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Actor:
    kind: str  # organiser, auditor, city, schedule
    name: str

    def __str__(self) -> str:
        return f"{self.kind}:{self.name}"


SCHEDULE = Actor("schedule", "clock")


def organiser(email: str) -> Actor:
    return Actor("organiser", email)


def city(slug: str) -> Actor:
    return Actor("city", slug)

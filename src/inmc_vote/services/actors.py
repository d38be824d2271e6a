"""Who did something, as written in the event log."""

from __future__ import annotations

from dataclasses import dataclass

from inmc_vote.domain.codes import ActorKind


@dataclass(frozen=True)
class Actor:
    kind: ActorKind
    name: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "kind", ActorKind(self.kind))  # a typo fails here

    def __str__(self) -> str:
        return f"{self.kind}:{self.name}"


SCHEDULE = Actor(ActorKind.SCHEDULE, "clock")


def organiser(email: str) -> Actor:
    return Actor(ActorKind.ORGANISER, email)


def city(slug: str) -> Actor:
    return Actor(ActorKind.CITY, slug)


def trustee(index: int) -> Actor:
    return Actor(ActorKind.TRUSTEE, str(index))

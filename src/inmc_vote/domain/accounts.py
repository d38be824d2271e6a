"""Who may act on the organiser's side: the roles of accounts."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    ORGANISER = "organiser"
    AUDITOR = "auditor"

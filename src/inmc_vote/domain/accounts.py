"""Who may act on the organiser's side: the roles of accounts.

One role: the audit is public and needs no account, so there is no auditor's account."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    ORGANISER = "organiser"

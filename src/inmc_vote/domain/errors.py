"""Errors that the rules raise; the web layer turns each into a 4xx with its message."""

from __future__ import annotations


class RuleError(Exception):
    """A request that the rules refuse. `message` is written for a person."""

    status = 400

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class Invalid(RuleError):
    """The input is malformed or breaks a rule about its content."""

    status = 422


class Unauthorized(RuleError):
    """No credentials, or ones that are not known (a trustee's invitation)."""

    status = 401


class NotFound(RuleError):
    status = 404


class Conflict(RuleError):
    """The request is well formed but the current state does not allow it."""

    status = 409


class TooLarge(RuleError):
    status = 413


class Forbidden(RuleError):
    status = 403


class TooMany(RuleError):
    """Too many attempts in a while (sign-in): wait, then try again."""

    status = 429

"""Errors that the rules raise; the web layer turns each into a 4xx with its message."""

from __future__ import annotations

from typing import Self


def N_(message: str) -> str:
    """Mark a sentence for translation where it is written (a constant, a table) without
    translating it: the web layer translates it when a page is rendered."""
    return message


class Choices(tuple[str, ...]):
    """A refusal's parameter listing alternatives ("opened or cancelled"): each is a marked
    sentence, so that the web layer can translate them one by one and join them."""

    def __format__(self, spec: str) -> str:
        words = list(self)
        text = words[0] if len(words) == 1 else ", ".join(words[:-1]) + " or " + words[-1]
        return format(text, spec)


class RuleError(Exception):
    """A request that the rules refuse, in words written for a person.

    `template` is the English sentence with `{name}` fields and `params` their values, kept
    apart so that the presentation layer can translate the sentence before filling it in;
    `message` is the English text (the command line, the logs).
    """

    status = 400

    def __init__(self, template: str, /, **params: object) -> None:
        self.template = template
        self.params = params
        self.message = template.format(**params) if params else template
        super().__init__(self.message)

    @classmethod
    def as_written(cls, reason: str) -> Self:
        """A reason composed elsewhere in English (a protocol file's checks, which the
        auditor's verifier shares, or a list of field problems), shown as it is: the one
        kind of refusal that is not translated (tests/unit/test_i18n_refusals.py)."""
        return cls(N_("{reason}"), reason=reason)


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

"""The protocol's codes (`domain.codes`) are exactly the words the docs give, and a member
writes the same bytes as its word, so that renaming one cannot slip through."""

from __future__ import annotations

import re
from enum import StrEnum
from pathlib import Path

import pytest

from inmc_vote.domain import codes
from inmc_vote.domain.ballots import LAST_PLACE_TIE_RULES
from inmc_vote.domain.codes import (
    ActorKind,
    EventAction,
    InvalidReason,
    LastPlaceTie,
    LotPurpose,
    Outcome,
    RoundKind,
    RoundReason,
    VerdictKind,
    VoteKind,
    logged_action,
    parse,
)
from inmc_vote.domain.counting.result import OUTCOMES, ROUND_REASONS
from inmc_vote.domain.counting.votes import REASONS
from inmc_vote.domain.lifecycle import Action
from inmc_vote.domain.protocol.encoding import canonical_json

DOCS = Path(__file__).resolve().parents[2] / "docs"


def _section(name: str, heading: str) -> str:
    text = (DOCS / name).read_text(encoding="utf-8")
    start = text.index(heading)
    end = text.find("\n#", start + len(heading))
    return text[start : end if end >= 0 else None]


def _table_codes(name: str, heading: str, header: str) -> set[str]:
    """The first column's `code`s of the table under `heading` whose header starts so."""
    section = _section(name, heading)
    table = section[section.index(header) :].split("\n\n")[0].split("\n", 1)[1]
    return set(re.findall(r"^\| `([a-z-]+)` \|", table, re.MULTILINE))


def _words(family: type[StrEnum]) -> set[str]:
    return {member.value for member in family}


def test_invalid_reasons_are_the_documented_codes() -> None:
    documented = _table_codes("counting.md", "## Ballots: counted", "| code | when |")
    assert _words(InvalidReason) == documented
    listed = re.search(r"`reason` one of ([a-z,\s-]+)\.", (DOCS / "protocol.md").read_text())
    assert listed is not None
    assert _words(InvalidReason) == {w.strip() for w in listed.group(1).split(",")}
    assert set(REASONS) == set(InvalidReason)


def test_round_reasons_and_outcomes_are_the_documented_codes() -> None:
    assert _words(RoundReason) == _table_codes("counting.md", "## Round reasons", "| code |")
    assert _words(Outcome) == _table_codes("counting.md", "## Outcome", "| `outcome` |")
    assert set(ROUND_REASONS) == set(RoundReason)
    assert set(OUTCOMES) == set(Outcome)


def test_vote_kinds_are_the_documented_vote_fields() -> None:
    table = _section("counting.md", "## Ballots: counted")
    assert _words(VoteKind) == set(re.findall(r'`\{"v":1,"([a-z]+)"', table))


def test_the_smaller_families_are_the_documented_words() -> None:
    counting = (DOCS / "counting.md").read_text(encoding="utf-8")
    protocol = (DOCS / "protocol.md").read_text(encoding="utf-8")
    assert "its purpose (`winner` or `eliminate`)" in counting
    assert _words(LotPurpose) == {"winner", "eliminate"}
    assert '`last_place_tie` (`"lot"`, the default, or `"runoff"`)' in counting
    assert _words(LastPlaceTie) == {"lot", "runoff"} == set(LAST_PLACE_TIE_RULES)
    assert '`round_kind` (`"regular"`, the\ndefault, or `"last-place-runoff"`)' in counting
    assert _words(RoundKind) == {"regular", "last-place-runoff"}
    assert "with `outcome` counted, blank or invalid, and `reason` one of" in protocol
    assert _words(VerdictKind) == {"counted", "blank", "invalid"}
    actors = set(re.findall(r"`([a-z]+):<?[a-z -]+>?`", _section("protocol.md", "## The event")))
    assert _words(ActorKind) == actors == {"organiser", "city", "schedule", "trustee"}


def test_event_actions_are_pinned_and_the_documented_ones_known() -> None:
    assert _words(Action) == _table_codes("lifecycle.md", "# ", "| action | from |")
    assert _words(EventAction) == {
        "create",
        "edit",
        "portal-links",
        "portal-link-revoked",
        "candidacy-submitted",
        "candidacy-updated",
        "candidacy-withdrawn",
        "candidacy-accepted",
        "candidacy-rejected",
        "tokens-issued",
        "roll-uploaded",
        "tokens-cancelled",
        "credential-revoked",
        "credential-added",
        "trustees-named",
        "trustee-certificate",
        "trustee-deal",
        "trustee-key",
        "trustee-complaint",
        "ceremony-complete",
        "shuffle-added",
        "decryption-added",
        "mail-sent",
        "reminder-due",
    }
    assert not _words(Action) & _words(EventAction)
    docs = " ".join((DOCS / name).read_text(encoding="utf-8") for name in DOCS.iterdir())
    named = set(re.findall(r"`((?:credential|roll|tokens|candidacy|portal)-[a-z-]+)`", docs))
    assert named <= _words(EventAction)


FAMILIES = [
    value
    for value in vars(codes).values()
    if isinstance(value, type) and issubclass(value, StrEnum) and value is not StrEnum
]  # every family, and the lifecycle's Action that codes.py imports


@pytest.mark.parametrize("family", FAMILIES, ids=lambda f: f.__name__)
def test_a_member_writes_the_bytes_of_its_word(family: type[StrEnum]) -> None:
    for member in family:
        assert canonical_json({member: [member]}) == canonical_json({member.value: [member.value]})
        assert f"{member}" == str(member) == member.value


def test_parse_names_the_family_of_an_unknown_word() -> None:
    assert parse(RoundReason, "lot") is RoundReason.LOT
    for wrong in ("rank", None, 3, ["lot"]):
        with pytest.raises(ValueError, match="is not a round reason"):
            parse(RoundReason, wrong)
    assert logged_action("freeze") is Action.FREEZE
    assert logged_action("tokens-issued") is EventAction.TOKENS_ISSUED
    with pytest.raises(ValueError, match="not an event action"):
        logged_action("unfreeze")

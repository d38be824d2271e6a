"""domain/counting/files.py: JSON Lines of votes and PrefLib elections, read from text."""

from __future__ import annotations

import pytest

from inmc_vote.domain.counting import Rules, Verdict, invalid
from inmc_vote.domain.counting.files import (
    FileError,
    candidates_named,
    detect_format,
    jsonl_verdicts,
    parse_jsonl,
    parse_preflib,
    preflib_verdicts,
    read_preflib,
)

ELECTION = """\
# FILE NAME: 00099-00000001.toi
# TITLE: A small town
# DATA TYPE: toi
# NUMBER ALTERNATIVES: 4
# NUMBER VOTERS: 12
# ALTERNATIVE NAME 1: Ana Lyon
# ALTERNATIVE NAME 2: Bo Porto
# ALTERNATIVE NAME 3: Cy Gdansk
# ALTERNATIVE NAME 4: Write-In
5: 1,2
3: 2,{1,3},4
2: {1,2},3
1: 4
1: 3,2,1,4
"""


def test_jsonl_one_vote_per_line_and_an_unreadable_line_is_a_malformed_ballot() -> None:
    lines = ['{"v":1,"choice":"lyon"}', "", "   ", "not json", '{"v":1,"blank":true}', "[1]"]
    votes = parse_jsonl(lines)
    assert votes == [{"v": 1, "choice": "lyon"}, invalid("malformed"), {"v": 1, "blank": True}, [1]]
    verdicts = jsonl_verdicts(votes, "plurality", ("lyon", "porto"), Rules())
    assert verdicts == [
        Verdict("counted", None, ("lyon",)),
        invalid("malformed"),
        Verdict("blank"),
        invalid("malformed"),
    ]


def test_the_candidates_a_jsonl_file_names() -> None:
    votes = [
        {"v": 1, "choice": "porto"},
        {"v": 1, "ranking": ["turku", "lyon", 3]},
        {"v": 1, "approve": ["gdansk"]},
        {"v": 1, "blank": True},
        "junk",
    ]
    assert candidates_named(votes) == ("gdansk", "lyon", "porto", "turku")


def test_preflib_headers_names_and_counts() -> None:
    election = read_preflib(ELECTION)
    assert election.title == "A small town"
    assert election.candidates == ("1", "2", "3", "4")
    assert election.names == {"1": "Ana Lyon", "2": "Bo Porto", "3": "Cy Gdansk", "4": "Write-In"}
    assert election.total == 12


def test_preflib_an_overvote_is_cut_at_its_first_tie() -> None:
    election = read_preflib(ELECTION)
    assert election.ballots == (
        (("1", "2"), 5),
        (("2",), 3),  # 2,{1,3},4: cut at the tie
        ((), 2),  # {1,2},3: a tie in first place leaves nothing
        (("4",), 1),
        (("3", "2", "1", "4"), 1),
    )
    assert (election.overvotes, election.emptied) == (5, 2)
    candidates, rankings = parse_preflib(ELECTION)
    assert candidates == ("1", "2", "3", "4")
    assert len(rankings) == 12
    assert rankings[:6] == [("1", "2")] * 5 + [("2",)]


def test_preflib_ballots_as_each_method_reads_them() -> None:
    election = read_preflib(ELECTION)
    everyone = election.candidates
    irv = preflib_verdicts(election, "irv", everyone, Rules())
    assert len(irv) == 12
    assert irv[0] == Verdict("counted", None, ("1", "2"))
    assert irv[8:10] == [invalid("empty")] * 2
    plurality = preflib_verdicts(election, "plurality", everyone, Rules())
    assert [v.marks for v in plurality[:6]] == [("1",)] * 5 + [("2",)]
    approval = preflib_verdicts(election, "approval", everyone, Rules())
    assert approval[-1].marks == ("1", "2", "3", "4")  # in candidate order


def test_preflib_a_subset_of_candidates_keeps_only_those_in_each_ranking() -> None:
    election = read_preflib(ELECTION)
    verdicts = preflib_verdicts(election, "exhaustive", ("2", "3"), Rules())
    assert [v.marks for v in verdicts[:5]] == [("2",)] * 5  # 1,2 → 2
    assert verdicts[10] == invalid("empty")  # 4 alone: nothing left
    assert verdicts[11].marks == ("3",)


def test_preflib_without_names_numbers_the_alternatives() -> None:
    election = read_preflib("# NUMBER ALTERNATIVES: 3\n2: 3,1\n1: 2\n")
    assert election.candidates == ("1", "2", "3")
    assert election.names == {}
    assert election.title == ""


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("# TITLE: x\n1: 1\n", "NUMBER ALTERNATIVES"),
        ("# NUMBER ALTERNATIVES: 2\n3 1,2\n", "line 2: expected «count: ranking»"),
        ("# NUMBER ALTERNATIVES: 2\n3: 1;2\n", "line 2: cannot read"),
        ("# NUMBER ALTERNATIVES: 2\n3: 1,,2\n", "line 2: cannot read"),
        ("# NUMBER ALTERNATIVES: 2\n3: {1,}\n", "line 2: cannot read"),
        ("# NUMBER ALTERNATIVES: 2\n3: 1,1\n", "line 2: an alternative appears twice"),
        ("# NUMBER ALTERNATIVES: 2\n3: 1,{2,1}\n", "twice"),
        ("# NUMBER ALTERNATIVES: 2\n\n3: 1,3\n", "line 3: alternative 3 is not among"),
        ("# NUMBER ALTERNATIVES: 2\n3: 0\n", "alternative 0"),
        ("# NUMBER ALTERNATIVES: two\n", "not a number"),
        ("# NUMBER ALTERNATIVES: 1\n# ALTERNATIVE NAME 2: B\n", "beyond"),
        # issue 11: an alternative out of range inside a tie, or after one, is refused too
        ("# NUMBER ALTERNATIVES: 5\n5: 2,{1,9}\n", "line 2: alternative 9 is not among"),
        ("# NUMBER ALTERNATIVES: 5\n5: {1,2},7\n", "line 2: alternative 7 is not among"),
        # ... and an election too large to hold is refused before it is tried
        ("# NUMBER ALTERNATIVES: 2\n10000000000: 1\n", "line 2: more than 10,000,000 ballots"),
        ("# NUMBER ALTERNATIVES: 1000000000\n1: 1\n", "at most 1,000"),
    ],
)
def test_preflib_errors_name_the_line(text: str, words: str) -> None:
    with pytest.raises(FileError, match=words):
        read_preflib(text)


@pytest.mark.parametrize(
    ("name", "text", "kind"),
    [
        ("votes.jsonl", "", "jsonl"),
        ("votes.JSON", "# but json by name", "jsonl"),
        ("election.toi", '{"v":1}', "preflib"),
        ("e.soi", "", "preflib"),
        ("votes.txt", '\n{"v":1,"choice":"a"}\n', "jsonl"),
        ("-", "# FILE NAME: x.soi\n", "preflib"),
        ("data", "12: 1,2\n", "preflib"),
    ],
)
def test_the_format_comes_from_the_extension_else_the_first_line(
    name: str, text: str, kind: str
) -> None:
    assert detect_format(name, text) == kind


def test_an_unknown_format_is_refused() -> None:
    with pytest.raises(FileError, match="cannot tell"):
        detect_format("cities.csv", "name,country\nLyon,FR\n")

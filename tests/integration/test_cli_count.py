"""`inmc-vote count`, run as a user runs it: a PrefLib election and a file of vote
plaintexts, in words and as JSON, and the ways it refuses."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from inmc_vote.domain.counting import Result, lot_key
from inmc_vote.domain.protocol.encoding import canonical_json
from tests.integration.test_cli import clean_env, inmc
from tests.unit.counting.helpers import preflib_path

SEED = "5eed" * 16

TOWN = """\
# FILE NAME: town.toi
# TITLE: A small town
# DATA TYPE: toi
# NUMBER ALTERNATIVES: 3
# ALTERNATIVE NAME 1: Ana Lyon
# ALTERNATIVE NAME 2: Bo Porto
# ALTERNATIVE NAME 3: Cy Gdansk
4: 1
3: 2,3
2: 3,2
1: {1,2},3
"""

VOTES = [
    {"v": 1, "ranking": ["lyon", "porto"]},
    {"v": 1, "ranking": ["lyon"]},
    {"v": 1, "ranking": ["porto", "gdansk"]},
    {"v": 1, "ranking": ["gdansk", "porto"]},
    {"v": 1, "ranking": ["porto"]},
    {"v": 1, "blank": True},
    {"v": 1, "ranking": ["lyon", "lyon"]},
]


def count(tmp_path: Path, *args: str):
    return inmc("count", *args, env=clean_env(tmp_path), cwd=tmp_path)


def write_votes(tmp_path: Path, name: str = "votes.jsonl") -> Path:
    lines = [json.dumps(v) for v in VOTES] + ["", "this line is not JSON"]
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n")
    return path


def test_a_preflib_election_round_by_round_with_names(tmp_path: Path) -> None:
    (tmp_path / "town.toi").write_text(TOWN)
    result = count(tmp_path, "--method", "irv", "town.toi")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert out.startswith("A small town\n")
    assert "1 ballots tie candidates (an overvote) and are cut at their first tie" in out
    assert "1 invalid (empty)" in out
    assert "Round 1: 9 ballots counted, a majority is 5, 0 exhausted" in out
    assert "Cy Gdansk [3] has the fewest votes (2) and is eliminated." in out
    assert "Bo Porto [2] has more than half (5 of 9): elected." in out
    assert out.rstrip().endswith("Winner: Bo Porto [2]")


def test_a_real_election_burlington_2009(tmp_path: Path) -> None:
    path = preflib_path("00005-00000002.toi")
    irv = count(tmp_path, "--method", "irv", str(path))
    assert irv.returncode == 0, irv.stderr
    assert irv.stdout.rstrip().endswith("Winner: Bob Kiss [1]")
    assert "Round 5:" in irv.stdout
    schulze = count(tmp_path, "--method", "schulze", "--json", str(path))
    assert schulze.returncode == 0, schulze.stderr
    data = json.loads(schulze.stdout)
    assert data["winner"] == "2"  # Andy Montroll, the Condorcet winner
    assert Result.from_json(data).to_json() == data


def test_a_jsonl_file_in_words(tmp_path: Path) -> None:
    write_votes(tmp_path)
    result = count(tmp_path, "--method", "irv", "--candidates", "lyon,porto,gdansk", "votes.jsonl")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "Candidates: lyon, porto, gdansk" in out
    assert "Ballots: 8 cast, of 8 eligible" in out
    assert "Counted: 5    blank: 1    invalid: 2" in out
    assert "1 invalid (duplicate-rank)" in out
    assert "1 invalid (malformed)" in out  # the line that is not JSON
    assert "Winner: porto" in out


def test_a_jsonl_file_as_json_is_the_canonical_result(tmp_path: Path) -> None:
    write_votes(tmp_path, "votes.txt")  # not by extension: sniffed
    result = count(tmp_path, "--method", "plurality", "--json", "--seed", SEED, "votes.txt")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert result.stdout.strip().encode() == canonical_json(data)
    assert data["invalid_reasons"] == {"malformed": 1, "wrong-kind": 6}  # rankings
    assert data["candidates"] == ["gdansk", "lyon", "porto"]  # every id named, sorted
    assert data["outcome"] == "no-valid-votes"


def test_a_lot_needs_the_seed_then_shows_its_keys(tmp_path: Path) -> None:
    path = tmp_path / "tied.jsonl"
    path.write_text('{"v":1,"choice":"lyon"}\n{"v":1,"choice":"porto"}\n')
    refused = count(tmp_path, "--method", "plurality", "tied.jsonl")
    assert refused.returncode == 2
    assert refused.stdout == ""
    assert "A lot is needed: in round 1, lyon, porto tie for first place" in refused.stderr
    assert "--seed" in refused.stderr

    drawn = count(tmp_path, "--method", "plurality", "--seed", SEED, "tied.jsonl")
    assert drawn.returncode == 0, drawn.stderr
    seed = bytes.fromhex(SEED)
    for city in ("lyon", "porto"):
        key = hashlib.sha256(seed + city.encode()).hexdigest()  # as docs/counting.md says
        assert key == lot_key(seed, city).hex()
        assert key in drawn.stdout
    winner = min(("lyon", "porto"), key=lambda c: lot_key(seed, c))
    assert f"Winner: {winner}, by lot among lyon and porto" in drawn.stdout


def test_a_manifest_gives_method_candidates_names_rules_and_electorate(tmp_path: Path) -> None:
    manifest = {
        "format": "inmc-vote/manifest/v2",
        "method": "exhaustive",
        "rules": {"quorum": "1/2", "blank_allowed": False, "last_place_tie": "runoff"},
        "candidates": [
            {"id": "lyon", "city": "Lyon", "country": "France"},
            {"id": "porto", "city": "Porto", "country": "Portugal"},
            {"id": "gdansk", "city": "Gdańsk", "country": "Poland"},
        ],
        "eligible": 12,
    }
    (tmp_path / "manifest.json").write_text(json.dumps(manifest))
    votes = ["lyon"] * 3 + ["porto"] * 2 + ["gdansk"] * 2
    lines = [json.dumps({"v": 1, "choice": c}) for c in votes] + ['{"v":1,"blank":true}']
    (tmp_path / "round1.jsonl").write_text("\n".join(lines))
    result = count(tmp_path, "--manifest", "manifest.json", "round1.jsonl")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "Method: Exhaustive ballot" in out
    assert "Quorum: 1/2 of the eligible, 6 ballots: met" in out
    assert "1 invalid (blank-not-allowed)" in out
    assert "Porto, Portugal [porto] and Gdańsk, Poland [gdansk] tie for last with 2" in out
    assert "Next: a runoff for last place between Porto, Portugal [porto] and Gdańsk" in out

    mismatch = count(tmp_path, "--manifest", "manifest.json", "--method", "irv", "round1.jsonl")
    assert mismatch.returncode == 1
    assert "the manifest's method is exhaustive, not irv" in mismatch.stderr


def test_bad_files_and_options_are_refused_with_the_reason(tmp_path: Path) -> None:
    (tmp_path / "broken.toi").write_text("# NUMBER ALTERNATIVES: 2\n3: 1,5\n")
    (tmp_path / "cities.csv").write_text("name,country\nLyon,FR\n")
    (tmp_path / "prose.jsonl").write_text("dear organiser,\nhere are the votes\n")
    (tmp_path / "latin1.jsonl").write_bytes(b'{"v":1,"choice":"\xe9"}\n')
    borda = {"method": "borda", "rules": {}, "candidates": [], "eligible": 3}
    (tmp_path / "borda.json").write_text(json.dumps(borda))
    cases = [
        (["--method", "irv", "broken.toi"], "line 2: alternative 5 is not among the 2"),
        (["--method", "irv", "cities.csv"], "cannot tell the file's format"),
        (["--method", "irv", "prose.jsonl"], "no line is JSON"),
        (["--method", "irv", "latin1.jsonl"], "not UTF-8"),
        (["--method", "irv", "missing.toi"], "Cannot read missing.toi"),
        (["broken.toi"], "--method"),
        (["--method", "irv", "--seed", "xyz", "broken.toi"], "hexadecimal"),
        (["--method", "irv", "--quorum", "1/2", "broken.toi"], "--eligible"),
        (["--method", "irv", "--quorum", "3/2", "--eligible", "4", "broken.toi"], "at most 1"),
        (["--manifest", "cities.csv", "broken.toi"], "not a usable manifest"),
        (["--manifest", "borda.json", "broken.toi"], "borda is not a counting method"),
        (["--method", "irv", "--eligible", "-1", "broken.toi"], "0 or more"),
    ]
    for args, words in cases:
        result = count(tmp_path, *args)
        assert result.returncode == 1, (args, result.stderr)
        assert words in result.stderr, (args, result.stderr)
        assert result.stdout == ""


def test_help_explains_the_files_the_lot_and_the_exit_statuses(tmp_path: Path) -> None:
    result = count(tmp_path, "--help")
    assert result.returncode == 0
    text = " ".join(result.stdout.split())
    for words in ("JSON Lines", "PrefLib", "first tie", "SHA256(seed", "--seed", "Exit status"):
        assert words in text


def test_a_hostile_preflib_file_is_refused_with_its_bound_not_a_traceback(
    tmp_path: Path,
) -> None:
    """Issue 11: `10000000000: 1` and `# NUMBER ALTERNATIVES: 1000000000` died with a
    MemoryError; `5: 2,{1,9}` was counted."""
    for name, text, words in [
        ("huge.soi", "# NUMBER ALTERNATIVES: 2\n10000000000: 1\n", "more than 10,000,000 ballots"),
        ("wide.soi", "# NUMBER ALTERNATIVES: 1000000000\n1: 1\n", "at most 1,000"),
        ("stray.toi", "# NUMBER ALTERNATIVES: 5\n5: 2,{1,9}\n", "alternative 9 is not among"),
    ]:
        (tmp_path / name).write_text(text)
        result = count(tmp_path, "--method", "irv", name)
        assert result.returncode != 0
        assert words in result.stderr
        assert "Traceback" not in result.stderr

"""Every refusal is a sentence the extractor can find, so that it can be translated.

A refusal (RuleError and its kinds) takes a string literal with `{name}` fields and the
values as keyword arguments, never an f-string or a sentence built by concatenation; a
sentence written elsewhere (a constant, a table) is marked with N_ where it is written.
The one exception is `RuleError.as_written`, for reasons composed in English by the
protocol's checks (which the auditor's verifier shares) and lists of a CSV file's problems.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import inmc_vote
from inmc_vote.domain import ballots, errors, text
from inmc_vote.domain.lifecycle import STATE_NAMES, State

PACKAGE = Path(inmc_vote.__file__).parent
REFUSALS = {
    name
    for name, value in vars(errors).items()
    if isinstance(value, type) and issubclass(value, errors.RuleError)
}


def _called(node: ast.Call) -> str | None:
    if isinstance(node.func, ast.Name):
        return node.func.id
    if isinstance(node.func, ast.Attribute):
        return node.func.attr
    return None


def _is_marked_call(node: ast.expr) -> bool:
    """N_("a literal")."""
    return (
        isinstance(node, ast.Call)
        and _called(node) == "N_"
        and len(node.args) == 1
        and isinstance(node.args[0], ast.Constant)
        and isinstance(node.args[0].value, str)
    )


def _marks(value: ast.expr) -> bool:
    """A constant or a table whose sentences are all marked with N_."""
    if _is_marked_call(value):
        return True
    if isinstance(value, ast.Dict):
        return bool(value.values) and all(_marks(v) for v in value.values)
    if isinstance(value, ast.Tuple | ast.List):
        return bool(value.elts) and all(_marks(v) for v in value.elts)
    return False


def marked_names(trees: dict[Path, ast.Module]) -> set[str]:
    """Names assigned (anywhere in the package) a marked sentence or table of them."""
    names = set()
    for tree in trees.values():
        for node in ast.walk(tree):
            if isinstance(node, ast.Assign) and _marks(node.value):
                names |= {t.id for t in node.targets if isinstance(t, ast.Name)}
            if (
                isinstance(node, ast.AnnAssign)
                and isinstance(node.target, ast.Name)
                and node.value
                and _marks(node.value)
            ):
                names.add(node.target.id)
    return names


def _acceptable(first: ast.expr, marked: set[str]) -> bool:
    if isinstance(first, ast.Constant) and isinstance(first.value, str):
        return True
    if _is_marked_call(first):
        return True
    if isinstance(first, ast.Name):
        return first.id in marked
    if isinstance(first, ast.Subscript) and isinstance(first.value, ast.Name):
        return first.value.id in marked
    return False


def _refusal_classes(tree: ast.Module) -> set[str]:
    """Classes of this module that derive from a refusal (their super().__init__ counts)."""
    return {
        node.name
        for node in ast.walk(tree)
        if isinstance(node, ast.ClassDef)
        and any(isinstance(b, ast.Name) and b.id in REFUSALS for b in node.bases)
    }


def offenders(trees: dict[Path, ast.Module]) -> list[str]:
    marked = marked_names(trees)
    found = []
    for path, tree in trees.items():
        refusal_classes = _refusal_classes(tree)
        for cls in (n for n in ast.walk(tree) if isinstance(n, ast.ClassDef)):
            if cls.name not in refusal_classes:
                continue
            for node in ast.walk(cls):
                if (
                    isinstance(node, ast.Call)
                    and _called(node) == "__init__"
                    and isinstance(node.func, ast.Attribute)
                    and isinstance(node.func.value, ast.Call)
                    and _called(node.func.value) == "super"
                    and node.args
                    and not (_is_marked_call(node.args[0]) or _acceptable(node.args[0], marked))
                ):
                    found.append(f"{path}:{node.lineno}: {ast.unparse(node.args[0])[:80]}")
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and _called(node) in REFUSALS and node.args):
                continue
            if isinstance(node.func, ast.Attribute) and node.func.attr not in REFUSALS:
                continue
            if not _acceptable(node.args[0], marked):
                found.append(f"{path}:{node.lineno}: {ast.unparse(node.args[0])[:80]}")
    return found


def parse(sources: dict[str, str]) -> dict[Path, ast.Module]:
    return {Path(name): ast.parse(text) for name, text in sources.items()}


def test_every_refusal_in_the_package_is_a_literal_template_or_a_marked_sentence():
    trees = {
        path.relative_to(PACKAGE): ast.parse(path.read_text(encoding="utf-8"))
        for path in sorted(PACKAGE.rglob("*.py"))
    }
    assert offenders(trees) == []


def test_the_rule_catches_f_strings_concatenation_and_unmarked_constants():
    trees = parse(
        {
            "a.py": (
                "from inmc_vote.domain.errors import Invalid, Conflict, N_\n"
                "LATE = 'It is late.'\n"
                "GONE = N_('It is gone.')\n"
                "WORDS = {1: N_('One.'), 2: N_('Two.')}\n"
                "def f(n, k):\n"
                "    raise Invalid(f'{n} rows')\n"
                "def g(n):\n"
                "    raise Conflict('Line ' + str(n))\n"
                "def h():\n"
                "    raise Conflict(LATE)\n"
                "def fine(n, k):\n"
                "    raise Invalid('{n} rows', n=n)\n"
                "    raise Conflict(GONE)\n"
                "    raise Conflict(WORDS[k])\n"
                "    raise Conflict(N_('Marked.'))\n"
                "    raise Conflict.as_written(str(n))\n"
                "class Mine(Invalid):\n"
                "    def __init__(self, n):\n"
                "        super().__init__(f'{n} bad')\n"
            )
        }
    )

    found = offenders(trees)

    assert [line.split(": ", 1)[0] for line in found] == ["a.py:19", "a.py:6", "a.py:8", "a.py:10"]


def test_a_refusal_keeps_its_template_and_its_english_message():
    refused = errors.Invalid("The file has {count} rows; at most {limit}.", count=3, limit=2)
    assert refused.template == "The file has {count} rows; at most {limit}."
    assert refused.params == {"count": 3, "limit": 2}
    assert refused.message == "The file has 3 rows; at most 2."
    assert errors.Conflict.as_written("as it is {x}").message == "as it is {x}"


def test_every_field_check_text_names_is_marked_for_translation():
    """`check_text(label, …)` refusals translate `label` through text.LABELS: a label
    missing there would stay in English inside a French sentence."""
    labels = set()
    for path in sorted(PACKAGE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and _called(node) == "check_text" and node.args:
                first = node.args[0]
                if isinstance(first, ast.Constant) and isinstance(first.value, str):
                    labels.add(first.value)
    labels |= set(ballots._VARIANT_LABELS.values())
    assert labels
    assert labels <= set(text.LABELS)


def test_a_field_refusal_names_its_field_and_the_character():
    with pytest.raises(errors.Invalid) as refused:
        text.check_text("the title", "Ly\u202eon", name=True)
    assert refused.value.message == (
        "The title contains an invisible character that reorders or hides text (U+202E); "
        "type the name again without it."
    )
    assert refused.value.params["label"] == "The title"


def test_every_state_a_refusal_names_is_marked_for_translation():
    assert set(STATE_NAMES) == {state.value for state in State}

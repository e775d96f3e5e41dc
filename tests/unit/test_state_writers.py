"""One writer per state: an edition's state is assigned in editions/states.py and nowhere else
(docs/architecture.md#one-writer-per-state)."""

from __future__ import annotations

import ast
from pathlib import Path

import newsletter

PACKAGE = Path(newsletter.__file__).parent
ROOT = PACKAGE.parent
WRITER = PACKAGE / "editions" / "states.py"
#: where code lives: the app, the workers, the migrations' helpers and the tests (whose
#: fixtures go through tests/factories.py:put_in_state, along the same transitions)
SEARCHED = ("newsletter", "workers", "tests", "bench")
THIS = Path(__file__)


def _names(node: ast.AST) -> set[str]:
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name)} | {
        n.attr for n in ast.walk(node) if isinstance(n, ast.Attribute)
    }


def edition_state_writes(path: Path) -> list[int]:
    """Lines that assign an edition's state: `<…edition…>.state = …`, or `state=EditionState.…`
    as a keyword (an UPDATE's values, a model's constructor)."""
    lines = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Assign | ast.AugAssign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                for part in ast.walk(target):
                    if (
                        isinstance(part, ast.Attribute)
                        and part.attr == "state"
                        and (
                            any("edition" in n.lower() for n in _names(part.value))
                            or "EditionState" in _names(node.value or ast.Constant(None))
                        )
                    ):
                        lines.append(node.lineno)
        is_state = isinstance(node, ast.keyword) and node.arg == "state"
        if is_state and "EditionState" in _names(node.value):
            lines.append(node.value.lineno)
    return sorted(lines)


def test_only_editions_states_writes_an_editions_state():
    found = {
        str(path.relative_to(ROOT)): lines
        for folder in SEARCHED
        for path in sorted((ROOT / folder).rglob("*.py"))
        if path not in (WRITER, THIS) and (lines := edition_state_writes(path))
    }
    assert found == {}, f"edition state written outside editions/states.py: {found}"


def test_the_check_sees_both_forms(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text(
        "edition.state = EditionState.draft\n"
        "db.update(Edition).values(state=EditionState.sent)\n"
        "job.state = 'done'\n"
        "sent.state, sent.sent_at = EditionState.sent, now\n"
    )
    assert edition_state_writes(sample) == [1, 2, 4]

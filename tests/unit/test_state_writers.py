"""One writer per state (docs/architecture.md#one-writer-per-state): an edition's state is
assigned in editions/states.py and nowhere else; a reader's state changes only in
subscribers/lifecycle/core.py and a ledger row's only in delivery/ledger/states.py (and its hot
path, ledger/marks.py). Each writer has its TRANSITIONS and its change_state."""

from __future__ import annotations

import ast
import functools
from collections.abc import Callable
from pathlib import Path

import pytest

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


def _found(check: Callable[[Path], list[int]], *writers: Path) -> dict[str, list[int]]:
    """The lines `check` finds in each file of the code but the writers' (and this one)."""
    return {
        str(path.relative_to(ROOT)): lines
        for folder in SEARCHED
        for path in sorted((ROOT / folder).rglob("*.py"))
        if path not in (*writers, THIS) and (lines := check(path))
    }


def test_only_editions_states_writes_an_editions_state():
    found = _found(edition_state_writes, WRITER)
    assert found == {}, f"edition state written outside editions/states.py: {found}"


#: a reader's state and a ledger row's state change in their one writer only (creating a row in
#: its first state is no change: a sign-up, an import, the snapshot, a test's fixture)
WRITERS = {
    "SubscriberState": PACKAGE / "subscribers" / "lifecycle" / "core.py",
    "DeliveryState": PACKAGE / "delivery" / "ledger" / "states.py",
}
#: the ledger's hot path: the same transition in one SQL statement, checked against TRANSITIONS
MARKS = PACKAGE / "delivery" / "ledger" / "marks.py"
RAW_UPDATES = {"SubscriberState": "update subscriber set", "DeliveryState": "update delivery set"}


def _aliases(tree: ast.AST, enum: str) -> set[str]:
    """The enum's names in a module: itself, `S = SubscriberState`, and `S` imported from its
    writer (`from …lifecycle.core import S`)."""
    names = {enum}
    writer = ".".join(WRITERS[enum].relative_to(ROOT).with_suffix("").parts)
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Name):
            if node.value.id in names:
                names |= {t.id for t in node.targets if isinstance(t, ast.Name)}
        elif isinstance(node, ast.ImportFrom) and node.module == writer:
            names |= {a.asname or a.name for a in node.names if a.name == "S"}
    return names


def state_changes(path: Path, enum: str) -> list[int]:
    """Lines that change a row's state: `<…>.state = <enum>.…`, `.values(state=<enum>.…)` (an
    UPDATE), or SQL text that updates the table's state."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = _aliases(tree, enum)
    lines = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign | ast.AnnAssign) and node.value is not None:
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            assigns_state = any(
                isinstance(part, ast.Attribute) and part.attr == "state"
                for target in targets
                for part in ast.walk(target)
            )
            if assigns_state and names & _names(node.value):
                lines.append(node.lineno)
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "values"
        ):
            lines += [
                k.value.lineno
                for k in node.keywords
                if k.arg == "state" and names & _names(k.value)
            ]
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            text = " ".join(node.value.lower().split())
            if RAW_UPDATES[enum] in text and "state" in text:
                lines.append(node.lineno)
    return sorted(lines)


def test_only_the_writers_change_a_readers_or_a_ledger_rows_state():
    found = {
        enum: changes
        for enum, writer in WRITERS.items()
        if (changes := _found(functools.partial(state_changes, enum=enum), writer, MARKS))
    }
    assert found == {}, f"a state changed outside its writer: {found}"


#: each check's forms, and lines that look alike but are none of its business
SAMPLE = """\
edition.state = EditionState.draft
db.update(Edition).values(state=EditionState.sent)
job.state = 'done'
sent.state, sent.sent_at = EditionState.sent, now
from newsletter.subscribers.lifecycle.core import S
subscriber.state = S.active
db.update(Subscriber).values(state=SubscriberState.bounced)
make_subscriber(db, state=SubscriberState.active)
sql = 'UPDATE subscriber SET state = 1'
D = DeliveryState
row.state, row.error = D.failed, 'x'
insert(Delivery).values(state=DeliveryState.pending)
'UPDATE delivery SET state = $1'
"""


def test_the_checks_see_every_form(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text(SAMPLE)
    assert edition_state_writes(sample) == [1, 2, 4]
    assert state_changes(sample, "SubscriberState") == [6, 7, 9]
    assert state_changes(sample, "DeliveryState") == [11, 12, 13]


def test_the_transitions_are_the_writers_own():
    from newsletter.delivery.ledger import marks
    from newsletter.delivery.ledger import states as ledger
    from newsletter.delivery.models import DeliveryState
    from newsletter.editions import states as editions
    from newsletter.subscribers.lifecycle import core as readers
    from newsletter.subscribers.models import SubscriberState

    for writer, enum in (
        (editions, editions.EditionState),
        (readers, SubscriberState),
        (ledger, DeliveryState),
    ):
        assert set(writer.TRANSITIONS) == set(enum), writer.__name__
        assert callable(writer.change_state)
    with pytest.raises(ValueError, match="not a transition"):
        readers.change_state(1, [SubscriberState.unsubscribed], SubscriberState.bounced)
    with pytest.raises(ValueError, match="not a transition"):
        ledger.change_state(1, [DeliveryState.failed], DeliveryState.sent)
    assert set(marks.MARKED) == {DeliveryState.sent, DeliveryState.failed, DeliveryState.skipped}

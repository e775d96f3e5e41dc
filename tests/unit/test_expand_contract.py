"""Migrations since the previous release only expand (docs/operations.md#rolling-deploys).

While a release rolls out, the previous release's nodes run on the new schema: a column or
table they read must not be dropped or renamed by the migrations of the release that stops
using it. Every migration written after the commit in .ci/previous-release is read here; a
drop or a rename in its upgrade() fails the test unless the module says it is a contract step,
`CONTRACT = "why the previous release no longer needs it"`. (.ci/previous-release-check runs the
previous release's smoke tests against the new schema; this test names the offending line.)
"""

from __future__ import annotations

import ast
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
VERSIONS = ROOT / "migrations" / "versions"
#: calls that take away what running code may still read (on `op` or a `batch_op` alike)
CONTRACTING = {"drop_column", "drop_table", "rename_table"}


def previous_release() -> str:
    lines = (ROOT / ".ci" / "previous-release").read_text().splitlines()
    return next(line.strip() for line in lines if line.strip() and not line.startswith("#"))


def released_revisions(commit: str) -> set[str]:
    """Revision ids in the previous release's migrations (by id: files may be renamed)."""
    found = subprocess.run(
        ["git", "grep", "-h", "^revision = ", commit, "--", "migrations/versions"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return {line.split("=", 1)[1].strip().strip("\"'") for line in found.splitlines()}


def contract_steps(source: str) -> list[str]:
    """`line N: call` for each drop or rename in upgrade(), unless CONTRACT gives a reason."""
    tree = ast.parse(source)
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "CONTRACT" for t in node.targets
        ):
            value = node.value
            if isinstance(value, ast.Constant) and isinstance(value.value, str) and value.value:
                return []
    upgrade = next(
        (n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == "upgrade"), None
    )
    found = []
    for call in ast.walk(upgrade) if upgrade else []:
        if not isinstance(call, ast.Call) or not isinstance(call.func, ast.Attribute):
            continue
        name = call.func.attr
        renames = name == "alter_column" and any(k.arg == "new_column_name" for k in call.keywords)
        if name in CONTRACTING or renames:
            found.append(f"line {call.lineno}: {name}")
    return found


def revision_of(source: str) -> str:
    for node in ast.parse(source).body:
        if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", "") == "revision":
            return node.value.value  # type: ignore[attr-defined]
    raise AssertionError("a migration without `revision`")


def test_migrations_since_the_previous_release_only_expand():
    released = released_revisions(previous_release())
    assert "0001" in released  # the previous release is read, not an empty answer
    new = [p for p in sorted(VERSIONS.glob("*.py")) if revision_of(p.read_text()) not in released]
    problems = {p.name: contract_steps(p.read_text()) for p in new}
    assert not {name: found for name, found in problems.items() if found}, (
        "these drop or rename in the release that stops using it: keep the column or table "
        "until the next release, or mark the migration CONTRACT = '<reason>' "
        "(docs/operations.md#rolling-deploys)"
    )


DROP = """
def upgrade():
    with op.batch_alter_table("editor") as batch_op:
        batch_op.drop_column("test_addresses")


def downgrade():
    op.drop_table("editor_test_address")
"""


def test_the_scan_sees_drops_and_renames_in_upgrade_only():
    assert contract_steps(DROP) == ["line 4: drop_column"]
    rename = 'def upgrade():\n    op.alter_column("subscriber", "name", new_column_name="x")\n'
    assert contract_steps(rename) == ["line 2: alter_column"]
    assert contract_steps('def upgrade():\n    op.drop_table("blob")\n') == ["line 2: drop_table"]
    widen = 'def upgrade():\n    op.alter_column("subscriber", "name", nullable=True)\n'
    assert contract_steps(widen) == []


def test_a_contract_step_names_its_reason():
    reason = 'CONTRACT = "661552a was the last release to read editor.test_addresses"\n'
    assert contract_steps(reason + DROP) == []
    assert contract_steps("CONTRACT = True\n" + DROP) == ["line 5: drop_column"]
    assert contract_steps('CONTRACT = ""\n' + DROP) == ["line 5: drop_column"]

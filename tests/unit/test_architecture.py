"""What the import contracts cannot see: views neither commit nor hold SQL themselves."""

from __future__ import annotations

import ast
from pathlib import Path

import newsletter

PACKAGE = Path(newsletter.__file__).parent
VIEWS = [*sorted(PACKAGE.rglob("views.py")), PACKAGE / "editions" / "archive.py"]


def _calls(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return {
        node.func.attr
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
    }


def test_views_leave_commits_and_queries_to_services():
    assert len(VIEWS) >= 5
    for path in VIEWS:
        found = _calls(path) & {"commit", "execute", "scalar", "scalars", "flush", "add"}
        assert not found, f"{path.name} calls {sorted(found)}: move it into a service"

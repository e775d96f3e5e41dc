"""What the import contracts cannot see: every module that answers requests is named views.py
or *_views.py, holds no commit or query of its own, and is in the views' import contract."""

from __future__ import annotations

import ast
import tomllib
from pathlib import Path

import newsletter

PACKAGE = Path(newsletter.__file__).parent
VIEWS = sorted(PACKAGE.rglob("*views.py"))
ROUTE_DECORATORS = {"get", "post", "route", "put", "patch", "delete", "operation"}


def _calls(path: Path) -> set[str]:
    """Methods called on a session, a connection or the database (`db.session.add`, …)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return {
        node.func.attr
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and any(word in ast.unparse(node.func.value) for word in ("session", "db", "conn"))
    }


def _answers_requests(path: Path) -> bool:
    """A function decorated as a route (`@bp.get`, `@operation(…)`, …)."""
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.FunctionDef):
            for deco in node.decorator_list:
                target = deco.func if isinstance(deco, ast.Call) else deco
                name = (
                    target.attr if isinstance(target, ast.Attribute) else getattr(target, "id", "")
                )
                if name in ROUTE_DECORATORS:
                    return True
    return False


def _routed_modules(path: Path) -> set[str]:
    """The modules whose functions a blueprint file hands to `add_url_rule`."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    imported = {
        alias.asname or alias.name: f"{node.module}.{alias.name}"
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.module
        for alias in node.names
    }
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "add_url_rule":
            for arg in node.args[2:3]:
                for part in ast.walk(arg):
                    named = isinstance(part, ast.Attribute) and isinstance(part.value, ast.Name)
                    if named and part.value.id in imported and part.attr != "limit":
                        found.add(imported[part.value.id])
    return found


def test_every_module_that_answers_requests_is_named_views():
    wrong = [
        str(path.relative_to(PACKAGE))
        for path in PACKAGE.rglob("*.py")
        if _answers_requests(path) and not path.name.endswith("views.py")
    ]
    routed = {m for path in PACKAGE.rglob("*.py") for m in _routed_modules(path)}
    wrong += sorted(m for m in routed if not m.rsplit(".", 1)[-1].endswith("views"))
    assert wrong == []
    assert len(VIEWS) >= 20


def test_views_leave_commits_and_queries_to_services():
    for path in VIEWS:
        found = _calls(path) & {"commit", "execute", "scalar", "scalars", "flush", "add"}
        assert not found, f"{path.name} calls {sorted(found)}: move it into a service"


def test_every_views_module_is_in_the_views_contract():
    config = tomllib.loads((PACKAGE.parent / "pyproject.toml").read_text(encoding="utf-8"))
    contract = next(
        c for c in config["tool"]["importlinter"]["contracts"] if c["name"].startswith("Views")
    )
    names = {".".join(p.relative_to(PACKAGE.parent).with_suffix("").parts) for p in VIEWS}
    assert names <= set(contract["source_modules"])


def test_the_commit_check_sees_a_session(tmp_path):
    sample = tmp_path / "views.py"
    sample.write_text("db.session.commit()\nservice.add(1)\nconnection.execute(q)\n")
    assert _calls(sample) == {"commit", "execute"}

"""Roles of editors, and the check every protected view makes.

- redacteur: writes editions, uploads images, test-sends;
- eindredacteur: also schedules, publishes, pauses and cancels sends;
- beheerder: manages editors and the readers' data (import, export, inzage, erasure).
One person may hold several. `add_routes` puts a blueprint's table of guarded views in place.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from flask import Blueprint, abort
from flask_login import current_user, login_required

REDACTEUR, EINDREDACTEUR, BEHEERDER = "redacteur", "eindredacteur", "beheerder"
ALL = (REDACTEUR, EINDREDACTEUR, BEHEERDER)
LABELS = {REDACTEUR: "Redacteur", EINDREDACTEUR: "Eindredacteur", BEHEERDER: "Beheerder"}
GET_POST, POST = ("GET", "POST"), ("POST",)
#: (path, endpoint, view with its guard) and, when not GET only, the methods
Route = tuple[str, str, Callable[..., Any]] | tuple[str, str, Callable[..., Any], Sequence[str]]


def parse(text: str) -> tuple[str, ...]:
    """'redacteur, beheerder' → the roles, in a fixed order; ValueError names an unknown one."""
    given = {part.strip().lower() for part in text.split(",") if part.strip()}
    unknown = given - set(ALL)
    if unknown:
        raise ValueError(
            f"Onbekende rol: {', '.join(sorted(unknown))} (kies uit {', '.join(ALL)})."
        )
    if not given:
        raise ValueError(f"Kies minstens één rol: {', '.join(ALL)}.")
    return tuple(role for role in ALL if role in given)


def requires(role: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Logged in (else the login page) and holding `role` (else 403, the URL included)."""

    def decorate(view: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(view)
        def checked(*args: Any, **kwargs: Any) -> Any:
            if not current_user.has_role(role):
                abort(403)
            return view(*args, **kwargs)

        guarded = login_required(checked)
        # read by the pages' test: a page shows a form only to whoever may send it
        guarded.required_role = role  # type: ignore[attr-defined]
        return guarded

    return decorate


def add_routes(bp: Blueprint, routes: Iterable[Route]) -> None:
    """One URL rule a row: each view carries its own guard (`requires`, `login_required`, a
    rate limit), so the table shows who may open what."""
    for path, endpoint, view, *methods in routes:
        bp.add_url_rule(path, endpoint, view, methods=list(methods[0]) if methods else None)

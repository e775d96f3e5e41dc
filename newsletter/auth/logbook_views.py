"""/beheer/logboek: the audit log for beheerders ("Logboek"), and every other editor's own
actions ("Mijn acties"), filtered by kind, person and period, in pages."""

from __future__ import annotations

from flask import render_template, request, url_for
from flask_login import current_user

from newsletter.auth import logbook, roles
from newsletter.auth.audit import ACTION_LABELS


def index() -> tuple[str, int]:
    everyone = current_user.has_role(roles.BEHEERDER)
    try:
        filters = logbook.parse(request.args.to_dict())
        error, status = "", 200
    except logbook.FilterError as exc:
        filters, error, status = logbook.Filters(), str(exc), 422
    found = logbook.page(current_user, filters)

    def link(number: int) -> str:
        given = {k: v for k, v in request.args.items() if k not in ("pagina", "stand") and v}
        return url_for("auth.logbook", **given, pagina=number, stand=found.upto)

    return render_template(
        "beheer/logbook.html",
        everyone=everyone,
        found=found,
        filters=filters,
        error=error,
        kinds=logbook.kinds(current_user),
        people=logbook.people() if everyone else [],
        labels=ACTION_LABELS,
        link=link,
        args=request.args,
    ), status

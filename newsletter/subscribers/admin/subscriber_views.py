"""Thin views of one reader for beheerders: search, the reader's page (details, consent history,
editions received, the data as a readable page beside the JSON download), and corrections."""

from __future__ import annotations

import json

from flask import flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from newsletter.auth.audit import current_actor
from newsletter.errors import or_404
from newsletter.reference.services import find_gemeente
from newsletter.subscribers import directory, lifecycle, privacy, segments
from newsletter.subscribers.admin import history
from newsletter.subscribers.admin.forms import CorrectionForm
from newsletter.subscribers.models import Role


def search() -> str:
    text = request.args.get("q", "")
    found = directory.search(text) if text else []
    return render_template(
        "beheer/subscriber_search.html", text=text, found=found, limit=directory.SEARCH_LIMIT
    )


def _form(subscriber) -> CorrectionForm:
    data = None
    if request.method == "GET":
        data = {
            "name": subscriber.name,
            "gemeente": subscriber.gemeente.display_name if subscriber.gemeente else "",
            "role": subscriber.role.value,
        }
    form = CorrectionForm(data=data)
    form.role.choices = directory.role_choices()
    return form


def subscriber(subscriber_id: int) -> str | Response | tuple[str, int]:
    """Looking at a reader's data is access to personal data: audited (BIO)."""
    subscriber = or_404(directory.get(subscriber_id))
    form = _form(subscriber)
    if request.method == "POST" and form.validate_on_submit():
        gemeente = find_gemeente(form.gemeente.data)
        if gemeente is None:
            form.gemeente.errors = ["Deze gemeente kennen we niet. Kies er een uit de lijst."]
        else:
            change = lifecycle.ProfileChange(
                form.name.data.strip(), gemeente.code, Role(form.role.data)
            )
            changed = lifecycle.correct(subscriber.id, change, current_actor())
            flash("Opgeslagen." if changed else "Er was niets veranderd.")
            return redirect(
                url_for("subscriber_admin.subscriber", subscriber_id=subscriber.id), 303
            )
    elif request.method == "GET":
        privacy.note_viewed(current_actor(), subscriber.id)
    return render_template(
        "beheer/reader.html",
        subscriber=subscriber,
        state=directory.STATE_LABELS[subscriber.state],
        history=directory.history(subscriber.id),
        received=history.received(subscriber.id),
        form=form,
        gemeente_names=segments.gemeente_names(),
    ), (422 if form.errors else 200)


def subscriber_json(subscriber_id: int) -> Response:
    """Everything we hold, as the JSON file an access request (inzage) is answered with."""
    subscriber = or_404(directory.get(subscriber_id))
    data = privacy.person_export(subscriber.email, current_actor())
    response = Response(json.dumps(data, ensure_ascii=False, indent=2), mimetype="application/json")
    response.headers["Content-Disposition"] = 'attachment; filename="inzage.json"'
    response.headers["Cache-Control"] = "no-store"
    return response

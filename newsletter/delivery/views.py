"""Thin views: publish with a confirmation step, the live progress page, pause/resume/cancel,
and the figures of every send."""

from __future__ import annotations

from flask import abort, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from newsletter.auth.audit import current_actor
from newsletter.delivery import control, figures, progress
from newsletter.delivery import recipients as recipients_of
from newsletter.delivery.forms import CancelForm
from newsletter.delivery.reconcile import reconcile
from newsletter.editions import services as editions
from newsletter.editions import states
from newsletter.editions.models import Edition, EditionState
from newsletter.forms import ActionForm
from newsletter.subscribers import segments


def _edition(edition_id: int) -> Edition:
    try:
        return editions.get(edition_id)
    except editions.EditionError:
        abort(404)


def _to_progress(edition: Edition) -> Response:
    return redirect(url_for("delivery.sending", edition_id=edition.id), code=303)


def confirm(edition_id: int) -> str | Response | tuple[str, int]:
    """GET: how many readers it goes to now; POST: publish."""
    edition = _edition(edition_id)
    if edition.state not in (EditionState.draft, EditionState.scheduled):
        return _to_progress(edition)
    form = ActionForm()
    problem, recipients = None, 0
    try:
        recipients = states.check_sendable(edition, current_actor()).recipients
    except editions.EditionError as exc:
        problem = str(exc)
    if form.validate_on_submit() and problem is None:
        try:
            control.publish(edition.id, current_actor())
        except editions.EditionError as exc:
            problem = str(exc)
        else:
            flash(f"De editie wordt verzonden naar {recipients} lezers.")
            return _to_progress(edition)
    described = segments.resolve(edition.segment).describe() if problem is None else ""
    return render_template(
        "beheer/publish.html",
        edition=edition,
        form=form,
        recipients=recipients,
        problem=problem,
        segment=described,
    ), (422 if problem else 200)


def sending(edition_id: int) -> str:
    edition = _edition(edition_id)
    return render_template(
        "beheer/sending.html",
        edition=edition,
        shown=progress.progress(edition),
        results=figures.of_edition(edition.id) if edition.state == EditionState.sent else None,
        action=ActionForm(),
        cancel_form=CancelForm(),
    )


def status(edition_id: int) -> Response:
    return jsonify(progress.progress(_edition(edition_id)).as_dict())


def pause(edition_id: int) -> Response:
    edition = _edition(edition_id)
    if ActionForm().validate_on_submit():
        if control.pause(edition.id, f"Gepauzeerd door {current_user.email}.", current_actor()):
            flash("Gepauzeerd. Het versturen stopt binnen enkele seconden.")
        else:
            flash("Deze editie wordt niet verzonden en kan dus niet pauzeren.", "error")
    return _to_progress(edition)


def resume(edition_id: int) -> Response:
    edition = _edition(edition_id)
    if ActionForm().validate_on_submit():
        if control.resume(edition.id, current_actor()):
            reconcile(edition.id, force=True)
            flash("Het versturen gaat verder.")
        else:
            flash("Alleen een gepauzeerde editie kan verder.", "error")
    return _to_progress(edition)


def cancel(edition_id: int) -> Response:
    edition = _edition(edition_id)
    form = CancelForm()
    if not form.validate_on_submit():
        flash("Vink aan dat je de rest van de verzending wilt annuleren.", "error")
    elif control.cancel(edition.id, current_actor()):
        flash("Geannuleerd. Wie de editie nog niet had, krijgt haar niet.")
    else:
        flash("Alleen een editie die wordt verzonden of gepauzeerd is, kan worden geannuleerd.")
    return _to_progress(edition)


def overview() -> str:
    return render_template("beheer/sends.html", editions=figures.editions())


def recipients(edition_id: int) -> str:
    """Who received this edition, or (?alleen=mislukt) whose mail failed or bounced."""
    edition = _edition(edition_id)
    failed_only = request.args.get("alleen") == "mislukt"
    return render_template(
        "beheer/recipients.html",
        edition=edition,
        rows=recipients_of.of_edition(edition.id, failed_only),
        failed_only=failed_only,
        limit=recipients_of.LIMIT,
    )

"""Thin views of what an editor does to an edition: approve, ask for approval, test-send,
schedule (a confirmation step with the count), unschedule, duplicate, delete a draft."""

from __future__ import annotations

from collections.abc import Callable

from flask import flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from newsletter.auth.audit import current_actor
from newsletter.editions import approval, housekeeping, services, states, testsends
from newsletter.editions.forms import ScheduleForm, TestSendForm
from newsletter.editions.models import Edition
from newsletter.editions.views import Page, edition_or_404
from newsletter.formatting import AMSTERDAM
from newsletter.forms import ActionForm
from newsletter.subscribers import segments


def _back(edition_id: int) -> Response:
    return redirect(url_for("editions.edit", edition_id=edition_id), code=303)


def _act(edition_id: int, act: Callable[[Edition], object], done: str) -> Response:
    """A button on the edition's page: `act` on a valid POST, then `done` or why it could not
    (an EditionError or SegmentError, in Dutch), and back to the page."""
    edition = edition_or_404(edition_id)
    if ActionForm().validate_on_submit():
        try:
            act(edition)
            flash(done)
        except (services.EditionError, segments.SegmentError) as exc:
            flash(str(exc), "error")
    return _back(edition.id)


def approve(edition_id: int) -> Response:
    """A second eindredacteur approves the version on the page (four-eyes)."""
    return _act(
        edition_id, _approve, "Goedgekeurd. Deze versie kan nu worden ingepland of verstuurd."
    )


def _approve(edition: Edition) -> None:
    recipients = segments.count(segments.resolve(edition.segment))
    seen = request.form.get("versie", "")
    approval.approve(edition, services.render(edition), current_actor(), recipients, seen)


def ask_approval(edition_id: int) -> Response:
    return _act(
        edition_id,
        lambda edition: approval.ask(edition, current_actor()),
        "Gevraagd. Een eindredacteur ziet het bij deze editie.",
    )


def test_send(edition_id: int) -> Response | tuple[Response, int]:
    edition = edition_or_404(edition_id)
    form = TestSendForm()
    wants_json = request.headers.get("X-Requested-With") == "fetch"
    if form.validate_on_submit():
        try:
            sent_to = testsends.request(edition.id, current_user.id, form.addresses.data or "")
        except services.EditionError as exc:
            if wants_json:
                return jsonify({"ok": False, "message": str(exc)}), 422
            flash(str(exc), "error")
        else:
            if wants_json:  # the page shows the mail server's answer when it comes
                return jsonify(
                    {"ok": True, "message": f"De testmail gaat naar {', '.join(sent_to)}."}
                )
            flash(
                f"De testmail gaat naar {', '.join(sent_to)}. Hieronder zie je of de "
                "mailserver hem heeft aangenomen (vernieuw de pagina)."
            )
    elif wants_json:
        errors = [e for field in form.errors.values() for e in field]
        return jsonify({"ok": False, "message": " ".join(map(str, errors))}), 422
    return _back(edition.id)


def schedule(edition_id: int) -> Page:
    """Step one shows when and to how many readers; step two (confirmed) plans it."""
    edition = edition_or_404(edition_id)
    form = ScheduleForm()
    if not form.validate_on_submit():
        flash(next(iter(form.when.errors), "Kies een geldige datum en tijd."), "error")
        return _back(edition.id)
    when = form.when.data.replace(tzinfo=AMSTERDAM)
    try:
        recipients = states.check_sendable(edition, current_actor(), when=when).recipients
    except services.EditionError as exc:
        flash(str(exc), "error")
        return _back(edition.id)
    if request.form.get("bevestigd") != "ja":
        return render_template(
            "beheer/schedule.html",
            edition=edition,
            form=form,
            when=when,
            recipients=recipients,
            segment=segments.resolve(edition.segment).describe(),
        )
    try:
        services.schedule(edition.id, when, current_actor())
        flash(f"Ingepland voor {when:%d-%m-%Y %H:%M} (Nederlandse tijd).")
    except services.EditionError as exc:
        flash(str(exc), "error")
    return _back(edition.id)


def unschedule(edition_id: int) -> Response:
    return _act(
        edition_id,
        lambda edition: services.unschedule(edition.id, current_actor()),
        "De editie is weer een concept.",
    )


def duplicate(edition_id: int) -> Response:
    edition = edition_or_404(edition_id)
    if ActionForm().validate_on_submit():
        copy = housekeeping.duplicate(edition, current_actor())
        flash("Dit is een kopie; pas hem aan en sla op.")
        return _back(copy.id)
    return _back(edition.id)


def delete(edition_id: int) -> Page:
    """GET asks; POST deletes the draft (audited)."""
    edition = edition_or_404(edition_id)
    form = ActionForm()
    if form.validate_on_submit():
        try:
            housekeeping.delete_draft(edition, current_actor())
        except services.EditionError as exc:
            flash(str(exc), "error")
            return _back(edition.id)
        flash(f"De editie ‘{edition.title or 'zonder titel'}’ is verwijderd.")
        return redirect(url_for("editions.index"), code=303)
    return render_template("beheer/delete.html", edition=edition, form=form)

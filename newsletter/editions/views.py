"""Thin views of the editor's workspace."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from zoneinfo import ZoneInfo

from flask import (
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_login import current_user
from werkzeug.wrappers import Response

from newsletter.auth import audit
from newsletter.auth.roles import EINDREDACTEUR
from newsletter.editions import approval, media, services
from newsletter.editions.forms import STARTER, ScheduleForm, SourceForm
from newsletter.editions.models import EditionState
from newsletter.forms import ActionForm
from newsletter.security import MAIL_PAGE_CSP
from newsletter.subscribers import segments
from newsletter.urls import external_url

AMSTERDAM = ZoneInfo("Europe/Amsterdam")


def index() -> str:
    return render_template(
        "beheer/index.html", editions=services.all_editions(), amsterdam=AMSTERDAM
    )


def _problems_json(preview: services.Preview) -> dict[str, object]:
    return {
        "errors": [str(p) for p in preview.errors],
        "warnings": [str(p) for p in preview.warnings],
        "text": preview.text,
    }


def new() -> str | Response | tuple[str, int]:
    form = SourceForm()
    if form.validate_on_submit():
        edition, _ = services.create(form.source.data, current_user.id)
        flash("De editie is opgeslagen als concept.")
        return redirect(url_for("editions.edit", edition_id=edition.id), code=303)
    if not form.is_submitted():
        form.source.data = STARTER.format(today=date.today().isoformat())
    return render_template("beheer/new.html", form=form), (422 if form.errors else 200)


def _me() -> audit.Actor:
    return audit.Actor(current_user.email, current_user.id)


def _edition_or_404(edition_id: int):
    try:
        return services.get(edition_id)
    except services.EditionError:
        abort(404)


def edit(edition_id: int) -> str | Response | tuple[str, int]:
    edition = _edition_or_404(edition_id)
    if (
        request.method == "POST"
        and edition.state == EditionState.scheduled
        and not current_user.has_role(EINDREDACTEUR)
    ):
        abort(403)  # what is planned to go out is changed only by who may plan it
    form = SourceForm(data={"source": edition.source} if request.method == "GET" else None)
    wants_json = request.headers.get("X-Requested-With") == "fetch"
    if form.validate_on_submit():
        try:
            edition, rendered = services.update(edition.id, form.source.data, _me())
        except services.EditionError as exc:
            if wants_json:
                return jsonify({"errors": [str(exc)], "warnings": [], "text": ""}), 409
            form.source.errors = [str(exc)]
        else:
            if wants_json:
                return jsonify(_problems_json(services.preview_of(rendered)) | {"saved": True})
            flash("Opgeslagen.")
            return redirect(url_for("editions.edit", edition_id=edition.id), code=303)
    elif wants_json:
        return jsonify(
            {"errors": [e for f in form.errors.values() for e in f], "warnings": []}
        ), 422
    preview = services.preview(form.source.data or edition.source)
    return render_template(
        "beheer/edit.html",
        edition=edition,
        form=form,
        preview=preview,
        action=ActionForm(),
        schedule_form=ScheduleForm(),
        amsterdam=AMSTERDAM,
        last_test=audit.last("test-send", f"editie {edition.id}"),
        approval=_approval_state(edition),
    ), (422 if form.errors else 200)


def _approval_state(edition) -> dict[str, object]:
    """What the edit page says about four-eyes: approved by whom, or who may approve."""
    rendered = services.render(edition)
    found = approval.approver_of(edition, rendered)
    state: dict[str, object] = {
        "on": approval.four_eyes(),
        "approved": found,
        "may_approve": current_user.has_role(EINDREDACTEUR)
        and approval.may_approve(edition, _me()),
        "asked": audit.last("approval-requested", f"editie {edition.id}"),
        "recipients": None,
    }
    if edition.editable and rendered.ok and found is None and state["may_approve"]:
        try:
            state["recipients"] = segments.count(segments.resolve(edition.segment))
        except segments.SegmentError as exc:
            state["problem"] = str(exc)
    return state


def approve(edition_id: int) -> Response:
    """A second eindredacteur approves the version on the page (four-eyes)."""
    edition = _edition_or_404(edition_id)
    if ActionForm().validate_on_submit():
        try:
            recipients = segments.count(segments.resolve(edition.segment))
            approval.approve(edition, services.render(edition), _me(), recipients)
            flash("Goedgekeurd. Deze versie kan nu worden ingepland of verstuurd.")
        except (services.EditionError, segments.SegmentError) as exc:
            flash(str(exc), "error")
    return redirect(url_for("editions.edit", edition_id=edition.id), code=303)


def ask_approval(edition_id: int) -> Response:
    edition = _edition_or_404(edition_id)
    if ActionForm().validate_on_submit():
        approval.ask(edition, _me())
        flash("Gevraagd. Een eindredacteur ziet het bij deze editie en in het overzicht.")
    return redirect(url_for("editions.edit", edition_id=edition.id), code=303)


def preview(edition_id: int) -> Response:
    edition = _edition_or_404(edition_id)
    response = Response(services.sample(edition).html, mimetype="text/html")
    response.headers["Content-Security-Policy"] = MAIL_PAGE_CSP
    response.headers["Cache-Control"] = "no-store"
    return response


def test_send(edition_id: int) -> Response:
    edition = _edition_or_404(edition_id)
    if ActionForm().validate_on_submit():
        try:
            services.request_test_send(edition.id, current_user.id)
            flash(
                f"De testmail gaat naar {current_user.email}. Hieronder zie je of de mailserver "
                "hem heeft aangenomen (vernieuw de pagina)."
            )
        except services.EditionError as exc:
            flash(str(exc), "error")
    return redirect(url_for("editions.edit", edition_id=edition.id), code=303)


def schedule(edition_id: int) -> Response:
    edition = _edition_or_404(edition_id)
    form = ScheduleForm()
    if form.validate_on_submit():
        when = form.when.data.replace(tzinfo=AMSTERDAM)
        try:
            services.schedule(edition.id, when, _me())
            flash(f"Ingepland voor {when.strftime('%d-%m-%Y %H:%M')} (Nederlandse tijd).")
        except services.EditionError as exc:
            flash(str(exc), "error")
    else:
        flash("Kies een geldige datum en tijd.", "error")
    return redirect(url_for("editions.edit", edition_id=edition.id), code=303)


def unschedule(edition_id: int) -> Response:
    edition = _edition_or_404(edition_id)
    if ActionForm().validate_on_submit():
        services.unschedule(edition.id, _me())
        flash("De editie is weer een concept.")
    return redirect(url_for("editions.edit", edition_id=edition.id), code=303)


def _media_dir() -> Path:
    return current_app.config["SETTINGS"].instance_path / "media"


def upload() -> Response:
    """Store an image and show the Markdown to paste, with its absolute URL."""
    back = request.form.get("edition_id", "")
    target = (
        url_for("editions.edit", edition_id=int(back))
        if back.isdigit()
        else url_for("editions.index")
    )
    form = ActionForm()
    file = request.files.get("image")
    if not form.validate_on_submit() or file is None:
        flash("Kies een afbeelding om te uploaden.", "error")
        return redirect(target, code=303)
    try:
        name = media.save(_media_dir(), file.read(media.MAX_BYTES + 1))
    except media.MediaError as exc:
        flash(str(exc), "error")
        return redirect(target, code=303)
    url = external_url("media.show", name=name)
    flash(f"Afbeelding opgeslagen. Zet dit in de editie: ![beschrijf de afbeelding]({url})")
    return redirect(target, code=303)


def serve_media(name: str) -> Response:
    path = media.path_for(_media_dir(), name)
    if path is None:
        abort(404)
    response = send_file(path, mimetype=media.MIMETYPES[name.rsplit(".", 1)[1]], max_age=31536000)
    response.headers["Content-Security-Policy"] = "default-src 'none'"
    return response

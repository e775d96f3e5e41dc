"""Thin views of the editor's workspace: the list, a new edition and the edit page, as a form
(fields and a text editor) or as the source (front matter + Markdown) for power users."""

from __future__ import annotations

from datetime import date

from flask import abort, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response

from newsletter.auth import audit
from newsletter.auth.audit import current_actor
from newsletter.auth.roles import EINDREDACTEUR
from newsletter.editions import approval, fields, services, waiting
from newsletter.editions.forms import (
    STARTER,
    STARTER_BODY,
    EditionForm,
    ScheduleForm,
    SourceForm,
    TestSendForm,
)
from newsletter.editions.models import Edition, EditionState
from newsletter.formatting import plural
from newsletter.forms import ActionForm
from newsletter.rendering import canonical
from newsletter.rendering.frontmatter import split
from newsletter.security import MAIL_PAGE_CSP
from newsletter.subscribers import segments

Page = str | Response | tuple[str, int]


def index() -> str:
    editions = services.all_editions()
    return render_template(
        "beheer/index.html",
        editions=editions,
        waiting=waiting.waiting(editions),
    )


def edition_or_404(edition_id: int) -> Edition:
    try:
        return services.get(edition_id)
    except services.EditionError:
        abort(404)


def _source_view() -> bool:
    return request.args.get("weergave") == "bron"


def _posted_form() -> tuple[FlaskForm, str | None]:
    """The form that was sent (fields or source) and, when valid, the source it stands for."""
    if "body" in request.form:
        form = fields.prepare(EditionForm())
        return form, fields.compose(fields.from_form(form)) if form.validate_on_submit() else None
    source_form = SourceForm()
    return source_form, source_form.source.data if source_form.validate_on_submit() else None


def _form_for(source: str) -> tuple[FlaskForm, str]:
    """The fields for this source; its source view when it cannot be shown as fields, or when
    the editor could not save its text unchanged (then with the reason, in Dutch)."""
    found = None if _source_view() else fields.decompose(source)
    kept = canonical.source(source) if found else None
    if found and kept is not None and kept.ok:
        return fields.form_for(found), ""
    return SourceForm(data={"source": source}), kept.why if kept is not None else ""


def _problems_json(preview: services.Preview, source: str = "") -> dict[str, object]:
    """The checks for the page's list; `items` with their source line, so that the editor can
    take the cursor to each (body_line: where the text starts in the source)."""
    return {
        "errors": [str(p) for p in preview.errors],
        "warnings": [str(p) for p in preview.warnings],
        "items": [
            {"level": p.level, "text": str(p), "line": p.line}
            for p in [*preview.errors, *preview.warnings]
        ],
        "body_line": body_line(source),
        "text": preview.text,
    }


def body_line(source: str) -> int:
    return split(source)[2] if source else 1


def new() -> Page:
    """A new draft; with JavaScript the first keystroke saves it (and the page becomes the
    edition's own page, with its preview)."""
    if request.method == "POST":
        form, source = _posted_form()
        if source is not None:
            edition, rendered = services.create(source, current_user.id)
            url = url_for("editions.edit", edition_id=edition.id)
            if request.headers.get("X-Requested-With") == "fetch":
                body = _problems_json(services.preview_of(rendered), edition.source)
                return jsonify(body | {"saved": True, "edit_url": url})
            flash("De editie is opgeslagen als concept.")
            return redirect(url, code=303)
        if request.headers.get("X-Requested-With") == "fetch":
            errors = [e for field in form.errors.values() for e in field if isinstance(e, str)]
            return jsonify({"errors": errors, "warnings": []}), 422
    elif _source_view():
        form = SourceForm(data={"source": STARTER.format(today=date.today().isoformat())})
    else:
        form = fields.form_for(fields.Fields(date=date.today(), body=STARTER_BODY))
    return render_template("beheer/new.html", form=form, **_choices()), (
        422 if form.errors else 200
    )


def _choices(source: str = "") -> dict[str, object]:
    return {"gemeente_names": segments.gemeente_names(), "audience_line": _audience(source)}


def _audience(source: str) -> str:
    """The line under the audience, also without JavaScript (after a save)."""
    found = fields.decompose(source) if source else None
    if found is None:
        return ""
    problems = segments.problems(found.segment)
    if problems:
        return " ".join(problems)
    return (
        "Gaat naar "
        + plural(segments.count(segments.resolve(found.segment)), "lezer", "lezers")
        + "."
    )


def may_save(edition: Edition) -> bool:
    """A draft by any redacteur; what is planned to go out only by who may plan it."""
    planned = edition.state == EditionState.scheduled
    return edition.editable and (not planned or current_user.has_role(EINDREDACTEUR))


def edit(edition_id: int) -> Page:
    edition = edition_or_404(edition_id)
    if request.method == "POST" and edition.editable and not may_save(edition):
        abort(403)
    wants_json = request.headers.get("X-Requested-With") == "fetch"
    source = None
    editor_note = ""
    if request.method == "POST":
        form, source = _posted_form()
        if source is not None:
            try:
                edition, rendered = services.update(edition.id, source, current_actor())
            except services.EditionError as exc:
                if wants_json:
                    return jsonify({"errors": [str(exc)], "warnings": [], "text": ""}), 409
                first = form.source if isinstance(form, SourceForm) else form.title
                first.errors = [str(exc)]
            else:
                if wants_json:
                    found = _problems_json(services.preview_of(rendered), edition.source)
                    return jsonify(found | {"saved": True})
                flash("Opgeslagen.")
                return redirect(request.full_path.rstrip("?"), code=303)
        elif wants_json:
            errors = [e for f in form.errors.values() for e in f]
            return jsonify({"errors": errors, "warnings": []}), 422
    else:
        form, editor_note = _form_for(edition.source)
    return render_template(
        "beheer/edit.html",
        edition=edition,
        form=form,
        may_save=may_save(edition),
        source_view=isinstance(form, SourceForm),
        editor_note=editor_note,
        body_line=body_line(source or edition.source),
        preview=services.preview(source or edition.source),
        action=ActionForm(),
        schedule_form=ScheduleForm(),
        test_form=TestSendForm(),
        last_test=audit.last("test-send", f"editie {edition.id}"),
        approval=_approval_state(edition),
        **_choices(source or edition.source),
    ), (422 if form.errors else 200)


def _approval_state(edition: Edition) -> dict[str, object]:
    """What the edit page says about four-eyes: approved by whom, or who may approve."""
    rendered = services.render(edition)
    found = approval.approver_of(edition, rendered)
    refusal = approval.refusal(edition, current_actor())
    state: dict[str, object] = {
        "on": approval.four_eyes(),
        "approved": found,
        "may_approve": refusal is None,
        "refusal": refusal if current_user.has_role(EINDREDACTEUR) else None,
        "asked": audit.last("approval-requested", f"editie {edition.id}"),
        "recipients": None,
        "fingerprint": approval.fingerprint(rendered, edition.segment),
    }
    if edition.editable and rendered.ok and found is None and state["may_approve"]:
        try:
            state["recipients"] = segments.count(segments.resolve(edition.segment))
        except segments.SegmentError as exc:
            state["problem"] = str(exc)
    return state


def preview(edition_id: int) -> Response:
    edition = edition_or_404(edition_id)
    response = Response(services.sample(edition).html, mimetype="text/html")
    response.headers["Content-Security-Policy"] = MAIL_PAGE_CSP
    response.headers["Cache-Control"] = "no-store"
    return response


def audience_count() -> Response:
    """GET ?provincies=…&functies=…&gemeenten=a,b: how many readers, for the live line."""
    wanted = {
        "provincies": request.args.getlist("provincies"),
        "functies": request.args.getlist("functies"),
        "gemeenten": [n.strip() for n in request.args.get("gemeenten", "").split(",") if n.strip()],
    }
    problems = segments.problems(wanted)
    if problems:
        return jsonify({"count": None, "problems": problems})
    return jsonify({"count": segments.count(segments.resolve(wanted)), "problems": []})

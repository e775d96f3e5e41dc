"""Thin views of /beheer/redacteuren: beheerders make editors, set their roles, disable or
enable them, reset their second factor, send a password link, end their sessions."""

from __future__ import annotations

import secrets

from flask import abort, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from newsletter.auth import accounts, passwords, roles
from newsletter.auth.audit import current_actor
from newsletter.auth.forms import NewEditorForm, RolesForm
from newsletter.auth.models import Editor
from newsletter.extensions import db
from newsletter.forms import ActionForm


def index() -> str | tuple[str, int]:
    form = NewEditorForm(prefix="nieuw")
    return _page(form)


def _page(form: NewEditorForm, status: int = 200) -> tuple[str, int]:
    editors = accounts.all_editors()
    role_forms = {e.id: RolesForm(prefix=f"r{e.id}", data={"roles": e.role_list}) for e in editors}
    return render_template(
        "beheer/editors.html",
        editors=editors,
        form=form,
        role_forms=role_forms,
        action=ActionForm(),
        labels=roles.LABELS,
    ), status


def create() -> Response | tuple[str, int]:
    form = NewEditorForm(prefix="nieuw")
    if not form.validate_on_submit():
        return _page(form, 422)
    try:
        chosen = roles.parse(",".join(form.roles.data))
        # nobody knows this password: the editor chooses one through the mailed link
        editor = accounts.create_editor(
            form.email.data,
            secrets.token_urlsafe(32),
            form.name.data.strip(),
            chosen,
            current_actor(),
        )
    except (accounts.AccountError, ValueError) as exc:
        form.email.errors = [str(exc)]
        return _page(form, 422)
    passwords.request_link(editor.email, current_actor(), welcome=True)
    flash(f"{editor.email} is aangemaakt en krijgt een mail om een wachtwoord te kiezen.")
    return redirect(url_for("editors.index"), code=303)


def set_roles(editor_id: int) -> Response | tuple[str, int]:
    editor = db.get_or_404(Editor, editor_id)
    form = RolesForm(prefix=f"r{editor.id}")
    if form.validate_on_submit():
        try:
            accounts.set_roles(
                editor.email, roles.parse(",".join(form.roles.data)), current_actor()
            )
            flash(f"De rollen van {editor.email} zijn opgeslagen.")
        except (accounts.AccountError, ValueError) as exc:
            db.session.rollback()
            flash(str(exc), "error")
    else:
        flash("Kies minstens één rol.", "error")
    return redirect(url_for("editors.index"), code=303)


ACTIONS = {
    "uitschakelen": (accounts.disable, "{} kan niet meer inloggen; alle sessies zijn beëindigd."),
    "inschakelen": (accounts.enable, "{} kan weer inloggen."),
    "uitloggen": (accounts.log_out_everywhere, "Alle sessies van {} zijn beëindigd."),
    "tweestaps": (
        accounts.reset_second_factor,
        "De tweestapsverificatie van {} is gewist; bij de volgende keer inloggen stelt die "
        "haar opnieuw in.",
    ),
}


def act(editor_id: int) -> Response:
    editor = db.get_or_404(Editor, editor_id)
    what = request.form.get("actie", "")
    if not ActionForm().validate_on_submit() or what not in (*ACTIONS, "wachtwoord"):
        abort(400)
    if what == "wachtwoord":
        passwords.request_link(editor.email, current_actor())
        flash(f"{editor.email} krijgt een mail met een link om een nieuw wachtwoord te kiezen.")
        return redirect(url_for("editors.index"), code=303)
    action, message = ACTIONS[what]
    try:
        action(editor.email, current_actor())
        flash(message.format(editor.email))
    except accounts.AccountError as exc:
        db.session.rollback()
        flash(str(exc), "error")
    return redirect(url_for("editors.index"), code=303)

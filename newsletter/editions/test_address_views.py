"""Thin views: an editor's own list of test addresses (/beheer/testadressen), and the page
the link in the confirmation mail opens (no login: the address may be a colleague's)."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from newsletter.editions import test_addresses
from newsletter.editions.forms import ActionForm, TestAddressForm

Page = str | Response | tuple[str, int]


def _back() -> Response:
    return redirect(url_for("editions.test_addresses"), code=303)


def index() -> Page:
    """GET shows the list; POST adds an address and mails it the link."""
    form = TestAddressForm()
    if form.validate_on_submit():
        try:
            row = test_addresses.add(current_user, form.email.data)
        except test_addresses.AddressListError as exc:
            form.email.errors = [str(exc)]
        else:
            flash(
                f"We hebben een link gestuurd naar {row.email}. Het adres telt als testadres "
                "zodra iemand die link volgt."
            )
            return _back()
    page = render_template(
        "beheer/test_addresses.html",
        form=form,
        remove_form=ActionForm(),
        rows=test_addresses.listing(current_user.id),
    )
    return page, (422 if form.errors else 200)


def remove(address_id: int) -> Response:
    if ActionForm().validate_on_submit():
        email = test_addresses.remove(current_user, address_id)
        if email:
            flash(f"{email} is geen testadres meer.")
    return _back()


def confirm(token: str) -> Page:
    """GET asks (a mail scanner that opens links confirms nothing); POST confirms."""
    try:
        row = test_addresses.address_for(token)
    except test_addresses.AddressListError as exc:
        return render_template("beheer/test_address_confirm.html", problem=str(exc)), 410
    form = ActionForm()
    if form.validate_on_submit():
        row = test_addresses.confirm(token)
        return render_template("beheer/test_address_confirm.html", row=row, done=True)
    return render_template("beheer/test_address_confirm.html", row=row, form=form)

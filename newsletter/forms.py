"""Forms shared by every part of /beheer, and how every form's CSRF token is written."""

from __future__ import annotations

from flask import Flask
from flask_wtf import FlaskForm
from wtforms.csrf.core import CSRFTokenField
from wtforms.validators import DataRequired, Length
from wtforms.widgets import HiddenInput


class ActionForm(FlaskForm):
    """A button with only the CSRF token."""


def required(message: str, max_length: int) -> list[DataRequired | Length]:
    """A typed field's validators: filled in (else `message`), and at most `max_length`
    characters (WTForms' own Dutch message)."""
    return [DataRequired(message), Length(max=max_length)]


class _HiddenWithoutId(HiddenInput):
    """A hidden field without an id: a page with several forms would repeat `id="csrf_token"`,
    and HTML wants every id once. Nothing points at the token by id."""

    def __call__(self, field, **kwargs):
        kwargs.setdefault("id", False)  # False: WTForms leaves the attribute out
        return super().__call__(field, **kwargs)


def register(app: Flask) -> None:
    """Every form's CSRF token (Flask-WTF's, on the public pages and in /beheer) without an id;
    WTForms' own messages (a date it cannot read, a field too long) in Dutch, from the
    translations WTForms ships (Flask-WTF's own route to them needs Flask-Babel)."""
    CSRFTokenField.widget = _HiddenWithoutId()
    app.config.setdefault("WTF_I18N_ENABLED", False)
    FlaskForm.Meta.locales = ("nl",)

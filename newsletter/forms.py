"""Forms shared by every part of /beheer."""

from __future__ import annotations

from flask_wtf import FlaskForm


class ActionForm(FlaskForm):
    """A button with only the CSRF token."""

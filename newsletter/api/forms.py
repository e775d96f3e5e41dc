"""The form of /beheer/api-sleutels: a name, rights as tick-boxes, how many days a key holds.

The form only reads what was typed; `keys.create` decides what is allowed and says why not
(`KeyRefused`). The checks here are there to put each message next to its own field."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import IntegerField, SelectMultipleField, StringField
from wtforms.validators import DataRequired, Length, NumberRange
from wtforms.widgets import CheckboxInput, ListWidget

from newsletter.api import keys

DEFAULT_DAYS = 365
NAME_MAX = 80


class _Checkboxes(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class _Days(IntegerField):
    """A whole number of days, with a Dutch message for anything else."""

    def process_formdata(self, valuelist: list[str]) -> None:
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(
                f"Vul een heel aantal dagen in, van 1 tot {keys.MAX_DAYS}, bijvoorbeeld "
                f"{DEFAULT_DAYS}."
            ) from None


def _scope_choices() -> list[tuple[str, str]]:
    return [(scope, f"{words} ({scope})") for scope, words in keys.SCOPES.items()]


class NewKeyForm(FlaskForm):
    name = StringField(
        "Naam",
        description="Waarvoor is de sleutel? Bijvoorbeeld het systeem dat hem gebruikt: "
        "‘CRM-koppeling’.",
        validators=[
            DataRequired("Geef de sleutel een naam, bijvoorbeeld het systeem dat hem gebruikt."),
            Length(max=NAME_MAX, message=f"Een naam is hoogstens {NAME_MAX} tekens lang."),
        ],
    )
    # an unknown right (only from a changed request) is for keys.create to refuse
    scopes = _Checkboxes(
        "Rechten",
        choices=_scope_choices,
        validate_choice=False,
        validators=[DataRequired("Kies minstens één recht.")],
    )
    days = _Days(
        "Geldig (dagen)",
        default=DEFAULT_DAYS,
        description=f"Hoeveel dagen de sleutel werkt: 1 tot {keys.MAX_DAYS}. Na die tijd "
        "weigert de API hem en maak je een nieuwe.",
        validators=[
            NumberRange(
                min=1, max=keys.MAX_DAYS, message=f"Een sleutel geldt 1 tot {keys.MAX_DAYS} dagen."
            )
        ],
    )

    def refuse(self, message: str) -> None:
        """A refusal of `keys.create` that no field check caught: shown above the form."""
        self.form_errors.append(message)

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import SelectMultipleField, StringField
from wtforms.validators import DataRequired, Length
from wtforms.widgets import CheckboxInput, ListWidget

from newsletter.webhooks.events import EVENTS


class _Checkboxes(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class WebhookForm(FlaskForm):
    url = StringField(
        "Adres van de ontvanger",
        description="Het adres begint met https://, bijvoorbeeld https://crm.vng.nl/webhooks/ravijn",
        validators=[
            DataRequired("Vul het adres van de ontvanger in."),
            Length(max=500, message="Het adres is langer dan 500 tekens."),
        ],
    )
    events = _Checkboxes(
        "Gebeurtenissen",
        choices=lambda: [(name, f"{name}: {text}") for name, text in EVENTS.items()],
        validators=[DataRequired("Kies minstens één gebeurtenis.")],
        validate_choice=False,  # services.register names a wrong one, in Dutch
    )

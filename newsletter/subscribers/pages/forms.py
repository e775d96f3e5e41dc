"""Web forms; every message is plain Dutch and sits next to its field."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, SelectField, StringField
from wtforms.validators import DataRequired, InputRequired, Length, ValidationError

from newsletter.forms import required
from newsletter.reference.services import find_gemeente
from newsletter.subscribers import names
from newsletter.subscribers.addresses import InvalidEmail, normalise_email
from newsletter.subscribers.models import ROLE_LABELS, Role

NAME_MAX = names.NAME_MAX


def _printable(form: FlaskForm, field: StringField) -> None:
    if field.data and names.unprintable(field.data):
        raise ValidationError(names.NOT_PRINTABLE)


def valid_name(form: FlaskForm, field: StringField) -> None:
    """The one rule for a name (subscribers/names.py), on every form that takes one."""
    if field.data and (problem := names.problem(field.data)):
        raise ValidationError(problem)


def _valid_email(form: FlaskForm, field: StringField) -> None:
    """Checked with the other fields, so every problem shows at once."""
    if field.data and field.data.strip():
        try:
            normalise_email(field.data)
        except InvalidEmail as exc:
            raise ValidationError(str(exc)) from None


def _known_gemeente(form: FlaskForm, field: StringField) -> None:
    if field.data and find_gemeente(field.data) is None:
        raise ValidationError(
            "Deze gemeente kennen we niet. Kies een gemeente uit de lijst, bijvoorbeeld Utrecht."
        )


def _role_choices() -> list[tuple[str, str]]:
    return [("", "Kies uw functie")] + [(role.value, ROLE_LABELS[role]) for role in Role]


class ProfileFields(FlaskForm):
    name = StringField(
        "Naam",
        validators=[
            DataRequired("Vul uw naam in."),
            valid_name,
        ],
        filters=[lambda v: " ".join(v.split()) if isinstance(v, str) else v],
    )
    gemeente = StringField(
        "Gemeente",
        validators=[
            DataRequired("Kies uw gemeente."),
            Length(max=120, message="Kies een gemeente uit de lijst."),
            _printable,
            _known_gemeente,
        ],
        description="Begin te typen en kies uw gemeente uit de lijst.",
    )
    role = SelectField(
        "Functie",
        choices=_role_choices,
        validators=[InputRequired("Kies uw functie.")],
        validate_choice=False,
    )

    def validate_role(self, field: SelectField) -> None:
        if field.data not in {r.value for r in Role}:
            raise ValidationError("Kies uw functie uit de lijst.")


def _email_field() -> StringField:
    """The reader's own address, checked as on the sign-up form."""
    return StringField(
        "E-mailadres",
        validators=[
            DataRequired("Vul uw e-mailadres in."),
            Length(max=254, message="Dit e-mailadres is te lang."),
            _valid_email,
        ],
        description="Bijvoorbeeld: naam@gemeente.nl",
    )


class SignupForm(ProfileFields):
    email = _email_field()
    consent = BooleanField(
        "Ja, ik wil de nieuwsbrief ontvangen en ga akkoord met de privacytekst hierboven.",
        validators=[DataRequired("Vink aan dat u de nieuwsbrief wilt ontvangen.")],
    )
    # Bots fill every field; people never see this one (hidden by CSS, out of the tab order).
    website = StringField("Laat dit veld leeg", validators=[Length(max=200)])
    started = HiddenField()
    #: where the reader found the form (?bron=ledenbrief); a wrong code is dropped, not shown
    bron = HiddenField()


class PreferencesForm(ProfileFields):
    pass


class ResendForm(FlaskForm):
    email = StringField(
        "E-mailadres",
        validators=required("Vul uw e-mailadres in.", 254),
    )


class LeaveForm(FlaskForm):
    """ "Afmelden met uw e-mailadres": a link to leave goes to the address, if it is on the list."""

    email = _email_field()


class ConfirmForm(FlaskForm):
    """Only the CSRF token: confirming and leaving happen on a button, never on a GET."""


class AddressForm(FlaskForm):
    email = StringField(
        "Nieuw e-mailadres",
        validators=[DataRequired("Vul uw nieuwe e-mailadres in."), Length(max=254), _valid_email],
        description="We sturen een e-mail naar dit adres. Met de link daarin bevestigt u het.",
    )

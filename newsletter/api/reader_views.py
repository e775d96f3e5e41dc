"""The readers' operations: list, one, create (with proof of consent, or pending with a
re-permission mail), change, unsubscribe, erase. Every change goes through the lifecycle, with
the source `api` on its event, so the trail reads as it does for the pages."""

from __future__ import annotations

import re
from contextlib import suppress
from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask import abort, jsonify, request
from werkzeug.wrappers import Response

from newsletter.api import schemas
from newsletter.api.bodies import Fields, json_object, rfc3339
from newsletter.api.common import actor, stamp
from newsletter.api.problems import Invalid, field_error, problem
from newsletter.api.spec import Param, operation
from newsletter.errors import or_404
from newsletter.reference.services import find_gemeente
from newsletter.subscribers import lifecycle, listing, names, privacy
from newsletter.subscribers.addresses import InvalidEmail, normalise_email
from newsletter.subscribers.lifecycle import ConsentSource, UnknownSubscriber

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
PAGE_MAX = 500
PROVINCE_MAX = 60
PUBLIC_ID = re.compile(r"[A-Za-z0-9_-]{1,32}")
CURSOR = re.compile(r"[A-Za-z0-9_-]{1,64}")
EMAIL = re.compile(schemas.EMAIL_PATTERN)  # as the document says


def today() -> date:
    """The last day a consent can have been given: this morning in the Netherlands."""
    return datetime.now(AMSTERDAM).date()


def _reader(r: listing.SubscriberRow) -> dict:
    return {
        "id": r.id, "email": r.email, "name": r.name, "gemeente_code": r.gemeente_code,
        "gemeente": r.gemeente, "province": r.province, "role": r.role, "state": r.state,
        "created_at": stamp(r.created_at), "updated_at": stamp(r.updated_at),
        "confirmed_at": stamp(r.confirmed_at), "unsubscribed_at": stamp(r.unsubscribed_at),
    }  # fmt: skip


def _choice(name: str, allowed: tuple[str, ...]) -> str | None:
    value = request.args.get(name)
    if value is not None and value not in allowed:
        raise field_error(name, f"{name} is een van: {', '.join(allowed)}")
    return value


def _cursor() -> str:
    """The last reader's public id of the previous page (pages go in the order of those
    ids, so no internal number leaves the database)."""
    raw = request.args.get("cursor")
    if raw is None:
        return ""
    if not CURSOR.fullmatch(raw):
        raise field_error("cursor", "cursor komt uit next_cursor van de vorige pagina")
    return raw


def _limit() -> int:
    raw = request.args.get("limit", "100")
    if not (raw.isascii() and raw.isdecimal() and 1 <= int(raw) <= PAGE_MAX):
        raise field_error("limit", f"limit is een geheel getal van 1 tot {PAGE_MAX}")
    return int(raw)


def _gemeente() -> str | None:
    raw = request.args.get("gemeente")
    if raw is not None and not re.fullmatch(r"GM[0-9]{4}", raw):
        raise field_error("gemeente", "gemeente is een CBS-code als GM0363")
    return raw


def _province() -> str | None:
    raw = request.args.get("province")
    if raw is not None and not 0 < len(raw) <= PROVINCE_MAX:
        raise field_error(
            "province", f"province is de naam van een provincie, tot {PROVINCE_MAX} tekens"
        )
    return raw


def _since() -> datetime | None:
    raw = request.args.get("changed_since")
    return None if raw is None else rfc3339("changed_since", raw)


@operation(
    "GET", "/readers", scope="readers:read", summary="Lezers, gefilterd, per pagina",
    response=schemas.READER_PAGE, errors=(),
    params=(
        Param("status", {"type": "string", "enum": list(listing.STATES)}, "Stand van de lezer"),
        Param("gemeente", {"type": "string", "pattern": "^GM[0-9]{4}$"}, "CBS-code, GM0363"),
        Param("province", schemas.text(PROVINCE_MAX, pattern=f"^{schemas.PLAIN}+$"),
              "Provincie, als Utrecht"),
        Param("role", {"type": "string", "enum": list(listing.ROLES)}, "Functie"),
        Param("changed_since", schemas.DATE_TIME, "Gewijzigd sinds"),
        Param("cursor", {"type": "string", "pattern": f"^{CURSOR.pattern}$"},
              "next_cursor van de vorige pagina"),
        Param("limit", {"type": "integer", "minimum": 1, "maximum": PAGE_MAX}, "Per pagina"),
    ),
)  # fmt: skip
def list_readers() -> Response:
    errors: list[dict[str, str]] = []
    found_values: dict[str, object] = {}
    for name, check in (
        ("state", lambda: _choice("status", listing.STATES)),
        ("role", lambda: _choice("role", listing.ROLES)),
        ("changed_since", _since),
        ("after", _cursor),
        ("limit", _limit),
        ("gemeente_code", _gemeente),
        ("province", _province),
    ):
        try:
            found_values[name] = check()
        except Invalid as exc:
            errors += exc.errors  # every wrong parameter at once, not one per try
    if errors:
        raise Invalid(errors)
    after, limit = found_values.pop("after"), found_values.pop("limit")
    found, following = listing.page(
        listing.SubscriberFilter(**found_values),  # type: ignore[arg-type]
        after,  # type: ignore[arg-type]
        limit,  # type: ignore[arg-type]
    )
    return jsonify({"readers": [_reader(r) for r in found], "next_cursor": following})


def _details(fields: Fields, *, required: bool) -> dict[str, object]:
    """Name, municipality and role from a body; only what is present when not `required`."""
    found: dict[str, object] = {}
    if required or fields.present("name"):
        name = fields.text("name", max_length=names.NAME_MAX)
        if name and (wrong := names.problem(name)):
            fields.wrong("name", f"name: {wrong}")
            name = None
        found["name"] = name
    if required or fields.present("gemeente_code"):
        code = fields.data.get("gemeente_code")
        gemeente = find_gemeente(code) if isinstance(code, str) and code.startswith("GM") else None
        if gemeente is None or gemeente.code != code:
            fields.wrong("gemeente_code", "gemeente_code is de CBS-code van een gemeente, GM0363")
        found["gemeente_code"] = gemeente.code if gemeente else None
    if required or fields.present("role"):
        role = fields.choice("role", listing.ROLES)
        found["role"] = lifecycle.Role(role) if role else None
    return found


def _proof(fields: Fields) -> lifecycle.Proof | None:
    consent = fields.data.get("consent")
    if consent is None:
        return None
    if not isinstance(consent, dict) or set(consent) != {"date", "source"}:
        fields.wrong("consent", "consent heeft precies twee velden: date en source")
        return None
    given_on = fields.day("date", consent)
    if given_on is None or not date(2000, 1, 1) <= given_on <= today():
        fields.wrong("consent.date", "consent.date is een datum als 2026-11-01, niet later dan nu")
    source = consent["source"]
    readable = isinstance(source, str) and not names.unprintable(source)
    if not readable or not source.strip() or len(source) > 150:
        fields.wrong("consent.source", "consent.source zegt waar de toestemming is gegeven")
        return None
    return lifecycle.Proof(given_on, " ".join(source.split())) if given_on else None


@operation(
    "POST", "/readers", scope="readers:write", status=201, errors=(409,),
    summary="Lezer toevoegen. Met bewijs van toestemming (consent) is de lezer meteen "
    "aangemeld; zonder bewijs krijgt de lezer eerst een mail om te bevestigen.",
    body=schemas.NEW_READER, example=schemas.NEW_READER_EXAMPLE, response=schemas.READER,
)  # fmt: skip
def create_reader() -> Response | tuple[Response, int]:
    fields = Fields(json_object(), {"email", "name", "gemeente_code", "role", "consent"})
    email, raw = None, fields.data.get("email")
    with suppress(InvalidEmail):
        email = normalise_email(raw) if isinstance(raw, str) and EMAIL.fullmatch(raw) else None
    if email is None:
        fields.wrong("email", "email is een geldig e-mailadres")
    details = _details(fields, required=True)
    proof = _proof(fields)
    fields.check()
    try:
        made = lifecycle.register(
            lifecycle.NewSubscriber(email, proof=proof, **details),  # type: ignore[arg-type]
            ConsentSource.api,
        )
    except lifecycle.RegistrationRefused as exc:
        if exc.why is lifecycle.Refusal.erased:
            return problem(
                409,
                "Dit adres is op verzoek gewist. Alleen de persoon zelf kan zich opnieuw "
                "aanmelden, via het formulier op de website.",
            )
        return problem(
            409,
            "Dit adres is al bekend; wijzig de lezer met PATCH.",
            reader_id=exc.public_id,
        )
    return jsonify(_reader(_found(made.public_id))), 201


@operation(
    "PATCH", "/readers/<reader_id>", scope="readers:write",
    summary="Naam, gemeente of functie van een lezer wijzigen (een wijziging in het spoor)",
    body=schemas.READER_CHANGE, example=schemas.READER_CHANGE_EXAMPLE, response=schemas.READER,
)  # fmt: skip
def change_reader(reader_id: str) -> Response:
    current = _found(reader_id)
    fields = Fields(json_object(), {"name", "gemeente_code", "role"})
    details = _details(fields, required=False)
    if not details and not fields.errors:
        fields.wrong("body", "Noem ten minste een van name, gemeente_code of role.")
    fields.check()
    change = lifecycle.ProfileChange(
        name=details.get("name", current.name),  # type: ignore[arg-type]
        gemeente_code=details.get("gemeente_code", current.gemeente_code),  # type: ignore[arg-type]
        role=details.get("role", lifecycle.Role(current.role)),  # type: ignore[arg-type]
    )
    try:
        lifecycle.correct(
            lifecycle.get_by_public_id(reader_id).id, change, actor(), ConsentSource.api
        )
    except UnknownSubscriber:
        abort(404)
    return jsonify(_reader(_found(reader_id)))


def _found(reader_id: str) -> listing.SubscriberRow:
    return or_404(listing.by_public_id(reader_id) if PUBLIC_ID.fullmatch(reader_id) else None)


@operation("GET", "/readers/<reader_id>", scope="readers:read", summary="Eén lezer",
           response=schemas.READER)  # fmt: skip
def get_reader(reader_id: str) -> Response:
    return jsonify(_reader(_found(reader_id)))


@operation("POST", "/readers/<reader_id>/unsubscribe", scope="readers:write",
           summary="Lezer afmelden (zoals met de afmeldlink: een afmelding in het spoor)",
           response=schemas.READER)  # fmt: skip
def unsubscribe_reader(reader_id: str) -> Response:
    _found(reader_id)
    try:
        lifecycle.unsubscribe(reader_id, ConsentSource.api)
    except UnknownSubscriber:
        abort(404)
    return jsonify(_reader(_found(reader_id)))


@operation("DELETE", "/readers/<reader_id>", scope="readers:write",
           summary="Lezer wissen (AVG): alleen een sleutel op de lijst van gewiste adressen blijft",
           response=schemas.ERASED)  # fmt: skip
def erase_reader(reader_id: str) -> Response:
    if not PUBLIC_ID.fullmatch(reader_id) or not privacy.erase_by_public_id(reader_id, actor()):
        abort(404)
    return jsonify({"erased": True})

"""The operations: readers, editions, reach. Each parses its input, calls a service, and
answers JSON; the owners of readers and editions do the work, with their usual events."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime

from flask import abort, g, jsonify, render_template, request, url_for
from werkzeug.wrappers import Response

from newsletter.api import schemas
from newsletter.api.problems import Invalid, field_error, problem
from newsletter.api.spec import OPERATIONS, Param, bp, document, operation
from newsletter.auth.audit import Actor
from newsletter.delivery import progress
from newsletter.editions import services as editions
from newsletter.subscribers import lifecycle, listing, privacy, stats
from newsletter.subscribers.lifecycle import ConsentSource, UnknownSubscriber

PAGE_MAX = 500


@bp.errorhandler(Invalid)
def invalid(exc: Invalid) -> Response:
    return problem(422, "Niet alle parameters kloppen.", errors=exc.errors)


def _actor() -> Actor:
    return Actor(f"api: {g.api_key.name}"[:320])


def _stamp(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _reader(record: listing.Reader) -> dict:
    data = asdict(record)
    for name in ("created_at", "updated_at", "confirmed_at", "unsubscribed_at"):
        data[name] = _stamp(data[name])
    return data


def _choice(name: str, allowed: tuple[str, ...]) -> str | None:
    value = request.args.get(name)
    if value is not None and value not in allowed:
        raise field_error(name, f"{name} is een van: {', '.join(allowed)}")
    return value


def _cursor() -> str:
    """The last reader's public id of the previous page (pages go in the order of those
    ids, so no internal number leaves the database)."""
    raw = request.args.get("cursor")
    if not raw:
        return ""
    if len(raw) > 64 or not raw.replace("-", "").replace("_", "").isalnum() or not raw.isascii():
        raise field_error("cursor", "cursor komt uit next_cursor van de vorige pagina")
    return raw


def _limit() -> int:
    raw = request.args.get("limit", "100")
    if not (raw.isascii() and raw.isdecimal() and 1 <= int(raw) <= PAGE_MAX):
        raise field_error("limit", f"limit is een geheel getal van 1 tot {PAGE_MAX}")
    return int(raw)


def _since() -> datetime | None:
    raw = request.args.get("changed_since")
    if not raw:
        return None
    try:
        value = datetime.fromisoformat(raw)
    except ValueError:
        raise field_error(
            "changed_since", "changed_since is een tijd als 2026-12-01T09:00:00+01:00"
        ) from None
    if value.tzinfo is None:
        raise field_error("changed_since", "changed_since heeft een tijdzone nodig (+01:00 of Z)")
    if not 1970 <= value.year <= 9000:
        raise field_error("changed_since", "changed_since ligt tussen 1970 en 9000")
    return value


@operation(
    "GET", "/readers", scope="readers:read", summary="Lezers, gefilterd, per pagina",
    response=schemas.READER_PAGE, errors=(),
    params=(
        Param("status", {"type": "string", "enum": list(listing.STATES)}, "Stand van de lezer"),
        Param("gemeente", {"type": "string", "pattern": "^GM[0-9]{4}$"}, "CBS-code, GM0363"),
        Param("province", {"type": "string"}, "Provincie, bijvoorbeeld Utrecht"),
        Param("role", {"type": "string", "enum": list(listing.ROLES)}, "Functie"),
        Param("changed_since", {"type": "string", "format": "date-time"}, "Gewijzigd sinds"),
        Param("cursor", {"type": "string"}, "next_cursor van de vorige pagina"),
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
    ):
        try:
            found_values[name] = check()
        except Invalid as exc:
            errors += exc.errors  # every wrong parameter at once, not one per try
    if errors:
        raise Invalid(errors)
    after, limit = found_values.pop("after"), found_values.pop("limit")
    where = found_values
    gemeente = request.args.get("gemeente") or None
    found, following = listing.page(
        listing.ReaderFilter(
            gemeente_code=gemeente, province=request.args.get("province") or None, **where
        ),
        after,  # type: ignore[arg-type]
        limit,  # type: ignore[arg-type]
    )
    return jsonify({"readers": [_reader(r) for r in found], "next_cursor": following})


def _found(reader_id: str) -> listing.Reader:
    found = listing.by_public_id(reader_id)
    if found is None:
        abort(404)
    return found


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
    if not privacy.erase_by_public_id(reader_id, _actor()):
        abort(404)
    return jsonify({"erased": True})


def _edition(edition) -> dict:  # type: ignore[no-untyped-def]
    shown = progress.progress(edition)
    return {
        "id": edition.id,
        "title": edition.title,
        "state": edition.state.value,
        "state_label": shown.state_label,
        "scheduled_at": _stamp(edition.scheduled_at),
        "published_at": _stamp(edition.published_at),
        "sent_at": _stamp(edition.sent_at),
        "counts": {
            "total": shown.total,
            "sent": shown.sent,
            "failed": shown.failed,
            "skipped": shown.skipped,
            "pending": shown.pending,
        },
        "percent": shown.percent,
    }


@operation("GET", "/editions", scope="editions:read", summary="Alle edities, nieuwste eerst",
           response=schemas.EDITION_LIST, errors=())  # fmt: skip
def list_editions() -> Response:
    return jsonify({"editions": [_edition(e) for e in editions.all_editions()]})


@operation("GET", "/editions/<int(max=2147483647):edition_id>", scope="editions:read",
           summary="Eén editie met stand en voortgang", response=schemas.EDITION)  # fmt: skip
def get_edition(edition_id: int) -> Response:
    try:
        return jsonify(_edition(editions.get(edition_id)))
    except editions.EditionError:
        abort(404)


@operation("GET", "/reach", scope="stats:read", errors=(),
           summary="Bereik: aangemelde lezers per gemeente en per provincie",
           response=schemas.REACH)  # fmt: skip
def reach() -> Response:
    counts = stats.per_gemeente()
    return jsonify(
        {
            "gemeenten": [asdict(c) for c in counts],
            "provinces": [
                {"province": p, "readers": n, "gemeenten_reached": r, "gemeenten": total}
                for p, n, r, total in stats.by_province(counts)
            ],
        }
    )


@bp.get("/openapi.json")
def openapi() -> Response:
    return jsonify(document(url_for("api.openapi", _external=True).rsplit("/", 1)[0]))


@bp.get("/docs")
def docs() -> str:
    return render_template("api/docs.html", operations=OPERATIONS)

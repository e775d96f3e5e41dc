"""The editions' operations: list, one with its progress, a new draft from Markdown, schedule
(with the four-eyes rule when it is on, as on the pages), and the public archive."""

from __future__ import annotations

from datetime import date

from flask import abort, jsonify
from werkzeug.wrappers import Response

from newsletter.api import schemas
from newsletter.api.bodies import Fields, json_object
from newsletter.api.common import actor, stamp
from newsletter.api.problems import problem
from newsletter.api.spec import operation
from newsletter.delivery import progress
from newsletter.editions import services as editions
from newsletter.rendering.frontmatter import Fields as EditionFields
from newsletter.rendering.frontmatter import compose
from newsletter.subscribers.names import unprintable

BODY_MAX = 200_000  # as on the workspace's form
AUDIENCE_KEYS = ("provincies", "functies", "gemeenten")


def _edition(edition) -> dict:  # type: ignore[no-untyped-def]
    shown = progress.progress(edition)
    return {
        "id": edition.id,
        "title": edition.title,
        "state": edition.state.value,
        "state_label": shown.state_label,
        "scheduled_at": stamp(edition.scheduled_at),
        "published_at": stamp(edition.published_at),
        "sent_at": stamp(edition.sent_at),
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


def _audience(fields: Fields) -> dict[str, list[str]]:
    if not fields.present("audience"):
        return {}
    audience = fields.data["audience"]
    if not isinstance(audience, dict) or set(audience) - set(AUDIENCE_KEYS):
        fields.wrong("audience", "audience heeft de lijsten provincies, functies en gemeenten")
        return {}
    found: dict[str, list[str]] = {}
    for key, names in audience.items():
        if not isinstance(names, list) or not all(
            isinstance(n, str) and n.strip() and len(n) <= 120 and not unprintable(n) for n in names
        ):
            fields.wrong(f"audience.{key}", f"audience.{key} is een lijst met namen")
            continue
        if names:
            found[key] = [" ".join(n.split()) for n in names]
    return found


@operation(
    "POST", "/editions", scope="editions:write", status=201, errors=(),
    summary="Nieuw concept uit Markdown. Het antwoord noemt fouten en waarschuwingen; een "
    "concept met fouten wordt bewaard, maar kan pas worden ingepland als ze zijn opgelost.",
    body=schemas.NEW_EDITION, example=schemas.NEW_EDITION_EXAMPLE, response=schemas.DRAFT,
)  # fmt: skip
def create_edition() -> tuple[Response, int]:
    fields = Fields(json_object(), {"title", "preheader", "date", "theme", "audience", "body"})
    title = fields.text("title", max_length=150)
    preheader = fields.text("preheader", required=False, max_length=200)
    theme = fields.text("theme", required=False, max_length=80)
    day = None
    if fields.present("date"):
        day = fields.day("date")
        if day is None or not date(2000, 1, 1) <= day <= date(2100, 1, 1):
            fields.wrong("date", "date is een datum als 2026-12-15")
    body = fields.data.get("body")
    if not isinstance(body, str) or not body.strip() or len(body) > BODY_MAX:
        fields.wrong("body", f"body is de tekst in Markdown, tot {BODY_MAX:,} tekens")
    audience = _audience(fields)
    fields.check()
    source = compose(
        EditionFields(
            title=title or "",
            preheader=preheader or "",
            date=day,
            theme=theme or "",
            segment=audience,
            body=str(body),
        )
    )
    edition, rendered = editions.create(source, actor().editor_id)
    problems = [*rendered.problems, *editions.audience_problems(rendered)]
    return jsonify(
        _edition(edition)
        | {"problems": [{"level": p.level, "message": p.message} for p in problems]}
    ), 201


@operation(
    "POST", "/editions/<int(max=2147483647):edition_id>/schedule", scope="editions:write",
    errors=(404, 409),
    summary="Inplannen. Staat vier ogen aan, dan moet een tweede eindredacteur deze versie eerst "
    "hebben goedgekeurd (409 zegt het anders).",
    body=schemas.SCHEDULE, example=schemas.SCHEDULE_EXAMPLE, response=schemas.EDITION,
)  # fmt: skip
def schedule_edition(edition_id: int) -> Response:
    try:
        editions.get(edition_id)
    except editions.EditionError:
        abort(404)
    fields = Fields(json_object(), {"at"})
    when = fields.moment("at")
    fields.check()
    try:
        edition = editions.schedule(edition_id, when, actor())  # type: ignore[arg-type]
    except editions.EditionError as exc:
        return problem(409, str(exc))
    return jsonify(_edition(edition))


@operation("GET", "/archive", scope="editions:read", errors=(),
           summary="Het openbare archief: verzonden edities met hun webversie",
           response=schemas.ARCHIVE)  # fmt: skip
def archive() -> Response:
    return jsonify(
        {
            "editions": [
                {
                    "id": e.id,
                    "title": e.title,
                    "date": e.edition_date.isoformat() if e.edition_date else None,
                    "sent_at": stamp(e.sent_at),
                    "url": editions.web_url(e.id),
                }
                for e in editions.sent_editions()
            ]
        }
    )

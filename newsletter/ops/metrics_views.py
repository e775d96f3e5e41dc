"""/metrics: Prometheus text format, only with `Authorization: Bearer <METRICS_TOKEN>`; 404
when no token is set (the endpoint does not exist then).

The header is read strictly: the scheme exactly `Bearer`, one space, the token, nothing else;
the token is compared in constant time. Anything else is a 401 with a `WWW-Authenticate`
challenge. Requests are rate-limited per client, and wrong tokens far more tightly, so the
token cannot be guessed and the page (which asks Redis for every queue) cannot be hammered.
"""

from __future__ import annotations

import hmac
import re
import time

from flask import Blueprint, abort, current_app, request
from werkzeug.exceptions import TooManyRequests
from werkzeug.wrappers import Response

from newsletter import mail_outbox, metrics
from newsletter.extensions import limiter
from newsletter.ops.probes import QUEUE_NAMES

#: Prometheus scrapes every 15-60 s; several servers or a look by hand fit easily
SCRAPE_LIMIT = "60 per minute"
#: a missing or wrong token: a few tries a minute per client, whatever it sends
REFUSED_LIMIT = "10 per minute;30 per hour"
#: exactly "Bearer", one space, an RFC 6750 token, and nothing before or after
AUTHORIZATION = re.compile(r"Bearer ([A-Za-z0-9._~+/-]+=*)")

bp = Blueprint("metrics", __name__)
#: mail to one person due five minutes ago and not sent: no worker runs, or the relays refuse
OUTBOX_OVERDUE = metrics.ScrapedGauge(
    "ravijn_mail_outbox_overdue",
    "Mails to one person due for more than five minutes and not sent",
    lambda: mail_outbox.waiting(overdue=300),
)


def _refused(response: Response) -> bool:
    return response.status_code == 401


def _challenge(error: str | None) -> Response:
    response = Response(
        "Stuur precies deze kop mee: Authorization: Bearer <METRICS_TOKEN>\n",
        401,
        mimetype="text/plain",
    )
    detail = f', error="{error}"' if error else ""
    response.headers["WWW-Authenticate"] = f'Bearer realm="metrics"{detail}'
    response.headers["Cache-Control"] = "no-store"
    return response


def _token_given() -> str | None:
    found = AUTHORIZATION.fullmatch(request.headers.get("Authorization", ""))
    return found.group(1) if found else None


@bp.get("/metrics")
@limiter.limit(SCRAPE_LIMIT)
@limiter.limit(REFUSED_LIMIT, deduct_when=_refused)
def page() -> Response:
    settings = current_app.config["SETTINGS"]
    if not settings.metrics_token:
        abort(404)
    if "Authorization" not in request.headers:
        return _challenge(None)
    given = _token_given()
    if given is None:
        return _challenge("invalid_request")
    if not hmac.compare_digest(given.encode(), settings.metrics_token.encode()):
        return _challenge("invalid_token")
    amqp = settings.broker_url.startswith("amqp")
    broker = current_app.extensions["broker"]
    extra: list[object] = [] if amqp else [metrics.QueueDepth(broker.client, QUEUE_NAMES)]
    extra.append(OUTBOX_OVERDUE)
    response = Response(metrics.exposition(extra), mimetype=metrics.CONTENT_TYPE)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.errorhandler(TooManyRequests)
def too_many(exc: TooManyRequests) -> Response:
    """Plain text for a program, with the seconds until the limit lets a request through."""
    limit = limiter.current_limit
    wait = limit.reset_at - time.time() if limit is not None else 60
    response = Response(
        "Te veel verzoeken; probeer het later opnieuw.\n", 429, mimetype="text/plain"
    )
    response.headers["Retry-After"] = str(max(1, int(wait)))
    response.headers["Cache-Control"] = "no-store"
    return response

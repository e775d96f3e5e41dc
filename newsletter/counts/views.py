"""/l/<edition>/<n>: the counted link. The same URL for every reader; it redirects only to the
target stored for that edition and number (unknown: 404, no redirect), and sets no cookie."""

from __future__ import annotations

from flask import Blueprint, redirect, request
from werkzeug.wrappers import Response

from newsletter.counts import checkers, links, tally
from newsletter.errors import or_404

bp = Blueprint("counted", __name__)


@bp.route("/l/<int:edition_id>/<int:number>", methods=["GET", "HEAD"])
def follow(edition_id: int, number: int) -> Response:
    target = or_404(links.target(edition_id, number))
    tally.add(edition_id, number, checkers.kind(request.method, request.headers))
    response = redirect(target, 302)
    # a redirect the browser or a proxy keeps would go uncounted the next time
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response

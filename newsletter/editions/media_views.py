"""Thin views of images: upload (a form, or JSON for the editor's button, drop and paste) and
/media, where mail clients (and a proxy or CDN in front) fetch them."""

from __future__ import annotations

from flask import abort, flash, jsonify, redirect, request, url_for
from werkzeug.wrappers import Response

from newsletter.editions import media
from newsletter.forms import ActionForm
from newsletter.urls import external_url

#: the bytes under a name never change (an image is processed once, before any mail shows it):
#: a proxy or CDN may keep them for a year without asking again (docs/operations.md#media)
CACHE_CONTROL = "public, max-age=31536000, immutable"


def upload() -> Response | tuple[Response, int]:
    """Store an image, made fit for a mail (the answer says what changed). The editor's script
    inserts `![alt](url)` at the cursor, the plain form shows the line to paste. The URL is
    absolute on BASE_URL (what a mail client can fetch)."""
    wants_json = request.headers.get("X-Requested-With") == "fetch"
    back = request.form.get("edition_id", "")
    target = (
        url_for("editions.edit", edition_id=int(back))
        if back.isdigit()
        else url_for("editions.index")
    )
    file = request.files.get("image")
    problem = None
    if not ActionForm().validate_on_submit():
        problem = "Het formulier is verlopen. Laad de pagina opnieuw."
    elif file is None or not file.filename:
        problem = "Kies eerst een afbeelding."
    else:
        try:
            saved = media.save(file.read(media.MAX_BYTES + 1))
        except media.MediaError as exc:
            problem = str(exc)
    if problem is not None:
        if wants_json:
            return jsonify({"error": problem}), 422
        flash(problem, "error")
        return redirect(target, code=303)
    url = external_url("media.show", name=saved.name)
    if wants_json:
        return jsonify({"url": url, "changes": saved.summary})
    flash(
        f"Afbeelding opgeslagen. {saved.summary} "
        f"Zet dit in de tekst en schrijf tussen de [ ] wat erop staat: "
        f"![beschrijf de afbeelding]({url})"
    )
    return redirect(target, code=303)


def serve_media(name: str) -> Response:
    """From the database, so any web node serves it; a 304 when the client has these bytes."""
    found = media.find(name)
    if found is None:
        abort(404)
    etag = f'"{found.sha256}"'
    if request.if_none_match.contains(found.sha256):
        response = Response(status=304)
    else:
        data = media.read(found)
        if data is None:
            abort(404)
        response = Response(data, mimetype=found.mimetype)
    response.headers["ETag"] = etag
    response.headers["Cache-Control"] = CACHE_CONTROL
    response.headers["Content-Security-Policy"] = "default-src 'none'"
    return response

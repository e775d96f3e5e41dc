"""Thin views of images: upload (a form, or JSON for the editor's button, drop and paste) and
/media, where mail clients fetch them."""

from __future__ import annotations

from pathlib import Path

from flask import abort, current_app, flash, jsonify, redirect, request, send_file, url_for
from werkzeug.wrappers import Response

from newsletter.editions import media
from newsletter.forms import ActionForm
from newsletter.urls import external_url


def _media_dir() -> Path:
    return current_app.config["SETTINGS"].instance_path / "media"


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
            saved = media.save(_media_dir(), file.read(media.MAX_BYTES + 1))
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
    path = media.path_for(_media_dir(), name)
    if path is None:
        abort(404)
    response = send_file(path, mimetype=media.mimetype_of(path), max_age=31536000)
    response.headers["Content-Security-Policy"] = "default-src 'none'"
    return response

"""Thin views of the readers' dashboard: figures, map, import, export, access and erasure."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

from flask import (
    Response,
    current_app,
    flash,
    redirect,
    render_template,
    stream_with_context,
    url_for,
)
from flask_login import current_user

from newsletter.extensions import db
from newsletter.readers import audit, geo, importer, importing, services, stats
from newsletter.readers.audit import Actor
from newsletter.readers.forms import EraseForm, ImportForm, PersonForm

BUCKETS = [(0, "geen"), (1, "1"), (2, "2–4"), (5, "5–9"), (10, "10 of meer")]


def _actor() -> Actor:
    return Actor(current_user.email, current_user.id)


def bucket(readers: int) -> int:
    return max(i for i, (low, _) in enumerate(BUCKETS) if readers >= low)


def dashboard() -> str:
    counts = stats.per_gemeente()
    return render_template(
        "beheer/readers.html",
        counts=counts,
        by_code={c.code: c for c in counts},
        reached=sum(1 for c in counts if c.readers),
        total_readers=sum(c.readers for c in counts),
        nl=geo.netherlands(),
        buckets=BUCKETS,
        bucket=bucket,
        roles=stats.by_role(),
        provinces=stats.by_province(counts),
        weeks=stats.weeks(),
        editions=stats.editions(),
        events=audit.recent(),
        person_form=PersonForm(prefix="inzage"),
        erase_form=EraseForm(prefix="wissen"),
        import_form=ImportForm(),
    )


def export_csv() -> Response:
    audit.record(_actor(), "export", "actieve lezers")
    db.session.commit()
    response = Response(stream_with_context(services.active_csv()), mimetype="text/csv")
    response.headers["Content-Disposition"] = 'attachment; filename="lezers.csv"'
    response.headers["Cache-Control"] = "no-store"
    return response


def person() -> Response:
    form = PersonForm(prefix="inzage")
    if form.validate_on_submit():
        try:
            data = services.person_export(form.email.data)
        except services.ReaderError as exc:
            flash(str(exc), "error")
        else:
            if data is not None:
                response = Response(
                    json.dumps(data, ensure_ascii=False, indent=2), mimetype="application/json"
                )
                response.headers["Content-Disposition"] = 'attachment; filename="inzage.json"'
                response.headers["Cache-Control"] = "no-store"
                return response
            flash("Over dit adres bewaren we niets.", "error")
    else:
        flash("Vul een e-mailadres in.", "error")
    return redirect(url_for("readers.dashboard") + "#rechten", code=303)


def erase() -> Response:
    form = EraseForm(prefix="wissen")
    if not form.validate_on_submit():
        flash("Vul het adres in en vink aan dat je alle gegevens wilt wissen.", "error")
    else:
        try:
            erased = services.erase(form.email.data, _actor())
        except services.ReaderError as exc:
            flash(str(exc), "error")
        else:
            flash("Gewist." if erased else "Over dit adres bewaren we niets; er is niets gewist.")
    return redirect(url_for("readers.dashboard") + "#rechten", code=303)


def import_upload() -> str | tuple[str, int]:
    form = ImportForm()
    report = None
    if form.validate_on_submit():
        folder = Path(current_app.config["SETTINGS"].instance_path) / "imports"
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=folder, suffix=".csv", delete=True) as handle:
            form.file.data.save(handle)
            handle.flush()
            path = Path(handle.name)
            try:
                checked = importer.check(path)
            except importer.ImportFileError as exc:
                form.file.errors = [str(exc)]
            else:
                result = None
                if not checked.problem_count:
                    result = importing.apply(
                        path, checked.encoding, _actor(), dry_run=form.dry_run.data
                    )
                report = {"checked": checked, "result": result, "dry_run": form.dry_run.data}
    status = 422 if form.errors or (report and report["checked"].problem_count) else 200
    return render_template("beheer/import.html", form=form, report=report), status

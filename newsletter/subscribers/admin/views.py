"""Thin views of the readers' dashboard: figures, map, import, export, access and erasure."""

from __future__ import annotations

import json

from flask import (
    Response,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)

from newsletter.auth.audit import current_actor
from newsletter.errors import or_404
from newsletter.subscribers import geo, privacy, stats
from newsletter.subscribers.admin.forms import EraseForm, ImportForm, PersonForm
from newsletter.subscribers.imports import uploads
from newsletter.subscribers.models import ROLE_LABELS, Role

BUCKETS = [(0, "geen"), (1, "1"), (2, "2–4"), (5, "5–9"), (10, "10 of meer")]


def bucket(count: int) -> int:
    return max(i for i, (low, _) in enumerate(BUCKETS) if count >= low)


def _week_filter(provinces: list[str]) -> tuple[Role | None, str | None]:
    """?functie=…&provincie=… for the weekly figures; anything unknown means "all"."""
    role = request.args.get("functie", "")
    province = request.args.get("provincie", "")
    return (
        Role(role) if role in Role.__members__ else None,
        province if province in provinces else None,
    )


def dashboard() -> str:
    counts = stats.per_gemeente()
    provinces = stats.by_province(counts)
    role, province = _week_filter([p[0] for p in provinces])
    return render_template(
        "beheer/readers.html",
        counts=counts,
        by_code={c.code: c for c in counts},
        reached=sum(1 for c in counts if c.subscribers),
        total_subscribers=sum(c.subscribers for c in counts),
        nl=geo.netherlands(),
        buckets=BUCKETS,
        bucket=bucket,
        roles=stats.by_role(),
        provinces=provinces,
        weeks=stats.weeks(role=role, province=province),
        week_role=role,
        week_province=province,
        role_labels=ROLE_LABELS,
        person_form=PersonForm(prefix="inzage"),
        erase_form=EraseForm(prefix="wissen"),
        import_form=ImportForm(),
    )


EXAMPLE_CSV = (
    "naam;e-mailadres;gemeente;functie;toestemming_datum;toestemming_bron\r\n"
    "Anna de Vries;a.devries@utrecht.nl;Utrecht;Wethouder;15-03-2026;VNG-congres 2026\r\n"
    "Bert Jansen;b.jansen@arnhem.nl;Arnhem;Raadslid;;\r\n"
)


def example_csv() -> Response:
    """What an import file looks like (semicolons, Dutch dates, with and without consent)."""
    response = Response("\ufeff" + EXAMPLE_CSV, mimetype="text/csv")
    response.headers["Content-Disposition"] = 'attachment; filename="voorbeeld-import.csv"'
    return response


def export_csv() -> Response:
    comma = request.args.get("scheiding") == "komma"
    rows = privacy.export_active(current_actor(), "actieve lezers", "," if comma else ";")
    response = Response(stream_with_context(rows), mimetype="text/csv")
    response.headers["Content-Disposition"] = 'attachment; filename="lezers.csv"'
    response.headers["Cache-Control"] = "no-store"
    return response


def person() -> Response:
    form = PersonForm(prefix="inzage")
    if form.validate_on_submit():
        try:
            data = privacy.person_export(form.email.data, current_actor())
        except privacy.SubscriberError as exc:
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
    return redirect(url_for("subscriber_admin.dashboard") + "#rechten", code=303)


def erase() -> Response:
    form = EraseForm(prefix="wissen")
    if not form.validate_on_submit():
        flash("Vul het adres in en vink aan dat je alle gegevens wilt wissen.", "error")
    else:
        try:
            erased = privacy.erase(form.email.data, current_actor())
        except privacy.SubscriberError as exc:
            flash(str(exc), "error")
        else:
            flash("Gewist." if erased else "Over dit adres bewaren we niets; er is niets gewist.")
    return redirect(url_for("subscriber_admin.dashboard") + "#rechten", code=303)


def import_upload() -> str | Response | tuple[str, int]:
    form = ImportForm()
    if form.validate_on_submit():
        job = uploads.start(form.file.data, form.dry_run.data, current_actor())
        return redirect(url_for("subscriber_admin.import_job", job_id=job.id), code=303)
    return render_template("beheer/import.html", form=form), (422 if form.errors else 200)


def import_job(job_id: int) -> str:
    job = or_404(uploads.get(job_id))
    return render_template(
        "beheer/import_job.html",
        job=job,
        shown=uploads.status(job),
        report=uploads.report(job),
    )


def import_status(job_id: int) -> Response:
    return jsonify(uploads.status(or_404(uploads.get(job_id))))

"""The reader's journey over HTTP, with the real worker, Redis and the SMTP sink."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from sqlalchemy import func, select

from newsletter.models import ConsentEvent, Subscriber
from newsletter.subscribers.consent import CONSENT_VERSION, consent_sha256
from newsletter.subscribers.models import ConsentKind, ConsentSource, SubscriberState
from newsletter.subscribers.tokens import Purpose
from tests.helpers import backdated_token, form_tokens

LINK = re.compile(r"https://ravijn\.example(/\S+)")


def links_in(received) -> list[str]:
    text = received.message().get_body(preferencelist=("plain",)).get_content()
    # the personal links (every mail also links the privacy page and the archive)
    return [m.group(1) for m in LINK.finditer(text) if m.group(1) not in ("/privacy", "/archief/")]


def kinds(db, subscriber_id: int) -> list[str]:
    rows = db.session.scalars(
        select(ConsentEvent.kind)
        .where(ConsentEvent.subscriber_id == subscriber_id)
        .order_by(ConsentEvent.id)
    )
    return [k.value for k in rows]


def subscriber(db, email: str = "anna@utrecht.example") -> Subscriber:
    db.session.expire_all()
    return db.session.scalar(select(Subscriber).where(Subscriber.email_key == email))


def sign_up_and_confirm(client, signup_form, sink, db, **fields) -> Subscriber:
    assert client.post("/aanmelden", data=signup_form(**fields)).status_code == 303
    [mail] = sink.wait_for(1)
    [confirm_path] = [p for p in links_in(mail) if p.startswith("/bevestigen/")]
    page = client.get(confirm_path)
    assert page.status_code == 200
    assert "Aanmelding bevestigen" in page.get_data(as_text=True)
    response = client.post(confirm_path, data=form_tokens(client, confirm_path))
    assert "U bent aangemeld" in response.get_data(as_text=True)
    sink.wait_for(2)
    sink.clear()
    return subscriber(db, fields.get("email", "anna@utrecht.example"))


def test_double_opt_in_journey(client, signup_form, worker, sink, db):
    response = client.post("/aanmelden", data=signup_form())
    assert response.status_code == 303
    assert urlsplit(response.headers["Location"]).path == "/aanmelden/kijk-in-uw-mailbox"

    pending = subscriber(db)
    assert pending.state == SubscriberState.pending
    assert pending.gemeente_code == "GM0344"
    event = db.session.scalar(select(ConsentEvent).where(ConsentEvent.subscriber_id == pending.id))
    assert (event.kind, event.source) == (ConsentKind.requested, ConsentSource.form)
    assert (event.consent_version, event.consent_sha256) == (CONSENT_VERSION, consent_sha256())
    assert event.ip_prefix == "127.0.0.0/24"

    [mail] = sink.wait_for(1)
    message = mail.message()
    assert message["Subject"] == "Bevestig uw aanmelding voor OVER het ravijn"
    assert message.get_content_type() == "multipart/alternative"
    assert "List-Unsubscribe" not in message
    [confirm_path] = links_in(mail)
    assert "anna" not in confirm_path

    # GET never confirms (mail scanners follow links); the button does
    assert client.get(confirm_path).status_code == 200
    assert subscriber(db).state == SubscriberState.pending
    page = client.post(confirm_path, data=form_tokens(client, confirm_path))
    assert "U bent aangemeld" in page.get_data(as_text=True)
    assert subscriber(db).state == SubscriberState.active

    received = sink.wait_for(2)
    welcome = received[1].message()
    assert welcome["Subject"] == "Welkom bij OVER het ravijn"

    again = client.get(confirm_path)
    assert "al bevestigd" in again.get_data(as_text=True)
    again = client.post(confirm_path, data=form_tokens(client, confirm_path))
    assert "al bevestigd" in again.get_data(as_text=True)
    assert kinds(db, pending.id) == ["requested", "confirmed"]
    assert len(sink.settle(1)) == 2  # no second welcome


def test_preferences_unsubscribe_and_way_back(client, signup_form, worker, sink, db):
    sub = sign_up_and_confirm(client, signup_form, sink, db)
    from newsletter.subscribers.links import preferences_url, unsubscribe_url

    prefs_path = urlsplit(preferences_url(sub.public_id)).path
    page = client.get(prefs_path)
    body = page.get_data(as_text=True)  # the address, masked: a forwarded link shows no address
    assert "an…@utrecht.example" in body and "anna@utrecht.example" not in body
    # the details open behind a link mailed to the address on file
    sink.clear()
    asked = client.post(prefs_path, data=form_tokens(client, prefs_path))
    assert "We hebben een e-mail gestuurd naar" in asked.get_data(as_text=True)
    [manage_mail] = sink.wait_for(1)
    assert manage_mail.recipients == ["anna@utrecht.example"]
    [manage_path] = links_in(manage_mail)
    data = form_tokens(client, manage_path) | {
        "name": "Anna de Vries-Jansen",
        "gemeente": "Den Haag",
        "role": "burgemeester",
    }
    saved = client.post(manage_path, data=data)
    assert "opgeslagen" in saved.get_data(as_text=True)
    sink.clear()
    sub = subscriber(db)
    assert (sub.name, sub.gemeente_code, sub.role.value) == (
        "Anna de Vries-Jansen",
        "GM0518",
        "burgemeester",
    )

    unsub_path = urlsplit(unsubscribe_url(sub.public_id)).path
    assert client.get(unsub_path).status_code == 200
    assert subscriber(db).state == SubscriberState.active  # GET never unsubscribes
    done = client.post(unsub_path, data=form_tokens(client, unsub_path))
    assert "U bent afgemeld" in done.get_data(as_text=True)
    assert subscriber(db).state == SubscriberState.unsubscribed
    [goodbye] = sink.wait_for(1)
    assert goodbye.message()["Subject"] == "U bent afgemeld voor OVER het ravijn"
    assert "/aanmelden" in links_in(goodbye)

    # the way back is a fresh double opt-in
    sink.clear()
    client.post("/aanmelden", data=signup_form())
    [confirm_mail] = sink.wait_for(1)
    [confirm_path] = links_in(confirm_mail)
    assert subscriber(db).state == SubscriberState.unsubscribed
    client.post(confirm_path, data=form_tokens(client, confirm_path))
    assert subscriber(db).state == SubscriberState.active
    assert kinds(db, sub.id) == [
        "requested",
        "confirmed",
        "preferences_changed",
        "unsubscribed",
        "requested",
        "resubscribed",
    ]


def test_rfc8058_one_click(app, client, signup_form, worker, sink, db):
    sub = sign_up_and_confirm(client, signup_form, sink, db)
    from newsletter.subscribers.links import unsubscribe_url

    path = urlsplit(unsubscribe_url(sub.public_id)).path
    bare = app.test_client()  # a mail client: no cookies, no CSRF token, no Referer
    response = bare.post(path, data={"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert "Location" not in response.headers
    assert subscriber(db).state == SubscriberState.unsubscribed
    # multipart/form-data as some providers send it, and a repeat: still 200, nothing new
    again = bare.post(
        path, data={"List-Unsubscribe": "One-Click"}, content_type="multipart/form-data"
    )
    assert again.status_code == 200
    assert kinds(db, sub.id)[-1] == "unsubscribed"
    assert kinds(db, sub.id).count("unsubscribed") == 1
    event = db.session.scalars(
        select(ConsentEvent).where(ConsentEvent.kind == ConsentKind.unsubscribed)
    ).one()
    assert event.source == ConsentSource.one_click
    assert len(sink.settle(2)) == 1  # one goodbye


def test_post_without_one_click_body_needs_csrf(app, client, signup_form, worker, sink, db):
    sub = sign_up_and_confirm(client, signup_form, sink, db)
    from newsletter.subscribers.links import unsubscribe_url

    path = urlsplit(unsubscribe_url(sub.public_id)).path
    response = app.test_client().post(path, data={"something": "else"})
    assert response.status_code == 400
    assert "Het formulier is verlopen" in response.get_data(as_text=True)
    assert subscriber(db).state == SubscriberState.active


def backdated(app, confirm_path: str, seconds: int) -> str:
    """The same confirmation link, signed `seconds` earlier."""
    prefix, token = confirm_path.rsplit("/", 1)
    payload = app.extensions["signer"].load_pair(Purpose.confirm, token)
    return f"{prefix}/{backdated_token(app, Purpose.confirm, list(payload), seconds)}"


def test_expired_and_tampered_confirmation_links(
    app, client, signup_form, settings, worker, sink, db
):
    client.post("/aanmelden", data=signup_form())
    [mail] = sink.wait_for(1)
    [confirm_path] = links_in(mail)
    tampered = client.get(confirm_path[:-3] + "abc")
    assert tampered.status_code == 400
    assert "Deze link werkt niet" in tampered.get_data(as_text=True)

    # an old link, not a shorter max age: a reconciler reading the same settings would purge
    # the pending sign-up (max age -1 = expired) before the resend below (the CI flake)
    expired = client.get(
        backdated(app, confirm_path, app.config["SETTINGS"].confirm_max_age_seconds + 60)
    )
    assert expired.status_code == 410
    body = expired.get_data(as_text=True)
    assert "Deze link is verlopen" in body and "Stuur een nieuwe link" in body
    assert subscriber(db).state == SubscriberState.pending

    settings(confirmation_interval_seconds=0)
    sink.clear()
    resend = client.post(
        "/bevestigen/opnieuw",
        data=form_tokens(client, confirm_path) | {"email": "ANNA@utrecht.example"},
    )
    assert resend.status_code == 303
    assert len(sink.wait_for(1)) == 1


def test_pending_reader_gets_nothing_but_confirmation(app, client, signup_form, worker, sink, db):
    client.post("/aanmelden", data=signup_form())
    sink.wait_for(1)
    sub = subscriber(db)
    from newsletter.subscribers import mails

    with app.app_context():
        assert mails.send_welcome(sub.id) is False
        assert mails.send_already_subscribed(sub.id) is False
        assert mails.send_goodbye(sub.id) is False
    assert len(sink.received) == 1


def test_no_enumeration_and_one_mail_per_hour(client, signup_form, settings, worker, sink, db):
    """Same answer for new, pending, active and unsubscribed addresses; one mail an hour."""
    sign_up_and_confirm(client, signup_form, sink, db, email="active@x.example")
    answers = []
    for email in ("new@x.example", "new@x.example", "active@x.example", "NEW@x.example"):
        response = client.post("/aanmelden", data=signup_form(email=email))
        answers.append((response.status_code, response.headers["Location"], response.data))
    assert len(set(answers)) == 1
    # active@ had its mail this hour already (the confirmation): only new@ gets one
    received = sink.settle(3)
    assert [r.recipients[0] for r in received] == ["new@x.example"]
    # pending data are not changed by a later submission inside the hour
    client.post("/aanmelden", data=signup_form(email="new@x.example", name="Iemand Anders"))
    assert subscriber(db, "new@x.example").name == "Anna de Vries"
    assert db.session.scalar(select(func.count()).select_from(ConsentEvent)) == 3

    # an hour later: an active reader gets "already subscribed", never a confirmation
    settings(confirmation_interval_seconds=0)
    sink.clear()
    client.post("/aanmelden", data=signup_form(email="active@x.example", name="Niet Anna"))
    [notice] = sink.wait_for(1)
    assert notice.message()["Subject"] == "U bent al aangemeld voor OVER het ravijn"
    assert subscriber(db, "active@x.example").name == "Anna de Vries"


def test_a_too_fast_form_is_asked_again_and_a_bot_learns_nothing(
    client, signup_form, settings, worker, sink, db
):
    """No silent end (issue 13): a person whose form was too fast, or whose form is a day old,
    is asked to press once more; the honeypot is answered like a sign-up and does nothing."""
    settings(signup_min_seconds=2)
    for fast in (signup_form(), signup_form(started="123")):
        answer = client.post("/aanmelden", data=fast)
        assert answer.status_code == 200
        page = answer.get_data(as_text=True)
        assert "Wilt u nog één keer op Aanmelden drukken?" in page
        assert "anna@utrecht.example" in page  # nothing to type again
    bot = client.post("/aanmelden", data=signup_form(website="http://spam.example"))
    assert bot.status_code == 303
    assert subscriber(db) is None
    assert sink.settle(1) == []


def test_signup_rate_limit_per_ip(client, signup_form, settings, db):
    settings(signup_rate_limit="3 per minute")
    codes = [
        client.post("/aanmelden", data=signup_form(email=f"r{i}@x.example")).status_code
        for i in range(5)
    ]
    assert codes == [303, 303, 303, 429, 429]
    page = client.post("/aanmelden", data=signup_form()).get_data(as_text=True)
    assert "Even geduld" in page


def test_per_address_limit_is_quiet(client, signup_form, settings, worker, db):
    settings(signup_address_limit="2 per hour", confirmation_interval_seconds=0)
    for _ in range(4):
        assert client.post("/aanmelden", data=signup_form()).status_code == 303
    events = db.session.scalar(select(func.count()).select_from(ConsentEvent))
    assert events == 2


def test_validation_errors_are_dutch_and_store_nothing(client, signup_form, db):
    response = client.post(
        "/aanmelden",
        data=signup_form(name="", email="geen-adres", gemeente="Atlantis", role="", consent=""),
    )
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    for message in (
        "Vul uw naam in.",
        "Deze gemeente kennen we niet",
        "Kies uw functie.",
        "Vink aan dat u de nieuwsbrief wilt ontvangen.",
        'aria-invalid="true"',
    ):
        assert message in body
    bad_email = client.post("/aanmelden", data=signup_form(email="geen-adres"))
    assert "Dit is geen geldig e-mailadres" in bad_email.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Subscriber)) == 0


def test_missing_csrf_gets_dutch_page(client, signup_form, db):
    data = signup_form()
    data.pop("csrf_token")
    response = client.post("/aanmelden", data=data)
    assert response.status_code == 400
    assert "Het formulier is verlopen" in response.get_data(as_text=True)


def test_security_headers(client):
    headers = client.get("/aanmelden").headers
    assert "default-src 'self'" in headers["Content-Security-Policy"]
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"
    assert headers["Strict-Transport-Security"].startswith("max-age=")
    token_page = client.get("/voorkeuren/nonsense")
    assert token_page.status_code == 404
    assert token_page.headers["Cache-Control"] == "no-store"


def test_gemeente_by_common_name_code_or_without_accents(client, signup_form, worker, db):
    for i, text in enumerate(["den bosch", "GM0363", "sudwest fryslan", "'s-Gravenhage"]):
        client.post("/aanmelden", data=signup_form(email=f"g{i}@x.example", gemeente=text))
    codes = set(db.session.scalars(select(Subscriber.gemeente_code)))
    assert codes == {"GM0796", "GM0363", "GM1900", "GM0518"}

"""/beheer/sso/…: to the provider and back, the page for a refused login, and the back-channel
logout the provider posts to. Thin: the checks are Authlib's (client.py), the rules login.py's."""

from __future__ import annotations

from flask import abort, current_app, redirect, render_template, request, session, url_for
from werkzeug.wrappers import Response

from newsletter.auth.sso import claims, client, login, logout, signout
from newsletter.extensions import csrf

Page = str | Response | tuple[str, int]
FAILED = "Inloggen met je VNG-account is niet gelukt. Probeer het opnieuw."
DENIED = (
    "Je VNG-account gaf geen toegang, of je hebt het inloggen afgebroken. Probeer het opnieuw. "
    "Lukt het dan nog niet, vraag {helpdesk} om hulp."
)
UNREACHABLE = (
    "De inlogdienst van VNG antwoordt nu niet. Probeer het over een paar minuten opnieuw. "
    "Lukt het dan nog niet, meld het bij de IT-afdeling."
)


def _target(raw: str) -> str:
    return raw if raw.startswith("/beheer/") and not raw.startswith("//") else ""


def start() -> Page:
    """To the provider's login page (code flow with PKCE; Authlib keeps state and nonce)."""
    sso = client.settings()
    if sso is None:
        abort(404)
    session["sso_to"] = _target(request.args.get("next", ""))
    back = current_app.config["SETTINGS"].base_url + url_for("auth.sso_callback")
    try:
        return client.client(sso).authorize_redirect(back)
    except client.TOKEN_ERRORS:  # the discovery document did not come (or is not one)
        current_app.logger.warning("SSO: provider unreachable", exc_info=True)
        return refused(UNREACHABLE, 503)


def refused(message: str, status: int = 403) -> tuple[str, int]:
    return render_template("beheer/sso_refused.html", message=message), status


def callback() -> Page:
    sso = client.settings()
    if sso is None:
        abort(404)
    target = _target(session.pop("sso_to", "")) or url_for("editions.index")
    error = request.args.get("error")
    if error:  # the provider says no (or could not): its answer, not a token
        current_app.logger.warning("SSO: the provider answered %.100s", error)
        if error == "access_denied":
            return refused(DENIED.format(helpdesk=sso.helpdesk))
        if error in ("server_error", "temporarily_unavailable"):
            return refused(UNREACHABLE, 503)
        return refused(FAILED, 400)
    try:
        token = client.client(sso).authorize_access_token()
    except client.NETWORK_ERRORS:  # the token endpoint (or the keys) did not answer in time
        current_app.logger.warning("SSO: provider unreachable", exc_info=True)
        return refused(UNREACHABLE, 503)
    except client.TOKEN_ERRORS:  # a missing or used state, a refused code, a token not ours
        current_app.logger.warning("SSO: token refused", exc_info=True)
        return refused(FAILED, 400)
    if not token.get("userinfo"):
        return refused(FAILED, 400)
    try:
        person = claims.person(token["userinfo"], sso)
        editor = login.log_in(person, sso)
    except claims.Refused as exc:
        login.refused(token["userinfo"], str(exc))
        return refused(str(exc))
    if editor is None:
        return render_template("beheer/sso_no_role.html", helpdesk=sso.helpdesk), 403
    signout.remember(session["sso"], str(token.get("id_token") or ""))
    return redirect(target, code=303)


@csrf.exempt  # the provider posts server to server: its signed token is the proof
def backchannel_logout() -> Response:
    """The provider's POST (logout_token=…): 200 when done, 400 for a token that is not valid."""
    sso = client.settings()
    if sso is None:
        abort(404)
    try:
        found = logout.verify(request.form.get("logout_token", ""), sso)
    except logout.LogoutTokenError as exc:
        current_app.logger.warning("SSO: logout token refused: %s", exc)
        answer = current_app.response_class(
            '{"error": "invalid_request"}', 400, mimetype="application/json"
        )
    except logout.ProviderUnreachable:
        current_app.logger.warning("SSO: logout token not checkable now", exc_info=True)
        answer = current_app.response_class(
            '{"error": "temporarily_unavailable"}', 503, mimetype="application/json"
        )
    else:
        logout.end(found)
        answer = current_app.response_class("", 200)
    answer.headers["Cache-Control"] = "no-store"
    return answer

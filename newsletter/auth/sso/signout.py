"""OpenID Connect RP-Initiated Logout 1.0: "Uitloggen" after a login through the provider ends
the person's session there too, so the next login asks for the VNG account again (on a shared
computer the next person does not walk in as the last one). The ID token of the login is the
`id_token_hint`; it waits in Redis, not in the readable cookie (it names the person), for as
long as a session may last."""

from __future__ import annotations

from urllib.parse import urlencode

from flask import current_app, url_for

from newsletter.auth.sso.client import TOKEN_ERRORS, client
from newsletter.sso_settings import SsoSettings

PREFIX = "ravijn:sso:idt:"


class ProviderUnreachable(Exception):
    """The discovery document did not come: only the session here ended."""


def remember(tracked: int, id_token: str) -> None:
    """Keep the login's ID token under its SsoSession id until the session's maximum."""
    if not id_token:
        return
    hours = current_app.config["SETTINGS"].session_max_hours
    current_app.extensions["redis"].set(f"{PREFIX}{tracked}", id_token, ex=hours * 3600)


def end_session_url(sso: SsoSettings, tracked: int) -> str | None:
    """Where the browser goes to log out at the provider, coming back to the login page; None
    when the provider offers no end_session_endpoint (then only the session here ends)."""
    redis = current_app.extensions["redis"]
    hint = redis.get(f"{PREFIX}{tracked}")
    redis.delete(f"{PREFIX}{tracked}")
    try:
        endpoint = client(sso).load_server_metadata().get("end_session_endpoint")
    except TOKEN_ERRORS as exc:
        current_app.logger.warning("SSO: provider unreachable at logout", exc_info=True)
        raise ProviderUnreachable from exc
    if not isinstance(endpoint, str) or not endpoint.startswith(("https://", "http://")):
        return None
    back = current_app.config["SETTINGS"].base_url + url_for("auth.login")
    params = {"client_id": sso.client_id, "post_logout_redirect_uri": back}
    if hint:
        params["id_token_hint"] = hint.decode() if isinstance(hint, bytes) else str(hint)
    joiner = "&" if "?" in endpoint else "?"
    return f"{endpoint}{joiner}{urlencode(params)}"

"""OpenID Connect Back-Channel Logout 1.0: the provider posts a signed logout token when a
person's session there ends; the sessions made from it end here at once."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import current_app
from joserfc import jwt
from joserfc.errors import InvalidKeyIdError, JoseError
from joserfc.jwk import KeySet
from sqlalchemy import select, update

from newsletter.auth import sessions
from newsletter.auth.audit import Actor, record
from newsletter.auth.models import Editor, SsoSession
from newsletter.auth.sso.client import NETWORK_ERRORS, client
from newsletter.database import utcnow
from newsletter.extensions import db
from newsletter.sso_settings import SsoSettings

EVENT = "http://schemas.openid.net/event/backchannel-logout"
LEEWAY = 120  # seconds of clock difference with the provider


class LogoutTokenError(ValueError):
    """Not a valid logout token (the answer is 400, as the specification asks)."""


class ProviderUnreachable(Exception):
    """The provider's discovery document or keys did not come: the token cannot be checked
    now (the answer is 503; the provider may try again)."""


def _fetched(fetch: Callable[[], Any]) -> Any:
    """The provider's answer (metadata or keys); ProviderUnreachable when it does not come."""
    try:
        return fetch()
    except NETWORK_ERRORS as exc:
        raise ProviderUnreachable(str(exc)) from exc


def verify(token: str, sso: SsoSettings) -> dict[str, Any]:
    """The logout token's claims, after its signature (the provider's JWKS, fetched again for
    a new key id), issuer, audience, iat/exp, event, and no nonce were checked."""
    app = client(sso)
    metadata = _fetched(app.load_server_metadata)
    algorithms = metadata.get("id_token_signing_alg_values_supported") or ["RS256"]
    try:
        keys = KeySet.import_key_set(_fetched(app.fetch_jwk_set))
        try:
            decoded = jwt.decode(token, keys, algorithms)
        except InvalidKeyIdError:
            keys = KeySet.import_key_set(_fetched(lambda: app.fetch_jwk_set(force=True)))
            decoded = jwt.decode(token, keys, algorithms)
        jwt.JWTClaimsRegistry(
            leeway=LEEWAY,
            iss={"essential": True, "value": metadata["issuer"]},
            aud={"essential": True, "value": sso.client_id},
            iat={"essential": True},
        ).validate(decoded.claims)
    except (JoseError, ValueError) as exc:
        raise LogoutTokenError(str(exc)) from exc
    claims = decoded.claims
    events = claims.get("events")
    if not isinstance(events, dict) or EVENT not in events:
        raise LogoutTokenError("no back-channel logout event")
    if "nonce" in claims:
        raise LogoutTokenError("a logout token has no nonce")
    if not claims.get("sid") and not claims.get("sub"):
        raise LogoutTokenError("neither sid nor sub")
    _first_use(str(claims.get("jti") or ""))
    return claims


def _first_use(jti: str) -> None:
    """A logout token counts once (its `jti`, remembered past its lifetime in Redis)."""
    if not jti:
        raise LogoutTokenError("no jti")
    fresh = current_app.extensions["redis"].set(f"ravijn:sso:jti:{jti}", 1, nx=True, ex=3600)
    if not fresh:
        raise LogoutTokenError("this logout token was used before")


def end(claims: dict[str, Any]) -> int:
    """End the sessions the token names (by `sid`; by `sub`: all of that person's). Commits."""
    editor = None
    if claims.get("sub"):
        editor = db.session.scalar(select(Editor).where(Editor.sso_subject == str(claims["sub"])))
    which = update(SsoSession).where(SsoSession.ended_at.is_(None))
    if claims.get("sid"):
        which = which.where(SsoSession.sid == str(claims["sid"]))
    elif editor is not None:
        which = which.where(SsoSession.editor_id == editor.id)
    else:
        return 0
    if editor is not None:
        which = which.where(SsoSession.editor_id == editor.id)
    ended = db.session.execute(which.values(ended_at=utcnow())).rowcount
    actor = Actor("VNG-account")
    if editor is not None and not claims.get("sid"):
        sessions.end_everywhere(editor, actor, "uitgelogd bij VNG-account")
    record(actor, "sso-logout", editor.email if editor else "", f"{ended} sessie(s)")
    db.session.commit()
    return ended

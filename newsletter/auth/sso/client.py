"""The OpenID Connect client (Authlib): discovery, the authorization code flow with PKCE, `state`
and `nonce`, and the ID token's checks (signature against the provider's JWKS, fetched again
when a token names a key we have not seen, so the provider can rotate its keys; issuer,
audience, nonce, expiry)."""

from __future__ import annotations

import requests
from authlib.integrations.base_client import OAuthError
from authlib.integrations.flask_client import FlaskIntegration, FlaskOAuth2App
from flask import current_app
from joserfc.errors import JoseError

from newsletter.sso_settings import SsoSettings

NAME = "vng"
TIMEOUT = 10  # seconds for discovery, JWKS and the token endpoint
#: what a provider that is down, slow (TIMEOUT) or answering nonsense raises
NETWORK_ERRORS = (requests.RequestException,)
#: what a refused or failed exchange raises: state, token endpoint, ID token checks, network
#: (RuntimeError: Authlib's word for a discovery document without an endpoint it needs)
TOKEN_ERRORS = (OAuthError, JoseError, *NETWORK_ERRORS, ValueError, RuntimeError)

#: one client per configuration (a test may change the settings); it caches the discovery
#: document and the keys
_clients: dict[tuple[str, str, str, str], FlaskOAuth2App] = {}


class _RedisStore:
    """Where Authlib keeps a login's nonce and PKCE verifier while the person is at the
    provider: Redis (shared by every node), so the session cookie, signed but readable, holds
    only the state's key, never the secrets (as with TOTP enrolment)."""

    prefix = "ravijn:sso:"

    def get(self, key: str) -> bytes | None:
        return current_app.extensions["redis"].get(self.prefix + key)

    def set(self, key: str, value: str, expires: int | None = None) -> None:
        current_app.extensions["redis"].set(self.prefix + key, value, ex=expires)

    def delete(self, key: str) -> None:
        current_app.extensions["redis"].delete(self.prefix + key)


class _Integration(FlaskIntegration):
    expires_in = 600  # ten minutes to log in at the provider


def settings() -> SsoSettings | None:
    return current_app.config["SETTINGS"].sso


def client(sso: SsoSettings) -> FlaskOAuth2App:
    key = (sso.issuer, sso.client_id, sso.client_secret, sso.scopes)
    if key not in _clients:
        _clients[key] = FlaskOAuth2App(
            _Integration(NAME, cache=_RedisStore()),
            name=NAME,
            client_id=sso.client_id,
            client_secret=sso.client_secret,
            server_metadata_url=sso.discovery_url,
            client_kwargs={
                "scope": sso.scopes,
                "code_challenge_method": "S256",
                # Authlib's requests session takes `default_timeout`; a `timeout` here would be
                # dropped without a word, and a provider that does not answer would hold the
                # request (and its worker) for ever
                "default_timeout": TIMEOUT,
            },
        )
    return _clients[key]


def discovery_problem(sso: SsoSettings) -> str | None:
    """For `flask doctor`: None when the issuer's discovery document is there and fits; a
    provider without back-channel logout fits (Microsoft Entra ID has none: sessions then end
    at SESSION_MAX_HOURS, roles at the next login), see `backchannel_note`."""
    try:
        answer = requests.get(sso.discovery_url, timeout=TIMEOUT)
        answer.raise_for_status()
        document = answer.json()
    except (requests.RequestException, ValueError) as exc:
        return f"{sso.discovery_url} niet te lezen: {exc}"
    if document.get("issuer", "").rstrip("/") != sso.issuer:
        return f"issuer in het discovery-document is {document.get('issuer')!r}, niet {sso.issuer}"
    missing = [
        name
        for name in ("authorization_endpoint", "token_endpoint", "jwks_uri")
        if not document.get(name)
    ]
    if missing:
        return f"het discovery-document mist {', '.join(missing)}"
    if "S256" not in document.get("code_challenge_methods_supported", ["S256"]):
        return "de provider kent PKCE met S256 niet"
    return None


def backchannel_note(sso: SsoSettings) -> str | None:
    """A warning for `flask doctor` when the provider does not announce back-channel logout."""
    try:
        document = requests.get(sso.discovery_url, timeout=TIMEOUT).json()
    except (requests.RequestException, ValueError):
        return None  # discovery_problem said so already
    if document.get("backchannel_logout_supported"):
        return None
    return "de provider meldt geen back-channel logout: sessies eindigen na SESSION_MAX_HOURS"

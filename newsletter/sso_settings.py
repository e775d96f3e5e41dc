"""Single sign-on settings (OpenID Connect, docs/configuration.md#sso): read with the others by
settings.from_env; off while SSO_ISSUER is empty. Fails fast in one Dutch line, like the rest."""

from __future__ import annotations

from dataclasses import dataclass

#: the roles a claim may map to (auth/roles.py names them; settings sit below auth)
ROLE_NAMES = ("redacteur", "eindredacteur", "beheerder")


class SsoConfigError(ValueError):
    """A setting is missing or wrong; the message names it."""


@dataclass(frozen=True)
class SsoSettings:
    """The provider (`issuer`), this app's client at it, and how the provider's claims map to
    roles; from the SSO_* variables of docs/configuration.md#sso."""

    issuer: str
    client_id: str
    client_secret: str
    #: the claim whose values map to roles: "groups" (group object ids) or "roles" (app roles)
    role_claim: str = "groups"
    #: (claim value, roles) pairs; a person gets the union of the roles of the values they hold
    role_map: tuple[tuple[str, tuple[str, ...]], ...] = ()
    #: `acr` values that prove a second factor as well as `amr` containing "mfa"
    acr_values: tuple[str, ...] = ()
    scopes: str = "openid email profile"
    #: the one local account that may log in with a password in production (with TOTP)
    break_glass: str = ""
    #: whom an editor without a role should ask (shown on that page)
    helpdesk: str = "de beheerder van de nieuwsbrief bij VNG"

    @property
    def discovery_url(self) -> str:
        return f"{self.issuer}/.well-known/openid-configuration"

    def roles_for(self, values: list[str]) -> tuple[str, ...]:
        held = {role for value, roles in self.role_map if value in values for role in roles}
        return tuple(role for role in ROLE_NAMES if role in held)


def parse_role_map(text: str) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """'id-1=redacteur; id-2=eindredacteur,beheerder' → pairs; unknown roles are refused."""
    pairs = []
    for part in (p.strip() for p in text.split(";")):
        if not part:
            continue
        value, sep, names = part.partition("=")
        roles = tuple(n.strip().lower() for n in names.split(",") if n.strip())
        if not sep or not value.strip() or not roles:
            raise SsoConfigError(f"SSO_ROLES: {part!r} is niet waarde=rol[,rol]")
        unknown = [r for r in roles if r not in ROLE_NAMES]
        if unknown:
            raise SsoConfigError(f"SSO_ROLES: onbekende rol {', '.join(unknown)}")
        pairs.append((value.strip(), roles))
    return tuple(pairs)


def from_env(env: dict[str, str], production: bool) -> SsoSettings | None:
    issuer = env.get("SSO_ISSUER", "").strip().rstrip("/")
    if not issuer:
        return None
    if not issuer.startswith(("https://", "http://")):
        raise SsoConfigError("SSO_ISSUER moet een https-adres zijn")
    if production and not issuer.startswith("https://"):
        raise SsoConfigError("SSO_ISSUER moet in productie met https:// beginnen")
    client_id = env.get("SSO_CLIENT_ID", "").strip()
    secret = env.get("SSO_CLIENT_SECRET", "").strip()
    if not client_id or not secret:
        raise SsoConfigError("SSO_ISSUER staat aan: zet ook SSO_CLIENT_ID en SSO_CLIENT_SECRET")
    role_map = parse_role_map(env.get("SSO_ROLES", ""))
    if not role_map:
        raise SsoConfigError("SSO_ISSUER staat aan: zet ook SSO_ROLES (groep=rol; …)")
    return SsoSettings(
        issuer=issuer,
        client_id=client_id,
        client_secret=secret,
        role_claim=env.get("SSO_ROLE_CLAIM", "groups").strip() or "groups",
        role_map=role_map,
        acr_values=tuple(v.strip() for v in env.get("SSO_ACR", "").split(",") if v.strip()),
        scopes=env.get("SSO_SCOPES", "").strip() or "openid email profile",
        break_glass=env.get("SSO_BREAK_GLASS", "").strip().lower(),
        helpdesk=env.get("SSO_HELPDESK", "").strip() or SsoSettings.helpdesk,
    )

"""Single sign-on's pure parts (issue 31): the settings, roles from claims, the second factor."""

from __future__ import annotations

import pytest

from newsletter.auth.sso.claims import Refused, person
from newsletter.settings import ConfigError, from_env
from newsletter.sso_settings import SsoSettings, parse_role_map
from tests.unit.test_settings import GOOD

SSO = {
    "SSO_ISSUER": "https://login.microsoftonline.com/tenant-id/v2.0/",
    "SSO_CLIENT_ID": "app-id",
    "SSO_CLIENT_SECRET": "geheim",
    "SSO_ROLES": "g-red=redacteur; g-eind=eindredacteur; g-beheer=beheerder,eindredacteur",
}
SETTINGS = SsoSettings(
    issuer="https://login.example",
    client_id="app",
    client_secret="s",
    role_map=parse_role_map(SSO["SSO_ROLES"]),
    acr_values=("urn:loa:hoog",),
)


def test_sso_is_off_without_an_issuer_and_read_with_one():
    assert from_env(GOOD).sso is None
    sso = from_env(GOOD | SSO | {"SSO_BREAK_GLASS": "Nood@VNG.nl"}).sso
    assert sso is not None
    assert sso.issuer == "https://login.microsoftonline.com/tenant-id/v2.0"
    assert sso.discovery_url.endswith("/v2.0/.well-known/openid-configuration")
    assert sso.break_glass == "nood@vng.nl" and sso.role_claim == "groups"


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"SSO_ISSUER": "http://login.example"}, "SSO_ISSUER moet in productie met https://"),
        ({"SSO_CLIENT_SECRET": ""}, "SSO_CLIENT_ID en SSO_CLIENT_SECRET"),
        ({"SSO_ROLES": ""}, "SSO_ROLES"),
        ({"SSO_ROLES": "g=koning"}, "onbekende rol koning"),
        ({"SSO_ROLES": "zonder-rol"}, "waarde=rol"),
    ],
)
def test_wrong_sso_settings_stop_the_start(changes, message):
    with pytest.raises(ConfigError, match=message):
        from_env(GOOD | SSO | changes)


def claims(**values):
    return {"sub": "s-1", "email": "Anna@VNG.nl", "name": "Anna", "amr": ["pwd", "mfa"]} | values


def test_roles_are_the_union_of_the_mapped_groups_in_a_fixed_order():
    assert person(claims(groups=["g-beheer", "g-red", "x"]), SETTINGS).roles == (
        "redacteur",
        "eindredacteur",
        "beheerder",
    )
    assert person(claims(groups=["x"]), SETTINGS).roles == ()
    assert person(claims(), SETTINGS).roles == ()
    assert person(claims(groups="g-red"), SETTINGS).roles == ("redacteur",)


def test_the_second_factor_is_amr_mfa_or_an_accepted_acr():
    with pytest.raises(Refused, match="zonder tweede stap"):
        person(claims(amr=["pwd"]), SETTINGS)
    with pytest.raises(Refused, match="zonder tweede stap"):
        person(claims(amr=None, acr="urn:loa:laag"), SETTINGS)
    assert person(claims(amr=None, acr="urn:loa:hoog"), SETTINGS).email == "anna@vng.nl"
    assert person(claims(amr=None, acrs=["c2", "urn:loa:hoog"]), SETTINGS).email  # Entra ID
    with pytest.raises(Refused):
        person(claims(amr=None, acrs=["c2"]), SETTINGS)


def test_an_address_comes_from_email_or_preferred_username():
    found = person(claims(email=None, preferred_username="b@vng.nl"), SETTINGS)
    assert found.email == "b@vng.nl"
    with pytest.raises(Refused, match="geen e-mailadres"):
        person(claims(email=None), SETTINGS)


@pytest.mark.parametrize("changes", [{"sub": "s" * 251}, {"sid": "x" * 256}], ids=["sub", "sid"])
def test_a_subject_or_session_id_too_long_to_store_is_refused_not_a_500(changes):
    with pytest.raises(Refused, match="te lang"):
        person(claims(**changes), SETTINGS)
    assert person(claims(sub="s" * 250, sid="x" * 255), SETTINGS).subject == "s" * 250

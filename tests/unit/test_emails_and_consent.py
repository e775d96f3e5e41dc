import pytest

from newsletter.subscribers.addresses import InvalidEmail, normalise_email
from newsletter.subscribers.consent import consent_sha256, ip_prefix


def test_case_insensitive_key_keeps_the_address():
    email = normalise_email("  Anna.de.Vries@Utrecht.NL ")
    assert email.address == "Anna.de.Vries@utrecht.nl"
    assert email.key == "anna.de.vries@utrecht.nl"


def test_idn_domain_is_sent_to_as_ascii():
    email = normalise_email("griffie@súdwest-fryslân.nl")
    assert email.address == "griffie@xn--sdwest-frysln-teb26a.nl"
    assert email.key == normalise_email("GRIFFIE@SÚDWEST-FRYSLÂN.NL").key


@pytest.mark.parametrize(
    "bad", ["", "anna", "anna@", "@x.nl", "a b@x.nl", "anna@x.nl\r\nBcc: y@z.nl", "a\x00@x.nl"]
)
def test_bad_addresses_get_a_dutch_message(bad):
    with pytest.raises(InvalidEmail, match="e-mailadres"):
        normalise_email(bad)


def test_ip_is_truncated():
    assert ip_prefix("192.0.2.77") == "192.0.2.0/24"
    assert ip_prefix("2001:db8:1234:5678::1") == "2001:db8:1234::/48"
    assert ip_prefix("not an ip") is None
    assert ip_prefix(None) is None


def test_consent_hash_is_stable_hex():
    assert len(consent_sha256()) == 64
    int(consent_sha256(), 16)

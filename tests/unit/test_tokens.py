import pytest

from newsletter.subscribers.tokens import Purpose, Signer, TokenExpired, TokenInvalid

NEW, OLD = "new-key-" + "x" * 32, "old-key-" + "y" * 32


def test_round_trip_for_each_purpose():
    signer = Signer((NEW,))
    for purpose in (Purpose.preferences, Purpose.unsubscribe):
        assert signer.load_str(purpose, signer.dumps(purpose, "abc")) == "abc"
    token = signer.dumps(Purpose.confirm, ["pid", "nonce"])
    assert signer.load_pair(Purpose.confirm, token, max_age=60) == ("pid", "nonce")


def test_a_token_opens_only_its_own_door():
    signer = Signer((NEW,))
    token = signer.dumps(Purpose.preferences, "abc")
    with pytest.raises(TokenInvalid):
        signer.load_str(Purpose.unsubscribe, token)


def test_the_address_is_not_in_the_token():
    signer = Signer((NEW,))
    token = signer.dumps(Purpose.confirm, ["opaque-id", "nonce"])
    assert "@" not in token


def test_key_rotation_first_signs_all_verify():
    old_token = Signer((OLD,)).dumps(Purpose.unsubscribe, "abc")
    rotated = Signer((NEW, OLD))
    assert rotated.load_str(Purpose.unsubscribe, old_token) == "abc"
    new_token = rotated.dumps(Purpose.unsubscribe, "abc")
    assert Signer((NEW,)).load_str(Purpose.unsubscribe, new_token) == "abc"
    with pytest.raises(TokenInvalid):
        Signer((OLD,)).load_str(Purpose.unsubscribe, new_token)


def test_expired_and_tampered():
    signer = Signer((NEW,))
    token = backdated(signer, Purpose.confirm, ["a", "b"], 5)  # made 5 s ago, not slept for
    with pytest.raises(TokenExpired):
        signer.load_pair(Purpose.confirm, token, max_age=1)
    with pytest.raises(TokenInvalid):
        signer.load_pair(Purpose.confirm, token[:-2] + "xx", max_age=60)
    for junk in ("", "x" * 2000, "....", "\x00", "é"):
        with pytest.raises(TokenInvalid):
            signer.load_pair(Purpose.confirm, junk, max_age=60)


def backdated(signer: Signer, purpose: Purpose, payload: object, seconds: int) -> str:
    """A token of `purpose` as `signer` would have made it `seconds` ago."""
    from itsdangerous import TimestampSigner, URLSafeTimedSerializer

    class Earlier(TimestampSigner):
        def get_timestamp(self) -> int:
            return super().get_timestamp() - seconds

    keys = list(reversed(signer.secret_keys))
    return URLSafeTimedSerializer(keys, salt=purpose.value, signer=Earlier).dumps(payload)


def test_preferences_links_expire_and_the_first_version_counts_as_expired():
    from itsdangerous import URLSafeSerializer

    signer = Signer((NEW,))
    fresh = signer.dumps(Purpose.preferences, "abc")
    assert signer.load_str(Purpose.preferences, fresh, max_age=90 * 86400) == "abc"
    old = backdated(signer, Purpose.preferences, "abc", 91 * 86400)
    with pytest.raises(TokenExpired):
        signer.load_str(Purpose.preferences, old, max_age=90 * 86400)
    first_version = URLSafeSerializer([NEW], salt="ravijn.preferences.v1").dumps("abc")
    with pytest.raises(TokenExpired):
        signer.load_str(Purpose.preferences, first_version, max_age=90 * 86400)


def test_retired_keys_verify_unsubscribe_links_only():
    old = Signer((OLD,))
    unsubscribe, preferences = (
        old.dumps(Purpose.unsubscribe, "abc"),
        old.dumps(Purpose.preferences, "abc"),
    )
    retired = Signer((NEW,), retired_keys=(OLD,))
    assert retired.load_str(Purpose.unsubscribe, unsubscribe) == "abc"  # every old mail works
    with pytest.raises(TokenInvalid):
        retired.load_str(Purpose.preferences, preferences, max_age=86400)
    assert Signer((NEW,)).dumps(Purpose.unsubscribe, "abc") == retired.dumps(
        Purpose.unsubscribe, "abc"
    )  # the new key signs


def test_the_fast_signer_makes_the_serializers_own_tokens():
    """dumps() keeps one signer per purpose with its key derived once; its tokens are the
    ones itsdangerous itself would make, and they load."""
    from newsletter.subscribers.tokens import TIMED, Purpose, Signer

    signer = Signer(("a" * 40, "b" * 40))
    for purpose in Purpose:
        token = signer.dumps(purpose, "pub-id-1")
        assert signer.loads(purpose, token, max_age=60) == "pub-id-1"
        if purpose not in TIMED:
            assert token == signer._serializers[purpose].dumps("pub-id-1")

"""The personal-data module: AES-GCM field encryption with key rotation (checked against the
published GCM test vectors), the keyed lookup hash and the masks (GB 11643 ID-number shape)."""

import base64
import os

import pytest

from gridgov.core import personal_data as pd

ZERO_KEY = base64.b64encode(bytes(32)).decode()


def _key():
    return base64.b64encode(os.urandom(32)).decode()


def test_round_trip_and_purpose_binding():
    token = pd.encrypt("330203198001011234", "id_number")
    assert "330203198001011234" not in token and token.startswith("v1$")
    assert pd.decrypt(token, "id_number") == "330203198001011234"
    with pytest.raises(pd.DecryptionError):
        pd.decrypt(token, "phone")
    assert pd.encrypt("") == "" and pd.decrypt("") == ""
    # A fresh nonce each time: equal values do not give equal tokens.
    assert pd.encrypt("x") != pd.encrypt("x")


@pytest.mark.parametrize("token", ["plain text", "v2$abcd$AAAA", "v1$abcd$not-base64!"])
def test_what_is_not_a_token_does_not_decrypt(token):
    with pytest.raises(pd.DecryptionError):
        pd.decrypt(token)


def test_encryption_is_aes_256_gcm(settings, monkeypatch):
    """McGrew & Viega, "The Galois/Counter Mode of Operation", test cases 13 and 14: a zero
    256-bit key and a zero 96-bit IV. Test case 14 encrypts one zero block; the token is
    nonce ‖ ciphertext ‖ tag under the key's id."""
    settings.GRIDGOV_FIELD_KEYS = [ZERO_KEY]
    monkeypatch.setattr(pd.os, "urandom", lambda n: bytes(n))
    token = pd.encrypt("\x00" * 16)
    prefix, kid, payload = token.split("$")
    blob = base64.b64decode(payload)
    assert prefix == "v1" and kid == pd.key_id(bytes(32))
    assert blob[:12] == bytes(12)
    assert blob[12:28].hex() == "cea7403d4d606b6e074ec5d3baf39d18"
    assert blob[28:].hex() == "d0d1c8a799996bf0265b98b5d48ab919"
    # Test case 13 (empty plaintext, tag only), decrypted through a hand-built token.
    empty = "v1$" + kid + "$" + base64.b64encode(
        bytes(12) + bytes.fromhex("530f8afbc74536b9a963b4f1c4cb738b")).decode()
    assert pd.decrypt(empty) == ""
    tampered = "v1$" + kid + "$" + base64.b64encode(
        bytes(12) + bytes.fromhex("530f8afbc74536b9a963b4f1c4cb738c")).decode()
    with pytest.raises(pd.DecryptionError):
        pd.decrypt(tampered)


def test_rotation_old_keys_decrypt_new_key_encrypts(settings):
    old, new = _key(), _key()
    settings.GRIDGOV_FIELD_KEYS = [old]
    token = pd.encrypt("secret", "phone")
    settings.GRIDGOV_FIELD_KEYS = [new, old]
    assert pd.decrypt(token, "phone") == "secret"
    assert pd.token_key_id(pd.encrypt("secret", "phone")) == pd.current_key_id()
    assert pd.token_key_id(token) != pd.current_key_id()
    settings.GRIDGOV_FIELD_KEYS = [new]
    with pytest.raises(pd.DecryptionError):
        pd.decrypt(token, "phone")
    # One comma-separated string (as from the environment) works the same.
    settings.GRIDGOV_FIELD_KEYS = f"{new}, {old}"
    assert pd.decrypt(token, "phone") == "secret"


def test_keys_must_be_32_bytes(settings):
    from django.core.exceptions import ImproperlyConfigured

    settings.GRIDGOV_FIELD_KEYS = [base64.b64encode(bytes(16)).decode()]
    with pytest.raises(ImproperlyConfigured):
        pd.encrypt("x")


def test_new_key_is_a_usable_key(settings):
    key = pd.new_key()
    assert len(base64.b64decode(key)) == 32
    settings.GRIDGOV_FIELD_KEYS = [key]
    assert pd.decrypt(pd.encrypt("x", "phone"), "phone") == "x"


def test_lookup_hash_is_keyed_and_normalised(settings):
    h = pd.lookup_hash("33020319800101123x")
    assert len(h) == 64 and h == pd.lookup_hash(" 33020319800101123X ")
    assert pd.lookup_hash("") == ""
    settings.GRIDGOV_LOOKUP_KEY = _key()
    assert pd.lookup_hash("33020319800101123X") != h
    # Rotating the encryption keys does not move the lookup hash.
    again = pd.lookup_hash("33020319800101123X")
    settings.GRIDGOV_FIELD_KEYS = [_key()]
    assert pd.lookup_hash("33020319800101123X") == again


def test_mask_id_number_gb11643_example():
    # GB 11643-1999's example number: region 110105, born 1949-12-31, sequence 002, check X.
    assert pd.mask_id_number("11010519491231002X") == "110105********002X"
    assert pd.mask_id_number("330203198001011234") == "330203********1234"
    # A 15-digit first-generation number keeps the same region and tail.
    assert pd.mask_id_number("110105491231002") == "110105*****1002"
    assert pd.mask_id_number("1234567890") == "**********"
    assert pd.mask_id_number("") == "" and pd.mask_id_number(None) == ""


def test_mask_phone():
    assert pd.mask_phone("13812345678") == "138****5678"
    assert pd.mask_phone("057487654321") == "057*****4321"
    assert pd.mask_phone("12345") == "*****"
    assert pd.mask_phone("") == "" and pd.mask_phone(None) == ""


@pytest.mark.parametrize(("value", "masked"), [
    ("11010519491231002X", "110105********002X"),
    ("11010519491231002x", "110105********002x"),
    ("13812345678", "138****5678"),
    ("张三丰", "张*丰"),
    ("张三", "张*"),
    ("张", "*"),
    ("", ""),
    (12345, "1***5"),
    (None, None),
])
def test_mask_value_by_shape(value, masked):
    assert pd.mask_value(value) == masked

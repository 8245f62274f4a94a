"""Known answers from the standards for the one crypto module, and the behaviour built on it."""

import base64
import hashlib
import hmac

import pytest
from django.core.exceptions import ImproperlyConfigured

from core import crypto, masking
from core.fields import id_number_is_valid

# GB/T 32905-2016, appendix A.
SM3_ABC = "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"
SM3_ABCD_16 = "debe9ff92275b8a138604889c18e5a4d6fdb70e5387e5765293dcba39c0c5732"
# GB/T 32907-2016, appendix A, example 1: key = plaintext.
SM4_KEY = bytes.fromhex("0123456789abcdeffedcba9876543210")
SM4_CIPHERTEXT = "681edf34d206965e86b3e94f536e4246"

HAS_OPENSSL_SM3 = "sm3" in hashlib.algorithms_available


def test_sm3_known_answers():
    assert crypto.sm3_hex(b"abc") == SM3_ABC
    assert crypto.sm3_hex(b"abcd" * 16) == SM3_ABCD_16


def test_sm3_known_answers_of_the_pure_python_fallback():
    assert crypto.gmssl_sm3(b"abc").hex() == SM3_ABC
    assert crypto.gmssl_sm3(b"abcd" * 16).hex() == SM3_ABCD_16


def test_incremental_sm3_of_a_stream():
    digest = crypto.SM3File()
    digest.update(b"abcd" * 8)
    digest.update(b"abcd" * 8)
    assert digest.hexdigest() == SM3_ABCD_16


def test_sm4_known_answer():
    assert crypto.sm4_encrypt_block(SM4_KEY, SM4_KEY).hex() == SM4_CIPHERTEXT


def test_sm4_cbc_first_block_is_the_block_cipher_of_plaintext_xor_iv():
    iv = bytes(16)
    ciphertext = crypto.sm4_cbc_encrypt(SM4_KEY, iv, SM4_KEY)
    # One full block of plaintext gets a full block of PKCS#7 padding after it.
    assert len(ciphertext) == 32 and ciphertext[:16].hex() == SM4_CIPHERTEXT
    assert crypto.sm4_cbc_decrypt(SM4_KEY, iv, ciphertext) == SM4_KEY


@pytest.mark.skipif(not HAS_OPENSSL_SM3, reason="OpenSSL without SM3")
@pytest.mark.parametrize("key", [b"key", b"k" * 64, b"k" * 100])
def test_hmac_sm3_matches_the_standard_library_hmac(key):
    expected = hmac.new(key, b"data", lambda *data: hashlib.new("sm3", *data)).hexdigest()
    assert crypto.hmac_sm3(key, b"data").hex() == expected
    assert crypto.hmac_sm3(key, b"data", hash_function=crypto.gmssl_sm3).hex() == expected


def test_encryption_round_trip_with_random_iv():
    first, second = crypto.encrypt("13812345678"), crypto.encrypt("13812345678")
    assert first != second and "13812345678" not in first
    assert first.startswith(f"SM4:{crypto.current_data_key().id}:")
    assert crypto.decrypt(first) == crypto.decrypt(second) == "13812345678"
    assert crypto.decrypt(crypto.encrypt("张三 11010519491231002X")) == "张三 11010519491231002X"


def test_a_changed_ciphertext_is_refused():
    ciphertext = crypto.encrypt("13812345678")
    header, body = ciphertext.rsplit(":", 1)
    raw = bytearray(base64.b64decode(body))
    raw[20] ^= 1
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt(f"{header}:{base64.b64encode(bytes(raw)).decode()}")
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt("13812345678")


def test_rotation_keeps_old_ciphertexts_readable_only_while_the_old_key_is_configured(settings):
    settings.MOFAN_DATA_KEY = "old-key-" + "o" * 40
    old = crypto.encrypt("13812345678")
    old_index = crypto.blind_index("13812345678")
    settings.MOFAN_DATA_KEY, settings.MOFAN_DATA_KEYS = "new-key-" + "n" * 40, "old-key-" + "o" * 40
    assert crypto.decrypt(old) == "13812345678"
    assert crypto.key_id_of(crypto.encrypt("1")) != crypto.key_id_of(old)
    assert crypto.blind_indexes("13812345678")[1] == old_index != crypto.blind_index("13812345678")
    settings.MOFAN_DATA_KEYS = ""
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt(old)


def test_production_refuses_missing_or_short_keys(settings, monkeypatch):
    monkeypatch.delenv("MOFAN_DATA_KEY", raising=False)
    monkeypatch.delenv("MOFAN_AUDIT_KEY", raising=False)
    settings.PRODUCTION = True
    settings.MOFAN_DATA_KEY = ""
    with pytest.raises(ImproperlyConfigured):
        crypto.encrypt("13812345678")
    settings.MOFAN_DATA_KEY = "too-short"
    with pytest.raises(ImproperlyConfigured):
        crypto.data_keys()
    settings.MOFAN_DATA_KEY = "d" * 64
    with pytest.raises(ImproperlyConfigured):
        crypto.audit_keys()
    monkeypatch.setenv("MOFAN_AUDIT_KEY", "a" * 64)
    crypto.check_configuration()


def test_development_keys_are_fixed_so_data_survives_a_restart(settings, monkeypatch):
    monkeypatch.delenv("MOFAN_DATA_KEY", raising=False)
    settings.PRODUCTION = False
    settings.MOFAN_DATA_KEY = ""
    assert crypto.current_data_key() == crypto.derive_key(crypto._DEVELOPMENT_SECRETS["MOFAN_DATA_KEY"])


def test_masks():
    assert masking.phone("13812345678") == "138****5678"
    assert masking.phone("12345") == "*****"
    assert masking.id_number("330106199003071236") == "3301**********1236"
    assert masking.phone("") == masking.id_number(None) == ""


@pytest.mark.parametrize(
    "number, valid",
    [
        ("11010519491231002X", True),
        ("11010519491231002x", True),  # a lower-case x is the same check character
        ("330106199003071236", True),
        ("330106199003071235", False),  # wrong check digit
        ("330106199002301236", False),  # 30 February
        ("33010619900307123", False),  # 17 characters
        ("3301061990030712366", False),
        ("33010619900307123A", False),
    ],
)
def test_id_card_numbers(number, valid):
    assert id_number_is_valid(number) is valid


def test_the_system_check_reports_missing_production_keys(settings, monkeypatch):
    monkeypatch.delenv("MOFAN_DATA_KEY", raising=False)
    settings.PRODUCTION, settings.MOFAN_DATA_KEY = True, ""
    assert [error.id for error in crypto.keys_configured()] == ["core.E010"]
    settings.PRODUCTION = False
    assert crypto.keys_configured() == []

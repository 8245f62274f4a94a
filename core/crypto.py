"""All of Mofan's cryptography, behind one small interface so a certified implementation can replace it.

- SM3 (GB/T 32905) hashes, and HMAC-SM3 (RFC 2104 over SM3) for keyed hashes.
- SM4 (GB/T 32907) in CBC mode with a random IV and PKCS#7 padding, encrypt-then-MAC with HMAC-SM3,
  for short personal values (phone and ID-card numbers). A ciphertext names the key it was made
  with, so keys can be rotated: ``SM4:<key id>:<base64 of IV | ciphertext | tag>``.
- Blind indexes: HMAC-SM3 of a normalised value, for uniqueness and lookups of encrypted columns.

Keys come from the configuration (settings or the environment): MOFAN_DATA_KEY (the current data
key), MOFAN_DATA_KEYS (older data keys, comma separated, still accepted for decryption and lookups),
MOFAN_AUDIT_KEY / MOFAN_AUDIT_KEYS (the audit chain). In development mode (also the demo and the
tests) a fixed, publicly known key is used; in production a missing key is a configuration error.

SM3 uses OpenSSL through hashlib when it offers it (fast), else the pure-Python gmssl; SM4 is gmssl.
The known-answer tests in core/tests/test_crypto.py check both.
"""

import base64
import hashlib
import hmac
import os
import secrets
from dataclasses import dataclass
from functools import lru_cache

from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured
from gmssl import sm3 as gm_sm3
from gmssl import sm4 as gm_sm4

BLOCK = 16
TAG_BYTES = 16
PREFIX = "SM4"
MIN_KEY_LENGTH = 32
# Publicly known: only for development, the demo and the tests.
_DEVELOPMENT_SECRETS = {
    "MOFAN_DATA_KEY": "mofan-development-data-key-not-for-production-use",
    "MOFAN_AUDIT_KEY": "mofan-development-audit-key-not-for-production-use",
}


class DecryptionError(ValueError):
    """The value is not a ciphertext of a known key, or it was changed."""


# --- SM3 and HMAC-SM3 -------------------------------------------------------------------------


def _openssl_sm3(data: bytes) -> bytes | None:
    try:
        return hashlib.new("sm3", data).digest()
    except ValueError:
        return None


def gmssl_sm3(data: bytes) -> bytes:
    """The pure-Python SM3, used when OpenSSL has none (and by the known-answer tests)."""
    return bytes.fromhex(gm_sm3.sm3_hash(list(data)))


_HAS_OPENSSL_SM3 = _openssl_sm3(b"") is not None


def sm3(data: bytes) -> bytes:
    return hashlib.new("sm3", data).digest() if _HAS_OPENSSL_SM3 else gmssl_sm3(data)


def sm3_hex(data: bytes) -> str:
    return sm3(data).hex()


class SM3File:
    """Incremental SM3 of a stream (archives): OpenSSL's, or the whole content buffered for gmssl."""

    def __init__(self):
        self._hash = hashlib.new("sm3") if _HAS_OPENSSL_SM3 else None
        self._chunks = []

    def update(self, data: bytes):
        if self._hash is not None:
            self._hash.update(data)
        else:
            self._chunks.append(bytes(data))

    def hexdigest(self) -> str:
        return self._hash.hexdigest() if self._hash is not None else sm3_hex(b"".join(self._chunks))


def hmac_sm3(key: bytes, data: bytes, *, hash_function=None) -> bytes:
    """HMAC (RFC 2104) over SM3: 64-byte blocks, 32-byte digests."""
    digest = hash_function or sm3
    if len(key) > 64:
        key = digest(key)
    key = key.ljust(64, b"\0")
    inner = digest(bytes(b ^ 0x36 for b in key) + data)
    return digest(bytes(b ^ 0x5C for b in key) + inner)


def hmac_sm3_hex(key: bytes, data: bytes) -> str:
    return hmac_sm3(key, data).hex()


# --- SM4 ----------------------------------------------------------------------------------------


@lru_cache(maxsize=32)
def _sm4(key: bytes, mode) -> gm_sm4.CryptSM4:
    """A cipher with its round keys, reused: encrypting a block does not change it."""
    cipher = gm_sm4.CryptSM4(padding_mode=None)  # padding is ours (checked on the way back)
    cipher.set_key(key, mode)
    return cipher


def sm4_encrypt_block(key: bytes, block: bytes) -> bytes:
    """One block with the bare cipher: for the known-answer test of GB/T 32907."""
    return _sm4(key, gm_sm4.SM4_ENCRYPT).crypt_ecb(block)


def sm4_cbc_encrypt(key: bytes, iv: bytes, plaintext: bytes) -> bytes:
    pad = BLOCK - len(plaintext) % BLOCK
    data = plaintext + bytes([pad]) * pad
    cipher = _sm4(key, gm_sm4.SM4_ENCRYPT)
    out, previous = [], iv
    for start in range(0, len(data), BLOCK):
        block = bytes(a ^ b for a, b in zip(data[start : start + BLOCK], previous))
        previous = cipher.crypt_ecb(block)
        out.append(previous)
    return b"".join(out)


def sm4_cbc_decrypt(key: bytes, iv: bytes, ciphertext: bytes) -> bytes:
    if not ciphertext or len(ciphertext) % BLOCK:
        raise DecryptionError("ciphertext length is not a multiple of the block size")
    cipher = _sm4(key, gm_sm4.SM4_DECRYPT)
    out, previous = [], iv
    for start in range(0, len(ciphertext), BLOCK):
        block = ciphertext[start : start + BLOCK]
        out.append(bytes(a ^ b for a, b in zip(cipher.crypt_ecb(block), previous)))
        previous = block
    data = b"".join(out)
    pad = data[-1]
    if not 1 <= pad <= BLOCK or data[-pad:] != bytes([pad]) * pad:
        raise DecryptionError("bad padding")
    return data[:-pad]


# --- Keys -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DataKey:
    id: str
    encryption: bytes
    mac: bytes
    index: bytes


def derive_key(secret: str) -> DataKey:
    """Separate keys for encryption, authentication and indexes, and a short id, from one secret."""
    material = secret.encode()
    return DataKey(
        id=hmac_sm3(material, b"mofan/key-id").hex()[:8],
        encryption=hmac_sm3(material, b"mofan/sm4-cbc")[:16],
        mac=hmac_sm3(material, b"mofan/hmac-sm3"),
        index=hmac_sm3(material, b"mofan/blind-index"),
    )


def _configured(name):
    value = getattr(settings, name, None)
    if value in (None, ""):
        value = os.environ.get(name, "")
    if isinstance(value, (list, tuple)):
        return tuple(str(item).strip() for item in value if str(item).strip())
    return str(value).strip()


def _secrets(name: str) -> tuple[str, ...]:
    """The current secret of ``name`` first, then the older ones of ``name + 'S'``."""
    current = _configured(name)
    if not current:
        if getattr(settings, "PRODUCTION", False):
            raise ImproperlyConfigured(f"{name} must be set in production mode (see docs/security.md)")
        current = _DEVELOPMENT_SECRETS[name]
    if getattr(settings, "PRODUCTION", False) and len(current) < MIN_KEY_LENGTH:
        raise ImproperlyConfigured(f"{name} must have at least {MIN_KEY_LENGTH} characters")
    older = _configured(name + "S")
    if isinstance(older, str):
        older = tuple(item.strip() for item in older.split(",") if item.strip())
    return (current, *(secret for secret in older if secret != current))


@lru_cache(maxsize=16)
def _derive_all(secret_values: tuple[str, ...]) -> tuple[DataKey, ...]:
    return tuple(derive_key(secret) for secret in secret_values)


def data_keys() -> tuple[DataKey, ...]:
    """The current data key first, then the older ones still accepted."""
    return _derive_all(_secrets("MOFAN_DATA_KEY"))


def current_data_key() -> DataKey:
    return data_keys()[0]


def audit_keys() -> tuple[bytes, ...]:
    """Keys of the audit chain: the current one first, then older ones that old entries may carry."""
    return tuple(key.mac for key in _derive_all(_secrets("MOFAN_AUDIT_KEY")))


def check_configuration():
    """Raises ImproperlyConfigured when a key is missing or too short for the mode."""
    data_keys()
    audit_keys()


@checks.register(checks.Tags.security)
def keys_configured(app_configs=None, **kwargs):
    """`manage.py check` and `migrate` stop on a production installation without its keys."""
    try:
        check_configuration()
    except ImproperlyConfigured as error:
        return [checks.Error(str(error), hint="See docs/security.md, section Keys.", id="core.E010")]
    return []


# --- Values -------------------------------------------------------------------------------------


def _tag(key: DataKey, header: bytes, body: bytes) -> bytes:
    return hmac_sm3(key.mac, header + body)[:TAG_BYTES]


def encrypt(plaintext: str, key: DataKey | None = None) -> str:
    """SM4-CBC with a random IV, then HMAC-SM3 over key id, IV and ciphertext."""
    key = key or current_data_key()
    iv = secrets.token_bytes(BLOCK)
    body = iv + sm4_cbc_encrypt(key.encryption, iv, plaintext.encode())
    header = f"{PREFIX}:{key.id}:".encode()
    return header.decode() + base64.b64encode(body + _tag(key, header, body)).decode()


def is_ciphertext(value) -> bool:
    return isinstance(value, str) and value.startswith(PREFIX + ":") and value.count(":") == 2


def key_id_of(ciphertext: str) -> str:
    if not is_ciphertext(ciphertext):
        raise DecryptionError("not a ciphertext")
    return ciphertext.split(":")[1]


def decrypt(ciphertext: str) -> str:
    """The plaintext, after checking the tag; refuses unknown keys and changed ciphertexts."""
    key_id = key_id_of(ciphertext)
    key = next((key for key in data_keys() if key.id == key_id), None)
    if key is None:
        raise DecryptionError(f"no configured data key has the id {key_id}")
    try:
        raw = base64.b64decode(ciphertext.split(":")[2], validate=True)
    except ValueError:
        raise DecryptionError("not base64") from None
    body, tag = raw[:-TAG_BYTES], raw[-TAG_BYTES:]
    if len(body) < 2 * BLOCK or not hmac.compare_digest(tag, _tag(key, f"{PREFIX}:{key_id}:".encode(), body)):
        raise DecryptionError("the ciphertext was changed or made with another key")
    try:
        return sm4_cbc_decrypt(key.encryption, body[:BLOCK], body[BLOCK:]).decode()
    except UnicodeDecodeError:
        raise DecryptionError("the plaintext is not text") from None


def blind_index(value: str, key: DataKey | None = None) -> str:
    """HMAC-SM3 of a normalised value under the current key (what is stored)."""
    key = key or current_data_key()
    return hmac_sm3(key.index, value.encode()).hex()


def blind_indexes(value: str) -> list[str]:
    """The index under every configured key: a lookup finds rows not yet re-encrypted after a rotation."""
    return [blind_index(value, key) for key in data_keys()]

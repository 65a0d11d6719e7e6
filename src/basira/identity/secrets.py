"""Secrets at rest under the instance key: AES-256-GCM with a key derived (HKDF-SHA256) from the instance secret.

A stored value is ``v1:`` + base64(nonce | tag | ciphertext). A value encrypted under another instance key, or
altered, fails to decrypt with :class:`basira.core.errors.ConfigurationError` rather than yielding garbage.
"""

from __future__ import annotations

import base64
import binascii
import secrets as _random

from Crypto.Cipher import AES
from Crypto.Hash import SHA256
from Crypto.Protocol.KDF import HKDF

from basira.core.errors import ConfigurationError

_PREFIX = "v1:"
_NONCE = 12
_TAG = 16


def _key(instance_secret: str, purpose: str) -> bytes:
    if not instance_secret:
        raise ConfigurationError("the instance has no secret key to encrypt with")
    key = HKDF(instance_secret.encode(), 32, salt=b"basira", hashmod=SHA256, context=purpose.encode())
    return key if isinstance(key, bytes) else key[0]


def encrypt(instance_secret: str, plaintext: str, purpose: str) -> str:
    """``plaintext`` encrypted for storage; ``purpose`` separates keys (a value of one purpose opens no other)."""
    nonce = _random.token_bytes(_NONCE)
    cipher = AES.new(_key(instance_secret, purpose), AES.MODE_GCM, nonce=nonce)
    body, tag = cipher.encrypt_and_digest(plaintext.encode())
    return _PREFIX + base64.b64encode(nonce + tag + body).decode()


def decrypt(instance_secret: str, stored: str, purpose: str) -> str:
    """The plaintext of a value made by :func:`encrypt` with the same instance secret and purpose."""
    if not stored.startswith(_PREFIX):
        raise ConfigurationError("a stored secret is not in a known format")
    try:
        raw = base64.b64decode(stored[len(_PREFIX):], validate=True)
    except (binascii.Error, ValueError):
        raise ConfigurationError("a stored secret is corrupt") from None
    nonce, tag, body = raw[:_NONCE], raw[_NONCE:_NONCE + _TAG], raw[_NONCE + _TAG:]
    cipher = AES.new(_key(instance_secret, purpose), AES.MODE_GCM, nonce=nonce)
    try:
        return cipher.decrypt_and_verify(body, tag).decode()
    except (ValueError, UnicodeDecodeError):
        raise ConfigurationError("a stored secret does not open with this instance's key (was the key changed?)") \
            from None

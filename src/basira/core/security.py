"""Credentials: API keys (random, visible id prefix, stored as SHA-256) and passwords (argon2)."""

from __future__ import annotations

import hashlib
import hmac
import secrets

from argon2 import Parameters, PasswordHasher, profiles
from argon2.exceptions import InvalidHashError, VerificationError

KEY_PREFIX = "bsk"
#: argon2id at RFC 9106's second recommended setting (64 MiB, 3 passes, 4 lanes; argon2-cffi's default).
PASSWORD_PARAMETERS: Parameters = profiles.RFC_9106_LOW_MEMORY
_hasher = PasswordHasher.from_parameters(PASSWORD_PARAMETERS)


def new_api_key() -> tuple[str, str, str]:
    """A fresh key: (key_id, full key shown once, SHA-256 of the full key to store)."""
    key_id = secrets.token_hex(6)
    secret = secrets.token_urlsafe(32)
    full = f"{KEY_PREFIX}_{key_id}_{secret}"
    return key_id, full, sha256_hex(full)


def split_api_key(full: str) -> str | None:
    """The key id of a well-formed key, else None."""
    parts = full.strip().split("_", 2)
    if len(parts) != 3 or parts[0] != KEY_PREFIX or len(parts[1]) != 12 or not parts[2]:
        return None
    return parts[1]


def sha256_hex(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def key_matches(full: str, stored_sha256: str) -> bool:
    return hmac.compare_digest(sha256_hex(full.strip()), stored_sha256)


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password: str, stored: str) -> bool:
    try:
        return _hasher.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False

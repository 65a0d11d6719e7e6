"""Secrets at rest under the instance key: AES-256-GCM with a key derived (HKDF-SHA256) from the instance secret,
and a column type that seals and opens them on the way to and from the database.

A stored value is ``v1:`` + base64(nonce | tag | ciphertext). A value sealed under another instance key, or
altered, fails to open with :class:`basira.core.errors.ConfigurationError` rather than yielding garbage.

:class:`SealedText` columns (TOTP secrets, webhook secrets, legal authorities' keys) are sealed with the key
the instance puts on its engine (:func:`attach`); the database never holds them in clear. Rows written in clear
by an earlier version are sealed in place at start-up by :func:`seal_existing`.
"""

from __future__ import annotations

import base64
import binascii
import secrets as _random

from Crypto.Cipher import AES
from Crypto.Hash import SHA256
from Crypto.Protocol.KDF import HKDF
from sqlalchemy import Column, MetaData, String, Table, Text, select, update
from sqlalchemy.engine import Connection, Dialect, Engine
from sqlalchemy.types import TypeDecorator

from basira.core.errors import ConfigurationError

PREFIX = "v1:"
_NONCE = 12
_TAG = 16
#: The purpose of column secrets (one derived key for all of them).
COLUMN_PURPOSE = "sealed-column"
_DIALECT_ATTR = "basira_seal_secret"


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
    return PREFIX + base64.b64encode(nonce + tag + body).decode()


def decrypt(instance_secret: str, stored: str, purpose: str) -> str:
    """The plaintext of a value made by :func:`encrypt` with the same instance secret and purpose."""
    if not stored.startswith(PREFIX):
        raise ConfigurationError("a stored secret is not in a known format")
    try:
        raw = base64.b64decode(stored[len(PREFIX):], validate=True)
    except (binascii.Error, ValueError):
        raise ConfigurationError("a stored secret is corrupt") from None
    nonce, tag, body = raw[:_NONCE], raw[_NONCE:_NONCE + _TAG], raw[_NONCE + _TAG:]
    cipher = AES.new(_key(instance_secret, purpose), AES.MODE_GCM, nonce=nonce)
    try:
        return cipher.decrypt_and_verify(body, tag).decode()
    except (ValueError, UnicodeDecodeError):
        raise ConfigurationError("a stored secret does not open with this instance's key (was the key changed?)") \
            from None


def attach(engine: Engine, instance_secret: str) -> None:
    """Give the engine the instance secret that :class:`SealedText` columns are sealed with."""
    setattr(engine.dialect, _DIALECT_ATTR, instance_secret)


def _secret(dialect: Dialect) -> str:
    found = getattr(dialect, _DIALECT_ATTR, None)
    if not isinstance(found, str) or not found:
        raise ConfigurationError("this database connection has no instance key to seal or open secrets with")
    return found


def _is_sealed(value: str) -> bool:
    return value.startswith(PREFIX)


class SealedText(TypeDecorator[str]):
    """Text sealed with the instance key in the database, plain in Python. A value still in clear (written by an
    earlier version, before :func:`seal_existing` ran) reads as it is."""

    impl: type[String] = Text
    cache_ok = True

    def process_bind_param(self, value: str | None, dialect: Dialect) -> str | None:
        if value is None:
            return None
        return encrypt(_secret(dialect), value, COLUMN_PURPOSE)

    def process_result_value(self, value: str | None, dialect: Dialect) -> str | None:
        if value is None or not _is_sealed(value):
            return value
        return decrypt(_secret(dialect), value, COLUMN_PURPOSE)

    def is_sealed(self, stored: str) -> bool:
        return _is_sealed(stored)

    def seal(self, secret: str, value: str) -> str:
        return encrypt(secret, value, COLUMN_PURPOSE)


class SealedString(SealedText):
    """:class:`SealedText` in a column of bounded length (the sealed form is 3 + 4/3 x (28 + n) characters)."""

    impl = String
    cache_ok = True


_TOTP_PURPOSE = "sealed-totp"
_BASE32 = set("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567=")


class SealedTotp(TypeDecorator[str]):
    """A base32 TOTP secret sealed in compact form: base64 of nonce, tag and the secret's raw bytes (a 32-character
    secret seals into 64 characters, the size of the column that held it in clear). A value still in clear (all
    base32) reads as it is."""

    impl = String
    cache_ok = True

    def process_bind_param(self, value: str | None, dialect: Dialect) -> str | None:
        return None if value is None else self.seal(_secret(dialect), value)

    def process_result_value(self, value: str | None, dialect: Dialect) -> str | None:
        if value is None or not self.is_sealed(value):
            return value
        raw = base64.b64decode(value)
        nonce, tag, body = raw[:_NONCE], raw[_NONCE:_NONCE + _TAG], raw[_NONCE + _TAG:]
        cipher = AES.new(_key(_secret(dialect), _TOTP_PURPOSE), AES.MODE_GCM, nonce=nonce)
        try:
            return base64.b32encode(cipher.decrypt_and_verify(body, tag)).decode()
        except ValueError:
            raise ConfigurationError("a stored TOTP secret does not open with this instance's key") from None

    def is_sealed(self, stored: str) -> bool:
        return bool(stored) and not set(stored) <= _BASE32

    def seal(self, secret: str, value: str) -> str:
        try:
            raw = base64.b32decode(value)
        except (binascii.Error, ValueError):
            raise ConfigurationError("a TOTP secret is not base32") from None
        nonce = _random.token_bytes(_NONCE)
        cipher = AES.new(_key(secret, _TOTP_PURPOSE), AES.MODE_GCM, nonce=nonce)
        body, tag = cipher.encrypt_and_digest(raw)
        return base64.b64encode(nonce + tag + body).decode()


_SEALING = (SealedText, SealedTotp)


def seal_existing(conn: Connection, metadata: MetaData, instance_secret: str) -> int:
    """Seal every secret still in clear (the migration of rows written by earlier versions, which a database
    migration cannot do: it has no instance key); returns how many values were sealed."""
    sealed = 0
    for table in metadata.tables.values():
        keys = [c.name for c in table.primary_key.columns]
        for col in table.columns:
            if isinstance(col.type, _SEALING):
                sealed += _seal_in_place(conn, table, keys, col.name, col.type, instance_secret)
    return sealed


def _seal_in_place(conn: Connection, table: Table, keys: list[str], name: str,
                   kind: SealedText | SealedTotp, secret: str) -> int:
    plain = Table(table.name, MetaData(), Column(name, Text),
                  *(Column(c.name, c.type) for c in table.primary_key.columns))
    rows = conn.execute(select(plain).where(plain.c[name].is_not(None), plain.c[name] != "")).all()
    done = 0
    for row in rows:
        value = getattr(row, name)
        if kind.is_sealed(value):
            continue
        where = [plain.c[k] == getattr(row, k) for k in keys]
        conn.execute(update(plain).where(*where).values({name: kind.seal(secret, value)}))
        done += 1
    return done

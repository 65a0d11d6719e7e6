"""Exact cryptographic hashes of file bytes: ``md5`` and ``sha256``."""

from __future__ import annotations

import hashlib
from typing import ClassVar

from basira.core.exact import ExactSignalType, hex_digest
from basira.core.settings import Settings
from basira.core.signal_examples import SignalExamples
from basira.core.signals import FILE_CONTENT_TYPES, Content, ExtractedSignal

_CHUNK = 1 << 20


class _FileDigest(ExactSignalType):
    algorithm: ClassVar[str]
    hex_length: ClassVar[int]
    content_types = FILE_CONTENT_TYPES

    @classmethod
    def validate(cls, value: str) -> str:
        return hex_digest(cls.name, value, cls.hex_length)

    @classmethod
    def extract(cls, content: Content, settings: Settings) -> list[ExtractedSignal]:
        h = hashlib.new(cls.algorithm)
        with content.path.open("rb") as f:
            while chunk := f.read(_CHUNK):
                h.update(chunk)
        return [ExtractedSignal(cls.name, h.hexdigest())]

    @classmethod
    def examples(cls) -> SignalExamples:
        digests = [hashlib.new(cls.algorithm, text).hexdigest() for text in (b"a", b"b")]
        return SignalExamples(canonical=tuple(digests), spellings=((f" {digests[0].upper()}\n", digests[0]),),
                              invalid=("", "xyz", "0" * (cls.hex_length - 1), "g" * cls.hex_length,
                                       "0" * (cls.hex_length * 2)))


class MD5Signal(_FileDigest):
    """MD5 of the file's bytes: finds exact copies (many partners still share MD5)."""

    name = "md5"
    algorithm = "md5"
    hex_length = 32
    description = "MD5 of the file bytes (exact copies only)."


class SHA256Signal(_FileDigest):
    """SHA-256 of the file's bytes: finds exact copies."""

    name = "sha256"
    algorithm = "sha256"
    hex_length = 64
    description = "SHA-256 of the file bytes (exact copies only)."

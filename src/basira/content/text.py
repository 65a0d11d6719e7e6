"""Text as content: reading submitted text safely, its two normal forms, and the exact signal ``text_sha256``.

Every text signal starts from :func:`prepare`: the *exact form* is :func:`basira.lang.arabic.light` of the text
with control characters removed (diacritics, tatweel, invisible and bidi characters, digit and punctuation forms
folded, white space collapsed), and the *key* is :func:`basira.lang.arabic.matching_key` of it (spellings folded
too), from which near-duplicate shingles are taken.
"""

from __future__ import annotations

import codecs
import contextlib
import functools
import hashlib
import os
import re
import string
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from basira.core.errors import ContentTooLarge, EmptyContent, InvalidInput
from basira.core.exact import ExactSignalType, hex_digest
from basira.core.settings import Settings
from basira.core.signal_examples import SignalExamples
from basira.core.signals import Content, ExtractedSignal
from basira.lang.arabic import light_and_key

#: The most UTF-8 bytes one text item may have (a long article is ~100 kB; beyond this it is not a post).
MAX_TEXT_BYTES = 1_000_000
#: The content types whose file holds UTF-8 text.
TEXT_CONTENT_TYPES = frozenset({"text", "url"})

# C0 and C1 control characters other than white space: never meaningful in a post, sometimes used to split words.
_CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_HEX = frozenset(string.hexdigits)
# Control characters that text files do not hold (tab, line feed, form feed and carriage return aside).
_BINARY = re.compile("[\x00-\x08\x0e-\x1a\x1c-\x1f\x7f]")


@dataclass(frozen=True)
class PreparedText:
    """A text's exact form (hashed by ``text_sha256``) and matching key (shingled by ``text_minhash``)."""

    exact: str
    key: str


def decode_text(data: bytes) -> str:
    """UTF-8 bytes as text (a leading byte-order mark is dropped).

    Raises:
        ContentTooLarge: Over :data:`MAX_TEXT_BYTES`.
        InvalidInput: Not valid UTF-8 (the message gives the offset of the first bad byte).
    """
    if len(data) > MAX_TEXT_BYTES:
        raise ContentTooLarge(f"the text is {len(data)} bytes, over the limit of {MAX_TEXT_BYTES} bytes")
    try:
        return data.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as e:
        raise InvalidInput(f"the text is not valid UTF-8 (bad byte at offset {e.start})") from None


def text_of_bytes(data: bytes) -> str | None:
    """The text in a file's bytes when they hold text, recognised by content (never by name): UTF-16 with a
    byte-order mark, or valid UTF-8 (with or without one) without NUL bytes or other binary control characters.
    None for anything else (a binary file, a text over :data:`MAX_TEXT_BYTES`)."""
    if not data or len(data) > MAX_TEXT_BYTES:
        return None
    try:
        if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            text = data.decode("utf-16")
        else:
            text = data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    text = text.removeprefix("\ufeff")
    if "\x00" in text or len(_BINARY.findall(text[:4096])) > 2:
        return None
    return text if text.strip() else None


def check_text(text: str) -> str:
    """``text`` if it is within :data:`MAX_TEXT_BYTES` once written as UTF-8, else :class:`ContentTooLarge`."""
    # Four bytes per character at most: only long texts need the exact count.
    if len(text) * 4 > MAX_TEXT_BYTES and len(text.encode("utf-8", "surrogatepass")) > MAX_TEXT_BYTES:
        raise ContentTooLarge(f"the text is over the limit of {MAX_TEXT_BYTES} bytes of UTF-8")
    return text


def read_text(content: Content) -> str:
    """The text in a content file, checked like :func:`decode_text` (the size before reading anything)."""
    if content.size > MAX_TEXT_BYTES:
        raise ContentTooLarge(f"the text is {content.size} bytes, over the limit of {MAX_TEXT_BYTES} bytes")
    with content.path.open("rb") as f:
        return decode_text(f.read(MAX_TEXT_BYTES + 1))


@functools.lru_cache(maxsize=64)
def prepare(text: str) -> PreparedText:
    """The exact form and the matching key of a text; cached, as every text signal type asks for them.

    Raises:
        EmptyContent: Nothing is left once control, invisible and white-space characters are removed.
    """
    # The key of the exact form is the key of the text (light is idempotent): light runs once.
    check_text(text)
    # Printable text holds no control character (nor any other white space than the space): no scan for them.
    exact, key = light_and_key(text if text.isprintable() else _CONTROLS.sub(" ", text))
    if not exact:
        raise EmptyContent("the text is empty once control, invisible and white-space characters are removed")
    return PreparedText(exact=exact, key=key)


#: Shortest part (characters) kept on its own; shorter sentences join the next one.
MIN_PART_CHARS = 60
#: Most parts taken from one text (paragraphs first, then sentences).
MAX_PARTS = 200
_PARAGRAPHS = re.compile(r"\n\s*\n|\r\n\s*\r\n|[\n\u2029]")
# A sentence ends at . ! ? (and the Arabic ؟ and the ideographic 。) or an ellipsis, before white space.
_SENTENCE_END = re.compile(r"(?<=[.!?\u061f\u06d4\u3002\u2026])[\"'»”)\]]*\s+")


def split_parts(text: str) -> list[str]:
    """The paragraphs of a text and the sentences of each paragraph, for containment: a re-post of one paragraph
    matches the article it came from, and the reverse, because both sides are matched part by part.

    Parts shorter than :data:`MIN_PART_CHARS` join the next one; a text that is one part gives ``[]`` (its whole
    value says it all). At most :data:`MAX_PARTS` parts, paragraphs first.
    """
    paragraphs = [p.strip() for p in _PARAGRAPHS.split(text) if p.strip()]
    parts: list[str] = list(paragraphs) if len(paragraphs) > 1 else []
    for paragraph in paragraphs:
        sentences = _join_short([x.strip() for x in _SENTENCE_END.split(paragraph) if x.strip()])
        if len(sentences) > 1:
            parts.extend(sentences)
    out: list[str] = []
    seen: set[str] = set()
    for part in _join_short(parts) if len(parts) > 1 else parts:
        if part not in seen and part != text.strip():
            seen.add(part)
            out.append(part)
    return out[:MAX_PARTS] if len(out) > 1 else []


def _join_short(pieces: list[str]) -> list[str]:
    out: list[str] = []
    carry = ""
    for piece in pieces:
        carry = f"{carry} {piece}".strip()
        if len(carry) >= MIN_PART_CHARS:
            out.append(carry)
            carry = ""
    if carry:
        if out:
            out[-1] = f"{out[-1]} {carry}"
        else:
            out.append(carry)
    return out


def prepared_content(content: Content) -> PreparedText:
    """:func:`prepare` of the text in a content file."""
    return prepare(read_text(content))


def text_sha256(text: str) -> str:
    """The ``text_sha256`` value of a text: SHA-256 of its exact form in UTF-8, as 64 lowercase hex digits."""
    return hashlib.sha256(prepare(text).exact.encode("utf-8")).hexdigest()


@contextlib.contextmanager
def as_content(text: str, settings: Settings, content_type: str = "text") -> Iterator[Content]:
    """A text given in a request, as a content file (deleted at the end of the block) for the matching service.

    The API's ``/v1/match`` with ``{"text": ...}`` and ``basira match --text`` use this, so that text is matched
    by the same registered signal types as an upload. ``content_type`` is ``text`` or ``url``.

    Raises:
        ContentTooLarge: Over :data:`MAX_TEXT_BYTES`.
        EmptyContent: The text is empty or only white space.
        InvalidInput: It holds lone surrogates (not text), or ``content_type`` is neither ``text`` nor ``url``.
    """
    if content_type not in TEXT_CONTENT_TYPES:
        raise InvalidInput(f"text content is of type text or url, not {content_type!r}")
    if not text.strip():
        raise EmptyContent(f"the {content_type} is empty")
    try:
        data = check_text(text).encode("utf-8")
    except UnicodeEncodeError:
        raise InvalidInput("the text holds unpaired surrogate code points, which are not text") from None
    folder = settings.data_dir / "tmp"
    folder.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f"{content_type}-", suffix=".txt", dir=folder)
    path = Path(name)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        yield Content(path=path, content_type=content_type, size=len(data))
    finally:
        path.unlink(missing_ok=True)


class TextSHA256Signal(ExactSignalType):
    """SHA-256 of a text's exact form: the same words with other diacritics, tatweel or spacing hash alike."""

    name = "text_sha256"
    content_types = frozenset({"text"})
    default_content_type = "text"
    description = ("SHA-256 of the lightly normalised text (diacritics, tatweel, invisible characters and spacing "
                   "removed); exact copies only.")

    @classmethod
    def validate(cls, value: str) -> str:
        return hex_digest(cls.name, value, 64)

    @classmethod
    def examples(cls) -> SignalExamples:
        digest = hashlib.sha256("مرحبا".encode()).hexdigest()
        return SignalExamples(canonical=(digest, "0" * 64), spellings=((digest.upper(), digest),),
                              invalid=("", "0" * 63, "z" * 64, "0" * 32))

    @classmethod
    def extract(cls, content: Content, settings: Settings) -> list[ExtractedSignal]:
        exact = prepared_content(content).exact
        return [ExtractedSignal(cls.name, hashlib.sha256(exact.encode("utf-8")).hexdigest(),
                                details={"characters": len(exact)})]

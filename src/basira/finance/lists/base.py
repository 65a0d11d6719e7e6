"""What every list importer produces: listed entries in one shape, the list's metadata, and safe streaming XML.

Importers are generators: they yield one :class:`ListMeta` first (read from the file's header, so that a stale
list is refused before anything is written), then one :class:`ListedEntry` per listed person or organization.
XML is read with defusedxml's ``iterparse`` and every finished record is dropped from the tree, so a 121 MB
list streams in bounded memory; a DTD (the carrier of XML bombs and external entities) is refused outright.
"""

from __future__ import annotations

import bz2
import datetime as dt
import gzip
import hashlib
import json
import re
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from typing import IO, Any, cast
from xml.etree.ElementTree import Element, ParseError

import defusedxml  # type: ignore[import-untyped]
import defusedxml.ElementTree as SafeET  # type: ignore[import-untyped]

from basira.core.bounded import DEFAULT_MAX_INFLATED, DEFAULT_MAX_LINE, limited
from basira.core.errors import InvalidInput

#: Bidirectional controls and zero-width characters: invisible, and a classic way to disguise a name.
_INVISIBLE = re.compile(r"[\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff\u00ad]")
_SPACES = re.compile(r"\s+")


class ListFormatError(InvalidInput):
    """A list file cannot be read as the format it was imported as; nothing of it was written."""

    status = 422
    exit_code = 65
    title = "Invalid list file"


@dataclass
class ListMeta:
    """A list file's identity.

    Attributes:
        source: The importer (``un``, ``ofac``, ``ofac-xml``, ``eu``, ``csv``).
        title: The list's name, used as the default bank name.
        version: The publication date (ISO 8601) or another version string the publisher gives.
        published: The publication time, when the file states it.
    """

    source: str
    title: str
    version: str
    published: dt.datetime | None = None


@dataclass
class ListedName:
    """One name or alias: ``quality`` is ``weak`` for aliases the list calls low quality."""

    name: str
    quality: str = "strong"
    kind: str = "alias"  # primary, alias, original (original-script name) or former
    script: str | None = None


@dataclass
class ListedEntry:
    """A listed person, organization, vessel or aircraft with everything the list says about it.

    ``birth_dates`` items are ``{"kind": "exact"|"approximate"|"range", "date": "YYYY[-MM[-DD]]"}`` (with
    ``"from"`` and ``"to"`` years for ranges); ``documents`` items ``{"type", "number", "country", "note"}``;
    ``wallets`` pairs of (currency ticker, address as listed).
    """

    ref: str
    kind: str
    names: list[ListedName] = field(default_factory=list)
    birth_dates: list[dict[str, str]] = field(default_factory=list)
    birth_places: list[str] = field(default_factory=list)
    nationalities: list[str] = field(default_factory=list)
    gender: str | None = None
    documents: list[dict[str, str]] = field(default_factory=list)
    addresses: list[str] = field(default_factory=list)
    wallets: list[tuple[str, str]] = field(default_factory=list)
    regime: str = ""
    programs: list[str] = field(default_factory=list)
    listed_on: str | None = None
    titles: list[str] = field(default_factory=list)
    remarks: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    def attributes(self) -> dict[str, Any]:
        """The JSON kept on the bank entry (deduplicated, stable order)."""
        data = asdict(self)
        seen: set[tuple[str, str]] = set()
        names = []
        for n in data["names"]:
            key = (n["name"], n["quality"])
            if key not in seen:
                seen.add(key)
                names.append(n)
        data["names"] = names
        data["wallets"] = [{"currency": c, "address": a} for c, a in dict.fromkeys(self.wallets)]
        data["nationalities"] = list(dict.fromkeys(self.nationalities))
        data["remarks"] = self.remarks[:4000]
        return data

    def content_hash(self) -> str:
        """SHA-256 of the attributes: a changed hash on re-import makes the entry "changed"."""
        body = json.dumps(self.attributes(), sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        return hashlib.sha256(body.encode()).hexdigest()


ListItem = ListMeta | ListedEntry


def text(value: str | None) -> str:
    """Clean text of a list field: NFC, no invisible controls, single spaces, trimmed (UN references carry
    trailing spaces)."""
    if not value:
        return ""
    value = _INVISIBLE.sub("", unicodedata.normalize("NFC", value))
    return _SPACES.sub(" ", value).strip()


def iso_date(value: str) -> str | None:
    """``YYYY-MM-DD`` (or a prefix) when ``value`` is a valid date; None otherwise."""
    value = value.strip()[:10]
    for fmt, length in (("%Y-%m-%d", 10), ("%Y-%m", 7), ("%Y", 4)):
        if len(value) == length:
            try:
                dt.datetime.strptime(value, fmt)
            except ValueError:
                return None
            return value
    return None


def parse_timestamp(value: str) -> dt.datetime | None:
    try:
        stamp = dt.datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return stamp if stamp.tzinfo else stamp.replace(tzinfo=dt.UTC)


# -- files ------------------------------------------------------------------------------------------------------


def open_binary(stream: IO[bytes], *, max_bytes: int = DEFAULT_MAX_INFLATED,
                max_gap: int = DEFAULT_MAX_LINE) -> IO[bytes]:
    """``stream`` (XML), decompressed on the fly when it is bzip2 or gzip (OFAC's full XML ships as .bz2), and
    read in bounded memory: at most ``max_bytes`` once inflated (a gzip bomb stops there) and at most ``max_gap``
    bytes of text or tag between two ``<``."""
    peek = getattr(stream, "peek", None)
    head = peek(3)[:3] if callable(peek) else b""
    if head[:3] == b"BZh":
        stream = cast(IO[bytes], bz2.open(stream))
    elif head[:2] == b"\x1f\x8b":
        stream = cast(IO[bytes], gzip.open(stream))
    return limited(stream, what="the list file", max_bytes=max_bytes, max_gap=max_gap, delimiter=b"<")


def open_text_list(stream: IO[bytes], *, max_bytes: int = DEFAULT_MAX_INFLATED,
                   max_gap: int = DEFAULT_MAX_LINE) -> IO[bytes]:
    """A line-based list file (CSV) read in bounded memory: ``max_bytes`` in all, ``max_gap`` per line."""
    return limited(stream, what="the list file", max_bytes=max_bytes, max_gap=max_gap)


# -- XML ----------------------------------------------------------------------------------------------------------


def local(tag: str) -> str:
    """A tag without its ``{namespace}``."""
    return tag.rsplit("}", 1)[-1]


def iter_records(stream: IO[bytes], record_tags: frozenset[str],
                 on_start: Callable[[Element, int], None] | None = None) -> Iterator[Element]:
    """Finished elements whose local tag is in ``record_tags``, each removed from the tree once handled.

    ``on_start`` sees every start tag with its depth (0 for the root, whose attributes hold the version of
    several lists).

    Raises:
        ListFormatError: The XML declares a DTD or entities (XML bomb, external entity), or is not well formed
            (a truncated file).
    """
    stack: list[Element] = []
    try:
        for event, elem in SafeET.iterparse(stream, events=("start", "end"), forbid_dtd=True):
            if event == "start":
                if on_start is not None:
                    on_start(elem, len(stack))
                stack.append(elem)
                continue
            stack.pop()
            if local(elem.tag) in record_tags:
                yield elem
                elem.clear()
                if stack:
                    stack[-1].remove(elem)
    except defusedxml.DefusedXmlException as e:
        raise ListFormatError(f"the list file declares a DTD or entities, which are refused to keep XML bombs "
                              f"and external entities out ({type(e).__name__})") from None
    except ParseError as e:
        line, col = getattr(e, "position", (0, 0))
        raise ListFormatError(f"the list file is not well-formed XML at line {line}, column {col} "
                              f"(truncated or damaged?); nothing was imported") from None


def child_text(elem: Element, tag: str) -> str:
    for c in elem:
        if local(c.tag) == tag:
            return text(c.text)
    return ""


def children(elem: Element, tag: str) -> list[Element]:
    return [c for c in elem if local(c.tag) == tag]


def check_children(elem: Element, known: frozenset[str], where: str) -> None:
    """Refuse a record with an element the importer does not know: the publisher changed the schema."""
    for c in elem:
        name = local(c.tag)
        if name not in known:
            raise ListFormatError(f"unexpected element <{name}> in <{where}>: the list's schema changed, so "
                                  f"nothing was imported and the previous list stays in force")


def require(value: str, element: str, where: str) -> str:
    if not value:
        raise ListFormatError(f"missing element <{element}> in <{where}>: the list's schema changed, so nothing "
                              f"was imported and the previous list stays in force")
    return value

"""A STIX bundle file of any size taken into a bank, streamed: objects read one at a time, written a page at a time.

A bundle of a million indicators is a file of 700 MiB and more; ``json.load`` of it holds every object at once
(several GiB). :func:`iter_objects` reads the bundle's top-level object in chunks and hands out the elements of
its ``objects`` array one by one, each decoded with the standard library's C decoder, so memory stays that of one
chunk and one page whatever the size of the file and however it is laid out (one line, pretty-printed, keys in
any order). :func:`import_bundle` takes the objects into a bank in pages through :func:`ingest.apply_objects`
(every check, version bookkeeping, the batched insert, one audit entry per page), one transaction per page: a file
that turns bad half-way keeps the pages before it, and the error says where.
"""

from __future__ import annotations

import codecs
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import IO, Any

from basira.core.banks import get_bank
from basira.core.errors import InvalidInput
from basira.core.instance import Instance
from basira.core.principal import Principal
from basira.core.visibility import Access
from basira.sharing import ingest

CHUNK = 1 << 20
#: The largest single object accepted (an indicator is under 2 KiB; a report with many refs may be large).
MAX_OBJECT_CHARS = 8 << 20
_WS = " \t\n\r"
_DECODER = json.JSONDecoder()


class _Reader:
    """A character buffer over a byte stream, refilled in chunks, with the JSON decoder's ``raw_decode``."""

    def __init__(self, stream: IO[bytes], chunk: int, max_value: int) -> None:
        self.stream, self.chunk, self.max_value = stream, chunk, max_value
        self.decoder = codecs.getincrementaldecoder("utf-8")()
        self.buf, self.pos, self.eof = "", 0, False
        self.read_bytes = 0

    def fill(self) -> bool:
        """Read one more chunk; False at the end of the stream."""
        if self.eof:
            return False
        raw = self.stream.read(self.chunk)
        self.read_bytes += len(raw)
        try:
            text = self.decoder.decode(raw, final=not raw)
        except UnicodeDecodeError:
            raise InvalidInput(f"the bundle is not UTF-8 (near byte {self.read_bytes:,})") from None
        self.eof = not raw
        self.buf = self.buf[self.pos:] + text
        self.pos = 0
        return True

    def peek(self) -> str:
        """The next character that is not white space ("" at the end)."""
        while True:
            while self.pos < len(self.buf) and self.buf[self.pos] in _WS:
                self.pos += 1
            if self.pos < len(self.buf):
                return self.buf[self.pos]
            if not self.fill():
                return ""

    def expect(self, chars: str, what: str) -> str:
        c = self.peek()
        if c == "" or c not in chars:
            raise InvalidInput(f"the bundle is not a JSON object with an objects list: {what} expected near "
                               f"byte {self.read_bytes:,}")
        self.pos += 1
        return c

    def value(self) -> Any:
        """The next JSON value, refilling until it is whole (and followed by something, so that a number is not
        cut), within :attr:`max_value` characters."""
        self.peek()
        while True:
            try:
                obj, end = _DECODER.raw_decode(self.buf, self.pos)
            except json.JSONDecodeError:
                obj, end = None, -1
            except RecursionError:
                raise InvalidInput("an object of the bundle nests too deeply") from None
            if end != -1 and (end < len(self.buf) or self.eof):
                self.pos = end
                return obj
            if len(self.buf) - self.pos > self.max_value:
                raise InvalidInput(f"an object of the bundle is over {self.max_value:,} characters (or is not "
                                   f"JSON), near byte {self.read_bytes:,}")
            if not self.fill():
                raise InvalidInput("the bundle ends in the middle of an object (or is not JSON)")


def iter_objects(stream: IO[bytes], *, chunk: int = CHUNK, max_object_chars: int = MAX_OBJECT_CHARS,
                 max_objects: int | None = None) -> Iterator[Any]:
    """The elements of a STIX bundle's (or TAXII envelope's) ``objects`` list, one at a time, as decoded JSON.

    The top-level object's other members are read and dropped (a ``type`` other than ``bundle`` is refused).
    Raises :class:`InvalidInput` with the reason and place for anything that is not such an object."""
    r = _Reader(stream, chunk, max_object_chars)
    r.expect("{", "'{'")
    count, seen_objects = 0, False
    if r.peek() == "}":
        r.pos += 1
        return
    while True:
        if r.peek() != '"':
            r.expect('"', "a member name")
        key = r.value()
        r.expect(":", "':'")
        if key == "objects" and not seen_objects:
            seen_objects = True
            r.expect("[", "the objects list '['")
            if r.peek() == "]":
                r.pos += 1
            else:
                while True:
                    count += 1
                    if max_objects is not None and count > max_objects:
                        raise InvalidInput(f"the bundle holds over {max_objects:,} objects")
                    yield r.value()
                    if r.expect(",]", "',' or ']' after an object") == "]":
                        break
        else:
            other = r.value()
            if key == "type" and other != "bundle":
                raise InvalidInput("the file is not a STIX bundle (its type is not 'bundle')")
        if r.expect(",}", "',' or '}'") == "}":
            break
    if r.peek() != "":
        raise InvalidInput("the bundle has something after its closing '}'")


@dataclass
class BundleReport:
    objects: int = 0
    pages: int = 0
    taken: int = 0
    added: int = 0
    revoked: int = 0
    ignored: int = 0
    refused: int = 0
    first_refusals: list[str] | None = None


def import_bundle(inst: Instance, principal: Principal, bank_ref: int | str, stream: IO[bytes], *,
                  page_size: int = 1000, source: str = "file",
                  progress: Callable[[BundleReport], None] | None = None) -> BundleReport:
    """Take a bundle file into one of the principal's banks, page by page (see the module docstring)."""
    if not 1 <= page_size <= ingest.MAX_OBJECTS:
        raise InvalidInput(f"a page holds 1-{ingest.MAX_OBJECTS:,} objects")
    with inst.db.session() as s:
        bank_id = get_bank(s, principal, bank_ref, Access.OWNER).id  # the writer must own the bank
    report = BundleReport(first_refusals=[])
    page: list[Any] = []

    def flush() -> None:
        with inst.db.session() as s:
            bank = get_bank(s, principal, bank_id, Access.OWNER)
            got = ingest.apply_objects(s, inst, ingest.Target(bank, principal, source=source[:100]), page)
        report.pages += 1
        report.taken += len(got.successes)
        report.added += got.added
        report.revoked += got.revoked
        report.ignored += len(got.ignored)
        report.refused += len(got.failures)
        assert report.first_refusals is not None
        for oid, _, reason in got.failures[:max(0, 20 - len(report.first_refusals))]:
            report.first_refusals.append(f"{oid or '(no id)'}: {reason}")
        page.clear()
        if progress is not None:
            progress(report)

    for obj in iter_objects(stream):
        report.objects += 1
        page.append(obj)
        if len(page) >= page_size:
            flush()
    if page:
        flush()
    return report

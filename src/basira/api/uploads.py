"""Receive uploaded content without holding it in memory: stream it to a temporary file, chunk by chunk,
counting bytes and refusing at the size limit, then hand the file to core as a :class:`Content`.

FastAPI's ``UploadFile`` parameters are parsed in full (spooled to disk over 1 MB) before the endpoint runs, with
no total limit, so a huge upload would fill the disk before anyone could refuse it. Here the request stream is
fed to python-multipart's streaming parser, and the file part is written straight to our own temporary file,
so the limit holds from the first byte and nothing is written twice.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from python_multipart import MultipartParser
from python_multipart.exceptions import FormParserError
from python_multipart.multipart import parse_options_header
from starlette.requests import ClientDisconnect, Request

from basira.core.errors import ContentTooLarge, EmptyContent, InvalidInput
from basira.core.settings import Settings
from basira.core.signals import Content
from basira.core.sniff import sniff_file

#: Room for the boundaries, part headers and small text fields around the file in a multipart body.
FORM_OVERHEAD = 64 * 1024
#: Limits on the text fields that travel beside the file.
MAX_FIELDS = 20
MAX_FIELD_BYTES = 8 * 1024
#: The most a JSON body may hold (a match request of 1000 signals is far below it).
MAX_JSON_BYTES = 1024 * 1024


@dataclass(frozen=True)
class Upload:
    """Content received into a temporary file, with the text fields that came beside it."""

    content: Content
    filename: str = ""
    fields: dict[str, list[str]] = field(default_factory=dict)
    #: The multipart field that carried the file (``""`` for a body that is the content itself).
    file_field: str = ""

    def text(self, name: str) -> str:
        """The first value of a text field, or ``""``."""
        values = self.fields.get(name)
        return values[0] if values else ""


def _declared_length(request: Request, limit: int, shown: int | None = None) -> None:
    """Refuse at once a body whose Content-Length is over ``limit`` (``shown`` is the limit the caller knows)."""
    raw = request.headers.get("content-length")
    if raw is None:
        return
    if not raw.strip().isdigit():
        raise InvalidInput("the Content-Length header is not a number")
    if int(raw) > limit:
        raise ContentTooLarge(f"the request is {int(raw)} bytes, over the upload limit of {shown or limit} bytes")


async def _chunks(request: Request, limit: int) -> AsyncIterator[bytes]:
    """The request body in chunks; stops with 413 as soon as more than ``limit`` bytes have come."""
    seen = 0
    try:
        async for chunk in request.stream():
            seen += len(chunk)
            if seen > limit:
                raise ContentTooLarge(f"the upload is over the limit of {limit} bytes")
            if chunk:
                yield chunk
    except ClientDisconnect:
        raise InvalidInput("the client went away before the upload was complete") from None


async def read_body(request: Request, limit: int = MAX_JSON_BYTES) -> bytes:
    """A small request body (JSON) read into memory, refused with 413 over ``limit`` bytes."""
    _declared_length(request, limit)
    parts = [chunk async for chunk in _chunks(request, limit)]
    return b"".join(parts)


class _FormReader:
    """python-multipart callbacks: the part named ``file_field`` goes to ``out``, others become text fields."""

    def __init__(self, out: IO[bytes], file_fields: frozenset[str], limit: int) -> None:
        self.out = out
        self.file_fields = file_fields
        self.file_field = ""
        self.limit = limit
        self.file_size = 0
        self.file_seen = False
        self.filename = ""
        self.fields: dict[str, list[str]] = {}
        self.ended = False
        self._header_name = b""
        self._header_value = b""
        self._disposition = b""
        self._name = ""
        self._is_file = False
        self._buffer = bytearray()

    def callbacks(self) -> dict[str, object]:
        return {
            "on_part_begin": self.on_part_begin, "on_part_data": self.on_part_data,
            "on_part_end": self.on_part_end, "on_header_field": self.on_header_field,
            "on_header_value": self.on_header_value, "on_header_end": self.on_header_end,
            "on_headers_finished": self.on_headers_finished, "on_end": self.on_end,
        }

    def on_part_begin(self) -> None:
        self._disposition = b""
        self._name = ""
        self._is_file = False
        self._buffer = bytearray()

    def on_header_field(self, data: bytes, start: int, end: int) -> None:
        self._header_name += data[start:end]

    def on_header_value(self, data: bytes, start: int, end: int) -> None:
        self._header_value += data[start:end]

    def on_header_end(self) -> None:
        if self._header_name.strip().lower() == b"content-disposition":
            self._disposition = self._header_value
        self._header_name = self._header_value = b""

    def on_headers_finished(self) -> None:
        _, options = parse_options_header(self._disposition)
        name = options.get(b"name")
        if name is None:
            raise InvalidInput("a multipart part has no name in its Content-Disposition header")
        self._name = name.decode("utf-8", "replace")
        self._is_file = self._name in self.file_fields
        if self._is_file:
            if self.file_seen:
                raise InvalidInput(f"send one file in the field {self._name!r}, not several")
            self.file_seen = True
            self.file_field = self._name
            self.filename = options.get(b"filename", b"").decode("utf-8", "replace")[:300]
        elif sum(len(v) for v in self.fields.values()) >= MAX_FIELDS:
            raise InvalidInput(f"at most {MAX_FIELDS} form fields beside the file")

    def on_part_data(self, data: bytes, start: int, end: int) -> None:
        if self._is_file:
            self.file_size += end - start
            if self.file_size > self.limit:
                raise ContentTooLarge(f"the upload is over the limit of {self.limit} bytes")
            # A plain blocking write: chunks are small and land in the page cache, which costs less than a
            # hop to a worker thread per chunk.
            self.out.write(data[start:end])
            return
        if len(self._buffer) + end - start > MAX_FIELD_BYTES:
            raise InvalidInput(f"the form field {self._name!r} is over {MAX_FIELD_BYTES} bytes")
        self._buffer.extend(data[start:end])

    def on_part_end(self) -> None:
        if not self._is_file:
            try:
                text = self._buffer.decode("utf-8")
            except UnicodeDecodeError:
                raise InvalidInput(f"the form field {self._name!r} is not UTF-8 text") from None
            self.fields.setdefault(self._name, []).append(text)

    def on_end(self) -> None:
        self.ended = True


async def _receive_multipart(request: Request, out: IO[bytes], limit: int,
                             file_fields: frozenset[str]) -> _FormReader:
    _, params = parse_options_header(request.headers.get("content-type", ""))
    boundary = params.get(b"boundary")
    if not boundary:
        raise InvalidInput("a multipart/form-data body needs a boundary in its Content-Type header")
    reader = _FormReader(out, file_fields, limit)
    try:
        parser = MultipartParser(boundary, reader.callbacks())  # type: ignore[arg-type]
        async for chunk in _chunks(request, limit + FORM_OVERHEAD):
            parser.write(chunk)
        parser.finalize()
    except FormParserError as e:
        raise InvalidInput(f"the multipart body is malformed ({e})") from None
    if not reader.ended:
        raise InvalidInput("the multipart body ended before its closing boundary")
    if not reader.file_seen:
        names = " or ".join(repr(n) for n in sorted(file_fields))
        raise InvalidInput(f"send the content as a file in the multipart field {names}")
    return reader


def upload_dir(settings: Settings) -> Path:
    """Where uploads are spooled: the instance's data folder, which is on disk (``/tmp`` is often in RAM)."""
    path = settings.data_dir / "tmp"
    path.mkdir(parents=True, exist_ok=True)
    return path


#: An upload file older than this at start-up was left by a process that died (an upload takes minutes at most;
#: younger files may belong to another worker still receiving them).
STALE_UPLOAD_S = 3600


def clean_stale(settings: Settings, now: float | None = None) -> int:
    """Delete the upload files a crashed process left behind (older than :data:`STALE_UPLOAD_S`); how many."""
    folder = settings.data_dir / "tmp"
    if not folder.is_dir():
        return 0
    limit = (time.time() if now is None else now) - STALE_UPLOAD_S
    removed = 0
    for path in folder.glob("upload-*"):
        with contextlib.suppress(FileNotFoundError):
            if path.is_file() and path.stat().st_mtime < limit:
                path.unlink()
                removed += 1
    return removed


@contextlib.asynccontextmanager
async def receive(request: Request, settings: Settings, *,
                  file_field: str | frozenset[str] = "file") -> AsyncIterator[Upload]:
    """Receive the request's content into a temporary file that is deleted when the block ends.

    A ``multipart/form-data`` body carries the content in the part named ``file_field`` (or in one part named by
    any of a set of names; :attr:`Upload.file_field` says which), other parts being short text fields; any other
    body is the content itself. Refuses with 413 over ``settings.max_upload_bytes``
    (from Content-Length when sent, else as soon as the count passes it) and with 400 for empty content.
    """
    limit = settings.max_upload_bytes
    multipart = request.headers.get("content-type", "").lower().startswith("multipart/form-data")
    _declared_length(request, limit + FORM_OVERHEAD if multipart else limit, limit)
    fields_wanted = frozenset({file_field}) if isinstance(file_field, str) else file_field
    fd, name = tempfile.mkstemp(prefix="upload-", dir=upload_dir(settings))
    path = Path(name)
    try:
        with os.fdopen(fd, "wb") as out:
            if multipart:
                reader = await _receive_multipart(request, out, limit, fields_wanted)
                size, filename, fields, used = reader.file_size, reader.filename, reader.fields, reader.file_field
            else:
                size, filename, fields, used = 0, "", {}, ""
                async for chunk in _chunks(request, limit):
                    size += len(chunk)
                    out.write(chunk)
        if size == 0:
            raise EmptyContent("the upload is empty")
        yield Upload(Content(path=path, content_type=sniff_file(path), size=size), filename, fields, used)
    finally:
        path.unlink(missing_ok=True)

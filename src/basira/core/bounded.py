"""Reading outside files in bounded memory: a cap on the bytes a (decompressed) stream may yield and on the
length of one line (or, for XML, of the text between two tags), checked as the bytes are read.

A 1 MB gzip file that inflates to 1 GiB, or a CSV "line" of 1 GiB, is refused after at most the cap's worth of
reading, never held whole: the parser above never sees more than one over-long line's worth of bytes.
"""

from __future__ import annotations

import io
import lzma
import zlib
from collections.abc import Iterator
from typing import IO

from basira.core.errors import ContentTooLarge, UnsupportedContent

#: Defaults of the settings ``import_max_line_bytes`` and ``import_max_inflated_bytes``.
DEFAULT_MAX_LINE = 1024 * 1024
DEFAULT_MAX_INFLATED = 1024 * 1024 * 1024


class LimitedReader(io.RawIOBase):
    """A byte stream over ``raw`` that refuses to yield more than ``max_bytes`` in all, or more than ``max_gap``
    bytes without a ``delimiter`` (a newline for lines, ``<`` for XML), with :class:`ContentTooLarge`."""

    def __init__(self, raw: IO[bytes], *, what: str, max_bytes: int = DEFAULT_MAX_INFLATED,
                 max_gap: int = DEFAULT_MAX_LINE, delimiter: bytes = b"\n") -> None:
        super().__init__()
        self._raw = raw
        self._what = what
        self._max_bytes = max_bytes
        self._max_gap = max_gap
        self._delimiter = delimiter
        self._total = 0
        self._gap = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview | bytearray) -> int:  # type: ignore[override]
        try:
            data = self._raw.read(min(len(buffer), 1 << 16))
        except (EOFError, zlib.error, lzma.LZMAError) as e:
            raise UnsupportedContent(f"{self._what} is truncated or its compression is damaged ({e})") from None
        except OSError as e:
            if e.errno is not None:
                raise  # the disk, not the file's content
            raise UnsupportedContent(f"{self._what} is truncated or its compression is damaged ({e})") from None
        if not data:
            return 0
        self._total += len(data)
        if self._total > self._max_bytes:
            raise ContentTooLarge(f"{self._what} is (or inflates to) more than {self._max_bytes} bytes; refused")
        self._check_gaps(data)
        buffer[:len(data)] = data
        return len(data)

    def _check_gaps(self, data: bytes) -> None:
        last = data.rfind(self._delimiter)
        if last < 0:
            self._gap += len(data)
        else:
            first = data.find(self._delimiter)
            runs = [self._gap + first, *(len(r) for r in data[first + 1:last].split(self._delimiter))]
            if max(runs) > self._max_gap:
                self._gap = max(runs)
            else:
                self._gap = len(data) - last - 1
        if self._gap > self._max_gap:
            unit = "a line" if self._delimiter == b"\n" else "a text or tag"
            raise ContentTooLarge(f"{self._what}: {unit} is longer than {self._max_gap} bytes; refused")


def limited(raw: IO[bytes], *, what: str, max_bytes: int = DEFAULT_MAX_INFLATED, max_gap: int = DEFAULT_MAX_LINE,
            delimiter: bytes = b"\n") -> IO[bytes]:
    """``raw`` behind a :class:`LimitedReader`, buffered (it has ``peek``, ``read``, ``readline``)."""
    reader = LimitedReader(raw, what=what, max_bytes=max_bytes, max_gap=max_gap, delimiter=delimiter)
    return io.BufferedReader(reader, buffer_size=1 << 16)


def bounded_lines(stream: IO[str], max_chars: int, what: str) -> Iterator[str]:
    """The lines of a text stream, refusing one longer than ``max_chars`` after reading no more than that."""
    while True:
        line = stream.readline(max_chars + 1)
        if not line:
            return
        if len(line) > max_chars:
            raise ContentTooLarge(f"{what}: a line is longer than {max_chars} characters; refused")
        yield line

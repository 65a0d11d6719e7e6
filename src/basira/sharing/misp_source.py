"""Where a MISP feed is read from: a folder, or an http(s) URL fetched with httpx, each file under a size limit.

Only ``manifest.json`` and ``<uuid>.json`` are ever read, so a hostile manifest cannot name a path outside the feed.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import httpx

from basira.core.errors import ContentTooLarge, InvalidInput

#: Default limits: the largest file of a feed, and how long one HTTP request may take.
DEFAULT_MAX_BYTES = 64 * 1024 * 1024
DEFAULT_TIMEOUT_S = 30.0


class FeedSource(Protocol):
    """A MISP feed's files, read one by one."""

    @property
    def label(self) -> str:
        """Where the feed is, for messages and the audit log."""
        ...

    def read(self, name: str) -> bytes:
        """The bytes of one file of the feed; ContentTooLarge over the limit, InvalidInput when unreadable."""
        ...


def check_name(name: str) -> str:
    """``manifest.json`` or ``<canonical uuid>.json``; anything else (a path, ``..``) is refused."""
    if name == "manifest.json":
        return name
    stem = name.removesuffix(".json")
    try:
        canonical = str(uuid.UUID(stem))
    except ValueError:
        raise InvalidInput(f"not a MISP feed: {name[:80]!r} is not an event file name") from None
    if canonical != stem or not name.endswith(".json"):
        raise InvalidInput(f"not a MISP feed: {name[:80]!r} is not an event file name")
    return name


@dataclass
class FolderSource:
    """A feed folder on disk."""

    path: Path
    max_bytes: int = DEFAULT_MAX_BYTES

    @property
    def label(self) -> str:
        return str(self.path)

    def read(self, name: str) -> bytes:
        target = self.path / check_name(name)
        if not target.is_file():
            raise InvalidInput(f"the feed {self.path} has no file {name}")
        with target.open("rb") as f:
            data = f.read(self.max_bytes + 1)
        if len(data) > self.max_bytes:
            raise ContentTooLarge(f"{name} of the feed is over the limit of {self.max_bytes} bytes")
        return data


@dataclass
class HttpSource:
    """A feed served over HTTP(S): ``<url>/manifest.json`` and ``<url>/<uuid>.json``."""

    url: str
    max_bytes: int = DEFAULT_MAX_BYTES
    timeout_s: float = DEFAULT_TIMEOUT_S
    transport: httpx.BaseTransport | None = None

    @property
    def label(self) -> str:
        return self.url

    def read(self, name: str) -> bytes:
        target = self.url.rstrip("/") + "/" + check_name(name)
        try:
            with httpx.Client(timeout=self.timeout_s, follow_redirects=True, max_redirects=3,
                              transport=self.transport) as client, client.stream("GET", target) as resp:
                if resp.status_code != 200:
                    raise InvalidInput(f"the feed answered HTTP {resp.status_code} for {name}")
                declared = resp.headers.get("content-length", "")
                if declared.isdigit() and int(declared) > self.max_bytes:
                    raise ContentTooLarge(f"{name} of the feed is over the limit of {self.max_bytes} bytes")
                chunks: list[bytes] = []
                seen = 0
                for chunk in resp.iter_bytes():
                    seen += len(chunk)
                    if seen > self.max_bytes:
                        raise ContentTooLarge(f"{name} of the feed is over the limit of {self.max_bytes} bytes")
                    chunks.append(chunk)
        except httpx.TimeoutException:
            raise InvalidInput(f"the feed did not answer within {self.timeout_s:g} s for {name}") from None
        except httpx.HTTPError as e:
            raise InvalidInput(f"the feed could not be fetched ({type(e).__name__}: {str(e)[:200]})") from None
        return b"".join(chunks)


def open_source(location: str, max_bytes: int = DEFAULT_MAX_BYTES, timeout_s: float = DEFAULT_TIMEOUT_S,
                transport: httpx.BaseTransport | None = None) -> FeedSource:
    """A folder path, or an ``http://`` / ``https://`` URL."""
    if max_bytes < 1:
        raise InvalidInput("the size limit is at least one byte")
    lowered = location.strip().lower()
    if lowered.startswith(("http://", "https://")):
        return HttpSource(location.strip(), max_bytes, timeout_s, transport)
    if "://" in lowered:
        raise InvalidInput(f"a MISP feed is a folder or an http(s) URL, not {location[:80]!r}")
    path = Path(location).expanduser()
    if not path.is_dir():
        raise InvalidInput(f"{location} is not a folder (a MISP feed is a folder or an http(s) URL)")
    return FolderSource(path, max_bytes)


def load_json(source: FeedSource, name: str) -> Any:
    """One file of the feed as JSON; malformed or non-UTF-8 content is refused with the file's name."""
    data = source.read(name)
    try:
        return json.loads(data.decode("utf-8"))
    except UnicodeDecodeError:
        raise InvalidInput(f"not a MISP feed: {name} is not UTF-8 text") from None
    except json.JSONDecodeError as e:
        raise InvalidInput(f"not a MISP feed: {name} is not JSON ({e.msg}, line {e.lineno})") from None
    except RecursionError:
        raise InvalidInput(f"not a MISP feed: {name} is nested too deeply") from None

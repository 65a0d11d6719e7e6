"""The URL signal types: ``url`` (exact canonical URL), ``url_prefix`` (a URL and everything under it) and
``domain`` (a site and all its subdomains: banks of outlets work at this level).

Each takes its values from a submitted URL (content type ``url``) or from every URL written in a submitted text.
A query carries the whole URL or host; the prefix and domain indexes look up each of its ancestors, and the
distance of a hit is how many path segments (or host labels) the query lies below the bank's value.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from basira.content import lookalike, sites
from basira.content.text import read_text
from basira.content.urls import FoundUrl, ParsedUrl, canonical_host, find_urls, parse_url, registrable_domain
from basira.core.errors import InvalidSignal
from basira.core.exact import ExactSignalType
from basira.core.settings import Settings
from basira.core.signal_examples import SignalExamples
from basira.core.signals import Content, ExactIndex, ExtractedSignal, SignalIndex, SignalType


def _urls_of(content: Content) -> list[FoundUrl]:
    """The URL a ``url`` content holds, or the URLs written in a ``text`` content."""
    text = read_text(content)
    if content.content_type == "url":
        return [FoundUrl(raw=text.strip()[:300], canonical=parse_url(text))]
    return find_urls(text)


def _signals(content: Content, name: str, value_of: type[SignalType]) -> list[ExtractedSignal]:
    out: list[ExtractedSignal] = []
    seen: set[str] = set()
    for found in _urls_of(content):
        parsed = found.canonical
        details: dict[str, Any] = {"url": found.raw} if content.content_type == "text" else {}
        if parsed is None:
            if found.partial is None or value_of is UrlSignal:
                continue
            # Over the length limit: matched by the prefix and domain it lies under, and said so.
            parsed = found.partial
            details["over_length"] = found.error
        kind = parsed.kind
        if kind != "web":
            details["site"] = kind
        if kind == "shortener":
            details["unresolved"] = True  # where the short link leads is unknown: nothing is fetched
        value = _value(value_of, parsed)
        if value in seen:
            continue
        seen.add(value)
        query_only = False
        if value_of is UrlPrefixSignal and sites.covers_a_site(parsed.host, parsed.path, parsed.query):
            # A whole site (or a platform's whole route) is never banked from content: query side only.
            details["covers_site"] = True
            query_only = True
        out.append(ExtractedSignal(name, value, details=details, query_only=query_only))
        if value_of is DomainSignal:
            imitated = lookalike.skeleton(parsed.host)
            if imitated is not None and imitated not in seen:
                # Flagged, and looked up as the name it imitates: a bank of example-news.ma finds exämple-news.ma.
                seen.add(imitated)
                out[-1] = ExtractedSignal(name, value, details={**details, "lookalike_of": imitated})
                out.append(ExtractedSignal(name, imitated, details={**details, "lookalike": parsed.host},
                                           query_only=True))
    return out


def _value(kind: type[SignalType], parsed: ParsedUrl) -> str:
    if kind is UrlPrefixSignal:
        return parsed.prefix
    if kind is DomainSignal:
        return parsed.host
    return str(parsed)


class AncestorIndex(SignalIndex):
    """Exact values, queried by every ancestor of the query value (its path prefixes, or its parent domains)."""

    def __init__(self, ancestors: type[_AncestorSignal]) -> None:
        self._exact = ExactIndex()
        self._ancestors = ancestors

    def build(self, items: Iterable[tuple[int, str]]) -> None:
        self._exact.build(items)

    def add(self, items: Iterable[tuple[int, str]]) -> None:
        self._exact.add(items)

    def remove(self, ids: Iterable[int]) -> None:
        self._exact.remove(ids)

    def query(self, values: Sequence[str], threshold: float) -> list[list[tuple[int, float]]]:
        out: list[list[tuple[int, float]]] = []
        for value in values:
            try:
                candidates = self._ancestors.ancestors(value)
            except InvalidSignal:
                out.append([])
                continue
            hits: dict[int, float] = {}
            found = self._exact.query([c for c, _ in candidates], 0.0)
            for (_, depth), ids in zip(candidates, found, strict=True):
                if depth <= threshold:
                    for sid, _ in ids:
                        hits.setdefault(sid, float(depth))
            out.append(sorted(hits.items(), key=lambda h: (h[1], h[0])))
        return out

    def __len__(self) -> int:
        return len(self._exact)


class UrlSignal(ExactSignalType):
    """A canonical URL: finds the same link however it was written (tracking parameters, case, mirrors)."""

    name = "url"
    content_types = frozenset({"url", "text"})
    default_content_type = "url"
    description = "Canonical URL (http(s), IDNA host, tracking parameters and fragment dropped); exact."

    @classmethod
    def validate(cls, value: str) -> str:
        return str(parse_url(value))

    @classmethod
    def examples(cls) -> SignalExamples:
        return SignalExamples(canonical=("https://example.com/a", "https://xn--mgbh0fb.example/%D8%A8?q=1"),
                              spellings=(("HTTP://Example.com/a?utm_medium=x#top", "https://example.com/a"),),
                              invalid=("", "not a url", "ftp://example.com/", "javascript:alert(1)"))

    @classmethod
    def extract(cls, content: Content, settings: Settings) -> list[ExtractedSignal]:
        return _signals(content, cls.name, cls)


class _AncestorSignal(SignalType):
    """A value that matches itself and everything under it (a URL path, a host): the distance is the depth."""

    @classmethod
    def ancestors(cls, value: str) -> list[tuple[str, int]]:
        """The value and every value above it, each with its depth below that one."""
        raise NotImplementedError

    @classmethod
    def extract(cls, content: Content, settings: Settings) -> list[ExtractedSignal]:
        return _signals(content, cls.name, cls)

    @classmethod
    def distance(cls, a: str, b: str) -> float:
        """Depth from ``a`` down to ``b`` (or the other way); ``max_threshold`` when neither is under the other."""
        for outer, inner in ((a, b), (b, a)):
            target = cls.validate(outer)
            for candidate, depth in cls.ancestors(inner):
                if candidate == target:
                    return float(depth)
        return cls.max_threshold

    @classmethod
    def new_index(cls, settings: Settings | None = None) -> SignalIndex:
        return AncestorIndex(cls)


class UrlPrefixSignal(_AncestorSignal):
    """A URL prefix: a bank value ``https://site/channel`` matches every URL at or under that path (whole
    segments only, so ``/channel`` does not match ``/channel2``); the distance is the depth below it.

    A query that carries identity is kept (``youtube.com/watch?v=ID``, ``/page?id=5``): such a prefix matches that
    page and what lies under it, never its siblings. A prefix that would cover a whole site (its root, or a
    platform route such as ``youtube.com/watch`` or ``t.me/s``) is refused: bank a ``domain`` for that.
    """

    name = "url_prefix"
    content_types = frozenset({"url", "text"})
    default_content_type = "url"
    default_threshold = 100.0
    max_threshold = 100.0
    description = ("URL prefix: matches URLs at or below a canonical path (identity-carrying query kept); "
                   "distance = path segments below the prefix; a whole-site prefix is refused.")

    @classmethod
    def validate(cls, value: str) -> str:
        parsed = parse_url(value)
        if sites.covers_a_site(parsed.host, parsed.path, parsed.query):
            raise InvalidSignal(
                f"a url_prefix of {parsed.prefix} would match every page of {parsed.host}: give the path of one "
                f"channel, account or item, or use a domain signal for the whole site")
        return parsed.prefix

    @classmethod
    def examples(cls) -> SignalExamples:
        return SignalExamples(canonical=("https://example.com/channel", "https://youtube.com/watch?v=abc"),
                              spellings=(("HTTPS://Example.com/channel/?utm_source=x", "https://example.com/channel"),
                                         ("https://youtu.be/abc?t=30", "https://youtube.com/watch?v=abc")),
                              near=(("https://example.com/channel", "https://example.com/channel/post/1"),),
                              invalid=("", "ftp://example.com/", "not a url", "https://example.org",
                                       "https://www.youtube.com/watch"))

    @classmethod
    def ancestors(cls, value: str) -> list[tuple[str, int]]:
        """The prefixes of a URL, longest first, each with how many steps the URL lies below it (its query, when
        it has one, is the first step)."""
        parsed = parse_url(value)
        segments = [s for s in parsed.path.split("/") if s]
        out = [(parsed.prefix, 0)] if parsed.query else []
        below = len(out)
        for depth in range(len(segments) + 1):
            kept = segments[: len(segments) - depth]
            out.append((parsed.base + "".join("/" + s for s in kept), depth + below))
        return out

    @classmethod
    def distance(cls, a: str, b: str) -> float:
        for outer, inner in ((a, b), (b, a)):
            target = parse_url(outer).prefix
            for candidate, depth in cls.ancestors(inner):
                if candidate == target:
                    return float(depth)
        return cls.max_threshold


class DomainSignal(_AncestorSignal):
    """A site: a bank value ``example.org`` matches that host and all its subdomains (never a bare public suffix
    such as ``co.uk``); the distance is how many labels the query host has beyond it."""

    name = "domain"
    content_types = frozenset({"url", "text"})
    default_content_type = "url"
    default_threshold = 10.0
    max_threshold = 10.0
    description = ("Host or registrable domain (Public Suffix List): matches it and its subdomains; distance = "
                   "labels below it.")

    @classmethod
    def validate(cls, value: str) -> str:
        v = value.strip()
        # A URL may be given for its host.
        host = parse_url(v).host if ("/" in v or ":" in v.strip("[]")) and not v.startswith("[") else \
            canonical_host(v)
        registrable_domain(host)  # refuses a public suffix
        return host

    @classmethod
    def examples(cls) -> SignalExamples:
        return SignalExamples(canonical=("example.org", "xn--mgbh0fb.example"),
                              spellings=(("WWW.Example.org", "example.org"),
                                         ("https://Example.org/a", "example.org")),
                              near=(("example.org", "a.b.example.org"),), invalid=("", "not a domain", "co.uk"))

    @classmethod
    def ancestors(cls, value: str) -> list[tuple[str, int]]:
        """The host and its parent domains down to the registrable domain, each with its depth below."""
        host = cls.validate(value)
        site = registrable_domain(host)
        if host == site or host.startswith("["):
            return [(host, 0)]
        labels = host.split(".")
        keep = len(site.split("."))
        return [(".".join(labels[i:]), i) for i in range(len(labels) - keep + 1)]


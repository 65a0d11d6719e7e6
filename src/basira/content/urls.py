"""URLs as signals: one canonical form per resource, its path prefixes, its host, and the URLs found in text.

The canonical form (:func:`canonical_url`) makes the many spellings of one link compare equal: scheme and host in
lower case, ``http`` written ``https`` (the same resource for matching), IDNA (punycode) hosts, no default port,
no user name or password, dot segments resolved, percent-escapes normalised, the query sorted without tracking
parameters, no fragment, no trailing slash, mirror hosts folded (``www.``/``m.``/``mobile.``), and the per-site
rules of :mod:`basira.content.sites` (Telegram, YouTube, Facebook, X, TikTok, Instagram, archive mirrors, file
lockers): one spelling per post, video or file. Registrable domains come from the Public Suffix List snapshot that
tldextract ships, read without any network access.
"""

from __future__ import annotations

import ipaddress
import re
import string
import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import quote, unquote, urlsplit

import idna

from basira.content import sites
from basira.core.errors import InvalidSignal

if TYPE_CHECKING:
    import tldextract

#: Longest canonical URL kept as a signal (the database indexes signal values, which caps their size).
MAX_URL_LENGTH = 2048
#: Query parameters that only say where a click came from; dropped (plus every ``utm_*``).
TRACKING_PARAMS = frozenset({
    "fbclid", "gclid", "dclid", "gbraid", "wbraid", "msclkid", "yclid", "twclid", "ttclid", "igshid", "igsh",
    "si", "mc_cid", "mc_eid", "_ga", "_gl", "ref_src", "ref_url", "feature", "mibextid", "__cft__", "__tn__",
})
#: Host labels that name the same site for mobile or legacy readers, dropped from the front of a host.
MIRROR_LABELS = ("www", "m", "mobile")
DEFAULT_PORTS = {"http": 80, "https": 443}
#: Most URLs taken from one text.
MAX_URLS_PER_TEXT = 100

# Characters left as they are in paths and queries (RFC 3986 unreserved plus the sub-delimiters and ":@/").
_PATH_SAFE = "/:@!$&'()*+,;=-._~"
_QUERY_SAFE = ":@!$'()*+,;/?-._~"
_ESCAPE = re.compile(r"%([0-9A-Fa-f]{2})")
_LONE_PERCENT = re.compile(r"%(?![0-9A-Fa-f]{2})")
_UNRESERVED = frozenset(string.ascii_letters + string.digits + "-._~")
_HOST_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")
_TOP_LABEL = re.compile(r"^(?:[a-z]{2,63}|xn--[a-z0-9-]{1,59})$")
_SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.-]*):")
_CONTROL = re.compile(r"[\x00-\x20\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]")

_extractor: tldextract.TLDExtract | None = None
_extractor_lock = threading.Lock()


def _tld() -> tldextract.TLDExtract:
    """The Public Suffix List reader: the bundled snapshot only (no download, no cache folder)."""
    global _extractor
    with _extractor_lock:
        if _extractor is None:
            # Imported here: tldextract (and requests, which it imports) take longer to import than most commands
            # take to run.
            import tldextract

            _extractor = tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None,
                                               include_psl_private_domains=True)
        return _extractor


@dataclass(frozen=True)
class ParsedUrl:
    """A URL in canonical parts; ``str()`` is the canonical URL."""

    host: str
    port: int | None
    path: str
    query: str

    def __str__(self) -> str:
        port = f":{self.port}" if self.port is not None else ""
        query = f"?{self.query}" if self.query else ""
        return f"https://{self.host}{port}{self.path}{query}"

    @property
    def base(self) -> str:
        """Scheme, host and port: the URL of the site's root, without the slash."""
        port = f":{self.port}" if self.port is not None else ""
        return f"https://{self.host}{port}"

    @property
    def prefix(self) -> str:
        """The form ``url_prefix`` values take: the URL without a trailing slash, its query kept when the query
        carries identity (``/watch?v=ID``, ``/page?id=5``; tracking and per-site noise are gone already)."""
        query = f"?{self.query}" if self.query else ""
        return f"{self.base}{self.path.rstrip('/')}{query}"

    @property
    def kind(self) -> str:
        """What the site is (:func:`basira.content.sites.site_kind`): ``telegram`` ... ``shortener`` or ``web``."""
        return sites.site_kind(self.host)


def registrable_domain(host: str) -> str:
    """The registrable domain of a canonical host (``news.bbc.co.uk`` → ``bbc.co.uk``); an IP stays itself.

    Raises:
        InvalidSignal: The host is a public suffix itself (``co.uk``), which would match every site under it.
    """
    if host.startswith("[") or _is_ipv4(host):
        return host
    parts = _tld()(host)
    if parts.domain and not parts.suffix:
        # A name under no known suffix (an intranet or reserved name such as .example): its last two labels.
        return ".".join(host.split(".")[-2:])
    if not parts.domain:
        raise InvalidSignal(f"{host!r} is a public suffix, not a site")
    return f"{parts.domain}.{parts.suffix}"


def _is_ipv4(host: str) -> bool:
    try:
        ipaddress.IPv4Address(host)
    except ValueError:
        return False
    return True


def canonical_host(raw: str) -> str:
    """A host in canonical form: IP literals normalised, names lower-cased, IDNA-encoded, mirror-folded, and
    other names of one service written one way (``fb.com``, ``twitter.com``, ``archive.is`` ...).

    Raises:
        InvalidSignal: The host is empty or not a valid public name or address.
    """
    written = written_host(raw)
    return sites.HOST_ALIASES.get(written, written)


def written_host(raw: str) -> str:
    """:func:`canonical_host` before the service aliases (``youtu.be`` stays itself: its paths read differently)."""
    host = raw.strip().rstrip(".")
    if not host:
        raise InvalidSignal("the URL has no host")
    if host.startswith("["):
        if not host.endswith("]"):
            raise InvalidSignal(f"the IPv6 host {raw[:80]!r} is not closed by ']'")
        try:
            return f"[{ipaddress.IPv6Address(host[1:-1].split('%', 1)[0]).compressed}]"
        except ValueError:
            raise InvalidSignal(f"{raw[:80]!r} is not a valid IPv6 address") from None
    if _is_ipv4(host):
        return str(ipaddress.IPv4Address(host))
    try:
        ascii_host = idna.encode(unquote(host), uts46=True).decode("ascii").lower()
    except (idna.IDNAError, UnicodeError) as e:
        raise InvalidSignal(f"{raw[:80]!r} is not a valid host name ({e})") from None
    labels = ascii_host.split(".")
    if not all(_HOST_LABEL.match(label) for label in labels) or len(ascii_host) > 253:
        raise InvalidSignal(f"{raw[:80]!r} is not a valid host name")
    if len(labels) < 2 or not _TOP_LABEL.match(labels[-1]):
        # "hello", "localhost", "intranet": no public site has a one-label name (nor an all-digit top label).
        raise InvalidSignal(f"{raw[:80]!r} is not a public host name (a name such as example.org, or an IP address)")
    return _fold_mirrors(ascii_host)


def _fold_mirrors(host: str) -> str:
    labels = host.split(".")
    while len(labels) > 2 and labels[0] in MIRROR_LABELS:
        rest = ".".join(labels[1:])
        # Never fold down to a public suffix: m.co.uk is a site, co.uk is not.
        if not _tld()(rest).domain:
            break
        labels = labels[1:]
    return ".".join(labels)


def _normalise_escapes(part: str, safe: str) -> str:
    """Percent-escapes decoded where they stand for unreserved characters, others upper-cased (``%2f`` stays an
    escaped slash: decoding it would change the path), and characters that need escaping escaped as UTF-8."""
    part = _LONE_PERCENT.sub("%25", part)
    part = _ESCAPE.sub(lambda m: chr(int(m.group(1), 16)) if chr(int(m.group(1), 16)) in _UNRESERVED
                       else "%" + m.group(1).upper(), part)
    return quote(part, safe=safe + "%")


def _remove_dot_segments(path: str) -> str:
    """RFC 3986 section 5.2.4: ``/a/./b/../c`` becomes ``/a/c``; a path never climbs above the root."""
    out: list[str] = []
    segments = path.split("/")
    for i, seg in enumerate(segments):
        last = i == len(segments) - 1
        if seg == ".":
            if last:
                out.append("")
            continue
        if seg == "..":
            if len(out) > 1:
                out.pop()
            if last:
                out.append("")
            continue
        out.append(seg)
    result = "/".join(out)
    return result if result.startswith("/") else "/" + result


def _canonical_query(query: str) -> str:
    pairs: list[tuple[str, str]] = []
    for piece in query.split("&"):
        if not piece:
            continue
        key, _, value = piece.partition("=")
        name = unquote(key.replace("+", " ")).lower()
        if name in TRACKING_PARAMS or name.startswith("utm_"):
            continue
        pairs.append((_normalise_escapes(key.replace("+", " "), _QUERY_SAFE).replace("=", "%3D").replace("&", "%26"),
                      _normalise_escapes(value.replace("+", " "), _QUERY_SAFE).replace("&", "%26")))
    pairs.sort()
    return "&".join(f"{k}={v}" if v else k for k, v in pairs)


def parse_url(raw: str) -> ParsedUrl:
    """The canonical parts of a URL given as text; a URL without a scheme is read as ``https://``.

    Raises:
        InvalidSignal: Not an http(s) URL (``javascript:``, ``data:``, ``mailto:`` ...), a bad host or port,
            or longer than :data:`MAX_URL_LENGTH` characters.
    """
    text = raw.strip()
    if not text:
        raise InvalidSignal("the URL is empty")
    if len(text) > MAX_URL_LENGTH:
        raise InvalidSignal(f"the URL has {len(text)} characters, over the limit of {MAX_URL_LENGTH}")
    if _CONTROL.search(text):
        raise InvalidSignal("the URL holds spaces, control or bidirectional-override characters")
    scheme_match = _SCHEME.match(text)
    scheme = scheme_match.group(1).lower() if scheme_match else ""
    # "example.com:8080/path" reads like a scheme "example.com": a dot or a port number after it says otherwise.
    host_and_port = scheme_match is not None and ("." in scheme or text[scheme_match.end():][:1].isdigit())
    if scheme_match and scheme not in DEFAULT_PORTS and not host_and_port:
        raise InvalidSignal(f"only http and https URLs are signals, not {scheme}: URLs")
    if scheme not in DEFAULT_PORTS:
        # "example.com/path" or "example.com:8080/path": no scheme was written.
        text, scheme = "https://" + text.lstrip("/"), "https"
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError as e:
        raise InvalidSignal(f"{raw[:80]!r} is not a valid URL ({e})") from None
    netloc = parts.netloc.rpartition("@")[2]  # user names and passwords are never kept
    if netloc.startswith("["):
        host_part = netloc[: netloc.find("]") + 1] if "]" in netloc else netloc
    else:
        host_part = netloc.split(":", 1)[0]
    written = written_host(host_part)
    host = sites.HOST_ALIASES.get(written, written)
    if port is not None and port == DEFAULT_PORTS[scheme]:
        port = None
    path = _remove_dot_segments(_normalise_escapes(parts.path or "/", _PATH_SAFE))
    query = _canonical_query(parts.query)
    fragment = _normalise_escapes(parts.fragment, _QUERY_SAFE) if parts.fragment else ""
    path, query = sites.fold(host, written, path, query, fragment)
    if len(path) > 1:
        path = path.rstrip("/") or "/"  # /channel/ and /channel are one page
    parsed = ParsedUrl(host=host, port=port, path=path, query=query)
    if len(str(parsed)) > MAX_URL_LENGTH:
        raise InvalidSignal(f"the canonical URL is over the limit of {MAX_URL_LENGTH} characters")
    return parsed


def canonical_url(raw: str) -> str:
    """The canonical form of one URL (see the module docstring); :class:`InvalidSignal` when it is not one."""
    return str(parse_url(raw))


# URLs written in running text: with a scheme, or starting with www., or a bare host name followed by a path.
_IN_TEXT = re.compile(
    r"(?i)(?<![\w@.])(?:https?://[^\s<>\"'«»]+|www\.[^\s<>\"'«»]+"
    r"|(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,24}/[^\s<>\"'«»]*)")
_TRAILING = ".,;:!?)]}'\"،؛؟。…"


@dataclass(frozen=True)
class FoundUrl:
    """A URL found in text: as written, and canonical (None with ``error`` when it cannot be a signal).

    A URL over :data:`MAX_URL_LENGTH` keeps its ``partial`` form: the canonical URL of its host and of as many
    whole path segments as fit, so that it is still matched by ``url_prefix`` and ``domain`` and reported.
    """

    raw: str
    canonical: ParsedUrl | None
    error: str = ""
    partial: ParsedUrl | None = None


def _partial(raw: str) -> ParsedUrl | None:
    """An over-long URL cut to its host and the whole path segments that fit (no query), or None."""
    head = raw.split("?", 1)[0].split("#", 1)[0]
    if len(head) > MAX_URL_LENGTH:
        head = head[:MAX_URL_LENGTH].rsplit("/", 1)[0]
    try:
        return parse_url(head)
    except InvalidSignal:
        return None


def find_urls(text: str) -> list[FoundUrl]:
    """The URLs written in ``text``, in order, each once (by canonical form), at most :data:`MAX_URLS_PER_TEXT`.

    Bidirectional and zero-width controls are removed first (they are used to hide links); trailing punctuation
    is not part of a URL unless it closes a bracket the URL opened. A URL that cannot be a signal is listed with
    its ``error`` (and, when only its length is wrong, its ``partial`` form): never dropped silently.
    """
    clean = _CONTROL.sub(lambda m: " " if m.group().isspace() else "", text)
    out: list[FoundUrl] = []
    seen: set[str] = set()
    for m in _IN_TEXT.finditer(clean):
        raw = m.group()
        while raw and raw[-1] in _TRAILING and not (raw[-1] == ")" and raw.count("(") >= raw.count(")")):
            raw = raw[:-1]
        partial: ParsedUrl | None = None
        try:
            parsed: ParsedUrl | None = parse_url(raw)
            error = ""
        except InvalidSignal as e:
            parsed, error = None, e.detail
            if len(raw) > MAX_URL_LENGTH:
                partial = _partial(raw)
        key = str(parsed) if parsed else raw
        if key in seen:
            continue
        seen.add(key)
        out.append(FoundUrl(raw=raw[:300], canonical=parsed, error=error, partial=partial))
        if len(out) >= MAX_URLS_PER_TEXT:
            break
    return out

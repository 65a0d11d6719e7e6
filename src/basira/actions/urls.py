"""Webhook URLs that cannot be turned against the instance's own network (server-side request forgery).

A URL is refused when it is not ``http``/``https``, carries a user name or password, has no host, or holds spaces
or control characters. Its host must reach public addresses only, unless the address is in the configured
allowlist (an in-house receiver on a private network, or loopback in tests). Literal addresses are checked when
the webhook is saved; names are resolved and checked before every attempt, so a name that later points inside
is caught then.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Sequence
from urllib.parse import SplitResult, urlsplit

from basira.actions.config import Network
from basira.core.errors import InvalidInput

MAX_URL = 2000
IP = ipaddress.IPv4Address | ipaddress.IPv6Address
_LOCAL_NAMES = ("localhost", "localhost.localdomain")


class UnsafeTarget(Exception):
    """The webhook's host resolves to an address that is not allowed (or does not resolve)."""


def _parts(url: str) -> SplitResult:
    if not url or len(url) > MAX_URL:
        raise InvalidInput(f"a webhook URL has 1-{MAX_URL} characters")
    if not url.isascii() or any(c.isspace() or ord(c) < 32 or ord(c) == 127 for c in url):
        raise InvalidInput("a webhook URL is ASCII without spaces or control characters (punycode its host)")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as e:
        raise InvalidInput(f"the webhook URL is malformed ({e})") from None
    if parts.scheme not in ("http", "https"):
        raise InvalidInput("a webhook URL starts with https:// (or http://)")
    if parts.username is not None or parts.password is not None or "@" in parts.netloc:
        raise InvalidInput("a webhook URL may not carry a user name or password; the signature authenticates")
    if not parts.hostname:
        raise InvalidInput("a webhook URL names a host")
    if port == 0:
        raise InvalidInput("a webhook URL's port is 1-65535")
    if parts.fragment:
        raise InvalidInput("a webhook URL has no #fragment")
    return parts


def _literal(host: str) -> IP | None:
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        return None


def allowed(ip: IP, allowlist: Sequence[Network]) -> bool:
    """Public addresses, and any address inside an allowlisted network."""
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if any(ip.version == net.version and ip in net for net in allowlist):
        return True
    return ip.is_global and not ip.is_multicast


def validate_url(url: str, allowlist: Sequence[Network] = ()) -> str:
    """``url`` if it is a safe webhook URL, else InvalidInput saying why (see the module docstring)."""
    parts = _parts(url.strip())
    host = (parts.hostname or "").rstrip(".").lower()
    ip = _literal(host)
    if ip is None and (host in _LOCAL_NAMES or host.endswith(".localhost")):
        ip = ipaddress.ip_address("127.0.0.1")
    if ip is not None and not allowed(ip, allowlist):
        raise InvalidInput(f"webhooks may not reach {ip} (a private, loopback or reserved address); an operator "
                           "can allow a network with BASIRA_WEBHOOK_ALLOWLIST")
    return url.strip()


def check_target(url: str, allowlist: Sequence[Network] = ()) -> None:
    """Resolve the URL's host and refuse it (UnsafeTarget) unless every address it has is allowed."""
    parts = _parts(url)
    host = parts.hostname or ""
    port = parts.port or (443 if parts.scheme == "https" else 80)
    ip = _literal(host)
    if ip is not None:
        addresses: set[IP] = {ip}
    else:
        try:
            infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except (OSError, UnicodeError) as e:
            raise UnsafeTarget(f"cannot resolve {host}: {e}") from None
        addresses = {ipaddress.ip_address(str(info[4][0]).split("%", 1)[0]) for info in infos}
    bad = sorted(str(a) for a in addresses if not allowed(a, allowlist))
    if bad:
        raise UnsafeTarget(f"{host} resolves to {', '.join(bad)}, which webhooks may not reach")

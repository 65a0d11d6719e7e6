"""Providers' discovery documents and signing keys (JWKS), fetched over HTTPS and cached, with key rotation.

A key id the cached set does not know makes the set be fetched again (once per unknown id and minute), so a
provider that rotates its keys is followed at the first token signed with the new one.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import Any

import httpx
from joserfc.errors import InvalidKeyIdError, JoseError
from joserfc.jwk import Key, KeySet

from basira.identity.errors import ProviderUnavailable, SignInRefused
from basira.identity.providers import check_issuer

HTTP_TIMEOUT_S = 10.0
CACHE_FOR_S = 3600.0
REFETCH_UNKNOWN_KID_EVERY_S = 60.0
MAX_DOCUMENT_BYTES = 512 * 1024


@dataclass(frozen=True)
class Metadata:
    """What the flow needs of a provider's discovery document."""

    issuer: str
    authorization_endpoint: str
    token_endpoint: str
    jwks_uri: str


def _endpoint(doc: dict[str, Any], name: str) -> str:
    value = doc.get(name)
    if not isinstance(value, str) or not value:
        raise ProviderUnavailable(f"the discovery document has no {name}")
    check_issuer(value)  # the same rule as the issuer: https, or http on loopback
    return value


def get_json(client: httpx.Client, url: str) -> dict[str, Any]:
    """A JSON object from ``url``, or ProviderUnavailable (unreachable, not 200, too large, not an object)."""
    try:
        resp = client.get(url, headers={"Accept": "application/json"})
    except httpx.HTTPError as e:
        raise ProviderUnavailable(f"the identity provider did not answer ({type(e).__name__})") from None
    if resp.status_code != 200 or len(resp.content) > MAX_DOCUMENT_BYTES:
        raise ProviderUnavailable(f"the identity provider answered HTTP {resp.status_code} for {url[:200]}")
    try:
        doc = resp.json()
    except ValueError:
        raise ProviderUnavailable("the identity provider answered something that is not JSON") from None
    if not isinstance(doc, dict):
        raise ProviderUnavailable("the identity provider answered JSON that is not an object")
    return doc


class ProviderDirectory:
    """Discovery documents and key sets by URL, shared by every request of a process (thread-safe)."""

    def __init__(self, *, cache_for_s: float = CACHE_FOR_S) -> None:
        self.cache_for_s = cache_for_s
        self._lock = threading.Lock()
        self._metadata: dict[str, tuple[float, Metadata]] = {}
        self._keys: dict[str, tuple[float, KeySet]] = {}
        self._refetched: dict[tuple[str, str], float] = {}

    def http(self) -> httpx.Client:
        # No redirects: a provider's endpoints are where its discovery document says.
        return httpx.Client(timeout=HTTP_TIMEOUT_S, follow_redirects=False)

    def metadata(self, issuer: str) -> Metadata:
        """The provider's endpoints, from ``<issuer>/.well-known/openid-configuration``."""
        now = time.monotonic()
        with self._lock:
            cached = self._metadata.get(issuer)
        if cached and now - cached[0] < self.cache_for_s:
            return cached[1]
        with self.http() as client:
            doc = get_json(client, issuer + "/.well-known/openid-configuration")
        if doc.get("issuer") != issuer:
            raise ProviderUnavailable("the discovery document names another issuer")
        meta = Metadata(issuer, _endpoint(doc, "authorization_endpoint"), _endpoint(doc, "token_endpoint"),
                        _endpoint(doc, "jwks_uri"))
        with self._lock:
            self._metadata[issuer] = (now, meta)
        return meta

    def _fetch_keys(self, jwks_uri: str) -> KeySet:
        with self.http() as client:
            doc = get_json(client, jwks_uri)
        try:
            keys = KeySet.import_key_set(doc)  # type: ignore[arg-type]  # checked by the import itself
        except (JoseError, ValueError, TypeError, KeyError) as e:
            raise ProviderUnavailable(f"the provider's key set is not a JWKS ({type(e).__name__})") from None
        with self._lock:
            self._keys[jwks_uri] = (time.monotonic(), keys)
        return keys

    def key(self, jwks_uri: str, kid: str | None) -> Key:
        """The provider's key with id ``kid`` (the only key when the token names none)."""
        with self._lock:
            cached = self._keys.get(jwks_uri)
        fresh = cached is not None and time.monotonic() - cached[0] < self.cache_for_s
        keys = cached[1] if cached and fresh else self._fetch_keys(jwks_uri)
        found = _find(keys, kid)
        if found is not None:
            return found
        with self._lock:
            last = self._refetched.get((jwks_uri, kid or ""))
            allowed = last is None or time.monotonic() - last > REFETCH_UNKNOWN_KID_EVERY_S
            if allowed:
                self._refetched[(jwks_uri, kid or "")] = time.monotonic()
        if allowed:
            found = _find(self._fetch_keys(jwks_uri), kid)
        if found is None:
            raise SignInRefused("token", "the ID token is signed with a key the provider does not publish")
        return found


def _find(keys: KeySet, kid: str | None) -> Key | None:
    try:
        return keys.get_by_kid(kid)
    except InvalidKeyIdError:
        return None

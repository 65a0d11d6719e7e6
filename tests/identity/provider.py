"""A small OpenID Connect provider for the tests, on a loopback port: discovery, JWKS, authorize and token.

It signs real RS256 ID tokens with a real RSA key, checks the client's secret and the PKCE verifier, and hands out
each code once. ``user`` is who "signs in" at the next authorize; ``overrides`` change the next ID tokens' claims
(an expired one, another audience, another nonce); :meth:`rotate` replaces the signing key.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from joserfc import jwt
from joserfc.jwk import RSAKey

CLIENT_ID = "basira-acme"
CLIENT_SECRET = "provider-secret-" + "x" * 16


class Provider:
    """The provider's state; :meth:`start` serves it on 127.0.0.1 in a thread."""

    def __init__(self) -> None:
        self.key = self._new_key("key-1")
        self.published: list[RSAKey] = [self.key]
        self.user: dict[str, Any] = {"sub": "subject-rana", "email": "rana@acme.example",
                                     "groups": ["basira-reviewers"]}
        self.overrides: dict[str, Any] = {}
        self.codes: dict[str, dict[str, Any]] = {}
        self.jwks_fetches = 0
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)

    @staticmethod
    def _new_key(kid: str) -> RSAKey:
        return RSAKey.generate_key(2048, parameters={"kid": kid, "alg": "RS256", "use": "sig"})

    @property
    def issuer(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def start(self) -> Provider:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def rotate(self) -> None:
        """Sign with a new key and stop publishing the old one."""
        self.key = self._new_key(f"key-{len(self.published) + 1}")
        self.published = [self.key]

    def id_token(self, nonce: str, *, key: RSAKey | None = None) -> str:
        now = int(time.time())
        claims = {"iss": self.issuer, "aud": CLIENT_ID, "iat": now, "exp": now + 300, "nonce": nonce,
                  **self.user, **self.overrides}
        signing = key or self.key
        return jwt.encode({"alg": "RS256", "kid": signing.kid}, claims, signing)

    def discovery(self) -> dict[str, Any]:
        return {"issuer": self.issuer, "authorization_endpoint": self.issuer + "/authorize",
                "token_endpoint": self.issuer + "/token", "jwks_uri": self.issuer + "/jwks",
                "response_types_supported": ["code"], "subject_types_supported": ["public"],
                "id_token_signing_alg_values_supported": ["RS256"],
                "code_challenge_methods_supported": ["S256"]}

    def authorize(self, query: dict[str, str]) -> tuple[int, dict[str, str]]:
        if query.get("client_id") != CLIENT_ID or query.get("response_type") != "code" \
                or query.get("code_challenge_method") != "S256" or not query.get("code_challenge"):
            return 400, {}
        code = secrets.token_urlsafe(16)
        self.codes[code] = {"redirect_uri": query["redirect_uri"], "nonce": query.get("nonce", ""),
                            "challenge": query["code_challenge"]}
        target = query["redirect_uri"] + "?" + urlencode({"code": code, "state": query.get("state", "")})
        return 302, {"Location": target}

    def token(self, form: dict[str, str], authorization: str) -> tuple[int, dict[str, Any]]:
        basic = base64.b64encode(f"{CLIENT_ID}:{CLIENT_SECRET}".encode()).decode()
        sent_secret = form.get("client_secret")
        if authorization != f"Basic {basic}" and sent_secret != CLIENT_SECRET:
            return 401, {"error": "invalid_client"}
        grant = self.codes.pop(form.get("code", ""), None)
        if grant is None or form.get("redirect_uri") != grant["redirect_uri"]:
            return 400, {"error": "invalid_grant"}
        digest = hashlib.sha256(form.get("code_verifier", "").encode()).digest()
        if base64.urlsafe_b64encode(digest).rstrip(b"=").decode() != grant["challenge"]:
            return 400, {"error": "invalid_grant", "error_description": "PKCE verifier does not match"}
        return 200, {"access_token": secrets.token_urlsafe(16), "token_type": "Bearer", "expires_in": 300,
                     "id_token": self.id_token(grant["nonce"])}


def _handler(provider: Provider) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def _json(self, status: int, body: dict[str, Any]) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:
            url = urlsplit(self.path)
            if url.path == "/.well-known/openid-configuration":
                self._json(200, provider.discovery())
            elif url.path == "/jwks":
                provider.jwks_fetches += 1
                self._json(200, {"keys": [k.as_dict(private=False) for k in provider.published]})
            elif url.path == "/authorize":
                query = {k: v[0] for k, v in parse_qs(url.query).items()}
                status, headers = provider.authorize(query)
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", "0")
                self.end_headers()
            else:
                self._json(404, {"error": "not_found"})

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
            if urlsplit(self.path).path != "/token":
                self._json(404, {"error": "not_found"})
                return
            status, body = provider.token(form, self.headers.get("Authorization", ""))
            self._json(status, body)

    return Handler

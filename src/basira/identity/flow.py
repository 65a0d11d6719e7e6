"""The OpenID Connect authorization code flow with PKCE: the redirect to the provider and its callback.

:func:`begin` records a sign-in in flight (``state`` stored as its SHA-256, a ``nonce`` and a PKCE verifier) and
returns the provider's authorization URL. :func:`complete` takes the ``state`` once (a replay is refused even if the
first use failed), exchanges the code, verifies the ID token (signature against the provider's JWKS, issuer,
audience, expiry, nonce) and maps the user's groups to a role; :mod:`basira.identity.accounts` does the rest.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
import warnings
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any

import httpx
from authlib.oauth2 import OAuth2Error
from joserfc import jwt
from joserfc.errors import ExpiredTokenError, InvalidClaimError, JoseError, MissingClaimError
from joserfc.jwk import GuestProtocol, Key
from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from basira.core.models import Organization, User, utcnow
from basira.identity import accounts, providers
from basira.identity.directory import HTTP_TIMEOUT_S, ProviderDirectory
from basira.identity.errors import ProviderUnavailable, SignInRefused
from basira.identity.models import OidcLogin, OidcProvider

with warnings.catch_warnings():
    # authlib's client prefers the httpx2 package where it is installed; httpx is what Basira ships.
    warnings.filterwarnings("ignore", message=".*httpx2.*")
    from authlib.integrations.httpx_client import OAuth2Client

Sessions = Callable[[], AbstractContextManager[Session]]
STATE_TTL = dt.timedelta(minutes=10)
STALE_AFTER = dt.timedelta(hours=1)
LEEWAY_S = 60
MAX_PARAM = 2000
# Asymmetric algorithms only: "none" and HMAC with the client secret are refused.
ALGORITHMS = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512"]


def _digest(state: str) -> str:
    return hashlib.sha256(state.encode()).hexdigest()


@dataclass(frozen=True)
class Started:
    """Where to send the browser, and the ``state`` to keep in its session."""

    url: str
    state: str


def begin(sessions: Sessions, directory: ProviderDirectory, org_slug: str, redirect_uri: str) -> Started:
    """Start a sign-in with the provider of organization ``org_slug``; the callback comes to ``redirect_uri``."""
    with sessions() as s:
        provider = _provider_of(s, org_slug)
        issuer, client_id, scopes, org_id = provider.issuer, provider.client_id, provider.scopes, provider.org_id
    meta = directory.metadata(issuer)
    state, nonce, verifier = secrets.token_urlsafe(32), secrets.token_urlsafe(32), secrets.token_urlsafe(64)
    client = OAuth2Client(client_id=client_id, scope=scopes, redirect_uri=redirect_uri,
                          code_challenge_method="S256")
    url, _ = client.create_authorization_url(meta.authorization_endpoint, state=state, nonce=nonce,
                                             code_verifier=verifier)
    with sessions() as s:
        # Anyone may start a sign-in, so sign-ins never finished are cleared here, not left to the retention job.
        s.execute(delete(OidcLogin).where(OidcLogin.created_at < utcnow() - STALE_AFTER))
        s.add(OidcLogin(state_sha256=_digest(state), org_id=org_id, nonce=nonce, code_verifier=verifier,
                        redirect_uri=redirect_uri))
    return Started(str(url), state)


def _provider_of(s: Session, org_slug: str) -> OidcProvider:
    org_id = s.scalar(select(Organization.id).where(Organization.slug == org_slug[:64]))
    provider = s.get(OidcProvider, org_id) if org_id is not None else None
    if provider is None or not provider.enabled:
        raise SignInRefused("unknown_provider", "this organization offers no sign-in through an identity provider")
    return provider


def _take_state(sessions: Sessions, state: str, kept: str | None, now: dt.datetime) -> OidcLogin:
    """The sign-in in flight for ``state``, marked used in its own transaction (so a replay always fails)."""
    if not state or len(state) > MAX_PARAM or not kept or not hmac.compare_digest(state.encode(), kept.encode()):
        raise SignInRefused("state", "the sign-in did not start in this browser (state mismatch)")
    with sessions() as s:
        taken = s.execute(update(OidcLogin).where(OidcLogin.state_sha256 == _digest(state),
                                                  OidcLogin.used_at.is_(None)).values(used_at=now))
        login = s.get(OidcLogin, _digest(state))
    if login is None:
        raise SignInRefused("state", "no sign-in in flight has this state")
    if getattr(taken, "rowcount", 0) != 1:
        raise SignInRefused("replayed", "this sign-in was already used once")
    if now - login.created_at > STATE_TTL:
        raise SignInRefused("expired", "the sign-in took too long; start again")
    return login


def complete(sessions: Sessions, directory: ProviderDirectory, instance_secret: str, *, state: str, code: str,
             kept_state: str | None, now: dt.datetime | None = None) -> User:
    """Finish a sign-in from the provider's callback; returns the signed-in user or raises SignInRefused."""
    at = now or utcnow()
    login = _take_state(sessions, state, kept_state, at)
    if not code or len(code) > MAX_PARAM:
        raise SignInRefused("token", "the provider sent no authorization code")
    with sessions() as s:
        provider = s.get(OidcProvider, login.org_id)
        if provider is None or not provider.enabled:
            raise SignInRefused("unknown_provider", "the organization's identity provider was removed")
        config = accounts.ProviderConfig.of(provider)
        secret = providers.client_secret(provider, instance_secret)
    meta = directory.metadata(config.issuer)
    id_token = _exchange(meta.token_endpoint, config, secret, login, code)
    claims = verify_id_token(directory, meta.jwks_uri, config, id_token, login.nonce, at)
    return accounts.sign_in(sessions, config, claims, at)


def _exchange(token_endpoint: str, config: accounts.ProviderConfig, secret: str, login: OidcLogin,
              code: str) -> str:
    client = OAuth2Client(client_id=config.client_id, client_secret=secret, redirect_uri=login.redirect_uri,
                          timeout=HTTP_TIMEOUT_S, follow_redirects=False)
    try:
        with client:
            token = client.fetch_token(token_endpoint, grant_type="authorization_code", code=code,
                                       code_verifier=login.code_verifier)
    except OAuth2Error as e:
        raise SignInRefused("token", f"the provider refused the code ({e.error})") from None
    except (httpx.HTTPError, ValueError) as e:
        raise ProviderUnavailable(f"the token endpoint did not answer ({type(e).__name__})") from None
    id_token = token.get("id_token")
    if not isinstance(id_token, str) or not id_token:
        raise SignInRefused("token", "the provider sent no ID token")
    return id_token


def verify_id_token(directory: ProviderDirectory, jwks_uri: str, config: accounts.ProviderConfig, id_token: str,
                    nonce: str, now: dt.datetime) -> dict[str, Any]:
    """The ID token's claims once its signature, issuer, audience, times and nonce are checked."""

    def key(guest: GuestProtocol) -> Key:
        kid = guest.headers().get("kid")
        return directory.key(jwks_uri, kid if isinstance(kid, str) else None)

    registry = jwt.JWTClaimsRegistry(
        now=int(now.timestamp()), leeway=LEEWAY_S,
        iss={"essential": True, "value": config.issuer}, aud={"essential": True, "value": config.client_id},
        sub={"essential": True}, exp={"essential": True}, nonce={"essential": True, "value": nonce})
    try:
        token = jwt.decode(id_token, key, algorithms=ALGORITHMS)
        registry.validate(token.claims)
    except ExpiredTokenError:
        raise SignInRefused("expired_token", "the ID token has expired") from None
    except (InvalidClaimError, MissingClaimError) as e:
        reason = {"aud": "audience", "nonce": "nonce", "iss": "issuer"}.get(e.claim, "token")
        raise SignInRefused(reason, f"the ID token's {e.claim} claim is not this sign-in's") from None
    except (JoseError, ValueError):
        raise SignInRefused("token", "the ID token does not verify") from None
    claims = dict(token.claims)
    # The library checked these; they are the heart of the protocol, so they are checked here in plain sight too.
    audience = claims.get("aud")
    if config.client_id not in (audience if isinstance(audience, list) else [audience]):
        raise SignInRefused("audience", "the ID token was issued to another client")
    if not hmac.compare_digest(str(claims.get("nonce", "")).encode(), nonce.encode()):
        raise SignInRefused("nonce", "the ID token's nonce is not this sign-in's")
    return claims

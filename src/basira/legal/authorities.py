"""Competent authorities an organization takes removal orders from, and the check of an order's signature.

An authority is registered with its Member State, its time zone and a key: an HMAC-SHA256 secret shared with
it, or its Ed25519 public key. An order from an authority with a key must carry a valid signature over
:func:`signed_body` (hex for HMAC, base64 or hex for Ed25519); an authority registered without a key (``none``)
has its orders accepted and marked unauthenticated.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from dataclasses import dataclass
from typing import Any

from Crypto.PublicKey import ECC
from Crypto.Signature import eddsa
from sqlalchemy import select
from sqlalchemy.orm import Session

from basira.core import audit
from basira.core.errors import Conflict, InvalidInput, NotFound
from basira.core.models import as_id
from basira.core.principal import Principal
from basira.legal.clock import zone
from basira.legal.models import Authority

KEY_KINDS = ("hmac-sha256", "ed25519", "none")
# EU Member States by their ISO 3166-1 alpha-2 codes (Greece is EL in EU usage; GR is accepted too).
MEMBER_STATES = frozenset("AT BE BG CY CZ DE DK EE EL ES FI FR GR HR HU IE IT LT LU LV MT NL PL PT RO SE SI SK".split())


@dataclass
class AuthoritySpec:
    """An authority to register: ``key`` is the HMAC secret (hex, 32+ bytes) or the Ed25519 public key."""

    name: str
    member_state: str
    timezone: str
    key_kind: str = "none"
    key: str = ""


def member_state(code: str) -> str:
    value = code.strip().upper()
    if value not in MEMBER_STATES:
        raise InvalidInput(f"{code!r} is not an EU Member State code (two letters, e.g. FR)")
    return value


def _ed25519(key: str) -> ECC.EccKey:
    text = key.strip()
    try:
        if text.startswith("-----BEGIN"):
            return ECC.import_key(text)
        return eddsa.import_public_key(bytes.fromhex(text))
    except (ValueError, IndexError, TypeError):
        raise InvalidInput("the Ed25519 public key is neither PEM nor 32 bytes of hex") from None


def _check_key(kind: str, key: str) -> str:
    if kind not in KEY_KINDS:
        raise InvalidInput(f"unknown key kind {kind!r} ({', '.join(KEY_KINDS)})")
    if kind == "none":
        return ""
    if kind == "ed25519":
        _ed25519(key)
        return key.strip()
    try:
        secret = bytes.fromhex(key.strip())
    except ValueError:
        raise InvalidInput("the HMAC secret must be hex") from None
    if len(secret) < 32:
        raise InvalidInput("the HMAC secret must hold at least 32 bytes")
    return key.strip().lower()


def register(session: Session, principal: Principal, spec: AuthoritySpec) -> Authority:
    """Register an authority (admins only); its name is unique in the organization."""
    principal.require_admin()
    name = spec.name.strip()
    if not 1 <= len(name) <= 200:
        raise InvalidInput("an authority has a name of 1-200 characters")
    zone(spec.timezone)
    key = _check_key(spec.key_kind, spec.key)
    if session.scalar(select(Authority).where(Authority.org_id == principal.org_id, Authority.name == name)):
        raise Conflict(f"an authority named {name!r} is already registered")
    row = Authority(org_id=principal.org_id, name=name, member_state=member_state(spec.member_state),
                    timezone=spec.timezone, key_kind=spec.key_kind, key=key)
    session.add(row)
    session.flush()
    audit.record(session, org_id=principal.org_id, actor=principal.actor, action="legal.authority.register",
                 target=f"authority:{row.id}", details={"name": name, "member_state": row.member_state,
                                                        "key_kind": row.key_kind})
    return row


def get_authority(session: Session, principal: Principal, ref: int | str) -> Authority:
    """An authority of the caller's organization by id or name, else NotFound."""
    ident = as_id(ref)
    row = (session.get(Authority, ident) if ident is not None else
           session.scalar(select(Authority).where(Authority.org_id == principal.org_id,
                                                  Authority.name == str(ref).strip())))
    if row is None or row.org_id != principal.org_id:
        raise NotFound(f"no authority {ref!r}")
    return row


def list_authorities(session: Session, principal: Principal) -> list[Authority]:
    return list(session.scalars(select(Authority).where(Authority.org_id == principal.org_id)
                                .order_by(Authority.name)))


def signed_body(fields: dict[str, Any]) -> bytes:
    """The bytes an authority signs: the order's Annex I fields as sorted, compact UTF-8 JSON."""
    return json.dumps(fields, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str).encode()


def sign_hmac(secret_hex: str, body: bytes) -> str:
    """What an authority holding the shared secret sends as ``signature`` (for tests and tooling)."""
    return hmac.new(bytes.fromhex(secret_hex), body, hashlib.sha256).hexdigest()


def _decode_signature(signature: str) -> bytes:
    text = signature.strip()
    try:
        return bytes.fromhex(text)
    except ValueError:
        pass
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        return b""


def signature_problem(authority: Authority, body: bytes, signature: str) -> str | None:
    """Why ``signature`` does not authenticate ``body`` as coming from ``authority``; None when it does."""
    if authority.key_kind == "none":
        return None
    if not signature.strip():
        return f"orders of {authority.name} must be signed ({authority.key_kind})"
    raw = _decode_signature(signature)
    if authority.key_kind == "hmac-sha256":
        expected = hmac.new(bytes.fromhex(authority.key), body, hashlib.sha256).digest()
        return None if hmac.compare_digest(expected, raw) else "the HMAC signature does not match the order"
    try:
        eddsa.new(_ed25519(authority.key), "rfc8032").verify(body, raw)
    except ValueError:
        return "the Ed25519 signature does not verify against the authority's key"
    return None

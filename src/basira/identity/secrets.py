"""Secrets at rest under the instance key (AES-256-GCM, key derived with HKDF-SHA256 from the instance secret).

The functions live in :mod:`basira.core.sealed`, where every layer may use them; this name stays for identity's
callers (OIDC client secrets)."""

from __future__ import annotations

from basira.core.sealed import decrypt, encrypt

__all__ = ["decrypt", "encrypt"]

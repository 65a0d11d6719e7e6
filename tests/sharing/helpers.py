"""Test data for sharing: one valid value of every signal type, organizations, banks and keys made in one place."""

from __future__ import annotations

import numpy as np

from basira.core import banks, orgs
from basira.core.instance import Instance
from basira.core.principal import Principal, system_principal

_PDQ = "f" * 16 + "0" * 16 + "a5" * 16


def _minhash() -> str:
    return np.arange(1, 2_000_000, 9_000, dtype=np.uint32)[:200].astype(">u4").tobytes().hex()


def _embedding() -> str:
    from basira.content.embeddings import encode

    v = np.linspace(-1, 1, 512).astype(np.float32)
    return encode(v / np.linalg.norm(v))


#: A raw value of each signal type (not necessarily canonical: the registry canonicalises it), with why it is there.
SAMPLES: dict[str, str] = {
    "md5": "D41D8CD98F00B204E9800998ECF8427E",  # upper case: canonical form is lower case
    "sha256": "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    "pdq": _PDQ,
    "vpdq": f"0.000-1.000:{_PDQ},1.000-2.500:{'1' * 64}",
    "text_sha256": "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
    "text_minhash": _minhash(),
    "text_embedding": _embedding(),
    "url": "https://Example.org/path/to?utm_source=x#frag",  # tracking parameter and fragment dropped
    "url_prefix": "https://example.org/channel/",
    "domain": "propaganda.example.net",
    "name": "أبو بكر البغدادي",  # Arabic script survives the pattern's quoting
    "crypto_address": "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa",
    "identifier": "A-123 456",
    "uas_id": "1596F123456789ABCDE",
    "operator_id": "FIN87astrdge12k8",
}


def canonical(inst: Instance, signal_type: str) -> str:
    return inst.registry.validate(signal_type, SAMPLES[signal_type])


def make_org(inst: Instance, slug: str, operator: bool = False) -> tuple[Principal, str]:
    """An organization with an admin principal and an admin API key."""
    with inst.db.session() as s:
        org = orgs.create_org(s, "test", slug, slug.title(), operator=operator)
        p = system_principal(org.id, actor=f"test:{slug}")
        key = orgs.create_key(s, p, org.id, "admin", "test").secret
    return p, key


def make_bank(inst: Instance, owner: Principal, name: str, tlp: str, values: dict[str, str] | None = None,
              shared_with: tuple[str, ...] = ()) -> int:
    """A bank with signals (type -> raw value), shared with the organizations named by slug."""
    with inst.db.session() as s:
        bank = banks.create_bank(s, owner, inst.registry, banks.BankSpec(name=name, tlp=tlp))
        specs = [banks.SignalSpec(t, v) for t, v in (values or {}).items()]
        if specs:
            banks.add_signals(s, owner, inst.registry, inst.settings, bank.id, specs)
        for slug in shared_with:
            banks.share_bank(s, owner, bank.id, org=slug)
        return bank.id

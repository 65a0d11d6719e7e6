"""Fixtures for the sharing tests: banks and signals made through core's services, and a second organization.

- ``partner``: the principal (admin) of a second organization ``partner`` on the same instance.
- ``bank_with``: ``bank_with(principal, "name", "GREEN", [("md5", value), ...])`` makes a bank and adds the
  signals (labels ``("md5", value, ["a"])``) and returns its id.
- ``values``: ``values(instance, bank_id)`` gives the set of (signal type, value) of the bank's enabled signals.
- ``fast``: an instance on the test backend whose TAXII client gives up quickly (timeout 1 s, 3 attempts), for
  tests against a hostile peer.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from basira.core import banks, orgs
from basira.core.instance import Instance
from basira.core.models import Signal
from basira.core.principal import Principal, system_principal
from basira.core.settings import load_settings

WALLET = "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa"
PDQ = "f" * 16 + "0" * 16 + "a5" * 16
MD5 = "9e107d9d372bb6826bd81d3542a419d6"
SHA256 = "d7a8fbb307d7809469ca9abcb0082e4f8d5651e46d3cdb762d02d0bf37c9e592"

#: One value of every type a MISP feed carries, and one it does not (a listed name).
EVERY_TYPE: list[tuple[str, str, list[str]]] = [
    ("md5", MD5, ["propaganda"]),
    ("sha256", SHA256, []),
    ("url", "https://example.com/path/page?id=7", []),
    ("domain", "bad.example.org", []),
    ("pdq", PDQ, ["photo", "crisis-2027"]),
    ("crypto_address", WALLET, ["fundraising"]),
    ("name", "John Example", []),
]


@pytest.fixture
def partner(instance: Instance) -> Principal:
    with instance.db.session() as s:
        org = orgs.create_org(s, "test", "partner", "Partner NGO")
        return system_principal(org.id, actor="partner-test")


@pytest.fixture
def bank_with(instance: Instance) -> Callable[..., int]:
    def make(principal: Principal, name: str, tlp: str, signals: Sequence[tuple[Any, ...]] = ()) -> int:
        with instance.db.session() as s:
            bank = banks.create_bank(s, principal, instance.registry, banks.BankSpec(name=name, tlp=tlp))
            specs = [banks.SignalSpec(signal_type=t, value=v, labels=list(rest[0]) if rest else [])
                     for t, v, *rest in signals]
            if specs:
                banks.add_signals(s, principal, instance.registry, instance.settings, bank.id, specs)
            return bank.id

    return make


@pytest.fixture
def values() -> Callable[[Instance, int], set[tuple[str, str]]]:
    def read(instance: Instance, bank_id: int) -> set[tuple[str, str]]:
        with instance.db.session() as s:
            rows = s.scalars(select(Signal).where(Signal.bank_id == bank_id, Signal.enabled.is_(True)))
            return {(r.signal_type, r.value) for r in rows}

    return read


@pytest.fixture
def fast(database_url: str, tmp_path: Path) -> Iterator[Instance]:
    settings = load_settings(environ={}, data_dir=tmp_path / "fast", database_url=database_url,
                             secret_key="fast-secret", worker_interval_s=0, sharing_timeout_s=1.0,
                             sharing_retries=3, sharing_max_bundle_bytes=200_000)
    inst = Instance(settings)
    yield inst
    inst.close()

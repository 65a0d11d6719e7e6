"""HMA 2.0 compatibility, curation: banks and their content answered in the shapes of HMA's ``/c`` API.

HMA's words map onto Basira's: an HMA bank is a Basira bank, an HMA *bank content* (one piece of media with its
hashes, ``bank_content_id``) is a Basira **entry** with its signals. Banks are named as HMA names them: the
caller's own banks by their name, banks of other organizations it may see as ``<owner slug>:<name>``. Only banks
the caller may see are listed or read (visibility is core's); only its own are changed. HMA's matching ratio is
a coin flip Basira does not have: a bank is enabled (ratio 1.0) or not (0.0). Signal type names are HMA's
(python-threatexchange's) where they differ: ``video_md5`` is Basira's ``md5`` of a video.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from basira.core import banks
from basira.core.errors import InvalidInput, NotFound
from basira.core.models import Bank, Entry, Organization, Signal
from basira.core.principal import Principal
from basira.core.settings import Settings
from basira.core.signals import ExtractedSignal, SignalTypeRegistry
from basira.core.visibility import Access, Visibility

#: python-threatexchange names that are not Basira's, and the Basira type they stand for.
ALIASES = {"video_md5": "md5"}
#: HMA's magic values of ``disable_until_ts``.
ENABLED, DISABLED = 1, 0
#: Content types HMA hashes, and what a bare signal type makes of an entry.
CONTENT_TYPES = ("photo", "video")
_CONTENT_OF_TYPE = {"pdq": "photo", "vpdq": "video"}


def signal_type(registry: SignalTypeRegistry, name: str) -> str:
    """Basira's name for an HMA signal type name; InvalidInput when there is none."""
    basira = ALIASES.get(name, name)
    if basira not in registry.names():
        raise InvalidInput(f"No such SignalType '{name}'")
    return basira


def _owners(session: Session) -> dict[int, str]:
    return {o.id: o.slug for o in session.scalars(select(Organization))}


def bank_label(bank: Bank, org_id: int, owners: dict[int, str]) -> str:
    """The HMA name of a bank for the caller: its name if the caller owns it, else ``<owner>:<name>``."""
    return bank.name if bank.org_id == org_id else f"{owners.get(bank.org_id, '?')}:{bank.name}"


def bank_config(bank: Bank, label: str) -> dict[str, Any]:
    """HMA's BankConfig."""
    return {"name": label, "matching_enabled_ratio": 1.0 if bank.enabled else 0.0}


def find_bank(session: Session, principal: Principal, name: str, minimum: Access = Access.SEE) -> Bank:
    """The bank an HMA name stands for, if the caller has ``minimum`` access to it; else NotFound."""
    missing = NotFound(f"bank '{name}' not found")
    own = session.scalar(select(Bank).where(Bank.org_id == principal.org_id, Bank.name == name,
                                            Bank.deleted_at.is_(None)))
    if own is not None:
        return own
    slug, sep, rest = name.partition(":")
    if not sep:
        raise missing
    bank = session.scalar(select(Bank).join(Organization, Organization.id == Bank.org_id).where(
        Organization.slug == slug, Bank.name == rest, Bank.deleted_at.is_(None)))
    if bank is None or Visibility(session, principal.org_id).access(bank) < minimum:
        raise missing
    return bank


def list_banks(session: Session, principal: Principal) -> list[dict[str, Any]]:
    """Every bank the caller may see, as HMA's BankConfig (RED banks shared for matching only are left out)."""
    owners = _owners(session)
    vis = Visibility(session, principal.org_id)
    return [bank_config(b, bank_label(b, principal.org_id, owners)) for b, _ in vis.banks(Access.SEE)]


def get_bank(session: Session, principal: Principal, name: str) -> dict[str, Any]:
    bank = find_bank(session, principal, name)
    return bank_config(bank, bank_label(bank, principal.org_id, _owners(session)))


def _enabled(ratio: float | None, enabled: bool | None) -> bool | None:
    if ratio is not None:
        if not 0.0 <= ratio <= 1.0:
            raise InvalidInput("enabled_ratio is between 0.0 and 1.0")
        if ratio not in (0.0, 1.0):
            raise InvalidInput("Basira matches a bank fully or not at all: enabled_ratio is 0.0 or 1.0")
        return ratio == 1.0
    return enabled


def create_bank(session: Session, principal: Principal, registry: SignalTypeRegistry, name: str,
                enabled_ratio: float | None = None, enabled: bool | None = None,
                tlp: str | None = None) -> dict[str, Any]:
    """A new bank of the caller's (marking ``tlp``, AMBER by default); Conflict when the name is taken."""
    on = _enabled(enabled_ratio, enabled)
    bank = banks.create_bank(session, principal, registry, banks.BankSpec(
        name=name, tlp=tlp, enabled=True if on is None else on))
    return bank_config(bank, bank.name)


def update_bank(session: Session, principal: Principal, registry: SignalTypeRegistry, name: str,
                new_name: str | None = None, enabled_ratio: float | None = None,
                enabled: bool | None = None) -> dict[str, Any]:
    """Rename, enable or disable one of the caller's banks."""
    bank = find_bank(session, principal, name, Access.OWNER)
    on = _enabled(enabled_ratio, enabled)
    banks.update_bank(session, principal, registry, bank.id, banks.BankSpec(name=new_name, enabled=on))
    return bank_config(bank, bank.name)


def delete_bank(session: Session, principal: Principal, name: str) -> None:
    """Delete one of the caller's banks; as in HMA, a bank that is not there is no error."""
    principal.require_bank_write()
    try:
        bank = find_bank(session, principal, name, Access.OWNER)
    except NotFound:
        return
    banks.delete_bank(session, principal, bank.id)


def _content(session: Session, principal: Principal, bank_name: str, content_id: int,
             minimum: Access = Access.SEE) -> tuple[Bank, Entry, list[Signal]]:
    bank = find_bank(session, principal, bank_name, minimum)
    entry = session.get(Entry, content_id) if 0 < content_id < 2**63 else None
    if entry is None or entry.bank_id != bank.id:
        raise NotFound(f"content '{content_id}' not found")
    signals = list(session.scalars(select(Signal).where(Signal.entry_id == entry.id).order_by(Signal.id)))
    return bank, entry, signals


def _metadata(entry: Entry) -> tuple[dict[str, list[str]], str | None]:
    collab = entry.attributes.get("collab_metadata")
    clean = {str(k): [str(x) for x in v] for k, v in collab.items() if isinstance(v, list)} \
        if isinstance(collab, dict) else {}
    uri = entry.attributes.get("original_media_uri")
    return clean, uri if isinstance(uri, str) else None


def content_view(bank: Bank, label: str, entry: Entry, signals: list[Signal],
                 include_signals: bool = False) -> dict[str, Any]:
    """HMA's BankContentResponse: ``disable_until_ts`` is 1 while any signal of the entry is enabled, else 0."""
    collab, uri = _metadata(entry)
    view: dict[str, Any] = {
        "id": entry.id, "disable_until_ts": ENABLED if any(s.enabled for s in signals) else DISABLED,
        "collab_metadata": collab, "original_media_uri": uri, "bank": bank_config(bank, label)}
    if include_signals:
        # HMA holds one value per signal type: the plain one (derived hashes are Basira's own).
        view["signals"] = {s.signal_type: s.value for s in signals if s.enabled and not s.derived}
    return view


def get_content(session: Session, principal: Principal, bank_name: str, content_id: int,
                include_signals: bool = False) -> dict[str, Any]:
    bank, entry, signals = _content(session, principal, bank_name, content_id)
    return content_view(bank, bank_label(bank, principal.org_id, _owners(session)), entry, signals, include_signals)


def add_content(session: Session, principal: Principal, registry: SignalTypeRegistry, settings: Settings,
                bank_name: str, signals: dict[str, str], metadata: dict[str, Any] | None = None,
                content_type: str = "", derived: Sequence[ExtractedSignal] = ()) -> dict[str, Any]:
    """One new entry in one of the caller's banks with the given ``{signal type: value}``; HMA's reply shape.

    ``derived``: values derived from uploaded content (a photo's crops and turns), stored in the entry as well,
    marked derived; the reply lists only the plain values, as HMA does.
    """
    bank = find_bank(session, principal, bank_name, Access.OWNER)
    if not signals:
        raise InvalidInput("No signals given")
    ref = f"hma:{secrets.token_hex(8)}"
    meta = metadata or {}
    attributes: dict[str, Any] = {k: v for k, v in (("content_id", meta.get("content_id")),
                                                    ("original_media_uri", meta.get("content_uri")),
                                                    ("json", meta.get("json"))) if v is not None}
    specs = []
    for name, value in signals.items():
        if not isinstance(value, str):
            raise InvalidInput(f"Invalid {name} signal: a signal value is a string")
        basira = signal_type(registry, name)
        specs.append(banks.SignalSpec(signal_type=basira, value=value, entry_ref=ref, attributes=attributes,
                                      content_type=content_type or _CONTENT_OF_TYPE.get(basira, "")))
    try:
        clean = [banks.validate_spec(registry, settings, s) for s in specs]
    except InvalidInput as e:
        raise InvalidInput(f"Invalid signal: {e.detail}") from None
    extra = [banks.SignalSpec(signal_type=d.signal_type, value=d.value, entry_ref=ref, quality=d.quality,
                              content_type=clean[0].content_type if clean else "", details=dict(d.details))
             for d in derived]
    added = banks.add_signals(session, principal, registry, settings, bank.id, clean + extra)
    given = list(signals)
    return {"id": added[0].entry_id, "signals": {given[i]: s.value for i, s in enumerate(clean)}}


def set_content(session: Session, principal: Principal, bank_name: str, content_id: int,
                disable_until_ts: int) -> dict[str, Any]:
    """HMA's content update: ``disable_until_ts`` 0 disables the entry's signals, 1 or a past time enables them.

    Basira cannot disable until a later time (nothing would enable it again): a future time is refused.
    """
    principal.require_bank_write()
    if disable_until_ts < 0:
        raise InvalidInput("disable_until_ts must be a non-negative integer")
    if disable_until_ts > max(ENABLED, int(time.time())):
        raise InvalidInput("Basira cannot disable content until a time: send 0 to disable or 1 to enable")
    bank, entry, signals = _content(session, principal, bank_name, content_id, Access.OWNER)
    on = disable_until_ts != DISABLED
    for sig in signals:
        if "removed" not in sig.labels:
            banks.set_signal_enabled(session, principal, sig.id, on)
    return content_view(bank, bank.name, entry, signals)


def remove_content(session: Session, principal: Principal, bank_name: str, content_id: int) -> int:
    """Remove an entry of one of the caller's banks from matching for good; how many entries went (0 or 1)."""
    principal.require_bank_write()
    bank = find_bank(session, principal, bank_name, Access.OWNER)
    try:
        _, _, signals = _content(session, principal, bank.name, content_id, Access.OWNER)
    except NotFound:
        return 0
    live = [s for s in signals if "removed" not in s.labels]
    for sig in live:
        banks.remove_signal(session, principal, sig.id)
    return 1 if live else 0


def signal_type_configs(registry: SignalTypeRegistry) -> list[dict[str, Any]]:
    """HMA's signal type list: every type of the registry, enabled."""
    return [{"name": n, "enabled_ratio": 1.0} for n in registry.names()]


def content_type_configs() -> list[dict[str, Any]]:
    return [{"name": n, "enabled": True} for n in CONTENT_TYPES]

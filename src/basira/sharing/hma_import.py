"""Import of an HMA bank export into a Basira bank, as a delta (see :mod:`basira.sharing.deltas`).

HMA has no export command of its own; what leaves an HMA is one of two shapes, and both are read:

- **signal file**: the file python-threatexchange's ``LocalFileSignalExchangeAPI`` (HMA's "local file" exchange)
  reads and writes, one ``<signal type> <value>`` per line (or a bare value per line, with the type given);
- **content JSON**: bank content as HMA's curation API returns it (``GET /c/bank/<name>/content/<id>
  ?include_signals=true``), a JSON array of such objects or one per line. Each content becomes one entry
  (``hma:<bank>:<id>``) with its signals; content HMA holds disabled (``disable_until_ts`` 0, or a time to come)
  is imported disabled.

Signal types Basira lacks (``tmk``, ``trend_query``) are counted and skipped; bad values are counted and listed.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from basira.core import audit
from basira.core.banks import SignalSpec, get_bank, validate_spec
from basira.core.errors import BasiraError, ContentTooLarge, InvalidInput
from basira.core.principal import Principal
from basira.core.settings import Settings
from basira.core.signals import SignalTypeRegistry
from basira.core.visibility import Access
from basira.sharing import deltas
from basira.sharing.deltas import ImportReport
from basira.sharing.hma import ALIASES, DISABLED, ENABLED

DEFAULT_MAX_BYTES = 256 * 1024 * 1024


@dataclass
class HmaReport(ImportReport):
    """What an import read and changed: the file's format and its contents besides the delta."""

    format: str = ""
    contents: int = 0
    disabled_contents: int = 0


@dataclass(frozen=True)
class _Content:
    ref: str
    signals: dict[str, str]
    enabled: bool
    attributes: dict[str, Any]


def read_text(path: Path, max_bytes: int = DEFAULT_MAX_BYTES) -> str:
    """The export file as text, refused over ``max_bytes`` or when it is not UTF-8."""
    with path.open("rb") as f:
        data = f.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise ContentTooLarge(f"{path.name} is over the limit of {max_bytes} bytes")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidInput(f"{path.name} is not UTF-8 text") from None


def _enabled(value: Any) -> bool:
    if value is None or value == ENABLED:
        return True
    if value == DISABLED:
        return False
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidInput(f"disable_until_ts {str(value)[:40]!r} is not a whole number")
    return value <= time.time()


def _content(obj: Any, where: str) -> _Content:
    if not isinstance(obj, dict):
        raise InvalidInput(f"{where}: not a JSON object")
    signals = obj.get("signals")
    if not isinstance(signals, dict) or not all(isinstance(v, str) for v in signals.values()):
        raise InvalidInput(f"{where}: signals is not an object of signal type to value")
    bank = obj.get("bank")
    bank_name = bank.get("name") if isinstance(bank, dict) else None
    content_id = obj.get("id")
    if isinstance(content_id, bool) or not isinstance(content_id, int | str):
        raise InvalidInput(f"{where}: id is missing")
    attributes: dict[str, Any] = {"hma_content_id": content_id}
    if isinstance(obj.get("collab_metadata"), dict):
        attributes["collab_metadata"] = obj["collab_metadata"]
    if isinstance(obj.get("original_media_uri"), str):
        attributes["original_media_uri"] = obj["original_media_uri"]
    ref = f"hma:{bank_name if isinstance(bank_name, str) else 'bank'}:{content_id}"[:300]
    return _Content(ref, dict(signals), _enabled(obj.get("disable_until_ts")), attributes)


def _json_contents(text: str) -> list[Any]:
    stripped = text.lstrip()
    try:
        if stripped.startswith("["):
            doc = json.loads(stripped)
            if not isinstance(doc, list):
                raise InvalidInput("the export is not a JSON array of bank content")
            return doc
        return [json.loads(line) for line in text.splitlines() if line.strip()]
    except json.JSONDecodeError as e:
        raise InvalidInput(f"the export is not JSON ({e.msg}, line {e.lineno})") from None
    except RecursionError:
        raise InvalidInput("the export is nested too deeply") from None


def _line_contents(text: str, signal_type: str | None) -> list[_Content]:
    out = []
    for n, line in enumerate(text.splitlines(), 1):
        value = line.strip()
        if not value or value.startswith("#"):
            continue
        kind = signal_type
        if kind is None:
            kind, _, value = value.partition(" ")
            value = value.strip()
        if not kind or not value:
            raise InvalidInput(f"line {n}: write '<signal type> <value>' (or give the signal type)")
        out.append(_Content("", {kind: value}, True, {}))
    return out


def parse(text: str, signal_type: str | None = None) -> tuple[str, list[_Content]]:
    """The export's format (``json`` or ``signal-file``) and its contents; InvalidInput when malformed."""
    if text.lstrip().startswith(("[", "{")):
        objs = _json_contents(text)
        return "json", [_content(obj, f"content {i + 1}") for i, obj in enumerate(objs)]
    return "signal-file", _line_contents(text, signal_type)


def import_export(session: Session, principal: Principal, registry: SignalTypeRegistry, settings: Settings,
                  ref: int | str, text: str, source: str, signal_type: str | None = None) -> HmaReport:
    """Apply an HMA export (already read, see :func:`read_text`) to the caller's bank ``ref`` as a delta."""
    principal.require_bank_write()
    bank = get_bank(session, principal, ref, Access.OWNER)
    report = HmaReport(source=source)
    report.format, contents = parse(text, signal_type)
    if len(contents) > settings.max_import_rows:
        raise ContentTooLarge(f"the export has {len(contents)} contents, over the limit of "
                              f"{settings.max_import_rows}")
    live: dict[deltas.Key, SignalSpec] = {}
    known = set(registry.names())
    for content in contents:
        report.contents += 1
        report.disabled_contents += not content.enabled
        for name, value in content.signals.items():
            basira = ALIASES.get(name, name)
            if basira not in known:
                report.skip(name[:40])
                continue
            spec = SignalSpec(signal_type=basira, value=value, entry_ref=content.ref,
                              attributes=content.attributes, provenance=f"hma:{source}"[:300],
                              content_type="video" if name in ("video_md5", "vpdq") else "")
            try:
                clean = validate_spec(registry, settings, spec)
            except BasiraError as e:
                report.reject(f"{content.ref or 'line'} {name}: {e.detail}")
                continue
            if content.enabled:
                live[deltas.key_of(clean)] = clean
    delta = deltas.apply(session, principal, registry, settings, bank, live, "hma:")
    report.added, report.disabled, report.unchanged = delta.added, delta.disabled, delta.unchanged
    audit.record(session, org_id=principal.org_id, actor=principal.actor, action="bank.import",
                 target=f"bank:{bank.id}", details={"format": f"hma-{report.format}", "source": source[:200],
                                                    "added": report.added, "disabled": report.disabled,
                                                    "rejected": report.rejected})
    return report

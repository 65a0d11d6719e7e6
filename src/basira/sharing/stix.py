"""Signals as STIX 2.1 indicators and back: patterns per signal type and Basira's signal extension.

Every indicator carries the ``basira-signal`` property extension (:data:`SIGNAL_EXTENSION_ID`, a fixed id) with the
signal's type and canonical value, so that two Basira instances exchange signals exactly; its pattern is the
standard one where STIX has an observable for the value (file hashes, URLs, domains), so that any STIX consumer can
use it too, and a comparison on the custom observable ``x-basira-signal`` otherwise (PDQ, vPDQ, MinHash, names,
wallets, UAS ids...). An indicator from another tool, without the extension, is read from its pattern.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid
from dataclasses import dataclass, field
from typing import Any

from basira.core.errors import InvalidInput

SIGNAL_EXTENSION_ID = "extension-definition--44d6777e-027e-5df5-b0d4-375ad6b6f354"
BASIRA_IDENTITY_ID = "identity--de985cae-0b26-5c93-bf98-5439bb44a71d"
BASIRA_NAMESPACE = uuid.UUID("2e55ac8c-9e76-5a19-9f8d-929ecda987a8")
CUSTOM_OBSERVABLE = "x-basira-signal"
MEDIA_TYPE_STIX = "application/stix+json;version=2.1"

# (object type, property path as stix2-patterns reports it) -> signal type, for the standard observables.
_STANDARD_PATHS: dict[str, tuple[str, str]] = {
    "md5": ("file", "hashes.MD5"),
    "sha256": ("file", "hashes.'SHA-256'"),
    "pdq": ("file", "hashes.PDQ"),
    "url": ("url", "value"),
    "domain": ("domain-name", "value"),
}
_PATH_ALIASES: dict[tuple[str, str], str] = {
    ("file", "hashes.MD5"): "md5", ("file", "hashes.'MD5'"): "md5",
    ("file", "hashes.'SHA-256'"): "sha256", ("file", "hashes.'SHA256'"): "sha256", ("file", "hashes.SHA256"): "sha256",
    ("file", "hashes.PDQ"): "pdq", ("file", "hashes.'PDQ'"): "pdq",
    ("url", "value"): "url", ("domain-name", "value"): "domain",
}


@dataclass(frozen=True)
class SignalRecord:
    """One signal as it crosses between instances: what an indicator says, whatever tool made it."""

    signal_type: str
    value: str
    entry_ref: str = ""
    content_type: str = ""
    labels: tuple[str, ...] = ()
    quality: int | None = None


@dataclass(frozen=True)
class IndicatorMeta:
    """The STIX envelope of a signal: its id, version times, marking, author and whether it is revoked."""

    stix_id: str
    created: dt.datetime
    modified: dt.datetime
    marking_ids: tuple[str, ...] = ()
    created_by_ref: str | None = None
    revoked: bool = False
    extra: dict[str, Any] = field(default_factory=dict)


def timestamp(value: dt.datetime) -> str:
    """A STIX timestamp: UTC, millisecond precision, ``Z``."""
    v = value if value.tzinfo else value.replace(tzinfo=dt.UTC)
    if v.utcoffset():
        v = v.astimezone(dt.UTC)
    return v.replace(tzinfo=None).isoformat(timespec="milliseconds") + "Z"


def parse_timestamp(value: object, what: str = "timestamp") -> dt.datetime:
    """A STIX or TAXII timestamp as an aware datetime, or :class:`InvalidInput`."""
    if not isinstance(value, str) or not 20 <= len(value) <= 40 or not value.endswith("Z"):
        raise InvalidInput(f"{what} is not a STIX timestamp (YYYY-MM-DDTHH:MM:SS[.sss]Z)")
    try:
        return dt.datetime.fromisoformat(value[:-1] + "+00:00").astimezone(dt.UTC)
    except ValueError:
        raise InvalidInput(f"{what} is not a STIX timestamp (YYYY-MM-DDTHH:MM:SS[.sss]Z)") from None


def stable_id(kind: str, namespace: uuid.UUID, name: str) -> str:
    """A STIX id that stays the same for the same thing of the same instance (UUIDv5)."""
    digest = hashlib.sha1(namespace.bytes + name.encode(), usedforsecurity=False).digest()
    return f"{kind}--{uuid.UUID(bytes=digest[:16], version=5)}"


def quote(value: str) -> str:
    """``value`` as a STIX pattern string literal."""
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def pattern_for(signal_type: str, value: str) -> str:
    """The STIX pattern of one signal (see the module docstring for the choice per type)."""
    standard = _STANDARD_PATHS.get(signal_type)
    if standard is not None:
        obj, path = standard
        return f"[{obj}:{path} = {quote(value)}]"
    if signal_type == "url_prefix":
        # LIKE is the pattern language's prefix match; '_' and '%' in the URL widen it for generic consumers only.
        return f"[url:value LIKE {quote(value + '%')}]"
    return (f"[{CUSTOM_OBSERVABLE}:signal_type = {quote(signal_type)} AND "
            f"{CUSTOM_OBSERVABLE}:value = {quote(value)}]")


def indicator(record: SignalRecord, meta: IndicatorMeta) -> dict[str, Any]:
    """The STIX 2.1 indicator of a signal, as a JSON-ready dict (checked against ``stix2`` by the tests)."""
    ext: dict[str, Any] = {"extension_type": "property-extension", "signal_type": record.signal_type,
                           "value": record.value}
    if record.entry_ref:
        ext["entry_ref"] = record.entry_ref
    if record.content_type:
        ext["content_type"] = record.content_type
    if record.labels:
        ext["labels"] = list(record.labels)
    if record.quality is not None:
        ext["quality"] = record.quality
    created = timestamp(meta.created)
    obj: dict[str, Any] = {
        "type": "indicator", "spec_version": "2.1", "id": meta.stix_id, "created": created,
        "modified": max(timestamp(meta.modified), created),
        "name": f"{record.signal_type} signal", "indicator_types": ["malicious-activity"],
        "pattern": pattern_for(record.signal_type, record.value), "pattern_type": "stix",
        "valid_from": created,
    }
    if meta.created_by_ref:
        obj["created_by_ref"] = meta.created_by_ref
    if meta.revoked:
        obj["revoked"] = True
    if meta.marking_ids:
        obj["object_marking_refs"] = list(meta.marking_ids)
    obj["extensions"] = {SIGNAL_EXTENSION_ID: ext}
    obj.update(meta.extra)
    return obj


def extension_definition() -> dict[str, Any]:
    """The extension-definition object of Basira's signal extension (fixed id, documented in docs/sharing.md)."""
    return {
        "type": "extension-definition", "spec_version": "2.1", "id": SIGNAL_EXTENSION_ID,
        "created_by_ref": BASIRA_IDENTITY_ID, "created": "2026-12-01T00:00:00.000Z",
        "modified": "2026-12-01T00:00:00.000Z", "name": "basira-signal",
        "description": "A Basira signal: signal_type and canonical value (on indicators), a match's distance and "
                       "signal type (on sightings), a drone's position and sensor (on drone sightings), an "
                       "opinion's kind (on opinions).",
        "schema": "https://basira.invalid/docs/sharing.md#the-basira-signal-extension",
        "version": "1.0.0", "extension_types": ["property-extension"],
    }


def basira_identity() -> dict[str, Any]:
    """The identity that authors the extension definition."""
    return {"type": "identity", "spec_version": "2.1", "id": BASIRA_IDENTITY_ID,
            "created": "2026-12-01T00:00:00.000Z", "modified": "2026-12-01T00:00:00.000Z",
            "name": "Basira", "identity_class": "system"}


def records_of(obj: dict[str, Any]) -> list[SignalRecord]:
    """The signals an indicator stands for: from Basira's extension when present, else from its pattern.

    Raises:
        InvalidInput: The indicator has neither a usable extension nor a pattern Basira can read.
    """
    ext = (obj.get("extensions") or {}).get(SIGNAL_EXTENSION_ID) if isinstance(obj.get("extensions"), dict) else None
    if isinstance(ext, dict):
        return [_record_from_extension(ext)]
    pattern = obj.get("pattern")
    if obj.get("pattern_type", "stix") != "stix" or not isinstance(pattern, str):
        raise InvalidInput("an indicator without Basira's extension needs a STIX pattern")
    return _records_from_pattern(pattern)


def _text(ext: dict[str, Any], key: str, limit: int, required: bool = False) -> str:
    value = ext.get(key, "")
    if not isinstance(value, str) or len(value) > limit or (required and not value):
        raise InvalidInput(f"the Basira extension's {key} is not text of at most {limit} characters")
    return value


def _record_from_extension(ext: dict[str, Any]) -> SignalRecord:
    labels = ext.get("labels", [])
    if not isinstance(labels, list) or not all(isinstance(x, str) for x in labels):
        raise InvalidInput("the Basira extension's labels are not a list of text")
    quality = ext.get("quality")
    if quality is not None and (not isinstance(quality, int) or isinstance(quality, bool)):
        raise InvalidInput("the Basira extension's quality is not an integer")
    return SignalRecord(signal_type=_text(ext, "signal_type", 32, required=True),
                        value=_text(ext, "value", 1_000_000, required=True),
                        entry_ref=_text(ext, "entry_ref", 300), content_type=_text(ext, "content_type", 32),
                        labels=tuple(labels), quality=quality)


def _records_from_pattern(pattern: str) -> list[SignalRecord]:
    from stix2patterns.pattern import Pattern  # the pattern grammar (ANTLR): loaded only for foreign indicators

    if len(pattern) > 100_000:
        raise InvalidInput("the indicator's pattern is over 100,000 characters")
    try:
        inspected = Pattern(pattern).inspect()
    except Exception as e:  # the grammar raises its own parse errors for any malformed pattern
        raise InvalidInput(f"the indicator's pattern is not valid STIX ({str(e)[:200]})") from None
    comparisons: dict[str, list[tuple[list[Any], str, str]]] = inspected.comparisons
    custom = comparisons.get(CUSTOM_OBSERVABLE)
    if custom:
        fields = {_path(p): _unquote(v) for p, op, v in custom if op == "="}
        if "signal_type" in fields and "value" in fields:
            return [SignalRecord(fields["signal_type"], fields["value"])]
    out = []
    for obj_type, comps in comparisons.items():
        for path, op, value in comps:
            name = _PATH_ALIASES.get((obj_type, _path(path)))
            if name and op == "=":
                out.append(SignalRecord(name, _unquote(value)))
            elif (obj_type, _path(path)) == ("url", "value") and op == "LIKE" and _unquote(value).endswith("%"):
                out.append(SignalRecord("url_prefix", _unquote(value)[:-1]))
    if not out:
        raise InvalidInput("the indicator's pattern compares nothing Basira knows (file hashes, URLs, domains, "
                           "x-basira-signal)")
    return out


def _path(parts: list[Any]) -> str:
    return ".".join(f"'{p}'" if isinstance(p, str) and "-" in p else str(p) for p in parts)


def _unquote(literal: str) -> str:
    if len(literal) >= 2 and literal[0] == literal[-1] == "'":
        return literal[1:-1].replace("\\'", "'").replace("\\\\", "\\")
    return literal

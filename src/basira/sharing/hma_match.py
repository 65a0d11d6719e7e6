"""HMA 2.0 compatibility, hashing and matching: ``/h/hash``, ``/m/lookup``, ``/m/raw_lookup``, ``/m/compare`` and
``/m/index/status`` answered in HMA's shapes by core's extraction and matching services.

A lookup is core's match with nothing stored (the read-only path): the same banks, thresholds, negative banks and
flood control as ``/v1/match``. A hit that a negative bank suppresses, or that flood control holds back, is not
listed (an HMA integration acts on every bank it is given). A RED bank shared for matching only shows as
``<owner>:RED`` with an empty list: the caller learns that a RED signal of that owner matched, never which.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from basira.core import matching
from basira.core.errors import InvalidInput
from basira.core.indexes import IndexManager
from basira.core.models import Organization, Signal, SignalChange
from basira.core.principal import Principal
from basira.core.settings import Settings
from basira.core.signals import Content, ExtractedSignal, SignalTypeRegistry
from basira.core.visibility import Access, Visibility
from basira.sharing.hma import ALIASES, CONTENT_TYPES, signal_type


def distance_text(distance: float) -> str:
    """A distance as HMA writes it (``"4"`` for a PDQ Hamming distance)."""
    return str(int(distance)) if float(distance).is_integer() else f"{distance:g}"


def _types(registry: SignalTypeRegistry, wanted: str | None) -> set[str] | None:
    if wanted is None:
        return None
    names = {n.strip() for n in wanted.split(",") if n.strip()}
    if not names:
        raise InvalidInput("empty signal type selection")
    for n in names:
        signal_type(registry, n)
    return names


def hash_content(registry: SignalTypeRegistry, settings: Settings, content: Content, declared: str,
                 types: str | None = None) -> dict[str, str]:
    """``{signal type: value}`` of uploaded content that its multipart field says is a ``photo`` or a ``video``.

    A video's MD5 is given under HMA's name ``video_md5`` as well as ``md5``.
    """
    if declared not in CONTENT_TYPES:
        raise InvalidInput(f"no such content_type: '{declared}'")
    if content.content_type != declared:
        raise InvalidInput(f"the upload is not a {declared} (its bytes read as {content.content_type})")
    found = {s.signal_type: s.value for s in matching.extract(registry, settings, content, for_bank=True)}
    if declared == "video" and "md5" in found:
        found["video_md5"] = found["md5"]
    wanted = _types(registry, types)
    if wanted is None:
        return found
    missing = sorted(n for n in wanted if n not in found)
    if missing:
        raise InvalidInput(f"signal type '{missing[0]}' doesn't exist or is disabled for {declared}")
    return {n: v for n, v in found.items() if n in wanted}


def derive_content(registry: SignalTypeRegistry, settings: Settings, content: Content,
                   types: Collection[str]) -> list[ExtractedSignal]:
    """The derived values (``SignalType.derive``) of the types in ``types`` that a bank stores with the content."""
    return [s for st in registry.for_content(content.content_type) if st.name in types
            for s in st.derive(content, settings)]


def _hits(session: Session, principal: Principal, registry: SignalTypeRegistry, indexes: IndexManager,
          settings: Settings, name: str, value: str) -> list[dict[str, Any]]:
    basira = signal_type(registry, name)
    try:
        request = matching.MatchRequest(signals=[(basira, value)], store=False)
        result = matching.match_item(session, principal, registry, indexes, settings, request)
    except InvalidInput as e:
        raise InvalidInput(f"invalid signal: {e.detail}") from None
    matches: list[dict[str, Any]] = result["matches"]
    return [m for m in matches if not m["suppressed"] and not m["quarantined"]]


def lookup(session: Session, principal: Principal, registry: SignalTypeRegistry, indexes: IndexManager,
           settings: Settings, name: str, value: str, banks: Collection[str] | None = None) -> dict[str, Any]:
    """HMA's lookup: ``{bank name: [{"bank_content_id", "distance"}]}`` for the banks that matched."""
    me = session.get(Organization, principal.org_id)
    mine = me.slug if me else ""
    out: dict[str, list[dict[str, Any]]] = {}
    for hit in _hits(session, principal, registry, indexes, settings, name, value):
        bank = hit["bank"]
        if bank.get("name") is None:
            out.setdefault(f"{bank['owner']}:{bank['tlp']}", [])
            continue
        label = bank["name"] if bank["owner"] == mine else f"{bank['owner']}:{bank['name']}"
        out.setdefault(label, []).append({"bank_content_id": hit["entry"]["id"],
                                          "distance": distance_text(hit["distance"])})
    if banks is not None:
        wanted = set(banks)
        out = {k: v for k, v in out.items() if k in wanted}
    return out


def raw_lookup(session: Session, principal: Principal, registry: SignalTypeRegistry, indexes: IndexManager,
               settings: Settings, name: str, value: str, banks: Collection[str] | None = None,
               include_distance: bool = False) -> list[Any]:
    """HMA's raw lookup: the matched content ids (with distances if asked); RED banks shared for matching only,
    whose content ids are not the caller's to learn, are left out."""
    by_bank = lookup(session, principal, registry, indexes, settings, name, value, banks)
    found = [m for hits in by_bank.values() for m in hits]
    return found if include_distance else [m["bank_content_id"] for m in found]


def compare(registry: SignalTypeRegistry, body: Any) -> dict[str, Any]:
    """HMA's compare: for each ``{signal type: [a, b]}``, ``[matched, {"distance": d}]`` at the type's default
    threshold."""
    if not isinstance(body, dict):
        raise InvalidInput("Request input was not a dict")
    out: dict[str, Any] = {}
    for name, pair in body.items():
        if not isinstance(pair, list):
            raise InvalidInput(f"Comparison hashes for {name} was not a list")
        if len(pair) != 2 or not all(isinstance(v, str) for v in pair):
            raise InvalidInput("Comparison hash list length must be exactly 2")
        st = registry.get(signal_type(registry, name))
        try:
            distance = st.distance(st.validate(pair[0]), st.validate(pair[1]))
        except InvalidInput as e:
            raise InvalidInput(f"Invalid {name} hash: {e.detail}") from None
        shown: float | int = int(distance) if float(distance).is_integer() else distance
        out[name] = [distance <= st.default_threshold, {"distance": shown}]
    return out


def index_status(session: Session, principal: Principal, registry: SignalTypeRegistry,
                 name: str | None = None) -> dict[str, dict[str, Any]]:
    """HMA's index status per signal type: ``size`` enabled signals in the banks the caller may match, ``built_to``
    the unix time of the last change of that type (-1 before any), ``present`` once there is something to match."""
    names = [signal_type(registry, name)] if name is not None else registry.names()
    bank_ids = [b.id for b, _ in Visibility(session, principal.org_id).banks(Access.MATCH_ONLY) if b.enabled]
    sizes = dict(session.execute(select(Signal.signal_type, func.count()).where(
        Signal.enabled.is_(True), Signal.bank_id.in_(bank_ids)).group_by(Signal.signal_type)).all()) \
        if bank_ids else {}
    last = dict(session.execute(select(SignalChange.signal_type, func.max(SignalChange.created_at)).where(
        SignalChange.bank_id.in_(bank_ids)).group_by(SignalChange.signal_type)).all()) if bank_ids else {}
    shown = {n: n for n in names}
    if name is not None and name in ALIASES:
        shown = {ALIASES[name]: name}
    out: dict[str, dict[str, Any]] = {}
    for basira, label in shown.items():
        size = int(sizes.get(basira, 0))
        when = last.get(basira)
        out[label] = {"present": size > 0, "built_to": int(when.timestamp()) if when is not None else -1,
                      "size": size}
    return out

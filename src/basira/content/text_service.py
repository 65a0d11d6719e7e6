"""What the API and the CLI share for text: the signals of a text and the canonical forms of a URL.

Text is matched through the matching service like any content (:func:`basira.content.text.as_content` hands it
over as a ``text`` content); the functions here only compute and explain, nothing is stored.
"""

from __future__ import annotations

from typing import Any

from basira.content import lookalike, sites
from basira.content.text import as_content, prepare
from basira.content.urls import find_urls, parse_url, registrable_domain
from basira.core import matching
from basira.core.settings import Settings
from basira.core.signals import SignalTypeRegistry

#: Signal types of text that are long and that few callers want to see: left out unless asked for.
LONG_TYPES = frozenset({"text_embedding"})


def text_signals(registry: SignalTypeRegistry, settings: Settings, text: str,
                 with_embedding: bool = False) -> dict[str, Any]:
    """Every registered signal of a text (``text_embedding`` only when asked), with its normal forms and URLs
    (each URL that cannot be a signal with its ``error``)."""
    prepared = prepare(text)
    with as_content(text, settings) as content:
        sigs = [s for s in matching.extract(registry, settings, content)
                if with_embedding or s.signal_type not in LONG_TYPES]
    return {
        "exact_form": prepared.exact,
        "matching_key": prepared.key,
        "signals": [{"signal_type": s.signal_type, "value": s.value, "details": s.details} for s in sigs],
        "urls": [{"raw": u.raw, "canonical": str(u.canonical) if u.canonical else None,
                  **({"error": u.error} if u.error else {})} for u in find_urls(text)],
    }


def url_forms(raw: str) -> dict[str, Any]:
    """The forms one URL takes as signals: ``url``, ``url_prefix`` (None, with a warning, when it would cover a
    whole site), its host (``domain``), registrable domain, the kind of site, and the name a look-alike host
    imitates."""
    parsed = parse_url(raw)
    warnings: list[str] = []
    prefix: str | None = parsed.prefix
    if sites.covers_a_site(parsed.host, parsed.path, parsed.query):
        prefix = None
        warnings.append(f"as a url_prefix, {parsed.prefix} would match every page of {parsed.host}: "
                        "it cannot be banked as one (a domain signal covers the whole site)")
    if parsed.kind == "shortener":
        warnings.append("a link shortener: where it leads is unresolved (Basira fetches nothing)")
    imitated = lookalike.skeleton(parsed.host)
    if imitated is not None:
        warnings.append(f"the host {parsed.host} looks like {imitated}")
    return {"url": str(parsed), "url_prefix": prefix, "domain": parsed.host,
            "registrable_domain": registrable_domain(parsed.host), "site": parsed.kind,
            "lookalike_of": imitated, "warnings": warnings}

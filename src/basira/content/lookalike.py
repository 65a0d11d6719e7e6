"""Look-alike host names: an internationalised (IDN) name written to pass for another one (``exämple-news.ma``,
``раураl.com`` in Cyrillic letters) is flagged, with the plain-ASCII name it imitates.

The *skeleton* of a label folds each non-ASCII character to the ASCII letter or digit it looks like: accents and
other combining marks are removed (Unicode NFKD), then the Unicode confusables data (UTS #39, as shipped by the
``confusable-homoglyphs`` package, read from its own files) maps homoglyphs such as Cyrillic ``а`` or Greek ``ο``.
A label that is still not ASCII after that (real Arabic or Chinese names) is not a look-alike of an ASCII name.
"""

from __future__ import annotations

import functools
import string
import unicodedata
from typing import Any

import idna

_ASCII = frozenset(string.ascii_lowercase + string.digits + "-")


@functools.cache
def _homoglyphs() -> dict[str, Any]:
    from confusable_homoglyphs import confusables  # type: ignore[import-untyped]  # 0.9 MB, read on first use

    data: dict[str, Any] = confusables.confusables_data
    return data


def _fold_char(c: str) -> str:
    if c in _ASCII:
        return c
    plain = "".join(x for x in unicodedata.normalize("NFKD", c) if not unicodedata.combining(x)).lower()
    if plain and all(x in _ASCII for x in plain):
        return plain
    for glyph in _homoglyphs().get(c, ()):
        other = str(glyph.get("c", "")).lower()
        if other and all(x in _ASCII for x in other):
            return other
    return c


def skeleton(host: str) -> str | None:
    """The ASCII host an IDN host imitates (``xn--exmple-news-r5a.ma`` → ``example-news.ma``), or None when the
    host is plain ASCII already or is not made to look like an ASCII name."""
    labels = host.split(".")
    if not any(label.startswith("xn--") for label in labels):
        return None
    out = []
    for label in labels:
        if not label.startswith("xn--"):
            out.append(label)
            continue
        try:
            uni = idna.decode(label)
        except (idna.IDNAError, UnicodeError):
            return None
        folded = "".join(_fold_char(c) for c in uni.lower())
        if not all(c in _ASCII for c in folded) or not folded.strip("-"):
            return None
        out.append(folded)
    result = ".".join(out)
    return result if result != host else None

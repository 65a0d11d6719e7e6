"""A documented CSV form for national or internal lists (UTF-8, a header row, one listed party per row).

Columns (only ``ref`` and ``name`` are required; lists inside a cell are separated by ``;``):

| column | meaning |
| --- | --- |
| `ref` | the list's reference of the entry (unique in the file) |
| `kind` | `person` (default), `organization`, `vessel` or `aircraft` |
| `name` | the primary name |
| `aliases` | strong aliases |
| `weak_aliases` | low-quality aliases (matched with reduced weight) |
| `birth_dates` | `YYYY-MM-DD`, `YYYY-MM`, `YYYY`, `~YYYY` (approximate) or `YYYY..YYYY` (a range) |
| `nationalities` | country names or ISO 3166 codes |
| `gender` | `male` or `female` |
| `documents` | `TYPE:NUMBER[:COUNTRY]`, e.g. `Passport:A1234567:Iraq` |
| `wallets` | `CURRENCY:ADDRESS`, e.g. `XBT:1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa` |
| `addresses` | free text |
| `regime` | the sanctions regime or programme |
| `listed_on` | `YYYY-MM-DD` |
| `remarks` | free text |
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import IO

from basira.finance.lists.base import ListedEntry, ListedName, ListFormatError, ListItem, ListMeta, iso_date, text

COLUMNS = ("ref", "kind", "name", "aliases", "weak_aliases", "birth_dates", "nationalities", "gender", "documents",
           "wallets", "addresses", "regime", "listed_on", "remarks")
_KINDS = frozenset({"person", "organization", "vessel", "aircraft"})
MAX_ROWS = 2_000_000


def _split(cell: str | None) -> list[str]:
    return [text(p) for p in (cell or "").split(";") if text(p)]


def birth_date(value: str, where: str) -> dict[str, str]:
    """One ``birth_dates`` cell item as a birth date record, or ListFormatError naming the row."""
    if ".." in value:
        lo, _, hi = value.partition("..")
        if iso_date(lo) and iso_date(hi) and len(lo.strip()) == len(hi.strip()) == 4 and lo <= hi:
            return {"kind": "range", "from": lo.strip(), "to": hi.strip()}
    elif value.startswith("~"):
        date = iso_date(value[1:])
        if date:
            return {"kind": "approximate", "date": date}
    else:
        date = iso_date(value)
        if date and len(value.strip()) in (4, 7, 10):
            return {"kind": "exact", "date": date}
    raise ListFormatError(f"{where}: birth date {value[:40]!r} is not YYYY-MM-DD, YYYY-MM, YYYY, ~YYYY or YYYY..YYYY "
                          f"(or names a day that does not exist)")


def read(stream: IO[bytes], version: str | None = None, title: str = "CSV list",
         digest: str = "") -> Iterator[ListItem]:
    """Metadata, then one entry per row.

    Raises:
        ListFormatError: Not UTF-8, no ``ref``/``name`` header, an unknown column (naming it), a duplicate or empty
            reference, or a malformed cell (naming the row).
    """
    try:
        body = stream.read().decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise ListFormatError(f"the CSV list is not UTF-8 (byte {e.start})") from None
    reader = csv.DictReader(io.StringIO(body))
    try:
        header = [h.strip() for h in reader.fieldnames or []]
    except csv.Error as e:  # found by the fuzz run: a stray carriage return in the header row
        raise ListFormatError(f"the CSV list's header row cannot be read ({e})") from None
    unknown = [h for h in header if h not in COLUMNS]
    if unknown:
        raise ListFormatError(f"unknown column {unknown[0]!r} in the CSV list (known: {', '.join(COLUMNS)})")
    if "ref" not in header or "name" not in header:
        raise ListFormatError("the CSV list needs a header row with at least the columns ref and name")
    reader.fieldnames = header
    yield ListMeta("csv", title, version or (f"sha256:{digest[:16]}" if digest else "unknown"))
    seen: set[str] = set()
    try:
        for n, row in enumerate(reader, start=2):
            if n > MAX_ROWS:
                raise ListFormatError(f"the CSV list has more than {MAX_ROWS} rows")
            where = f"line {n}"
            if None in row:
                raise ListFormatError(f"{where} has more cells than the header")
            ref, name = text(row.get("ref")), text(row.get("name"))
            if not ref or not name:
                raise ListFormatError(f"{where}: ref and name are required")
            if ref in seen:
                raise ListFormatError(f"{where}: the reference {ref!r} appears twice")
            seen.add(ref)
            kind = text(row.get("kind")).lower() or "person"
            if kind not in _KINDS:
                raise ListFormatError(f"{where}: kind {kind[:30]!r} is not one of {', '.join(sorted(_KINDS))}")
            entry = ListedEntry(ref=ref, kind=kind, regime=text(row.get("regime")), remarks=text(row.get("remarks")))
            entry.names.append(ListedName(name, "strong", "primary"))
            entry.names += [ListedName(a, "strong", "alias") for a in _split(row.get("aliases"))]
            entry.names += [ListedName(a, "weak", "alias") for a in _split(row.get("weak_aliases"))]
            entry.birth_dates = [birth_date(v, where) for v in _split(row.get("birth_dates"))]
            entry.nationalities = _split(row.get("nationalities"))
            gender = text(row.get("gender")).lower()
            entry.gender = gender if gender in ("male", "female") else None
            for d in _split(row.get("documents")):
                parts = [p.strip() for p in d.split(":")]
                if len(parts) < 2 or not parts[1]:
                    raise ListFormatError(f"{where}: document {d[:40]!r} is not TYPE:NUMBER[:COUNTRY]")
                entry.documents.append({"type": parts[0], "number": parts[1],
                                        "country": parts[2] if len(parts) > 2 else "", "note": ""})
            for w in _split(row.get("wallets")):
                cur, sep, addr = w.partition(":")
                if not sep or not addr.strip():
                    raise ListFormatError(f"{where}: wallet {w[:40]!r} is not CURRENCY:ADDRESS")
                entry.wallets.append((cur.strip().upper(), addr.strip()))
            entry.addresses = _split(row.get("addresses"))
            listed = text(row.get("listed_on"))
            entry.listed_on = iso_date(listed) if listed else None
            yield entry
    except csv.Error as e:
        raise ListFormatError(f"the CSV list is malformed ({e})") from None
    if not seen:
        raise ListFormatError("the CSV list holds no rows")

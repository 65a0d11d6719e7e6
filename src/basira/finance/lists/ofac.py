"""The US OFAC SDN list in its legacy CSV form (``sdn.csv`` and the ``sdn_comments.csv`` overflow of remarks).

The file has no header and writes nulls as ``-0-``; birth dates, passports, aliases and ``Digital Currency
Address - XBT ...`` features live in the free-text remarks, which are split on ``;`` here. The legacy file states
no publication date, so the version is the one the caller gives (or the file's digest).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Iterator
from typing import IO

from basira.finance.lists.base import ListedEntry, ListedName, ListFormatError, ListItem, ListMeta, text

COLUMNS = ("ent_num", "name", "type", "program", "title", "call_sign", "vessel_type", "tonnage", "grt",
           "vessel_flag", "vessel_owner", "remarks")
_NULL = "-0-"
_KINDS = {"individual": "person", "vessel": "vessel", "aircraft": "aircraft", "": "organization"}
_MONTHS = {m: i for i, m in enumerate(("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov",
                                       "dec"), start=1)}
_ALIAS = re.compile(r"^(?:alt\.\s*)?([afn])\.k\.a\.,?\s*['\"]?(.+?)['\"]?\.?$", re.IGNORECASE)
_WALLET = re.compile(r"^(?:alt\.\s*)?Digital Currency Address - ([A-Z0-9]+)\s+(\S+?)\.?$")
_DOC = re.compile(r"^(?:alt\.\s*)?(Passport|National ID No\.|Cedula No\.|Identification Number|Tax ID No\.|"
                  r"Registration ID|D\.N\.I\.|C\.U\.R\.P\.|SSN|Driver's License No\.|RFC|NIT #|Residency Number|"
                  r"Personal ID Card|Travel Document Number|Kenyan ID No\.|V\.A\.T\. Number|Business Registration "
                  r"Document #|Public Security and Immigration No\.|Birth Certificate Number|Refugee ID Card|"
                  r"Trade License No\.|Commercial Registry Number)\s+(\S+)(?:\s+\((.+?)\))?", re.IGNORECASE)


def _null(value: str) -> str:
    value = text(value)
    return "" if value == _NULL else value


def _date(raw: str) -> dict[str, str] | None:
    """``10 Dec 1948``, ``Dec 1948``, ``1948``, ``circa 1955``, ``1955 to 1957`` as a birth date record."""
    value = raw.strip().rstrip(".")
    approx = value.lower().startswith("circa")
    value = re.sub(r"^circa\s+", "", value, flags=re.IGNORECASE)
    m = re.fullmatch(r"(\d{4})\s+to\s+(\d{4})", value)
    if m:
        return {"kind": "range", "from": m.group(1), "to": m.group(2)}
    parts = value.split()
    try:
        if len(parts) == 3:
            d = dt.date(int(parts[2]), _MONTHS[parts[1][:3].lower()], int(parts[0]))
            date = d.isoformat()
        elif len(parts) == 2:
            date = f"{int(parts[1]):04d}-{_MONTHS[parts[0][:3].lower()]:02d}"
        elif len(parts) == 1 and parts[0].isdigit() and len(parts[0]) == 4:
            date = parts[0]
        else:
            return None
    except (KeyError, ValueError):
        return None
    return {"kind": "approximate" if approx else "exact", "date": date}


def _display_name(raw: str, kind: str) -> str:
    """``ABBAS, Abu`` → ``Abu ABBAS`` for individuals (the list writes the surname first)."""
    if kind == "person" and raw.count(",") == 1:
        last, first = (p.strip() for p in raw.split(","))
        return f"{first} {last}".strip()
    return raw


def apply_remarks(entry: ListedEntry, remarks: str) -> None:
    """Fill ``entry`` from the ``;``-separated remarks: dates, places, nationality, documents, aliases, wallets."""
    entry.remarks = remarks
    for item in (p.strip() for p in remarks.split(";")):
        if not item:
            continue
        body = re.sub(r"^alt\.\s*", "", item)
        wallet = _WALLET.match(item)
        alias = _ALIAS.match(item)
        doc = _DOC.match(item)
        if wallet:
            entry.wallets.append((wallet.group(1), wallet.group(2)))
        elif alias:
            name = alias.group(2).strip().strip("'\"").strip()
            if name:
                entry.names.append(ListedName(name, "strong", "former" if alias.group(1).lower() == "f" else "alias"))
        elif body.startswith("DOB "):
            bd = _date(body[4:])
            if bd:
                entry.birth_dates.append(bd)
        elif body.startswith("POB "):
            entry.birth_places.append(body[4:].rstrip("."))
        elif body.lower().startswith(("nationality ", "citizen ")):
            entry.nationalities.append(body.split(" ", 1)[1].rstrip("."))
        elif body.startswith("Gender "):
            g = body[7:].strip(". ").lower()
            entry.gender = g if g in ("male", "female") else entry.gender
        elif doc:
            entry.documents.append({"type": doc.group(1), "number": doc.group(2).rstrip(".,;"),
                                    "country": doc.group(3) or "", "note": ""})


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Older SDN files are Windows-1252.
        return data.decode("cp1252", errors="replace")


def _rows(stream: IO[bytes], what: str) -> Iterator[list[str]]:
    reader = csv.reader(io.StringIO(_decode(stream.read()).replace("\x1a", "")))
    try:
        for row in reader:
            if row and any(c.strip() for c in row):
                yield row
    except csv.Error as e:
        raise ListFormatError(f"{what} is not valid CSV ({e})") from None


def read(stream: IO[bytes], comments: IO[bytes] | None = None, version: str | None = None,
         digest: str = "") -> Iterator[ListItem]:
    """Metadata, then every SDN row as an entry (remarks extended by the comments file when given).

    Raises:
        ListFormatError: A row without the 12 columns of the legacy format (naming the row), or no rows.
    """
    extended: dict[str, str] = {}
    if comments is not None:
        for row in _rows(comments, "the comments file"):
            if len(row) != 2:
                raise ListFormatError(f"the comments file has {len(row)} columns in the row of entry {row[0][:20]!r}, "
                                      f"not 2 (ent_num, remarks): the format changed")
            extended[row[0].strip()] = row[1]
    yield ListMeta("ofac", "OFAC SDN List", version or (f"sha256:{digest[:16]}" if digest else "unknown"))
    count = 0
    for row in _rows(stream, "the SDN file"):
        if len(row) != len(COLUMNS):
            raise ListFormatError(f"row {count + 1} has {len(row)} columns, not the {len(COLUMNS)} of the legacy SDN "
                                  f"format ({', '.join(COLUMNS)}): the format changed")
        rec = dict(zip(COLUMNS, row, strict=True))
        ref = _null(rec["ent_num"])
        if not ref.isdigit():
            raise ListFormatError(f"row {count + 1}: ent_num {ref[:20]!r} is not a number")
        kind = _KINDS.get(_null(rec["type"]).lower(), "organization")
        name = _null(rec["name"])
        if not name:
            raise ListFormatError(f"row {count + 1} (entry {ref}) has no name")
        entry = ListedEntry(ref=ref, kind=kind, regime=_null(rec["program"]).replace("] [", ", ").strip("[] "))
        entry.programs = [p.strip() for p in entry.regime.split(",") if p.strip()]
        entry.names.append(ListedName(_display_name(name, kind), "strong", "primary"))
        title = _null(rec["title"])
        if title:
            entry.titles.append(title)
        remarks = _null(rec["remarks"])
        remarks = text(remarks + extended.get(ref, ""))
        apply_remarks(entry, remarks)
        if kind == "vessel":
            entry.extra = {k: _null(rec[k]) for k in ("call_sign", "vessel_type", "tonnage", "grt", "vessel_flag",
                                                      "vessel_owner") if _null(rec[k])}
        count += 1
        yield entry
    if not count:
        raise ListFormatError("the SDN file holds no rows")

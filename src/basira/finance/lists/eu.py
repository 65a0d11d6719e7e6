"""The EU consolidated list of persons, groups and entities subject to financial sanctions (FSF XML 1.1).

Each ``sanctionEntity`` becomes an entry under its EU reference number. ``strong="false"`` marks a weak alias;
``00`` stands for an unknown country and ``-`` for an unknown document number, and both are dropped.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import IO
from xml.etree.ElementTree import Element

from basira.finance.lists.base import (
    ListedEntry,
    ListedName,
    ListFormatError,
    ListItem,
    ListMeta,
    check_children,
    children,
    iso_date,
    iter_records,
    local,
    parse_timestamp,
    require,
    text,
)

_KNOWN = frozenset({"remark", "regulation", "subjectType", "nameAlias", "birthdate", "citizenship",
                    "identification", "address"})
_KINDS = {"person": "person", "enterprise": "organization"}


def _attr(elem: Element, name: str) -> str:
    return text(elem.get(name))


def _country(elem: Element) -> str:
    if _attr(elem, "countryIso2Code") in ("", "00"):
        return ""
    return _attr(elem, "countryDescription")


def _birth_date(b: Element) -> dict[str, str] | None:
    calendar = _attr(b, "calendarType").upper()
    if calendar and calendar != "GREGORIAN":
        # Hijri dates come with their Gregorian twin in a record of their own.
        return None
    circa = _attr(b, "circa").lower() == "true"
    lo, hi = _attr(b, "yearRangeFrom"), _attr(b, "yearRangeTo")
    if lo and hi and iso_date(lo) and iso_date(hi):
        return {"kind": "range", "from": lo, "to": hi}
    date = iso_date(_attr(b, "birthdate"))
    if date is None:
        year, month = _attr(b, "year"), _attr(b, "monthOfYear")
        date = iso_date(f"{year}-{int(month):02d}") if year and month.isdigit() else iso_date(year)
    if date is None:
        return None
    return {"kind": "approximate" if circa else "exact", "date": date}


def _entry(rec: Element) -> ListedEntry:
    check_children(rec, _KNOWN, "sanctionEntity")
    ref = require(_attr(rec, "euReferenceNumber") or _attr(rec, "logicalId"), "euReferenceNumber",
                  "sanctionEntity")
    subject = children(rec, "subjectType")
    code = _attr(subject[0], "code") if subject else ""
    regs = children(rec, "regulation")
    entry = ListedEntry(ref=ref, kind=_KINDS.get(code, "organization"),
                        regime=", ".join(dict.fromkeys(p for p in (_attr(r, "programme") for r in regs) if p)),
                        listed_on=iso_date(_attr(rec, "designationDate")) or
                        (iso_date(_attr(regs[0], "publicationDate")) if regs else None),
                        remarks=" ".join(text(r.text) for r in children(rec, "remark")))
    entry.programs = [p for p in (_attr(r, "numberTitle") for r in regs) if p]
    for i, alias in enumerate(children(rec, "nameAlias")):
        name = _attr(alias, "wholeName") or " ".join(
            v for v in (_attr(alias, "firstName"), _attr(alias, "middleName"), _attr(alias, "lastName")) if v)
        if not name:
            continue
        quality = "weak" if _attr(alias, "strong").lower() == "false" else "strong"
        entry.names.append(ListedName(name, quality, "primary" if i == 0 else "alias",
                                      _attr(alias, "nameLanguage").lower() or None))
        gender = {"M": "male", "F": "female"}.get(_attr(alias, "gender").upper())
        entry.gender = entry.gender or gender
        title = _attr(alias, "title") or _attr(alias, "function")
        if title:
            entry.titles.append(title)
    if not entry.names:
        raise ListFormatError(f"missing element <nameAlias> in <sanctionEntity> {ref}: the list's schema changed, "
                              f"so nothing was imported and the previous list stays in force")
    for b in children(rec, "birthdate"):
        bd = _birth_date(b)
        if bd and bd not in entry.birth_dates:
            entry.birth_dates.append(bd)
        place = ", ".join(v for v in (_attr(b, "city"), _attr(b, "region"), _country(b)) if v)
        if place and place not in entry.birth_places:
            entry.birth_places.append(place)
    entry.nationalities = [c for c in (_country(c) for c in children(rec, "citizenship")) if c]
    for d in children(rec, "identification"):
        number = _attr(d, "number")
        if number in ("", "-"):
            number = _attr(d, "latinNumber")
        if number in ("", "-"):
            continue
        entry.documents.append({"type": _attr(d, "identificationTypeDescription"), "number": number,
                                "country": _country(d), "note": " ".join(text(r.text) for r in children(d, "remark"))})
    for a in children(rec, "address"):
        line = ", ".join(v for v in (_attr(a, "street"), _attr(a, "poBox"), _attr(a, "city"), _attr(a, "zipCode"),
                                     _attr(a, "region"), _country(a)) if v)
        if line:
            entry.addresses.append(line)
    entry.extra = {"logical_id": _attr(rec, "logicalId"), "un_reference": _attr(rec, "unitedNationId")}
    return entry


def read(stream: IO[bytes]) -> Iterator[ListItem]:
    """The list's metadata (``generationDate``), then every sanctioned entity.

    Raises:
        ListFormatError: Not an FSF export, a changed schema (naming the element), or damaged XML.
    """
    root: dict[str, str] = {}

    def on_start(elem: Element, depth: int) -> None:
        if depth == 0:
            root.update(elem.attrib, _tag=local(elem.tag))

    records = iter_records(stream, frozenset({"sanctionEntity"}), on_start)
    first = next(records, None)
    if root.get("_tag") != "export":
        raise ListFormatError(f"the root element is <{root.get('_tag', '?')}>, not <export>: this is not the "
                              f"EU financial sanctions file (FSF XML)")
    published = parse_timestamp(root.get("generationDate", ""))
    version = published.date().isoformat() if published else root.get("globalFileId", "unknown")
    yield ListMeta("eu", "EU Financial Sanctions", version, published)
    if first is None:
        raise ListFormatError("the EU list holds no sanctionEntity records")
    yield _entry(first)
    for rec in records:
        yield _entry(rec)

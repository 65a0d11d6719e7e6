"""The UN Security Council Consolidated List (XML as the UN publishes it): individuals and entities.

Alias QUALITY ``Low`` marks a weak alias; ``NAME_ORIGINAL_SCRIPT`` is the name in its own script (mostly Arabic);
reference numbers such as ``QDi.299`` are kept without the trailing spaces some of them carry.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import IO
from xml.etree.ElementTree import Element

from basira.finance.lists.base import (
    ListedEntry,
    ListedName,
    ListFormatError,
    ListItem,
    ListMeta,
    check_children,
    child_text,
    children,
    iso_date,
    iter_records,
    local,
    parse_timestamp,
    require,
    text,
)

_COMMON = frozenset({
    "DATAID", "VERSIONNUM", "FIRST_NAME", "SECOND_NAME", "THIRD_NAME", "FOURTH_NAME", "UN_LIST_TYPE",
    "REFERENCE_NUMBER", "LISTED_ON", "NAME_ORIGINAL_SCRIPT", "COMMENTS1", "LIST_TYPE", "LAST_DAY_UPDATED",
    "SORT_KEY", "SORT_KEY_LAST_MOD", "SUBMITTED_BY",
})
_INDIVIDUAL = _COMMON | {
    "GENDER", "TITLE", "DESIGNATION", "NATIONALITY", "INDIVIDUAL_ALIAS", "INDIVIDUAL_ADDRESS",
    "INDIVIDUAL_DATE_OF_BIRTH", "INDIVIDUAL_PLACE_OF_BIRTH", "INDIVIDUAL_DOCUMENT",
}
_ENTITY = _COMMON | {"ENTITY_ALIAS", "ENTITY_ADDRESS"}
_RECORDS = frozenset({"INDIVIDUAL", "ENTITY"})


def _values(elem: Element, tag: str) -> list[str]:
    return [v for c in children(elem, tag) for v in (text(x.text) for x in children(c, "VALUE")) if v]


def _joined(elem: Element, tags: tuple[str, ...]) -> str:
    return ", ".join(v for v in (child_text(elem, t) for t in tags) if v)


def _birth_date(d: Element) -> dict[str, str] | None:
    kind = child_text(d, "TYPE_OF_DATE").upper()
    note = child_text(d, "NOTE")
    if kind == "BETWEEN":
        lo, hi = child_text(d, "FROM_YEAR"), child_text(d, "TO_YEAR")
        if iso_date(lo) and iso_date(hi):
            return {"kind": "range", "from": lo, "to": hi, "note": note}
        return None
    value = child_text(d, "DATE") or child_text(d, "YEAR")
    date = iso_date(value)
    if date is None:
        return None
    return {"kind": "approximate" if kind.startswith("APPROX") else "exact", "date": date, "note": note}


def _document(d: Element) -> dict[str, str] | None:
    number = child_text(d, "NUMBER")
    kind = " / ".join(v for v in (child_text(d, "TYPE_OF_DOCUMENT"), child_text(d, "TYPE_OF_DOCUMENT2")) if v)
    note = child_text(d, "NOTE")
    if not number and not note:
        return None
    country = child_text(d, "ISSUING_COUNTRY") or child_text(d, "COUNTRY_OF_ISSUE")
    return {"type": kind, "number": number, "country": country, "note": note,
            "issued": child_text(d, "DATE_OF_ISSUE")}


#: The tags whose values make up a record's primary name, in order.
NAME_TAGS = ("FIRST_NAME", "SECOND_NAME", "THIRD_NAME", "FOURTH_NAME")


def primary_name(values: Iterable[str]) -> str:
    """The primary name from the values of ``NAME_TAGS``: "na" (not available) stands in for a missing name part
    in a few records, and is no part of the name, nor is an empty value."""
    return " ".join(v for v in values if v and v.lower() != "na")


def _entry(rec: Element) -> ListedEntry:
    tag = local(rec.tag)
    person = tag == "INDIVIDUAL"
    check_children(rec, _INDIVIDUAL if person else _ENTITY, tag)
    ref = require(child_text(rec, "REFERENCE_NUMBER"), "REFERENCE_NUMBER", tag)
    primary = primary_name(child_text(rec, t) for t in NAME_TAGS)
    entry = ListedEntry(ref=ref, kind="person" if person else "organization",
                        regime=child_text(rec, "UN_LIST_TYPE"), listed_on=iso_date(child_text(rec, "LISTED_ON")),
                        remarks=child_text(rec, "COMMENTS1"))
    entry.names.append(ListedName(require(primary, "FIRST_NAME", tag), "strong", "primary"))
    original = child_text(rec, "NAME_ORIGINAL_SCRIPT")
    if original:
        entry.names.append(ListedName(original, "strong", "original"))
    for alias in children(rec, "INDIVIDUAL_ALIAS" if person else "ENTITY_ALIAS"):
        name = child_text(alias, "ALIAS_NAME")
        if name:
            quality = "weak" if child_text(alias, "QUALITY").lower() in ("low", "weak") else "strong"
            entry.names.append(ListedName(name, quality, "alias"))
    for addr in children(rec, "INDIVIDUAL_ADDRESS" if person else "ENTITY_ADDRESS"):
        line = _joined(addr, ("STREET", "CITY", "STATE_PROVINCE", "ZIP_CODE", "COUNTRY", "NOTE"))
        if line:
            entry.addresses.append(line)
    entry.extra = {"dataid": child_text(rec, "DATAID"), "list_type": _values(rec, "LIST_TYPE"),
                   "last_updated": _values(rec, "LAST_DAY_UPDATED")}
    if person:
        gender = child_text(rec, "GENDER").lower()
        entry.gender = gender if gender in ("male", "female") else None
        entry.titles = _values(rec, "TITLE") + _values(rec, "DESIGNATION")
        entry.nationalities = _values(rec, "NATIONALITY")
        entry.birth_dates = [b for b in map(_birth_date, children(rec, "INDIVIDUAL_DATE_OF_BIRTH")) if b]
        entry.birth_places = [p for p in (_joined(e, ("CITY", "STATE_PROVINCE", "COUNTRY"))
                                          for e in children(rec, "INDIVIDUAL_PLACE_OF_BIRTH")) if p]
        entry.documents = [d for d in map(_document, children(rec, "INDIVIDUAL_DOCUMENT")) if d]
    return entry


def read(stream: IO[bytes]) -> Iterator[ListItem]:
    """The list's metadata, then every individual and entity.

    Raises:
        ListFormatError: Not the UN list's XML, a changed schema (naming the element), or damaged XML.
    """
    root: dict[str, str] = {}

    def on_start(elem: Element, depth: int) -> None:
        if depth == 0:
            root.update(elem.attrib, _tag=local(elem.tag))

    records = iter_records(stream, _RECORDS, on_start)
    first = next(records, None)
    if root.get("_tag") != "CONSOLIDATED_LIST":
        raise ListFormatError(f"the root element is <{root.get('_tag', '?')}>, not <CONSOLIDATED_LIST>: "
                              f"this is not the UN Consolidated List")
    generated = root.get("dateGenerated", "")
    published = parse_timestamp(generated)
    yield ListMeta("un", "UN Security Council Consolidated List",
                   published.date().isoformat() if published else generated or "unknown", published)
    if first is None:
        raise ListFormatError("the UN list holds no INDIVIDUAL or ENTITY records")
    yield _entry(first)
    for rec in records:
        yield _entry(rec)

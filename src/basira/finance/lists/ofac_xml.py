"""The US OFAC SDN list in its "advanced" XML form (root ``Sanctions``, version 3), streamed.

The file first gives reference tables (countries, feature types, name-part types...), then locations and
identity documents, then the parties, then the sanctions entries (programme, listing date). Parties are kept
in a compact form until their sanctions entries have been read; every XML record is dropped once read, so the
121 MB full list (also as ``.bz2``) streams in bounded memory.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
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
    iter_records,
    local,
    parse_timestamp,
    text,
)

_SECTIONS = frozenset({"DateOfIssue", "ReferenceValueSets", "Locations", "IDRegDocuments", "DistinctParties",
                       "ProfileRelationships", "SanctionsEntries", "SanctionsEntryLinks"})
_RECORDS = frozenset({"DateOfIssue", "ReferenceValueSets", "Location", "IDRegDocument", "DistinctParty",
                      "SanctionsEntry", "ProfileRelationship"})
_PROFILE = frozenset({"Identity", "Feature", "Comment", "ProfileRelationshipReference"})
# The order in which name parts are joined into one name.
_PART_ORDER = {"First Name": 0, "Middle Name": 1, "Patronymic": 2, "Matronymic": 3, "Last Name": 4,
               "Maiden Name": 5, "Entity Name": 0, "Vessel Name": 0, "Aircraft Name": 0, "Nickname": 6}
_SCRIPTS = {"Arab": "arabic", "Cyrl": "cyrillic", "Latin": "latin", "Hans": "chinese", "Hant": "chinese"}


@dataclass
class _Ref:
    """The reference tables: id → label per table."""

    tables: dict[str, dict[str, str]] = field(default_factory=dict)
    party_types: dict[str, str] = field(default_factory=dict)  # PartySubType id → party type label
    subtypes: dict[str, str] = field(default_factory=dict)  # PartySubType id → sub-type label
    script_codes: dict[str, str] = field(default_factory=dict)

    def label(self, table: str, ref_id: str | None) -> str:
        return self.tables.get(table, {}).get(ref_id or "", "")


def _ymd(elem: Element | None) -> str:
    if elem is None:
        return ""
    y, m, d = child_text(elem, "Year"), child_text(elem, "Month"), child_text(elem, "Day")
    if not y.isdigit():
        return ""
    if m.isdigit() and d.isdigit():
        return f"{int(y):04d}-{int(m):02d}-{int(d):02d}"
    return f"{int(y):04d}-{int(m):02d}" if m.isdigit() else f"{int(y):04d}"


def _first(elem: Element, *path: str) -> Element | None:
    node: Element | None = elem
    for tag in path:
        if node is None:
            return None
        found = children(node, tag)
        node = found[0] if found else None
    return node


def _period(dp: Element) -> dict[str, str] | None:
    lo = _ymd(_first(dp, "Start", "From"))
    hi = _ymd(_first(dp, "End", "To"))
    if not lo or not hi:
        return None
    approx = any(e.get("Approximate") == "true" for e in children(dp, "Start") + children(dp, "End"))
    if lo == hi:
        return {"kind": "approximate" if approx else "exact", "date": lo}
    if lo[:4] == hi[:4] and lo.endswith("-01-01") and hi.endswith("-12-31"):
        return {"kind": "approximate" if approx else "exact", "date": lo[:4]}
    return {"kind": "range", "from": lo[:4], "to": hi[:4], "note": f"{lo} to {hi}"}


class _Reader:
    def __init__(self) -> None:
        self.ref = _Ref()
        self.locations: dict[str, tuple[str, str]] = {}  # id → (address line, country)
        self.documents: dict[str, list[dict[str, str]]] = {}  # identity id → documents
        self.parties: dict[str, ListedEntry] = {}  # profile id → entry
        self.issued = ""

    def reference(self, rvs: Element) -> None:
        for table in rvs:
            name = local(table.tag).removesuffix("Values")
            values = self.ref.tables.setdefault(name, {})
            for v in table:
                values[v.get("ID", "")] = text(v.text) or text(v.get("Description"))
                if name == "PartySubType":
                    self.ref.subtypes[v.get("ID", "")] = text(v.text)
                    self.ref.party_types[v.get("ID", "")] = v.get("PartyTypeID", "")
                elif name == "Script":
                    self.ref.script_codes[v.get("ID", "")] = v.get("ScriptCode", "")

    def location(self, loc: Element) -> None:
        parts = [text(v.text) for p in children(loc, "LocationPart") for pv in children(p, "LocationPartValue")
                 for v in children(pv, "Value") if text(v.text)]
        country = ""
        for c in children(loc, "LocationCountry"):
            country = self.ref.label("Country", c.get("CountryID"))
        self.locations[loc.get("ID", "")] = (", ".join([*parts, country] if country else parts), country)

    def document(self, doc: Element) -> None:
        number = child_text(doc, "IDRegistrationNo")
        if not number:
            return
        self.documents.setdefault(doc.get("IdentityID", ""), []).append({
            "type": self.ref.label("IDRegDocType", doc.get("IDRegDocTypeID")), "number": number,
            "country": self.ref.label("Country", doc.get("IssuedBy-CountryID")), "note": child_text(doc, "Comment")})

    def party(self, party: Element) -> None:
        ref = party.get("FixedRef", "")
        profile = _first(party, "Profile")
        if not ref or profile is None:
            raise ListFormatError("missing element <Profile> or FixedRef in <DistinctParty>: the list's schema "
                                  "changed, so nothing was imported and the previous list stays in force")
        check_children(profile, _PROFILE, "Profile")
        sub = profile.get("PartySubTypeID", "")
        ptype = self.ref.label("PartyType", self.ref.party_types.get(sub)).lower()
        subtype = self.ref.subtypes.get(sub, "").lower()
        kind = {"individual": "person", "entity": "organization"}.get(ptype) or (
            subtype if subtype in ("vessel", "aircraft") else "organization")
        entry = ListedEntry(ref=ref, kind=kind)
        for identity in children(profile, "Identity"):
            self._names(identity, entry)
            entry.documents.extend(self.documents.get(identity.get("ID", ""), []))
        for feature in children(profile, "Feature"):
            self._feature(feature, entry)
        entry.remarks = child_text(party, "Comment")
        if not entry.names:
            raise ListFormatError(f"missing element <Alias> in <Identity> of party {ref}: the list's schema changed")
        self.parties[profile.get("ID", ref)] = entry

    def _names(self, identity: Element, entry: ListedEntry) -> None:
        part_types = {g.get("ID", ""): self.ref.label("NamePartType", g.get("NamePartTypeID"))
                      for m in children(_first(identity, "NamePartGroups") or identity, "MasterNamePartGroup")
                      for g in children(m, "NamePartGroup")}
        for alias in children(identity, "Alias"):
            alias_type = self.ref.label("AliasType", alias.get("AliasTypeID")).upper()
            weak = alias.get("LowQuality") == "true"
            for dn in children(alias, "DocumentedName"):
                parts: list[tuple[int, str]] = []
                script = None
                for dnp in children(dn, "DocumentedNamePart"):
                    for v in children(dnp, "NamePartValue"):
                        kind = part_types.get(v.get("NamePartGroupID", ""), "")
                        parts.append((_PART_ORDER.get(kind, 7), text(v.text)))
                        script = _SCRIPTS.get(self.ref.script_codes.get(v.get("ScriptID", ""), ""), script)
                name = " ".join(p for _, p in sorted(parts, key=lambda x: x[0]) if p)
                if not name:
                    continue
                primary = alias.get("Primary") == "true"
                role = "primary" if primary and script in (None, "latin") else (
                    "original" if primary else ("former" if alias_type == "F.K.A." else "alias"))
                entry.names.append(ListedName(name, "weak" if weak else "strong", role, script))

    def _feature(self, feature: Element, entry: ListedEntry) -> None:
        ftype = self.ref.label("FeatureType", feature.get("FeatureTypeID"))
        for version in children(feature, "FeatureVersion"):
            detail = _first(version, "VersionDetail")
            value = text(detail.text) if detail is not None else ""
            lookup = self.ref.label("DetailReference", detail.get("DetailReferenceID")) if detail is not None else ""
            loc_el = _first(version, "VersionLocation")
            loc = self.locations.get(loc_el.get("LocationID", "") if loc_el is not None else "", ("", ""))
            if ftype.startswith("Digital Currency Address - ") and value:
                entry.wallets.append((ftype.rsplit(" ", 1)[-1], value))
            elif ftype == "Birthdate":
                dp = _first(version, "DatePeriod")
                bd = _period(dp) if dp is not None else None
                if bd:
                    entry.birth_dates.append(bd)
            elif ftype == "Place of Birth" and value:
                entry.birth_places.append(value)
            elif ftype in ("Nationality Country", "Citizenship Country"):
                country = loc[1] or lookup or value
                if country:
                    entry.nationalities.append(country)
            elif ftype == "Gender" and lookup.lower() in ("male", "female"):
                entry.gender = lookup.lower()
            elif ftype == "Location" and loc[0]:
                entry.addresses.append(loc[0])
            elif ftype == "Title" and value:
                entry.titles.append(value)
            elif value or lookup:
                entry.extra.setdefault("features", []).append({"type": ftype, "value": value or lookup})

    def sanctions(self, se: Element) -> None:
        entry = self.parties.get(se.get("ProfileID", ""))
        if entry is None:
            return
        for ev in children(se, "EntryEvent"):
            date = _ymd(_first(ev, "Date"))
            if date and (entry.listed_on is None or date < entry.listed_on):
                entry.listed_on = date
        for m in children(se, "SanctionsMeasure"):
            program = child_text(m, "Comment")
            if self.ref.label("SanctionsType", m.get("SanctionsTypeID")) == "Program" and program:
                entry.programs.append(program)
        entry.regime = ", ".join(dict.fromkeys(entry.programs))
        entry.extra["list"] = self.ref.label("List", se.get("ListID"))


def read(stream: IO[bytes]) -> Iterator[ListItem]:
    """Metadata (``DateOfIssue``), then every distinct party with its sanctions programmes.

    Raises:
        ListFormatError: Not OFAC's advanced XML, a changed schema (naming the element), or damaged XML.
    """
    reader = _Reader()
    root: dict[str, str] = {}

    def on_start(elem: Element, depth: int) -> None:
        if depth == 0:
            root.update(elem.attrib, _tag=local(elem.tag))
        elif depth == 1 and local(elem.tag) not in _SECTIONS:
            raise ListFormatError(f"unexpected element <{local(elem.tag)}> in <Sanctions>: the list's schema changed, "
                                  f"so nothing was imported and the previous list stays in force")

    meta_sent = False
    for rec in iter_records(stream, _RECORDS, on_start):
        tag = local(rec.tag)
        if root.get("_tag") != "Sanctions":
            raise ListFormatError(f"the root element is <{root.get('_tag', '?')}>, not <Sanctions>: this is not "
                                  f"OFAC's advanced XML")
        if tag == "DateOfIssue":
            reader.issued = _ymd(rec)
        elif tag == "ReferenceValueSets":
            reader.reference(rec)
        elif tag == "Location":
            reader.location(rec)
        elif tag == "IDRegDocument":
            reader.document(rec)
        elif tag == "DistinctParty":
            if not meta_sent:
                meta_sent = True
                published = parse_timestamp(reader.issued) if len(reader.issued) == 10 else None
                yield ListMeta("ofac-xml", "OFAC SDN List", reader.issued or "unknown", published)
            reader.party(rec)
        elif tag == "SanctionsEntry":
            reader.sanctions(rec)
    if root.get("_tag") != "Sanctions":
        raise ListFormatError(f"the root element is <{root.get('_tag', '?')}>, not <Sanctions>: this is not OFAC's "
                              f"advanced XML")
    if not reader.parties:
        raise ListFormatError("the OFAC list holds no DistinctParty records")
    yield from reader.parties.values()

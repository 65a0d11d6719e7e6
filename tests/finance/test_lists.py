"""The list importers on real list files and on hostile ones (pure parsing, no database)."""

from __future__ import annotations

import io
import itertools
from pathlib import Path

import pytest

from basira.finance.lists import csvlist, eu, ofac, ofac_xml, un
from basira.finance.lists.base import ListedEntry, ListFormatError, ListMeta, open_binary

SLICE = Path(__file__).parents[1] / "data" / "finance" / "un_slice.xml"


def _entries(items: object) -> tuple[ListMeta, dict[str, ListedEntry]]:
    got = list(items)  # type: ignore[call-overload]
    assert isinstance(got[0], ListMeta)
    return got[0], {e.ref: e for e in got[1:]}


def test_un_list_keeps_names_aliases_quality_dates_and_a_clean_reference() -> None:
    meta, entries = _entries(un.read(SLICE.open("rb")))
    assert meta.version == "2026-02-27" and meta.source == "un"
    baghdadi = entries["QDi.299"]
    assert baghdadi.regime == "Al-Qaida" and baghdadi.listed_on == "2011-10-05"
    originals = [n for n in baghdadi.names if n.kind == "original"]
    assert originals and originals[0].name.startswith("إبراهيم")
    assert any(n.quality == "weak" for n in baghdadi.names)  # QUALITY Low
    assert baghdadi.birth_dates[0]["date"] == "1971"
    assert baghdadi.documents and baghdadi.documents[0]["number"] == "0134852"
    assert entries["QDe.115"].kind == "organization"


def test_un_reference_with_a_trailing_space_is_stripped() -> None:
    xml = SLICE.read_bytes().replace(b"<REFERENCE_NUMBER>QDi.299</REFERENCE_NUMBER>",
                                     b"<REFERENCE_NUMBER>QDi.299 </REFERENCE_NUMBER>")
    _, entries = _entries(un.read(io.BytesIO(xml)))
    assert "QDi.299" in entries


def test_whole_un_list_reads_730_individuals_and_273_entities(shared_data: Path) -> None:
    _, entries = _entries(un.read((shared_data / "sanctions" / "un_consolidated.xml").open("rb")))
    kinds = [e.kind for e in entries.values()]
    assert kinds.count("person") == 730 and kinds.count("organization") == 273


def test_ofac_csv_reads_remarks_wallets_and_the_comments_overflow(shared_data: Path) -> None:
    d = shared_data / "sanctions"
    meta, entries = _entries(ofac.read((d / "ofac_sdn.csv").open("rb"), (d / "ofac_sdn_comments.csv").open("rb"),
                                       version="2026-01-01"))
    assert meta.version == "2026-01-01"
    zawahiri = entries["2676"]
    assert zawahiri.names[0].name == "Dr. Ayman AL ZAWAHIRI"
    assert zawahiri.birth_dates == [{"kind": "exact", "date": "1951-06-19"}]
    assert {"type": "Passport", "number": "1084010", "country": "Egypt", "note": ""} in zawahiri.documents
    # Entry 29703's remarks run over into the comments file, which holds its ZEC and BSV addresses.
    wallets = dict((a, c) for c, a in entries["29703"].wallets)
    assert wallets.get("t1WSKwCDL1QYRRUrCCknEs5tDLhtGVYu9KM") == "ZEC"


def test_ofac_advanced_xml_reads_every_digital_currency_address(shared_data: Path) -> None:
    path = shared_data / "sanctions" / "ofac_sdn_advanced_excerpt.xml"
    meta, entries = _entries(ofac_xml.read(path.open("rb")))
    assert meta.version == "2025-11-19" and len(entries) == 184
    assert sum(len(e.wallets) for e in entries.values()) == 761
    zumar = entries["2677"]
    assert zumar.regime == "SDGT" and zumar.listed_on == "1995-01-23"
    assert any(n.script == "arabic" for n in zumar.names)
    assert {e.kind for e in entries.values()} == {"person", "organization", "vessel", "aircraft"}


def test_full_ofac_bz2_streams_without_being_unpacked(shared_data: Path) -> None:
    path = shared_data / "sanctions" / "ofac_sdn_advanced.xml.bz2"
    with path.open("rb") as raw:
        stream = open_binary(raw)
        assert stream.peek(1)[:1] == b"<"  # inflated on the fly (and read in bounded memory: issue 21)
        # The header and the reference tables come first: the metadata is read without the whole file.
        head = list(itertools.islice(ofac_xml.read(stream), 1))
    assert isinstance(head[0], ListMeta) and head[0].version == "2025-11-19"


def test_eu_list_reads_weak_aliases_ranges_and_drops_sentinels(shared_data: Path) -> None:
    meta, entries = _entries(eu.read((shared_data / "sanctions" / "eu_fsf_sample.xml").open("rb")))
    assert meta.version == "2026-08-05" and len(entries) == 17
    saddam = entries["EU.27.28"]
    assert saddam.birth_dates[0] == {"kind": "exact", "date": "1937-04-28"}
    assert all(d["number"] != "-" for e in entries.values() for d in e.documents)
    assert all("UNKNOWN" not in n for e in entries.values() for n in e.nationalities)
    assert any(b.get("kind") == "range" for e in entries.values() for b in e.birth_dates)


BOMB = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<CONSOLIDATED_LIST><INDIVIDUALS><INDIVIDUAL><FIRST_NAME>&lol3;</FIRST_NAME></INDIVIDUAL></INDIVIDUALS>
</CONSOLIDATED_LIST>"""
EXTERNAL = b"""<?xml version="1.0"?>
<!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<export><sanctionEntity euReferenceNumber="EU.1"><nameAlias wholeName="&xxe;"/></sanctionEntity></export>"""


@pytest.mark.parametrize(("reader", "data"), [(un.read, BOMB), (eu.read, EXTERNAL), (ofac_xml.read, BOMB)])
def test_xml_bombs_and_external_entities_are_refused(reader: object, data: bytes) -> None:
    with pytest.raises(ListFormatError, match="DTD or entities"):
        list(reader(io.BytesIO(data)))  # type: ignore[operator]


def test_truncated_list_is_refused_naming_the_position() -> None:
    data = SLICE.read_bytes()[:20_000]
    with pytest.raises(ListFormatError, match="not well-formed XML at line"):
        list(un.read(io.BytesIO(data)))


def test_changed_schema_names_the_unknown_element() -> None:
    data = SLICE.read_bytes().replace(b"<GENDER>", b"<SEX_AT_BIRTH>Male</SEX_AT_BIRTH><GENDER>", 1)
    with pytest.raises(ListFormatError, match="<SEX_AT_BIRTH> in <INDIVIDUAL>"):
        list(un.read(io.BytesIO(data)))


def test_missing_required_element_is_named() -> None:
    data = SLICE.read_bytes().replace(b"<REFERENCE_NUMBER>QDi.299</REFERENCE_NUMBER>", b"", 1)
    with pytest.raises(ListFormatError, match="<REFERENCE_NUMBER>"):
        list(un.read(io.BytesIO(data)))


def test_a_file_of_another_list_is_refused() -> None:
    with pytest.raises(ListFormatError, match="not the UN"):
        list(un.read(io.BytesIO(b"<export><sanctionEntity/></export>")))


def test_csv_list_reads_every_documented_column() -> None:
    data = (b"ref,kind,name,aliases,weak_aliases,birth_dates,nationalities,documents,wallets,regime\n"
            b"N-1,person,Abu Example,Abou Example,The Example,1961-05-02;~1970;1958..1962,Iraq,Passport:A1:Iraq,"
            b"XBT:12QtD5BFwRsdNsAZY76UVE1xyCGNTojH9h,national\n")
    _, entries = _entries(csvlist.read(io.BytesIO(data), version="v1"))
    e = entries["N-1"]
    assert [n.quality for n in e.names] == ["strong", "strong", "weak"]
    assert [b["kind"] for b in e.birth_dates] == ["exact", "approximate", "range"]
    assert e.wallets == [("XBT", "12QtD5BFwRsdNsAZY76UVE1xyCGNTojH9h")]


@pytest.mark.parametrize(("body", "message"), [
    ("ref,name,birth_dates\nN-1,Someone,1961-13-45\n", "1961-13-45"),
    ("ref,name,colour\nN-1,Someone,red\n", "unknown column 'colour'"),
    ("ref,name\nN-1,Someone\nN-1,Other\n", "appears twice"),
    ("name\nSomeone\n", "at least the columns ref and name"),
])
def test_csv_list_errors_name_the_row_or_column(body: str, message: str) -> None:
    with pytest.raises(ListFormatError, match=message):
        list(csvlist.read(io.BytesIO(body.encode())))

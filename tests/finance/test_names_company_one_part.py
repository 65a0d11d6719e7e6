"""A company's whole name with one distinctive part alerts on that company: "Joint Stock Company 103 Arsenal" and
"AL QAIDA" were held at 0.75 because a few listed names share their one part. One common part alone (a given name,
or a word as common as "Golden") still never alerts."""

from __future__ import annotations

from basira.finance.names import NameIndex, NameRecord, NameVariant


def _org(eid: str, name: str) -> NameRecord:
    return NameRecord(eid, (NameVariant(name),), kind="organization")


def _index() -> NameIndex:
    records = [_org("o:1", "Joint Stock Company 103 Arsenal"), _org("o:2", "LLC Arsenal"),
               _org("o:3", "Joint Stock Company 60 Arsenal"), _org("o:4", "AL QAIDA"), _org("o:5", "Al-Qaida"),
               _org("o:6", "Al Qaeda"),
               NameRecord("p:1", (NameVariant("OMAR"),)), NameRecord("p:2", (NameVariant("Omar Haddad"),)),
               NameRecord("p:3", (NameVariant("Omar Nasser"),))]
    records += [_org(f"g:{i}", f"Golden {w} Ltd") for i, w in enumerate(
        ("Star", "Sun", "Gate", "Bridge", "Way", "Field", "River", "Tree", "Hill", "Lake", "Rose", "Bay", "Crown",
         "Eagle", "Horse", "Lion", "Leaf", "Ocean", "Harvest", "Valley", "Arrow", "Dragon"))]
    records.append(_org("g:x", "Golden LLC"))
    return NameIndex.build(records)


def test_whole_company_name_alerts() -> None:
    index = _index()
    assert index.score_name("Joint Stock Company 103 Arsenal", "o:1", "Joint Stock Company 103 Arsenal") >= 0.85
    assert index.score_name("JOINT STOCK CO. 103 ARSENAL", "o:1", "Joint Stock Company 103 Arsenal") >= 0.85
    assert index.score_name("AL QAEDA", "o:4", "AL QAIDA") >= 0.85


def test_one_common_part_alone_does_not() -> None:
    index = _index()
    assert index.score_name("Omar", "p:1", "OMAR") < 0.8
    assert index.score_name("Omar Ltd", "p:1", "OMAR") < 0.8  # a person's one-word name: the form says nothing
    assert index.score_name("Golden Ltd", "g:x", "Golden LLC") < 0.8  # held by more than 20 listed names
    assert index.score_name("Arsenal", "o:2", "LLC Arsenal") < 0.8  # the part alone, as written

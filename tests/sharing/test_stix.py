"""STIX 2.1 objects of signals: every signal type survives export and import, patterns are standard where STIX has
an observable, objects are valid for the stix2 library, and the export is a stream."""

from __future__ import annotations

import datetime as dt
import inspect
import json
import uuid

import pytest
import stix2
from tests.sharing.helpers import SAMPLES, canonical, make_bank

from basira.core import banks
from basira.core.errors import InvalidInput
from basira.core.instance import Instance
from basira.core.models import TLP, Match, Opinion, Signal
from basira.core.principal import Principal
from basira.core.signals import default_registry
from basira.sharing import export, stix
from basira.sharing.markings import TLP1_IDS, TLP2_IDS, marking_definition, stricter, tlp_of

NOW = dt.datetime(2026, 12, 6, 6, 0, tzinfo=dt.UTC)
NS = uuid.UUID("12345678-1234-5678-1234-567812345678")


def _meta(**kw: object) -> stix.IndicatorMeta:
    base: dict[str, object] = {"stix_id": f"indicator--{uuid.uuid4()}", "created": NOW, "modified": NOW,
                               "marking_ids": (TLP2_IDS[TLP.GREEN],)}
    base.update(kw)
    return stix.IndicatorMeta(**base)  # type: ignore[arg-type]


@pytest.mark.parametrize("signal_type", sorted(SAMPLES))
def test_every_signal_type_round_trips_through_an_indicator(signal_type: str) -> None:
    value = default_registry().validate(signal_type, SAMPLES[signal_type])
    record = stix.SignalRecord(signal_type, value, "entry-1", "photo", ("propaganda",), 90)
    obj = json.loads(stix2.parse(stix.indicator(record, _meta())).serialize())  # stix2 accepts it unchanged
    assert stix.records_of(obj) == [record]


@pytest.mark.parametrize("signal_type", sorted(SAMPLES))
def test_every_signal_type_round_trips_through_its_pattern_alone(signal_type: str) -> None:
    """A consumer that drops Basira's extension still gets the same canonical signal from the pattern."""
    value = default_registry().validate(signal_type, SAMPLES[signal_type])
    obj = stix.indicator(stix.SignalRecord(signal_type, value), _meta())
    del obj["extensions"]
    assert stix.records_of(obj) == [stix.SignalRecord(signal_type, value)]


@pytest.mark.parametrize(("signal_type", "pattern"), [
    ("md5", "[file:hashes.MD5 = 'd41d8cd98f00b204e9800998ecf8427e']"),
    ("sha256", "[file:hashes.'SHA-256' = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855']"),
    ("url", "[url:value = 'https://example.org/path/to']"),
    ("url_prefix", "[url:value LIKE 'https://example.org/channel%']"),
    ("domain", "[domain-name:value = 'propaganda.example.net']"),
    ("uas_id", "[x-basira-signal:signal_type = 'uas_id' AND x-basira-signal:value = '1596F123456789ABCDE']"),
])
def test_patterns_use_the_standard_observable_where_stix_has_one(signal_type: str, pattern: str) -> None:
    value = default_registry().validate(signal_type, SAMPLES[signal_type])
    assert stix.pattern_for(signal_type, value) == pattern


def test_quotes_and_backslashes_in_a_value_survive_the_pattern() -> None:
    obj = stix.indicator(stix.SignalRecord("name", "O'Brien \\ Co"), _meta())
    del obj["extensions"]
    stix2.parse(obj)
    assert stix.records_of(obj)[0].value == "O'Brien \\ Co"


def test_an_indicator_from_another_tool_with_or_gives_each_value() -> None:
    obj = {"type": "indicator", "pattern_type": "stix",
           "pattern": "[file:hashes.MD5 = 'd41d8cd98f00b204e9800998ecf8427e'] OR [domain-name:value = 'a.example']"}
    assert {(r.signal_type, r.value) for r in stix.records_of(obj)} == {
        ("md5", "d41d8cd98f00b204e9800998ecf8427e"), ("domain", "a.example")}


@pytest.mark.parametrize("pattern", [
    "[ipv4-addr:value = '198.51.100.1']",  # an observable Basira has no signal type for
    "[file:hashes.MD5 = ",  # not a pattern
    "[file:size > 10]",
])
def test_an_indicator_basira_cannot_read_is_refused_with_a_reason(pattern: str) -> None:
    with pytest.raises(InvalidInput):
        stix.records_of({"type": "indicator", "pattern_type": "stix", "pattern": pattern})


def test_a_revoked_indicator_is_a_valid_new_version() -> None:
    later = NOW + dt.timedelta(minutes=5)
    obj = stix.indicator(stix.SignalRecord("md5", "0" * 32), _meta(modified=later, revoked=True))
    parsed = stix2.parse(obj)
    assert parsed.revoked is True
    assert parsed.modified > parsed.created


def test_the_tlp_markings_are_the_published_ones() -> None:
    for tlp, sid in TLP2_IDS.items():
        md = stix2.parse(marking_definition(tlp))
        assert md.id == sid and md.name == f"TLP:{tlp.value}"
    assert tlp_of([TLP2_IDS[TLP.GREEN], TLP2_IDS[TLP.AMBER_STRICT]]) == TLP.AMBER_STRICT
    assert tlp_of([str(stix2.TLP_WHITE.id)]) == TLP.CLEAR and str(stix2.TLP_RED.id) in TLP1_IDS
    assert tlp_of(["marking-definition--00000000-0000-4000-8000-000000000000"]) is None
    assert stricter(TLP.RED, TLP.AMBER_STRICT) and not stricter(TLP.GREEN, TLP.AMBER)


def test_the_extension_definition_and_its_author_are_valid_stix() -> None:
    ext = stix2.parse(stix.extension_definition())
    assert ext.id == stix.SIGNAL_EXTENSION_ID and ext.extension_types == ["property-extension"]
    assert stix2.parse(stix.basira_identity()).id == ext.created_by_ref


def test_opinions_sightings_and_drone_sightings_are_valid_stix(instance: Instance, admin: Principal) -> None:
    make_bank(instance, admin, "b", "GREEN", {"uas_id": SAMPLES["uas_id"]})
    with instance.db.session() as s:
        sig = s.query(Signal).one()
        op = Opinion(org_id=admin.org_id, signal_id=sig.id, kind="false_positive", note="a toy drone",
                     created_at=NOW, updated_at=NOW, id=7)
        match = Match(id=3, item_id=1, org_id=admin.org_id, signal_id=sig.id, bank_id=sig.bank_id, entry_id=1,
                      signal_type="uas_id", query_value="x", distance=0.0, created_at=NOW)
    opinion = stix2.parse(export.opinion_object(NS, op))
    assert opinion.opinion == "disagree" and opinion.object_refs == [export.signal_stix_id(NS, sig.id)]
    sighting = stix2.parse(export.match_sighting(NS, match))
    assert sighting.sighting_of_ref == export.signal_stix_id(NS, sig.id)
    drone = export.DroneSighting("alert-9", sig.id, admin.org_id, NOW, 48.85, 2.35, 120.0, "sensor-1")
    parsed = stix2.parse(export.drone_sighting(NS, drone))
    assert parsed.extensions[stix.SIGNAL_EXTENSION_ID]["drone"]["latitude"] == 48.85


def test_a_bank_exports_as_a_stream_of_valid_objects(instance: Instance, admin: Principal) -> None:
    bank_id = make_bank(instance, admin, "all types", "AMBER", SAMPLES)
    with instance.db.session() as s:
        chunks = export.bank_bundle(s, admin, "secret", bank_id)
        assert inspect.isgenerator(chunks)
        bundle = json.loads("".join(chunks))
    parsed = stix2.parse(bundle, allow_custom=False)
    indicators = [o for o in parsed.objects if o.type == "indicator"]
    got = {(r.signal_type, r.value) for o in indicators for r in stix.records_of(json.loads(o.serialize()))}
    assert got == {(t, canonical(instance, t)) for t in SAMPLES}
    assert all(o.object_marking_refs == [TLP2_IDS[TLP.AMBER]] for o in indicators)


def test_a_disabled_signal_exports_as_revoked(instance: Instance, admin: Principal) -> None:
    bank_id = make_bank(instance, admin, "b", "GREEN", {"md5": SAMPLES["md5"]})
    with instance.db.session() as s:
        sig = s.query(Signal).one()
        banks.set_signal_enabled(s, admin, sig.id, False)
    with instance.db.session() as s:
        [obj] = [json.loads(c.strip(",\n")) for c in export.bank_bundle(s, admin, "k", bank_id)
                 if '"indicator"' in c]
    assert obj["revoked"] is True


def test_a_red_bank_never_exports(instance: Instance, admin: Principal) -> None:
    from basira.core.errors import PermissionDenied

    bank_id = make_bank(instance, admin, "b", "RED", {"md5": SAMPLES["md5"]})
    with instance.db.session() as s, pytest.raises(PermissionDenied):
        export.bank_bundle(s, admin, "k", bank_id)


def test_bad_timestamps_are_refused() -> None:
    for bad in ["2026-12-06", 5, "2026-13-45T00:00:00Z", "x" * 30 + "Z"]:
        with pytest.raises(InvalidInput):
            stix.parse_timestamp(bad)
    assert stix.timestamp(stix.parse_timestamp("2026-12-06T06:00:00.123456Z")) == "2026-12-06T06:00:00.123Z"

"""Objects from outside into a bank: hostile objects are refused one by one with a reason, the others are taken;
replayed and older versions change nothing; revocations disable; markings stricter than the bank are refused."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select
from tests.sharing.helpers import SAMPLES, canonical, make_bank

from basira.core.errors import InvalidInput
from basira.core.instance import Instance
from basira.core.models import TLP, Bank, Signal
from basira.core.principal import Principal
from basira.sharing import ingest, stix
from basira.sharing.markings import TLP2_IDS

T0 = dt.datetime(2026, 12, 1, tzinfo=dt.UTC)


def indicator(signal_type: str, value: str, *, sid: str | None = None, minutes: int = 0, revoked: bool = False,
              tlp: TLP = TLP.GREEN) -> dict[str, Any]:
    meta = stix.IndicatorMeta(sid or f"indicator--{uuid.uuid4()}", T0, T0 + dt.timedelta(minutes=minutes),
                              (TLP2_IDS[tlp],), revoked=revoked)
    return stix.indicator(stix.SignalRecord(signal_type, value), meta)


def take(inst: Instance, who: Principal, bank_id: int, objects: list[Any]) -> ingest.IngestReport:
    with inst.db.session() as s:
        bank = s.get(Bank, bank_id)
        assert bank is not None
        return ingest.apply_objects(s, inst, ingest.Target(bank, who, source="test"), objects)


def enabled_values(inst: Instance, bank_id: int) -> set[tuple[str, str]]:
    with inst.db.session() as s:
        rows = s.execute(select(Signal.signal_type, Signal.value).where(Signal.bank_id == bank_id,
                                                                         Signal.enabled.is_(True))).all()
    return {(t, v) for t, v in rows}


@pytest.fixture
def bank_id(instance: Instance, admin: Principal) -> int:
    return make_bank(instance, admin, "received", "AMBER")


def test_good_objects_are_taken_beside_bad_ones(instance: Instance, admin: Principal, bank_id: int) -> None:
    good = indicator("md5", canonical(instance, "md5"))
    bad: list[Any] = [
        "not an object",
        {"type": "indicator"},  # no id
        {**good, "id": "indicator--not-a-uuid"},
        {**good, "type": "malware"},  # type does not match the id
        {**good, "id": f"indicator--{uuid.uuid4()}", "created": 12},  # wrong type of a property
        {**good, "id": f"indicator--{uuid.uuid4()}", "pattern": "[file:hashes.MD5 = "},
        # a valid pattern that says something else than the extension: other consumers would read another value
        {**good, "id": f"indicator--{uuid.uuid4()}", "pattern": f"[file:hashes.MD5 = '{'0' * 32}']"},
        {**good, "id": f"indicator--{uuid.uuid4()}", "spec_version": "2.0"},
        {**good, "id": f"indicator--{uuid.uuid4()}", "revoked": "yes"},
        indicator("no_such_type", "x"),
        indicator("md5", "not hex"),
    ]
    report = take(instance, admin, bank_id, [*bad, good])
    assert report.successes == [(good["id"], good["modified"])]
    assert len(report.failures) == len(bad)
    assert all(reason for _, _, reason in report.failures)
    assert enabled_values(instance, bank_id) == {("md5", canonical(instance, "md5"))}


def test_objects_without_signals_are_ignored(instance: Instance, admin: Principal, bank_id: int) -> None:
    report = take(instance, admin, bank_id, [stix.extension_definition(), stix.basira_identity()])
    assert len(report.ignored) == 2 and not report.failures


def test_deeply_nested_objects_are_refused(instance: Instance, admin: Principal, bank_id: int) -> None:
    obj = indicator("md5", canonical(instance, "md5"))
    nest: Any = "x"
    for _ in range(100):
        nest = {"n": nest}
    obj["x_deep"] = nest
    report = take(instance, admin, bank_id, [obj])
    assert "nests deeper" in report.failures[0][2]


def test_a_huge_or_very_deep_bundle_is_refused_before_parsing() -> None:
    with pytest.raises(InvalidInput, match="over the limit"):
        ingest.parse_json(b" " * 2048, 1024)
    with pytest.raises(InvalidInput, match="nests too deeply"):
        ingest.parse_json(b"[" * 200_000 + b"]" * 200_000, 10**7)
    with pytest.raises(InvalidInput, match="not JSON"):
        ingest.parse_json(b"\xff\xfe garbage", 1024)
    with pytest.raises(InvalidInput):
        ingest.objects_of({"objects": {"not": "a list"}})


def test_a_replayed_or_older_version_changes_nothing(instance: Instance, admin: Principal, bank_id: int) -> None:
    sid = f"indicator--{uuid.uuid4()}"
    value = canonical(instance, "domain")
    take(instance, admin, bank_id, [indicator("domain", value, sid=sid, minutes=10, revoked=True)])
    report = take(instance, admin, bank_id, [indicator("domain", value, sid=sid, minutes=5)])  # arrives late
    assert report.ignored and not report.successes
    assert enabled_values(instance, bank_id) == set()
    again = take(instance, admin, bank_id, [indicator("domain", value, sid=sid, minutes=10, revoked=True)])
    assert again.ignored and not again.successes


def test_a_revocation_disables_the_signal_and_a_newer_version_brings_it_back(
        instance: Instance, admin: Principal, bank_id: int) -> None:
    sid = f"indicator--{uuid.uuid4()}"
    value = canonical(instance, "uas_id")
    take(instance, admin, bank_id, [indicator("uas_id", value, sid=sid)])
    assert enabled_values(instance, bank_id) == {("uas_id", value)}
    report = take(instance, admin, bank_id, [indicator("uas_id", value, sid=sid, minutes=1, revoked=True)])
    assert report.revoked == 1 and enabled_values(instance, bank_id) == set()
    take(instance, admin, bank_id, [indicator("uas_id", value, sid=sid, minutes=2)])
    assert enabled_values(instance, bank_id) == {("uas_id", value)}


def test_a_marking_stricter_than_the_bank_is_refused(instance: Instance, admin: Principal, bank_id: int) -> None:
    report = take(instance, admin, bank_id, [indicator("md5", canonical(instance, "md5"), tlp=TLP.RED),
                                             indicator("sha256", canonical(instance, "sha256"), tlp=TLP.AMBER_STRICT)])
    assert [r for _, _, r in report.failures] == ["marked TLP:RED, stricter than the bank's TLP:AMBER",
                                                  "marked TLP:AMBER+STRICT, stricter than the bank's TLP:AMBER"]
    assert enabled_values(instance, bank_id) == set()


def test_objects_cannot_be_written_into_another_organizations_bank(instance: Instance, admin: Principal) -> None:
    from tests.sharing.helpers import make_org

    from basira.core.errors import NotFound

    other, _ = make_org(instance, "other")
    theirs = make_bank(instance, other, "theirs", "GREEN")
    with pytest.raises(NotFound):
        take(instance, admin, theirs, [indicator("md5", canonical(instance, "md5"))])
    assert enabled_values(instance, theirs) == set()


@given(st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=20),
                    lambda kids: st.lists(kids, max_size=4) | st.dictionaries(st.text(max_size=8), kids, max_size=4),
                    max_leaves=30))
def test_any_json_value_as_an_object_is_refused_or_ignored_never_raised(value: Any) -> None:
    report = ingest.IngestReport()
    try:
        ingest.check_object(value)
    except InvalidInput as e:
        report.failures.append(("", "", e.detail))
    json.dumps(value)  # the strategy only makes JSON values


@given(st.text(max_size=300))
def test_any_text_as_a_pattern_is_read_or_refused_with_a_reason(pattern: str) -> None:
    try:
        records = stix.records_of({"type": "indicator", "pattern_type": "stix", "pattern": pattern})
    except InvalidInput:
        return
    assert records


def test_every_signal_type_is_taken_from_its_indicator(instance: Instance, admin: Principal, bank_id: int) -> None:
    objs = [indicator(t, canonical(instance, t)) for t in SAMPLES]
    report = take(instance, admin, bank_id, objs)
    assert not report.failures
    assert enabled_values(instance, bank_id) == {(t, canonical(instance, t)) for t in SAMPLES}


def test_an_object_added_and_revoked_in_one_page_ends_revoked(instance: Instance, admin: Principal,
                                                              bank_id: int) -> None:
    sid = f"indicator--{uuid.uuid4()}"
    value = canonical(instance, "pdq")
    report = take(instance, admin, bank_id, [indicator("pdq", value, sid=sid, minutes=1),
                                             indicator("pdq", value, sid=sid, minutes=2, revoked=True),
                                             indicator("md5", canonical(instance, "md5"))])
    assert len(report.successes) == 3 and report.added == 1
    assert enabled_values(instance, bank_id) == {("md5", canonical(instance, "md5"))}

"""MISP feed export: the files MISP reads, the marking and distribution, and who may export what."""

from __future__ import annotations

import hashlib
import json
import time
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pymisp import MISPEvent
from pymisp.tools import feed_meta_generator

from basira.core import banks
from basira.core.errors import NotFound, PermissionDenied
from basira.core.instance import Instance
from basira.core.principal import Principal
from basira.sharing.misp import PDQ_COMMENT, export_feed, uuid5

from .conftest import EVERY_TYPE, PDQ, WALLET


def _export(instance: Instance, principal: Principal, bank_id: int, folder: Path,
            partner: str | None = None) -> dict[str, object]:
    with instance.db.session() as s:
        report = export_feed(s, principal, bank_id, folder, partner=partner)
    return {"uuid": report.event_uuid, "attributes": report.attributes, "objects": report.objects,
            "skipped": report.skipped}


def _event(folder: Path, uid: object) -> dict[str, object]:
    doc: dict[str, object] = json.loads((folder / f"{uid}.json").read_text())
    event = doc["Event"]
    assert isinstance(event, dict)
    return event


def test_export_writes_manifest_hashes_and_one_event_for_the_bank(
        instance: Instance, admin: Principal, bank_with: Callable[..., int], tmp_path: Path) -> None:
    bank_id = bank_with(admin, "Crisis 2027", "GREEN", EVERY_TYPE)
    report = _export(instance, admin, bank_id, tmp_path / "feed")
    uid = report["uuid"]
    manifest = json.loads((tmp_path / "feed" / "manifest.json").read_text())
    assert list(manifest) == [uid]
    assert manifest[uid]["Tag"][0]["name"] == "tlp:green"
    assert manifest[uid]["Orgc"]["name"] == "Acme Platform"
    event = _event(tmp_path / "feed", uid)
    assert event["distribution"] == "1"  # GREEN stays in the receiving community
    types = {a["type"]: a for a in event["Attribute"]}  # type: ignore[union-attr]
    assert set(types) == {"md5", "sha256", "url", "domain", "hex"}
    assert types["hex"]["value"] == PDQ and types["hex"]["comment"] == PDQ_COMMENT
    assert {"name": 'basira:signal-type="pdq"'} in types["hex"]["Tag"]
    assert {"name": 'basira:label="crisis-2027"'} in types["hex"]["Tag"]
    (wallet,) = event["Object"]  # type: ignore[misc]
    assert wallet["name"] == "coin-address"
    assert {(a["object_relation"], a["value"]) for a in wallet["Attribute"]} == {("address", WALLET),
                                                                                ("symbol", "BTC")}
    assert report["skipped"] == {"name": 1}  # a listed name has no MISP attribute type
    every_value = [a["value"] for a in event["Attribute"]] + [a["value"] for a in wallet["Attribute"]]  # type: ignore
    expected = {f"{hashlib.md5(v.encode()).hexdigest()},{uid}" for v in every_value}
    assert set((tmp_path / "feed" / "hashes.csv").read_text().splitlines()) == expected


def test_pymisp_reads_the_event_and_rebuilds_the_same_manifest_and_hashes(
        instance: Instance, admin: Principal, bank_with: Callable[..., int], tmp_path: Path) -> None:
    bank_id = bank_with(admin, "Crisis 2027", "CLEAR", EVERY_TYPE)
    uid = _export(instance, admin, bank_id, tmp_path / "ours")["uuid"]
    event = MISPEvent()
    event.load_file(str(tmp_path / "ours" / f"{uid}.json"))
    assert event.uuid == uid
    assert sorted(a.type for a in event.attributes) == ["domain", "hex", "md5", "sha256", "url"]
    assert [o.name for o in event.objects] == ["coin-address"]
    assert [t.name for t in event.tags] == ["tlp:clear"]
    # PyMISP's own feed generator, run on our event file, must write the manifest and hashes we wrote.
    theirs = tmp_path / "theirs"
    theirs.mkdir()
    (theirs / f"{uid}.json").write_bytes((tmp_path / "ours" / f"{uid}.json").read_bytes())
    feed_meta_generator(theirs)
    ours = set((tmp_path / "ours" / "hashes.csv").read_text().split())
    assert set((theirs / "hashes.csv").read_text().split()) == ours
    their_manifest = json.loads((theirs / "manifest.json").read_text())
    our_manifest = json.loads((tmp_path / "ours" / "manifest.json").read_text())
    assert set(their_manifest) == set(our_manifest)
    assert int(their_manifest[uid]["timestamp"]) == int(our_manifest[uid]["timestamp"])
    assert set(their_manifest[uid]) <= set(our_manifest[uid]) | {"uuid"}, their_manifest[uid]


@pytest.mark.parametrize(("tlp", "tag", "distribution"), [
    ("CLEAR", "tlp:clear", "3"),  # all communities
    ("GREEN", "tlp:green", "1"),  # the receiving community only
])
def test_clear_and_green_banks_carry_their_tag_and_distribution(
        instance: Instance, admin: Principal, bank_with: Callable[..., int], tmp_path: Path,
        tlp: str, tag: str, distribution: str) -> None:
    bank_id = bank_with(admin, "b", tlp, EVERY_TYPE[:1])
    event = _event(tmp_path, _export(instance, admin, bank_id, tmp_path)["uuid"])
    assert event["Tag"] == [{"name": tag, "colour": event["Tag"][0]["colour"], "exportable": True}]  # type: ignore
    assert event["distribution"] == distribution


def test_a_red_bank_is_never_exported(instance: Instance, admin: Principal, bank_with: Callable[..., int],
                                      tmp_path: Path) -> None:
    bank_id = bank_with(admin, "secret", "RED", EVERY_TYPE[:1])
    with pytest.raises(PermissionDenied, match="RED"):
        _export(instance, admin, bank_id, tmp_path / "feed")
    assert not (tmp_path / "feed").exists()


@pytest.mark.parametrize("tlp", ["AMBER", "AMBER+STRICT"])
def test_an_amber_bank_goes_only_to_a_named_partner_it_is_shared_with(
        instance: Instance, admin: Principal, partner: Principal, bank_with: Callable[..., int], tmp_path: Path,
        tlp: str) -> None:
    bank_id = bank_with(admin, "amber", tlp, EVERY_TYPE[:1])
    with pytest.raises(PermissionDenied, match="named partner"):
        _export(instance, admin, bank_id, tmp_path / "a")
    with pytest.raises(PermissionDenied, match="not shared"):
        _export(instance, admin, bank_id, tmp_path / "b", partner="partner")
    with instance.db.session() as s:
        banks.share_bank(s, admin, bank_id, org="partner")
    event = _event(tmp_path / "c", _export(instance, admin, bank_id, tmp_path / "c", partner="partner")["uuid"])
    assert event["Tag"][0]["name"] == f"tlp:{tlp.lower()}"  # type: ignore[index]
    assert event["distribution"] == "0"  # the receiving organization only


def test_an_amber_strict_bank_is_never_passed_on_by_the_organization_it_is_shared_with(
        instance: Instance, admin: Principal, partner: Principal, bank_with: Callable[..., int],
        tmp_path: Path) -> None:
    bank_id = bank_with(admin, "strict", "AMBER+STRICT", EVERY_TYPE[:1])
    with instance.db.session() as s:
        banks.share_bank(s, admin, bank_id, org="partner")
    # Match-only for the partner (issue 21): it cannot even read the bank, let alone pass it on.
    with pytest.raises(NotFound, match="no bank"):
        _export(instance, partner, bank_id, tmp_path, partner="acme")


def test_disabled_signals_leave_the_feed_and_the_event_keeps_its_uuid_with_a_newer_timestamp(
        instance: Instance, admin: Principal, bank_with: Callable[..., int], tmp_path: Path) -> None:
    bank_id = bank_with(admin, "b", "CLEAR", EVERY_TYPE[:2])
    first = _export(instance, admin, bank_id, tmp_path)
    stamp = json.loads((tmp_path / "manifest.json").read_text())[first["uuid"]]["timestamp"]
    with instance.db.session() as s:
        md5 = next(sig for sig, _ in banks.list_signals(s, admin, bank_id) if sig.signal_type == "md5")
        time.sleep(1.1)  # MISP timestamps count whole seconds
        banks.set_signal_enabled(s, admin, md5.id, False)
    second = _export(instance, admin, bank_id, tmp_path)
    assert second["uuid"] == first["uuid"] and second["attributes"] == 1
    assert int(json.loads((tmp_path / "manifest.json").read_text())[second["uuid"]]["timestamp"]) > int(stamp)


@given(st.uuids(), st.text(max_size=50))
def test_the_fast_uuid5_equals_the_standard_one(namespace: uuid.UUID, name: str) -> None:
    assert uuid5(namespace, name) == str(uuid.uuid5(namespace, name))

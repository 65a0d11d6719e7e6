"""MISP feed import: a real-shaped feed, round trips, deltas, feeds over HTTP, and hostile feeds."""

from __future__ import annotations

import json
import shutil
import threading
import time
from collections.abc import Callable, Iterator
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from basira.core import banks
from basira.core.errors import BasiraError, ContentTooLarge, InvalidInput, NotFound, PermissionDenied
from basira.core.instance import Instance
from basira.core.models import TLP
from basira.core.principal import Principal
from basira.sharing.misp import export_feed, org_uuid
from basira.sharing.misp_feed import FeedReport, _EventReader, import_feed
from basira.sharing.misp_source import open_source

from .conftest import EVERY_TYPE, MD5, SHA256, WALLET

FIXTURE = Path(__file__).resolve().parents[1] / "data" / "misp_feed"
EVENT = "5b7c4a52-9e3c-4f1a-8d5e-2f0e6c1a7b90"
FIXTURE_VALUES = {
    ("url", "https://files.example.net/drop/video.html"),
    ("domain", "mirror.example.org"),
    ("md5", "d41d8cd98f00b204e9800998ecf8427e"),  # from filename|md5, upper-case in the feed
    ("md5", MD5),
    ("sha256", SHA256),
    ("crypto_address", WALLET),
}


def _import(instance: Instance, principal: Principal, bank: int | str, location: str,
            **limits: Any) -> FeedReport:
    with instance.db.session() as s:
        return import_feed(s, principal, instance.registry, instance.settings, bank,
                           open_source(location, **limits))


def _copy_fixture(tmp_path: Path) -> Path:
    target = tmp_path / "feed"
    shutil.copytree(FIXTURE, target)
    return target


def _edit_event(folder: Path, uid: str, change: Callable[[dict[str, Any]], None]) -> None:
    path = folder / f"{uid}.json"
    doc = json.loads(path.read_text())
    change(doc["Event"])
    path.write_text(json.dumps(doc))


def test_a_feed_shaped_like_misp_output_fills_the_bank(
        instance: Instance, admin: Principal, bank_with: Callable[..., int],
        values: Callable[[Instance, int], set[tuple[str, str]]]) -> None:
    bank_id = bank_with(admin, "Partner feed", "CLEAR")
    report = _import(instance, admin, bank_id, str(FIXTURE))
    assert values(instance, bank_id) == FIXTURE_VALUES
    assert (report.events, report.added, report.disabled, report.rejected) == (1, 6, 0, 0)
    # An IP address, a file name and a coin symbol have no signal type: counted, not imported.
    assert report.skipped_types == {"ip-dst": 1, "filename": 1}


def test_a_reimport_adds_nothing(instance: Instance, admin: Principal, bank_with: Callable[..., int]) -> None:
    bank_id = bank_with(admin, "Partner feed", "CLEAR")
    _import(instance, admin, bank_id, str(FIXTURE))
    again = _import(instance, admin, bank_id, str(FIXTURE))
    assert (again.added, again.disabled, again.unchanged) == (0, 0, 6)


def test_attributes_removed_or_deleted_in_the_feed_are_disabled_and_come_back_when_restored(
        instance: Instance, admin: Principal, bank_with: Callable[..., int], tmp_path: Path,
        values: Callable[[Instance, int], set[tuple[str, str]]]) -> None:
    bank_id = bank_with(admin, "Partner feed", "CLEAR", [("md5", "0" * 32)])  # added by hand, not from the feed
    feed = _copy_fixture(tmp_path)
    _import(instance, admin, bank_id, str(feed))

    def drop_url_delete_domain(event: dict[str, Any]) -> None:
        event["Attribute"] = [a for a in event["Attribute"] if a["type"] != "url"]
        next(a for a in event["Attribute"] if a["type"] == "domain")["deleted"] = True

    _edit_event(feed, EVENT, drop_url_delete_domain)
    report = _import(instance, admin, bank_id, str(feed))
    assert (report.added, report.disabled) == (0, 2)
    assert values(instance, bank_id) == (FIXTURE_VALUES - {("url", "https://files.example.net/drop/video.html"),
                                                            ("domain", "mirror.example.org")}) | {("md5", "0" * 32)}
    restored = _import(instance, admin, bank_id, str(FIXTURE))
    assert (restored.added, restored.disabled) == (2, 0)
    assert values(instance, bank_id) == FIXTURE_VALUES | {("md5", "0" * 32)}


def test_what_one_bank_exports_another_organization_imports_unchanged(
        instance: Instance, admin: Principal, partner: Principal, bank_with: Callable[..., int], tmp_path: Path,
        values: Callable[[Instance, int], set[tuple[str, str]]]) -> None:
    source = bank_with(admin, "Crisis 2027", "GREEN", EVERY_TYPE)
    with instance.db.session() as s:
        export_feed(s, admin, source, tmp_path / "feed")
    target = bank_with(partner, "From Acme", "GREEN")
    report = _import(instance, partner, target, str(tmp_path / "feed"))
    assert values(instance, target) == {(t, v) for t, v, _ in EVERY_TYPE if t != "name"}
    assert report.rejected == 0 and report.added == 6
    with instance.db.session() as s:
        labels = {sig.signal_type: sig.labels for sig, _ in banks.list_signals(s, partner, target)}
    assert labels["pdq"] == ["crisis-2027", "photo"]


class _FeedHandler(SimpleHTTPRequestHandler):
    """Serves a feed folder; ``/slow/`` answers late and ``/endless/`` sends a body without end or length."""

    def do_GET(self) -> None:
        if self.path.startswith("/slow/"):
            time.sleep(1.5)
        if self.path.startswith("/endless/"):
            self.send_response(200)
            self.end_headers()
            try:
                for _ in range(10_000):
                    self.wfile.write(b"[" * 4096)
            except OSError:
                pass
            return
        self.path = self.path.replace("/slow/", "/", 1)
        super().do_GET()

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def feed_server(tmp_path: Path) -> Iterator[str]:
    folder = _copy_fixture(tmp_path)
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(_FeedHandler, directory=str(folder)))
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_a_feed_is_imported_from_an_http_url(
        instance: Instance, admin: Principal, bank_with: Callable[..., int], feed_server: str,
        values: Callable[[Instance, int], set[tuple[str, str]]]) -> None:
    bank_id = bank_with(admin, "Partner feed", "CLEAR")
    _import(instance, admin, bank_id, feed_server + "/")
    assert values(instance, bank_id) == FIXTURE_VALUES


@pytest.mark.parametrize(("path", "limits", "error", "reason"), [
    ("/missing/", {}, InvalidInput, "HTTP 404"),
    ("/slow/", {"timeout_s": 0.3}, InvalidInput, "did not answer"),
    ("/endless/", {"max_bytes": 100_000}, ContentTooLarge, "over the limit"),
])
def test_an_http_feed_that_fails_leaves_the_bank_as_it_was(
        instance: Instance, admin: Principal, bank_with: Callable[..., int], feed_server: str,
        values: Callable[[Instance, int], set[tuple[str, str]]], path: str, limits: dict[str, Any],
        error: type[BasiraError], reason: str) -> None:
    bank_id = bank_with(admin, "Partner feed", "CLEAR", [("md5", "0" * 32)])
    with pytest.raises(error, match=reason):
        _import(instance, admin, bank_id, feed_server + path, **limits)
    assert values(instance, bank_id) == {("md5", "0" * 32)}


def _broken_manifest(feed: Path) -> None:
    (feed / "manifest.json").write_text('{"5b7c4a52-9e3c-4f1a-8d5e-2f0e6c1a7b90": {')


def _broken_event(feed: Path) -> None:
    (feed / f"{EVENT}.json").write_text('{"Event": {"uuid": "' + EVENT + '", "Attribute": [}}')


def _attribute_not_a_list(feed: Path) -> None:
    _edit_event(feed, EVENT, lambda e: e.update(Attribute={"type": "md5"}))


def _other_event_uuid(feed: Path) -> None:
    _edit_event(feed, EVENT, lambda e: e.update(uuid="00000000-0000-4000-8000-000000000000"))


def _path_in_manifest(feed: Path) -> None:
    (feed / "manifest.json").write_text('{"../../etc/passwd": {}}')


def _manifest_a_list(feed: Path) -> None:
    (feed / "manifest.json").write_text("[1, 2, 3]")


def _not_utf8(feed: Path) -> None:
    (feed / "manifest.json").write_bytes(b'{"\xff\xfe": 1}')


def _deep_nesting(feed: Path) -> None:
    (feed / "manifest.json").write_text("[" * 100_000 + "]" * 100_000)


@pytest.mark.parametrize("damage", [_broken_manifest, _broken_event, _attribute_not_a_list, _other_event_uuid,
                                    _path_in_manifest, _manifest_a_list, _not_utf8, _deep_nesting])
def test_a_malformed_feed_is_refused_before_anything_is_written(
        instance: Instance, admin: Principal, bank_with: Callable[..., int], tmp_path: Path,
        values: Callable[[Instance, int], set[tuple[str, str]]], damage: Callable[[Path], None]) -> None:
    bank_id = bank_with(admin, "Partner feed", "CLEAR")
    feed = _copy_fixture(tmp_path)
    _import(instance, admin, bank_id, str(feed))
    damage(feed)
    with pytest.raises(InvalidInput, match="not a MISP feed"):
        _import(instance, admin, bank_id, str(feed))
    assert values(instance, bank_id) == FIXTURE_VALUES


def test_a_file_over_the_size_limit_is_refused(instance: Instance, admin: Principal,
                                               bank_with: Callable[..., int]) -> None:
    bank_id = bank_with(admin, "Partner feed", "CLEAR")
    with pytest.raises(ContentTooLarge, match="over the limit of 2000 bytes"):
        _import(instance, admin, bank_id, str(FIXTURE), max_bytes=2000)


def test_values_of_the_wrong_type_are_rejected_one_by_one(
        instance: Instance, admin: Principal, bank_with: Callable[..., int], tmp_path: Path,
        values: Callable[[Instance, int], set[tuple[str, str]]]) -> None:
    feed = _copy_fixture(tmp_path)

    def spoil(event: dict[str, Any]) -> None:
        event["Attribute"][0]["value"] = 12345  # the url: a number
        event["Attribute"][1]["value"] = "not a domain at all"
        event["Attribute"].append("a string where an attribute belongs")

    _edit_event(feed, EVENT, spoil)
    bank_id = bank_with(admin, "Partner feed", "CLEAR")
    report = _import(instance, admin, bank_id, str(feed))
    assert report.rejected == 3 and len(report.reasons) == 3
    assert values(instance, bank_id) == FIXTURE_VALUES - {("url", "https://files.example.net/drop/video.html"),
                                                          ("domain", "mirror.example.org")}


def test_an_event_marked_stricter_than_the_bank_stops_the_import(
        instance: Instance, admin: Principal, bank_with: Callable[..., int], tmp_path: Path,
        values: Callable[[Instance, int], set[tuple[str, str]]]) -> None:
    feed = _copy_fixture(tmp_path)
    _edit_event(feed, EVENT, lambda e: e.update(Tag=[{"name": "tlp:red"}]))
    bank_id = bank_with(admin, "Partner feed", "AMBER")
    with pytest.raises(PermissionDenied, match="stricter than the bank's AMBER"):
        _import(instance, admin, bank_id, str(feed))
    assert values(instance, bank_id) == set()
    red = bank_with(admin, "Red feed", "RED")
    _import(instance, admin, red, str(feed))
    assert values(instance, red) == FIXTURE_VALUES


def test_an_attribute_marked_stricter_than_the_bank_stops_the_import(
        instance: Instance, admin: Principal, bank_with: Callable[..., int], tmp_path: Path) -> None:
    feed = _copy_fixture(tmp_path)
    _edit_event(feed, EVENT, lambda e: e["Attribute"][0].update(Tag=[{"name": "tlp:amber+strict"}]))
    bank_id = bank_with(admin, "Partner feed", "GREEN")
    with pytest.raises(PermissionDenied, match="AMBER\\+STRICT"):
        _import(instance, admin, bank_id, str(feed))


def test_an_event_claiming_another_organizations_bank_writes_only_into_the_callers_bank(
        instance: Instance, admin: Principal, partner: Principal, bank_with: Callable[..., int], tmp_path: Path,
        values: Callable[[Instance, int], set[tuple[str, str]]]) -> None:
    theirs = bank_with(partner, "Partner bank", "CLEAR", [("md5", "1" * 32)])
    feed = _copy_fixture(tmp_path)
    _edit_event(feed, EVENT, lambda e: e.update(
        Orgc={"name": "Partner NGO", "uuid": org_uuid("partner")},
        Tag=[{"name": "tlp:clear"}, {"name": f'basira:bank="{theirs}"'}, {"name": 'basira:bank="Partner bank"'}]))
    ours = bank_with(admin, "Ours", "CLEAR")
    _import(instance, admin, ours, str(feed))
    assert values(instance, ours) == FIXTURE_VALUES
    assert values(instance, theirs) == {("md5", "1" * 32)}
    # Naming the other organization's bank as the target is refused as if it did not exist.
    with pytest.raises(NotFound):
        _import(instance, admin, theirs, str(feed))
    assert values(instance, theirs) == {("md5", "1" * 32)}


def test_a_reviewer_may_not_import(instance: Instance, admin: Principal, bank_with: Callable[..., int]) -> None:
    from basira.core.models import Role
    from basira.core.principal import Principal as P

    bank_id = bank_with(admin, "Partner feed", "CLEAR")
    reviewer = P(org_id=admin.org_id, role=Role.REVIEWER, actor="r")
    with pytest.raises(PermissionDenied):
        _import(instance, reviewer, bank_id, str(FIXTURE))


def test_a_location_that_is_neither_a_folder_nor_an_http_url_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match="not a folder"):
        open_source(str(tmp_path / "nothing"))
    with pytest.raises(InvalidInput, match="http"):
        open_source("ftp://example.com/feed")


_json = st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=20),
                     lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner,
                                                                                 max_size=4), max_leaves=20)
_attribute = st.fixed_dictionaries({"uuid": st.uuids().map(str), "type": st.sampled_from(
    ["md5", "sha256", "url", "domain", "hex", "btc", "filename|md5", "ip-dst", "text"]), "value": _json},
    optional={"Tag": _json, "deleted": _json, "comment": _json})


@given(st.fixed_dictionaries({}, optional={"Attribute": st.lists(_attribute | _json, max_size=5),
                                           "Object": st.lists(_json, max_size=3), "Tag": _json}))
def test_any_event_shape_gives_items_or_a_clear_error(event: dict[str, Any]) -> None:
    report = FeedReport(source="hypothesis")
    try:
        items = list(_EventReader(EVENT, TLP.RED, report).items(event))
    except InvalidInput as e:
        assert e.detail.startswith("not a MISP feed")
        return
    assert all(isinstance(i.value, str) for i in items)

"""``basira sharing``: add a feed, sync it from a peer with the CLI, see its status (errors included) and export a
bank as a STIX bundle; bad input ends in a message and an exit code."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from pathlib import Path

import stix2
from tests.sharing.live import Answer, Peer

from basira.core.models import TLP
from basira.sharing import stix
from basira.sharing.markings import TLP2_IDS

from .conftest import Cli

MD5 = "d41d8cd98f00b204e9800998ecf8427e"


def _setup(cli: Cli) -> None:
    cli.ok("org", "create", "acme", "--operator")
    cli.ok("bank", "create", "from partner", "--tlp", "AMBER")


def _indicator() -> dict[str, object]:
    now = dt.datetime.now(dt.UTC)
    meta = stix.IndicatorMeta(f"indicator--{uuid.uuid4()}", now, now, (TLP2_IDS[TLP.GREEN],))
    return stix.indicator(stix.SignalRecord("md5", MD5), meta)


def _add_feed(cli: Cli, peer: Peer) -> None:
    cli.env["BASIRA_FEED_SECRET"] = "partner-key"
    cli.ok("sharing", "feed", "add", "partner", "--api-root", peer.api_root, "--collection", peer.collection_id,
           "--bank", "from partner", "--interval", "60")


def test_a_feed_syncs_and_its_status_shows_the_checkpoint(cli: Cli) -> None:
    _setup(cli)
    with Peer([Answer.envelope([_indicator()], added_last="2026-12-06T06:00:00.000000Z")]) as peer:
        _add_feed(cli, peer)
        synced = cli.ok("sharing", "sync", "partner")
        assert peer.requests[0][1] == "Bearer partner-key"
    assert "1 added" in synced.output
    rows = json.loads(cli.ok("sharing", "status", "--json").output)
    assert (rows[0]["name"], rows[0]["checkpoint"], rows[0]["failures"], rows[0]["objects_received"]) == \
        ("partner", "2026-12-06T06:00:00.000Z", 0, 1)
    assert "partner" in cli.ok("sharing", "status").output
    exported = cli.ok("bank", "export", "from partner", "-o", str(cli.data_dir / "x.csv"))
    assert exported.exit_code == 0 and MD5 in (cli.data_dir / "x.csv").read_text()


def test_a_failing_peer_gives_a_non_zero_exit_and_the_error_in_status(cli: Cli) -> None:
    _setup(cli)
    cli.env["BASIRA_SHARING_RETRIES"] = "1"
    with Peer([Answer(status=500, body=b"down")]) as peer:
        _add_feed(cli, peer)
        failed = cli("sharing", "sync")
    assert failed.exit_code == 69 and "HTTP 500" in failed.output
    assert "HTTP 500" in cli.ok("sharing", "status").output
    [row] = json.loads(cli.ok("sharing", "status", "--json").output)
    assert row["failures"] == 1 and row["last_sync_at"] and row["last_success_at"] is None


def test_a_feed_into_a_bank_that_is_not_the_organizations_is_refused(cli: Cli) -> None:
    cli.ok("org", "create", "acme", "--operator")
    cli.ok("org", "create", "other")
    cli.ok("bank", "create", "theirs", "--org", "other")
    r = cli("sharing", "feed", "add", "f", "--api-root", "https://peer.example/taxii2/api/", "--collection", "c",
            "--bank", "theirs", "--org", "acme")
    assert r.exit_code == 66 and "no bank" in r.output


def test_a_feed_with_a_bad_url_is_refused(cli: Cli) -> None:
    _setup(cli)
    r = cli("sharing", "feed", "add", "f", "--api-root", "file:///etc/passwd", "--collection", "c",
            "--bank", "from partner")
    assert r.exit_code == 65 and "http(s) URL" in r.output


def test_a_bank_exports_as_a_stix_bundle(cli: Cli, tmp_path: Path) -> None:
    _setup(cli)
    cli.ok("bank", "create", "mine", "--tlp", "GREEN")
    src = tmp_path / "in.csv"
    src.write_text(f"signal_type,signal_value\nmd5,{MD5}\ndomain,bad.example\n")
    cli.ok("bank", "import", "mine", str(src))
    out = tmp_path / "bundle.json"
    cli.ok("sharing", "export", "mine", "-o", str(out))
    bundle = stix2.parse(json.loads(out.read_text()))
    assert sorted(o.pattern for o in bundle.objects if o.type == "indicator") == [
        "[domain-name:value = 'bad.example']", f"[file:hashes.MD5 = '{MD5}']"]


def test_a_red_bank_does_not_export(cli: Cli) -> None:
    _setup(cli)
    cli.ok("bank", "create", "secret", "--tlp", "RED")
    r = cli("sharing", "export", "secret")
    assert r.exit_code == 77 and "do not leave the instance" in r.output


def test_removing_a_feed_stops_it(cli: Cli) -> None:
    _setup(cli)
    with Peer([Answer.envelope([])]) as peer:
        _add_feed(cli, peer)
    cli.ok("sharing", "feed", "remove", "partner")
    rows = json.loads(cli.ok("sharing", "status", "--json").output)
    assert rows[0]["enabled"] is False
    assert cli("sharing", "feed", "remove", "nope").exit_code == 66


def test_an_exchange_and_an_incident_through_the_cli(cli: Cli) -> None:
    from tests.sharing.test_exchanges import PDQ, TOKEN, FakeGraphApi, update

    _setup(cli)
    graph = FakeGraphApi()
    try:
        graph.updates = [update(1, "HASH_PDQ", PDQ, 1000)]
        cli.env["BASIRA_EXCHANGE_TOKEN"] = TOKEN
        cli.ok("sharing", "exchange", "add", "te", "--bank", "from partner", "--privacy-group", "4242",
               "--endpoint", graph.endpoint)
        assert "1 added" in cli.ok("sharing", "exchange", "sync", "te").output
        graph.script = [(200, b"not json")]
        failed = cli("sharing", "exchange", "sync", "te")
        assert failed.exit_code == 69 and "not JSON" in failed.output
    finally:
        graph.close()
    bad = cli("sharing", "exchange", "add", "te2", "--bank", "from partner", "--privacy-group", "abc")
    assert bad.exit_code != 0 and "privacy group is a number" in bad.output
    assert "declared" in cli.ok("sharing", "incident", "declare", "drill", "--bank", "from partner").output
    again = cli("sharing", "incident", "declare", "drill 2", "--bank", "from partner")
    assert again.exit_code != 0 and "already has an open incident" in again.output
    cli.env["BASIRA_PUSH_SECRET"] = "short"
    weak = cli("sharing", "incident", "subscribe", "bravo", "--url", "http://127.0.0.1:9/hook")
    assert weak.exit_code != 0 and "16-4,000 characters" in weak.output
    assert "closed: 0 signals added" in cli.ok("sharing", "incident", "close", "1", "--debrief", "drill over").output


def test_a_file_exchange_and_a_bundle_import_through_the_cli(cli: Cli, tmp_path: Path) -> None:
    _setup(cli)
    folder = cli.data_dir / "exchange-files"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "list.txt").write_text(f"pdq {'f' * 64}\nvideo_md5 {MD5}\n")
    out = cli.ok("sharing", "exchange", "add", "list", "--api", "file", "--file", "list.txt",
                 "--bank", "from partner").output
    assert "fetches file (list.txt)" in out
    assert "2 added" in cli.ok("sharing", "exchange", "sync", "list").output
    rows = json.loads(cli.ok("sharing", "exchange", "status", "--json").output)
    assert rows[0]["api"] == "file" and rows[0]["failures"] == 0 and rows[0]["fetched"] == 2
    missing = cli("sharing", "exchange", "add", "tat", "--api", "tat", "--bank", "from partner", "--user", "u")
    assert missing.exit_code != 0 and "needs username, password" in missing.output
    bundle = tmp_path / "bundle.json"
    bundle.write_text(json.dumps({"type": "bundle", "id": f"bundle--{uuid.uuid4()}",
                                  "objects": [_indicator(), {"type": "indicator", "id": "broken"}]}, indent=2))
    out = cli.ok("sharing", "import", "from partner", str(bundle)).output
    assert "2 objects in 1 pages: 1 signals added" in out and "1 refused" in out and "no valid STIX id" in out
    bundle.write_text('{"type": "bundle", "objects": [')
    cut = cli("sharing", "import", "from partner", str(bundle))
    assert cut.exit_code != 0 and "ends in the middle" in cut.output

"""The TAXII client against a scripted peer on loopback: what it takes, how it retries, and how a hostile or broken
peer ends in a clear error on the feed with the bank and the checkpoint as they were."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import pytest
from sqlalchemy import select
from tests.sharing.helpers import SAMPLES, make_bank, make_org
from tests.sharing.live import Answer, Peer

from basira.core.errors import ConfigurationError, NotFound
from basira.core.instance import Instance
from basira.core.models import TLP, Signal
from basira.core.principal import Principal
from basira.sharing import client, feeds, stix
from basira.sharing.markings import TLP2_IDS
from basira.sharing.models import TaxiiFeed

T0 = dt.datetime(2026, 12, 1, tzinfo=dt.UTC)
ADDED = "2026-12-01T10:00:00.000000Z"


def ind(signal_type: str, *, sid: str | None = None, minutes: int = 0, revoked: bool = False) -> dict[str, Any]:
    value = SAMPLES[signal_type] if signal_type != "md5" else SAMPLES["md5"].lower()
    meta = stix.IndicatorMeta(sid or f"indicator--{uuid.uuid4()}", T0, T0 + dt.timedelta(minutes=minutes),
                              (TLP2_IDS[TLP.GREEN],), revoked=revoked)
    return stix.indicator(stix.SignalRecord(signal_type, value), meta)


class Setup:
    def __init__(self, inst: Instance, peer: Peer) -> None:
        self.inst = inst
        self.owner, _ = make_org(inst, "receiver", operator=True)
        self.bank_id = make_bank(inst, self.owner, "from peer", "AMBER")
        with inst.db.session() as s:
            spec = feeds.FeedSpec("peer", peer.api_root, peer.collection_id, str(self.bank_id), secret="s3cret")
            self.feed_id = feeds.add_feed(s, self.owner, inst.secret_key, spec).id
        self.sleeps: list[float] = []

    def sync(self) -> client.SyncReport:
        return client.sync_feed(self.inst, self.feed_id, sleep=self.sleeps.append)

    def feed(self) -> TaxiiFeed:
        with self.inst.db.session() as s:
            f = s.get(TaxiiFeed, self.feed_id)
            assert f is not None
            return f

    def values(self) -> set[str]:
        with self.inst.db.session() as s:
            return set(s.scalars(select(Signal.signal_type).where(Signal.bank_id == self.bank_id,
                                                                   Signal.enabled.is_(True))))


def run(fast: Instance, answers: list[Answer]) -> tuple[Setup, client.SyncReport, Peer]:
    with Peer(answers) as peer:
        setup = Setup(fast, peer)
        return setup, setup.sync(), peer


def test_pages_are_taken_and_the_checkpoint_moves(fast: Instance) -> None:
    setup, report, peer = run(fast, [Answer.envelope([ind("md5")], more=True, next_="p2"),
                                     Answer.envelope([ind("domain")], added_last=ADDED)])
    assert report.error == "" and (report.pages, report.added) == (2, 2)
    assert setup.values() == {"md5", "domain"}
    feed = setup.feed()
    assert (feed.added_after, feed.next_cursor, feed.failures) == ("2026-12-01T10:00:00.000Z", None, 0)
    assert "next=p2" in peer.requests[1][0]
    assert peer.requests[0][1] == "Bearer s3cret"  # the stored secret, decrypted, as a Bearer key


def test_the_next_sync_starts_from_the_checkpoint_with_an_overlap(fast: Instance) -> None:
    with Peer([Answer.envelope([ind("md5")], added_last=ADDED)]) as peer:
        setup = Setup(fast, peer)
        setup.sync()
        setup.sync()
    assert "added_after=2026-12-01T09%3A59%3A55.000Z" in peer.requests[1][0]


@pytest.mark.parametrize(("answers", "reason"), [
    ([Answer(body=b"<html>oops</html>")], "not JSON"),
    ([Answer(body=b"[1, 2]")], "not a JSON object"),
    ([Answer(body={"objects": "everything"})], "objects are not a list"),
    ([Answer(body={"objects": []}, content_type="text/html")], "not TAXII 2.1 JSON"),
    ([Answer.envelope([], more=True)], "gives no next cursor"),
    ([Answer.envelope([], more=True, next_="x" * 600)], "next cursor is not text"),
    ([Answer(body=b"[" + b"0," * 150_000 + b"0]")], "over the limit"),
    ([Answer(body=b"[" * 50_000 + b"]" * 50_000)], "nests too deeply"),
    ([Answer(status=403, body=b"go away")], "HTTP 403"),
    ([Answer(body={"objects": []}, headers={"X-TAXII-Date-Added-Last": "last tuesday"})], "not a STIX timestamp"),
])
def test_a_broken_peer_ends_in_a_clear_error_and_changes_nothing(fast: Instance, answers: list[Answer],
                                                                 reason: str) -> None:
    setup, report, _ = run(fast, answers)
    assert reason in report.error
    feed = setup.feed()
    assert reason in feed.last_error and feed.failures == 1 and feed.added_after is None
    assert setup.values() == set()


def test_a_peer_that_loops_its_cursor_is_stopped_after_the_pages_it_gave(fast: Instance) -> None:
    setup, report, peer = run(fast, [Answer.envelope([ind("md5")], more=True, next_="A"),
                                     Answer.envelope([ind("domain")], more=True, next_="B"),
                                     Answer.envelope([ind("url")], more=True, next_="A")])
    assert "loops" in report.error and report.pages == 2
    assert setup.values() == {"md5", "domain"}  # the good pages stay taken, the looping one is not
    assert setup.feed().next_cursor == "B"
    assert len(peer.requests) == 3


def test_429_and_500_are_retried_with_back_off(fast: Instance) -> None:
    setup, report, _ = run(fast, [Answer(status=429, headers={"Retry-After": "3"}), Answer(status=500),
                                  Answer.envelope([ind("md5")])])
    assert report.error == "" and setup.values() == {"md5"}
    assert setup.sleeps == [3.0, 1.0]


def test_a_peer_that_keeps_failing_is_given_up_with_the_reason(fast: Instance) -> None:
    setup, report, peer = run(fast, [Answer(status=503)])
    assert report.error.startswith("gave up after 3 attempts") and "HTTP 503" in report.error
    assert setup.sleeps == [0.5, 1.0] and len(peer.requests) == 3
    assert feeds.next_due(setup.feed()) > setup.feed().last_sync_at + dt.timedelta(seconds=300)  # backs off


def test_a_silent_peer_times_out(fast: Instance) -> None:
    setup, report, _ = run(fast, [Answer(delay=2.5, body={"objects": []})])
    assert "no answer" in report.error and setup.feed().failures == 1


def test_replayed_and_out_of_order_pages_change_nothing(fast: Instance) -> None:
    sid = f"indicator--{uuid.uuid4()}"
    setup, report, _ = run(fast, [Answer.envelope([ind("md5", sid=sid, minutes=5, revoked=True)], more=True,
                                                  next_="2"),
                                  Answer.envelope([ind("md5", sid=sid, minutes=1)], more=True, next_="3"),
                                  Answer.envelope([ind("md5", sid=sid, minutes=5, revoked=True)])])
    assert report.error == "" and report.ignored == 2
    assert setup.values() == set()


def test_a_feed_cannot_point_into_another_organizations_bank(instance: Instance, admin: Principal) -> None:
    other, _ = make_org(instance, "other")
    theirs = make_bank(instance, other, "theirs", "GREEN")
    with instance.db.session() as s, pytest.raises(NotFound):
        feeds.add_feed(s, admin, instance.secret_key,
                       feeds.FeedSpec("evil", "https://peer.example/taxii2/api/", "c1", str(theirs)))


@pytest.mark.parametrize(("api_root", "collection"), [("ftp://peer.example/", "c1"), ("not a url", "c1"),
                                                       ("https://peer.example/", "../../etc"),
                                                       ("https://peer.example/", "")])
def test_a_bad_feed_is_refused(instance: Instance, admin: Principal, api_root: str, collection: str) -> None:
    from basira.core.errors import InvalidInput

    make_bank(instance, admin, "mine", "GREEN")
    with instance.db.session() as s, pytest.raises(InvalidInput):
        feeds.add_feed(s, admin, instance.secret_key, feeds.FeedSpec("f", api_root, collection, "mine"))


def test_credentials_are_stored_encrypted_with_the_instance_key() -> None:
    sealed = feeds.encrypt("instance-key", "partner-api-key")
    assert "partner-api-key" not in sealed and sealed != feeds.encrypt("instance-key", "partner-api-key")
    assert feeds.decrypt("instance-key", sealed) == "partner-api-key"
    with pytest.raises(ConfigurationError):
        feeds.decrypt("another-key", sealed)
    with pytest.raises(ConfigurationError):
        feeds.decrypt("instance-key", "v1:garbage!")


def test_partner_error_reports_its_own_status_and_exit_code() -> None:
    assert (client.PartnerError.status, client.PartnerError.exit_code) == (502, 69)


def test_the_background_worker_syncs_feeds_when_due(fast: Instance) -> None:
    import time

    from basira.worker import start_worker

    with Peer([Answer.envelope([ind("md5")])]) as peer:
        setup = Setup(fast, peer)
        worker = start_worker(fast, interval=0.05)
        try:
            deadline = time.monotonic() + 20
            while setup.values() != {"md5"} and time.monotonic() < deadline:
                time.sleep(0.05)
        finally:
            worker.stop()
    assert setup.values() == {"md5"}
    assert setup.feed().last_success_at is not None
    assert len(peer.requests) == 1  # not again before its interval (300 s)

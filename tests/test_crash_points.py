"""Crash points (issue 21): ``kill -9`` in the middle of a bank import, a list update, a review decision, a webhook
send and a sharing sync (a TAXII pull from a second live server). Each runs real Basira code in a child process; the
test kills it at a point where the work is half done (the SQLite log grows, the child reaches a COMMIT with every
statement of its transaction executed, or the receiver holds the request), restarts and checks: all or nothing,
the audit chains verify, a killed send is sent again (at least once), a sync resumes from its cursor."""

from __future__ import annotations

import datetime as dt
import ipaddress
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select

from basira.core import audit, banks, orgs
from basira.core.instance import Instance
from basira.core.models import Entry, Role, Signal
from basira.core.principal import Principal, system_principal
from basira.core.settings import load_settings

ROWS = 4_000


def _env(tmp_path: Path) -> dict[str, str]:
    return {**os.environ, "BASIRA_DATA_DIR": str(tmp_path / "data"), "BASIRA_SECRET_KEY": "crash",
            "BASIRA_DATABASE_URL": f"sqlite:///{tmp_path / 'data' / 'basira.db'}", "BASIRA_WORKER_INTERVAL_S": "0"}


def _basira(env: dict[str, str], *args: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-c", "from basira.cli.main import main; main()", *args], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def _kill_while_writing(proc: subprocess.Popen[bytes], db: Path, timeout: float = 60.0) -> bool:
    """SIGKILL ``proc`` once it has started writing (the SQLite log grows); whether it was still running."""
    wal = db.with_name(db.name + "-wal")
    start = wal.stat().st_size if wal.exists() else 0
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and proc.poll() is None:
        if wal.exists() and wal.stat().st_size > start + 32 * 1024:
            proc.send_signal(signal.SIGKILL)
            proc.wait()
            return True
        time.sleep(0.01)
    proc.wait()
    return False


def _check(tmp_path: Path, model: type[Signal] | type[Entry], allowed: set[int]) -> None:
    inst = Instance(load_settings(environ=_env(tmp_path)))
    try:
        with inst.db.session() as s:
            assert int(s.scalar(select(func.count()).select_from(model)) or 0) in allowed
            assert all(r.ok for r in audit.verify(s)), [r.problems for r in audit.verify(s)]
    finally:
        inst.close()


@pytest.mark.parametrize("point", ["bank import", "list update"])
def test_kill_9_leaves_nothing_half_written(tmp_path: Path, point: str) -> None:
    env = _env(tmp_path)
    inst = Instance(load_settings(environ=env))
    with inst.db.session() as s:
        org = orgs.create_org(s, "test", "acme", operator=True)
        banks.create_bank(s, system_principal(org.id), inst.registry, banks.BankSpec(name="B"))
    inst.close()
    db = tmp_path / "data" / "basira.db"
    if point == "bank import":
        data = tmp_path / "signals.csv"
        data.write_text("signal_type,signal_value\n" + "".join(f"md5,{n:032x}\n" for n in range(ROWS)))
        proc = _basira(env, "bank", "import", "B", str(data))
        model: type[Signal] | type[Entry] = Signal
    else:
        data = tmp_path / "list.csv"
        data.write_text("ref,name\n" + "".join(f"R{n},Person Number {n}\n" for n in range(ROWS)))
        proc = _basira(env, "lists", "import", "csv", str(data), "--bank", "L", "--no-monitor")
        model = Entry
    killed = _kill_while_writing(proc, db)
    assert killed, "the import ended before it could be killed: make it larger"
    _check(tmp_path, model, {0})


# -- a decision, a webhook send, a sharing sync ----------------------------------------------------------------------
# The child runs real Basira code; ``pause_at_next_commit`` is the test's hook into it: at the next COMMIT sent to the
# database (every statement of the transaction already executed) it writes a marker file and waits to be killed.
_HOOK = """
import sys, time
from pathlib import Path
from sqlalchemy import event

def pause_at_next_commit(engine, marker, note="writing"):
    def at_commit(conn):
        # Written whole, then renamed: the test kills this process as soon as the marker exists.
        Path(marker + ".tmp").write_text(note)
        Path(marker + ".tmp").rename(marker)
        time.sleep(120)
    event.listen(engine, "commit", at_commit, once=True)
"""

_DECIDE = _HOOK + """
from basira.core.instance import Instance
from basira.core.models import Role
from basira.core.principal import Principal
from basira.core.settings import load_settings
from basira.review.decisions import DecisionRequest, decide

inst = Instance(load_settings())
pause_at_next_commit(inst.db.engine, sys.argv[1])
with inst.db.session() as s:
    decide(s, Principal(int(sys.argv[2]), Role.REVIEWER, "rita"), int(sys.argv[3]),
           DecisionRequest("incites", "Calls for attacks."))
"""

_SEND = """
import ipaddress
from basira.actions.config import ActionsConfig
from basira.actions.delivery import deliver_due
from basira.core.instance import Instance
from basira.core.settings import load_settings

inst = Instance(load_settings())
deliver_due(inst.db.session, ActionsConfig(timeout=60.0, allowlist=(ipaddress.ip_network("127.0.0.0/8"),)))
"""

_SYNC = _HOOK + """
from basira.core.instance import Instance
from basira.core.settings import load_settings
from basira.sharing import client

inst = Instance(load_settings(environ={}, data_dir=Path(sys.argv[2]), secret_key="key-b", worker_interval_s=0,
                              sharing_timeout_s=5.0))

def progress(report):
    # Two pages are in (the first holds the producer's identity and marking): stop while the third one's
    # transaction is written but not committed; the marker tells how many signals were committed before.
    if report.pages == 2:
        pause_at_next_commit(inst.db.engine, sys.argv[1], str(report.added))

client.sync_feed(inst, int(sys.argv[3]), page_size=int(sys.argv[4]), progress=progress)
"""


def _python(script: str, *args: str, env: dict[str, str] | None = None) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-c", script, *args], env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE)


def _kill_when(proc: subprocess.Popen[bytes], ready: Callable[[], bool], timeout: float = 60.0) -> None:
    """SIGKILL ``proc`` as soon as ``ready()``; fails if it ended (or never got there) first."""
    deadline = time.monotonic() + timeout
    while not ready():
        if proc.poll() is not None:
            err = proc.stderr.read().decode() if proc.stderr else ""
            pytest.fail(f"the child ended (rc {proc.returncode}) before the crash point: {err[-2000:]}")
        if time.monotonic() > deadline:
            proc.kill()
            pytest.fail("the child never reached the crash point")
        time.sleep(0.01)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert proc.returncode == -signal.SIGKILL


def _chains_verify(inst: Instance) -> None:
    with inst.db.session() as s:
        results = audit.verify(s)
    assert results and all(r.ok for r in results), [r.problems for r in results]


def _audit_cli(env: dict[str, str]) -> None:
    done = subprocess.run([sys.executable, "-c", "from basira.cli.main import main; main()", "audit", "verify"],
                          env=env, capture_output=True, timeout=120)
    assert done.returncode == 0, done.stdout.decode() + done.stderr.decode()


def test_kill_9_during_a_decision_leaves_all_or_nothing(tmp_path: Path) -> None:
    from tests.factories import open_case

    from basira.actions.dispatch import dispatch
    from basira.actions.models import Action, Delivery
    from basira.actions.webhooks import WebhookSpec, create_webhook
    from basira.core.models import AuditEntry, Event, Opinion
    from basira.review.decisions import DecisionRequest, decide
    from basira.review.models import Case, Decision

    env = _env(tmp_path)
    inst = Instance(load_settings(environ=env))
    with inst.db.session() as s:
        org = orgs.create_org(s, "test", "acme", operator=True)
    admin = system_principal(org.id, actor="test")
    with inst.db.session() as s:  # a webhook asks for decisions: a decision becomes an action and a delivery
        create_webhook(s, admin, WebhookSpec(url="http://127.0.0.1:9/hook", events=["case.decided"], name="t"),
                       (ipaddress.ip_network("127.0.0.0/8"),))
    case_id = open_case(inst, admin, "post-1", ["a" * 32])
    with inst.db.session() as s:
        before = s.get(Case, case_id)
        assert before is not None
        status, version = before.status, before.version
        events = int(s.scalar(select(func.count()).select_from(Event)) or 0)
        entries = int(s.scalar(select(func.count()).select_from(AuditEntry)) or 0)
    inst.close()

    marker = tmp_path / "at-commit"
    _kill_when(_python(_DECIDE, str(marker), str(org.id), str(case_id), env=env), marker.exists)

    inst = Instance(load_settings(environ=env))
    try:
        with inst.db.session() as s:
            case = s.get(Case, case_id)
            assert case is not None and (case.status, case.version) == (status, version)
            assert s.scalar(select(func.count()).select_from(Decision)) == 0
            assert s.scalar(select(func.count()).select_from(Opinion)) == 0
            assert s.scalar(select(func.count()).select_from(Event)) == events
            assert s.scalar(select(func.count()).select_from(Event).where(Event.kind == "case.decided")) == 0
            assert (s.scalar(select(func.count()).select_from(AuditEntry)) or 0) >= entries  # start-up may seal chains
            assert s.scalar(select(func.count()).select_from(AuditEntry)
                            .where(AuditEntry.action == "case.decide")) == 0
        _chains_verify(inst)
        assert dispatch(inst.db.session).actions == 0  # no event, so no action
        # The case can be decided again, and the decision's action follows exactly once.
        with inst.db.session() as s:
            decide(s, Principal(org.id, Role.REVIEWER, "rita"), case_id,
                   DecisionRequest("incites", "Calls for attacks."))
        dispatch(inst.db.session)
        with inst.db.session() as s:
            assert s.scalar(select(func.count()).select_from(Decision)) == 1
            assert s.scalar(select(func.count()).select_from(Event).where(Event.kind == "case.decided")) == 1
            assert s.scalar(select(func.count()).select_from(Action)) == 1
            assert s.scalar(select(func.count()).select_from(Delivery)) == 1
            assert s.scalar(select(func.count()).select_from(Opinion)) == 1
    finally:
        inst.close()
    _audit_cli(env)


def test_kill_9_during_a_webhook_send_delivers_it_again_after_restart(tmp_path: Path) -> None:
    from tests.actions.helpers import decided_case
    from tests.receiver import Receiver

    from basira.actions.config import ActionsConfig
    from basira.actions.delivery import LEASE_MARGIN, deliver_due
    from basira.actions.dispatch import dispatch
    from basira.actions.models import Delivery, DeliveryAttempt
    from basira.actions.webhooks import WebhookSpec, create_webhook
    from basira.core.models import utcnow

    env = _env(tmp_path)
    receiver = Receiver()
    try:
        inst = Instance(load_settings(environ=env))
        with inst.db.session() as s:
            org = orgs.create_org(s, "test", "acme", operator=True)
        admin = system_principal(org.id, actor="test")
        config = ActionsConfig(timeout=60.0, allowlist=(ipaddress.ip_network("127.0.0.0/8"),))
        with inst.db.session() as s:
            _, receiver.secret = create_webhook(s, admin, WebhookSpec(url=receiver.url, events=["case.decided"],
                                                                      name="test"), config.allowlist)
        decided_case(inst, admin, Principal(org.id, Role.REVIEWER, "rita"))
        assert dispatch(inst.db.session).deliveries == 1
        inst.close()

        # The receiver holds the request: the sender is killed while it waits for the answer.
        receiver.mode = "hang"
        _kill_when(_python(_SEND, env=env), lambda: len(receiver.requests) == 1)
        receiver.mode = "ok"
        receiver.release.set()

        inst = Instance(load_settings(environ=env))
        try:
            with inst.db.session() as s:
                d = s.scalars(select(Delivery)).one()
                assert (d.status, d.attempts, d.delivered_at) == ("pending", 1, None)
            # Still leased: a restarted worker does not send it while the dead one might still be sending...
            assert deliver_due(inst.db.session, config).attempted == 0
            # ...and sends it again once the lease has run out.
            later = utcnow() + dt.timedelta(seconds=config.timeout) + LEASE_MARGIN + dt.timedelta(seconds=1)
            report = deliver_due(inst.db.session, config, now=later)
            assert (report.attempted, report.delivered) == (1, 1)
            assert deliver_due(inst.db.session, config, now=later + dt.timedelta(hours=2)).attempted == 0
            first, second = receiver.requests
            assert first.signed and second.signed
            assert first.idempotency_key == second.idempotency_key and first.body == second.body
            with inst.db.session() as s:
                d = s.scalars(select(Delivery)).one()
                assert (d.status, d.attempts, d.last_status_code) == ("delivered", 2, 204)
                attempts = s.scalars(select(DeliveryAttempt).order_by(DeliveryAttempt.number)).all()
                assert [a.number for a in attempts] == [1, 2], "every attempt is in the delivery log"
                assert attempts[0].status_code is None and attempts[0].error
                assert attempts[1].status_code == 204
            _chains_verify(inst)
        finally:
            inst.close()
    finally:
        receiver.close()


def test_kill_9_during_a_sharing_sync_resumes_without_doubles(tmp_path: Path) -> None:
    from tests.sharing.helpers import make_bank, make_org
    from tests.sharing.live import TAXII, serve

    from basira.api.app import create_app
    from basira.sharing import client, feeds, stix
    from basira.sharing.export import instance_namespace
    from basira.sharing.models import TaxiiFeed
    from basira.sharing.taxii import collection_id

    def instance(folder: Path) -> Instance:
        return Instance(load_settings(environ={}, data_dir=folder, secret_key=f"key-{folder.name}",
                                      worker_interval_s=0, sharing_timeout_s=5.0))

    values = {f"{n:032x}" for n in range(1, 7)}  # three pages of two
    a = instance(tmp_path / "a")
    try:
        alpha, _ = make_org(a, "alpha", operator=True)
        _, bravo_key_on_a = make_org(a, "bravo-on-a")
        with a.db.session() as s:
            shared = banks.create_bank(s, alpha, a.registry, banks.BankSpec(name="partners", tlp="AMBER"))
            banks.add_signals(s, alpha, a.registry, a.settings, shared.id,
                              [banks.SignalSpec("md5", v) for v in sorted(values)])
            banks.share_bank(s, alpha, shared.id, org="bravo-on-a")
        b = instance(tmp_path / "b")
        bravo, _ = make_org(b, "bravo", operator=True)
        into = make_bank(b, bravo, "from alpha", "AMBER")
        with serve(create_app(a)) as a_url:
            coll = collection_id(instance_namespace(a.secret_key), shared.id)
            with b.db.session() as s:
                feed_id = feeds.add_feed(s, bravo, b.secret_key, feeds.FeedSpec(
                    "alpha", f"{a_url}/taxii2/api/", str(coll), "from alpha", secret=bravo_key_on_a)).id
            b.close()

            marker = tmp_path / "at-commit"
            _kill_when(_python(_SYNC, str(marker), str(tmp_path / "b"), str(feed_id), "2"), marker.exists)

            b = instance(tmp_path / "b")
            try:
                def state() -> tuple[list[str], str | None, str | None]:
                    with b.db.session() as s:
                        got = s.scalars(select(Signal.value).where(Signal.bank_id == into)).all()
                        feed = s.get(TaxiiFeed, feed_id)
                        assert feed is not None
                        return sorted(got), feed.next_cursor, feed.added_after

                # The pages committed before, and only those, with the cursor after them; no checkpoint yet.
                committed = int(marker.read_text())
                got, cursor, checkpoint = state()
                assert 0 < committed < len(values) and len(got) == committed and set(got) <= values
                assert cursor and checkpoint is None
                _chains_verify(b)
                report = client.sync_feed(b, feed_id, page_size=2)
                assert report.error == "" and report.added == len(values) - committed, report
                got, cursor, checkpoint = state()
                assert got == sorted(values) and cursor is None
                # The checkpoint is the date_added of the last object of the partner's collection.
                r = httpx.get(f"{a_url}/taxii2/api/collections/{coll}/objects/",
                              headers={"Authorization": f"Bearer {bravo_key_on_a}", "Accept": TAXII})
                assert r.status_code == 200 and not r.json().get("more")
                last = r.headers["X-TAXII-Date-Added-Last"]
                assert checkpoint == stix.timestamp(stix.parse_timestamp(last, "last"))
                # The next sync starts from it (less a 5 s overlap, which here covers every object): nothing added.
                again = client.sync_feed(b, feed_id, page_size=2)
                assert again.error == "" and again.added == 0 and again.checkpoint == checkpoint, again
                assert state()[0] == sorted(values)
                _chains_verify(b)
            finally:
                b.close()
    finally:
        a.close()

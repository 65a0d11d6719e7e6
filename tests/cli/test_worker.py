"""The background work apart from the servers: ``basira worker`` (once, or until stopped), ``basira serve --workers N``
running it once in its supervising process, and its lower CPU priority there."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from tests.cli.conftest import Cli
from tests.factories import A, count, make_bank, submit

from basira.core import orgs
from basira.core.instance import Instance
from basira.core.principal import system_principal
from basira.review.models import Case
from basira.worker import lower_priority, start_worker

SCRIPT = Path(sys.executable).parent / "basira"
LINUX = sys.platform.startswith("linux")


def _stored_match(inst: Instance) -> None:
    """A bank of one MD5 value and an item matched against it and stored: one ``match.recorded`` event."""
    with inst.db.session() as s:
        org_id = orgs.create_org(s, "test", "acme", "Acme Platform", operator=True).id
    admin = system_principal(org_id, actor="test")
    make_bank(inst, admin, "terror-images", [A])
    submit(inst, admin, [A], ref="post-1")


def _priority(tid: int) -> int:
    return os.getpriority(os.PRIO_PROCESS, tid)


def test_worker_once_turns_the_stored_match_into_a_case_and_says_so(cli: Cli) -> None:
    inst = cli.instance()
    _stored_match(inst)
    assert count(inst, Case) == 0
    result = cli.ok("worker", "--once")
    assert "1 events: 1 cases opened, 0 joined, 0 suppressed" in result.output
    assert count(inst, Case) == 1
    again = cli.ok("worker", "--once")  # nothing new: the cursor moved
    assert "0 events: 0 cases opened" in again.output and count(inst, Case) == 1


def test_worker_refuses_an_interval_of_zero_without_one_given(cli: Cli) -> None:
    cli.env["BASIRA_WORKER_INTERVAL_S"] = "0"
    result = cli("worker")
    assert result.exit_code != 0
    assert "BASIRA_WORKER_INTERVAL_S is 0" in result.output and "--interval" in result.output


@pytest.mark.parametrize("backend", ["postgres"])
def test_worker_runs_until_sigterm_and_opens_cases_meanwhile(database_url: str, tmp_path: Path) -> None:
    assert SCRIPT.exists(), f"the console script {SCRIPT} is not installed (pip install -e .)"
    env = {k: v for k, v in os.environ.items() if not k.startswith("BASIRA_")}
    env.update({"BASIRA_DATA_DIR": str(tmp_path / "data"), "BASIRA_DATABASE_URL": database_url,
                "BASIRA_SECRET_KEY": "test-secret"})
    from basira.core.settings import load_settings

    inst = Instance(load_settings(environ=env))
    try:
        proc = subprocess.Popen([str(SCRIPT), "worker", "--interval", "0.1"], env=env, stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, text=True)
        try:
            _stored_match(inst)
            deadline = time.monotonic() + 60  # start-up imports on a busy machine
            while count(inst, Case) == 0 and time.monotonic() < deadline and proc.poll() is None:
                time.sleep(0.1)
            assert count(inst, Case) == 1, "the worker opened no case"
            if LINUX:  # its rounds run at a lower priority than the process's main thread
                niced = [int(t.name) for t in Path(f"/proc/{proc.pid}/task").iterdir()
                         if _priority(int(t.name)) == _priority(proc.pid) + 10]
                assert niced, "no thread of `basira worker` runs at the lower priority"
        finally:
            proc.send_signal(signal.SIGTERM)
            output, _ = proc.communicate(timeout=30)
    finally:
        inst.close()
    assert proc.returncode == 0, output
    assert "background work every 0.1 s" in output and "Stopped." in output


def test_the_background_work_keeps_its_priority_on_sqlite_only(instance: Instance) -> None:
    """On SQLite a batch holds the one writer's lock that the servers wait for: its priority is not lowered there."""
    from basira.cli.serve import background_nice

    sqlite = instance.db.engine.dialect.name == "sqlite"
    assert background_nice(instance) == (0 if sqlite else instance.settings.worker_nice) and \
        instance.settings.worker_nice == 10


@pytest.mark.skipif(not LINUX, reason="threads have their own niceness on Linux only")
def test_lower_priority_lowers_the_calling_thread_and_what_it_starts_only() -> None:
    seen: dict[str, int] = {}

    def child() -> None:
        seen["child"] = _priority(threading.get_native_id())

    def lowered() -> None:
        seen["before"] = _priority(threading.get_native_id())
        seen["ok"] = int(lower_priority(3))
        seen["after"] = _priority(threading.get_native_id())
        t = threading.Thread(target=child)
        t.start()
        t.join()

    main = _priority(threading.get_native_id())
    t = threading.Thread(target=lowered)
    t.start()
    t.join()
    assert seen["ok"] == 1
    assert seen["after"] == min(19, seen["before"] + 3) and seen["child"] == seen["after"]
    assert _priority(threading.get_native_id()) == main  # the rest of the process keeps its priority


@pytest.mark.skipif(not LINUX, reason="threads have their own niceness on Linux only")
def test_a_worker_with_nice_lowers_its_rounds_and_purge_but_not_incident_pushes(instance: Instance) -> None:
    main = _priority(threading.get_native_id())
    worker = start_worker(instance, interval=0.05, nice=4)
    try:
        deadline = time.monotonic() + 30
        while worker.rounds < 1 and time.monotonic() < deadline:
            time.sleep(0.02)
        assert worker.native_id is not None
        assert _priority(worker.native_id) == min(19, main + 4)
        if worker.incidents.is_alive() and worker.incidents.native_id is not None:
            assert _priority(worker.incidents.native_id) == main
        if worker.retention.is_alive() and worker.retention.native_id is not None:
            assert _priority(worker.retention.native_id) == min(19, main + 4)
    finally:
        worker.stop()
    assert _priority(threading.get_native_id()) == main


@pytest.fixture
def serve_in_process(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """``basira serve`` run in this process: what it sets in the environment and the logging set-up are undone."""
    import logging

    for name in ("BASIRA_DATA_DIR", "BASIRA_DATABASE_URL", "BASIRA_LOG_LEVEL", "BASIRA_WORKER_INTERVAL_S",
                 "PROMETHEUS_MULTIPROC_DIR"):
        monkeypatch.delenv(name, raising=False)  # restored after the test, whatever serve sets
    names = ("", "basira", "basira.access", "uvicorn", "uvicorn.error", "uvicorn.access")
    saved = [(logging.getLogger(n), list(logging.getLogger(n).handlers), logging.getLogger(n).level,
              logging.getLogger(n).propagate) for n in names]
    yield
    for logger, handlers, level, propagate in saved:
        logger.handlers, logger.propagate = handlers, propagate
        logger.setLevel(level)


def _free_port() -> int:
    """A port nothing listens on now: serve checks that its port is free before anything else, even here where
    uvicorn does not run."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.mark.usefixtures("serve_in_process")
def test_serve_with_workers_runs_the_background_work_once_in_its_own_process(
        cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    """``basira serve --workers 2`` starts the background worker in the command's process and gives the server
    processes ``BASIRA_WORKER_INTERVAL_S=0``; the worker stops when the servers do."""
    import uvicorn

    seen: dict[str, Any] = {}

    def run(app: str, **options: Any) -> None:
        seen["app"], seen["workers"] = app, options["workers"]
        seen["interval"] = os.environ["BASIRA_WORKER_INTERVAL_S"]
        seen["threads"] = [t for t in threading.enumerate() if t.name == "basira-worker" and t.is_alive()]

    monkeypatch.setattr(uvicorn, "run", run)
    cli.ok("serve", "--workers", "2", "--port", str(_free_port()), "--log-level", "warning")
    assert seen["app"] == "basira.api.app:create_worker_app" and seen["workers"] == 2
    assert seen["interval"] == "0"  # the server processes run no background work of their own
    assert len(seen["threads"]) == 1  # it runs here, once
    assert not seen["threads"][0].is_alive()  # stopped with the servers


@pytest.mark.usefixtures("serve_in_process")
def test_serve_with_workers_and_the_background_work_off_starts_none(
        cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    import uvicorn

    cli.env["BASIRA_WORKER_INTERVAL_S"] = "0"
    seen: list[int] = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **options: seen.append(
        sum(t.name == "basira-worker" and t.is_alive() for t in threading.enumerate())))
    cli.ok("serve", "--workers", "2", "--port", str(_free_port()), "--log-level", "warning")
    assert seen == [0]

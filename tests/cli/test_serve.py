"""The installed ``basira`` script for real: ``--help``, and ``basira serve`` answering /v1/health."""

from __future__ import annotations

import http.client
import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

SCRIPT = Path(sys.executable).parent / "basira"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _start(args: list[str], env: dict[str, str], ready_path: str, within: float,
           stderr: int = subprocess.STDOUT) -> tuple[subprocess.Popen[str], int]:
    """``basira serve --port P *args`` once it answers ``ready_path`` with 200; on another port when a program of
    another test took P between ``_free_port`` and the bind (serve then stops, saying the port is in use; until then
    that program answers on P, so only an answer that echoes the probe's request id, as Basira does, counts)."""
    for _ in range(5):
        port = _free_port()
        proc = subprocess.Popen([str(SCRIPT), "serve", "--port", str(port), *args], env=env,
                                stdout=subprocess.PIPE, stderr=stderr, text=True)
        deadline = time.monotonic() + within
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                probe = urllib.request.Request(f"http://127.0.0.1:{port}{ready_path}",
                                               headers={"X-Request-ID": f"start-{port}"})
                with urllib.request.urlopen(probe, timeout=2) as r:
                    if r.status == 200 and r.headers.get("X-Request-ID") == f"start-{port}":  # Basira's answer
                        return proc, port
            except (OSError, http.client.HTTPException):
                pass
            time.sleep(0.1)
        if proc.poll() is None:
            proc.terminate()
            output, errors = proc.communicate(timeout=30)
            raise AssertionError(f"basira serve did not answer {ready_path}:\n{output}\n{errors or ''}")
        output, errors = proc.communicate(timeout=30)
        said = f"{output}{errors or ''}"
        if "is in use by another program" not in said and "address already in use" not in said:
            raise AssertionError(f"basira serve stopped ({proc.returncode}):\n{output}\n{errors or ''}")
    raise AssertionError("five free ports in a row were taken before basira serve could bind them")


def _env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("BASIRA_")}
    env.update({"BASIRA_DATA_DIR": str(tmp_path / "data"), "BASIRA_SECRET_KEY": "test-secret"})
    return env


def test_installed_script_prints_help(tmp_path: Path) -> None:
    assert SCRIPT.exists(), f"the console script {SCRIPT} is not installed (pip install -e .)"
    done = subprocess.run([str(SCRIPT), "--help"], env=_env(tmp_path), capture_output=True, text=True,
                          timeout=30, check=False)
    assert done.returncode == 0, done.stderr
    for command in ("serve", "demo", "hash", "match", "bank", "org", "key", "audit"):
        assert command in done.stdout


def test_serve_answers_health_and_prints_a_set_up_token_on_an_empty_instance(tmp_path: Path) -> None:
    assert SCRIPT.exists(), f"the console script {SCRIPT} is not installed (pip install -e .)"
    proc, port = _start(["--log-level", "warning"], _env(tmp_path), "/health/live", within=90)
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/v1/health", timeout=30) as r:
            body = r.read().decode()
        assert '"status":"ok"' in body.replace(" ", ""), body
    finally:
        proc.terminate()
        output, _ = proc.communicate(timeout=10)
    token = re.search(r"/\?token=([A-Za-z0-9_-]+)", output)
    assert token, f"serve printed no set-up link on an empty instance:\n{output}"
    assert f"set-up token {token.group(1)} works once" in output.replace("\n", " ")
    assert proc.returncode in (0, -15)


@pytest.mark.parametrize("backend", ["postgres"])
def test_serve_with_two_workers_on_one_database_counts_every_request_and_logs_json(
        fresh_database_url: str, tmp_path: Path) -> None:
    """``basira serve --workers 2``: one migration, two processes on the port, /metrics adding up both workers'
    counters (prometheus-client's multiprocess directory), one JSON access line per request with its id."""
    env = {**_env(tmp_path), "BASIRA_DATABASE_URL": fresh_database_url, "BASIRA_LOG_FORMAT": "json"}
    proc, port = _start(["--workers", "2"], env, "/health/ready", within=120, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    try:
        # At least 40 requests, and more until both workers have answered some (a worker still building its routes
        # at start-up leaves the first requests to the other one).
        sent, workers, until = 0, set[str](), time.monotonic() + 60
        while sent < 40 or (len(workers) < 2 and time.monotonic() < until):
            request = urllib.request.Request(f"{base}/v1/health", headers={"X-Request-ID": f"probe-{sent}"})
            with urllib.request.urlopen(request, timeout=30) as r:  # a busy two-core machine: no hurry
                assert r.headers["X-Request-ID"] == f"probe-{sent}"
            sent += 1
            workers = {p.name for p in (tmp_path / "data" / "metrics").glob("counter_*.db")}
        # A worker counts a request once its answer has gone: the last ones may land a moment after the scrape.
        counted, metrics, until = -1.0, "", time.monotonic() + 15
        while counted != sent and time.monotonic() < until:
            try:
                with urllib.request.urlopen(f"{base}/metrics", timeout=30) as r:
                    metrics = r.read().decode()
            except urllib.error.HTTPError as e:  # the server's own account of it, for whoever reads the failure
                proc.terminate()
                raise AssertionError(f"/metrics answered {e.code}:\n{proc.communicate(timeout=30)[1][-4000:]}") \
                    from e
            counted = sum(float(line.rsplit(" ", 1)[1]) for line in metrics.splitlines()
                          if line.startswith("basira_http_requests_total{") and 'route="/v1/health"' in line)
            if counted != sent:
                time.sleep(0.2)
        assert counted == sent, metrics
        assert len(workers) >= 2, f"one worker answered everything? {workers}"
    finally:
        proc.terminate()
        _, errors = proc.communicate(timeout=30)
    lines = [json.loads(line) for line in errors.splitlines() if line.startswith("{")]
    answered = {line.get("request_id") for line in lines if line.get("route") == "/v1/health"}
    assert {f"probe-{n}" for n in range(40)} <= answered, errors[-3000:]


def test_a_worker_of_serve_follows_the_log_level(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``basira serve --workers N --log-level warning`` passes the level to its workers (``BASIRA_LOG_LEVEL``): a worker
    writes no line per request (the workers once configured their logs at ``info`` whatever the command said)."""
    import logging

    from basira.api.app import create_worker_app

    for key, value in _env(tmp_path).items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("BASIRA_LOG_LEVEL", "warning")
    names = ("basira", "uvicorn", "uvicorn.error")
    saved = [(logging.getLogger(n), logging.getLogger(n).handlers, logging.getLogger(n).level,
              logging.getLogger(n).propagate) for n in names]
    try:
        app = create_worker_app()
        try:
            access = logging.getLogger("basira.access")
            assert not access.isEnabledFor(logging.INFO) and access.isEnabledFor(logging.WARNING)
        finally:
            app.state.instance.close()
    finally:
        for logger, handlers, level, propagate in saved:
            logger.handlers, logger.propagate = handlers, propagate
            logger.setLevel(level)


def test_serve_on_a_port_another_program_holds_says_so_before_anything_else(tmp_path: Path) -> None:
    """A port already listened on: a message naming it and how to choose another, exit 78, and no set-up link (which
    would lead to the other program)."""
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        port = holder.getsockname()[1]
        done = subprocess.run([str(SCRIPT), "serve", "--port", str(port)], env=_env(tmp_path), capture_output=True,
                              text=True, timeout=60, check=False)
    assert done.returncode == 78, done.stdout + done.stderr
    said = " ".join((done.stdout + done.stderr).split())
    assert f"port {port} on 127.0.0.1 is in use by another program" in said and "--port" in said
    assert "token=" not in said and "Traceback" not in said
    assert not (tmp_path / "data").exists() or not any((tmp_path / "data").glob("*.db"))  # nothing migrated

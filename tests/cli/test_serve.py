"""The installed ``basira`` script for real: ``--help``, and ``basira serve`` answering /v1/health."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

SCRIPT = Path(sys.executable).parent / "basira"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


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
    port = _free_port()
    proc = subprocess.Popen([str(SCRIPT), "serve", "--port", str(port), "--log-level", "warning"],
                            env=_env(tmp_path), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        body = ""
        deadline = time.monotonic() + 90  # start-up imports and migrations; generous for a busy machine
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/v1/health", timeout=1) as r:
                    body = r.read().decode()
                    break
            except OSError:
                time.sleep(0.1)
        assert '"status":"ok"' in body.replace(" ", ""), "the server did not answer /v1/health"
    finally:
        proc.terminate()
        output, _ = proc.communicate(timeout=10)
    token = re.search(r"/\?token=([A-Za-z0-9_-]+)", output)
    assert token, f"serve printed no set-up link on an empty instance:\n{output}"
    assert f"set-up token {token.group(1)} works once" in output.replace("\n", " ")
    assert proc.returncode in (0, -15)

"""The container recipe (deploy/Dockerfile, deploy/compose.yaml) names only what exists: settings Basira reads,
files of the repository, a command and options of the CLI, and health routes of the app. (Building the image needs
Docker Hub, which CI cannot reach; docs/operations.md says how it was built.)"""

from __future__ import annotations

import json
import re
from pathlib import Path

from typer.testing import CliRunner

from basira.cli.main import app
from basira.core.settings import settings_markdown

ROOT = Path(__file__).resolve().parents[1]
DOCKERFILE = (ROOT / "deploy" / "Dockerfile").read_text()
COMPOSE = (ROOT / "deploy" / "compose.yaml").read_text()
KNOWN = set(re.findall(r"`(BASIRA_[A-Z0-9_]+)`", settings_markdown()))


def test_every_basira_variable_of_the_recipe_is_a_setting() -> None:
    used = set(re.findall(r"\b(BASIRA_[A-Z0-9_]+)\b", DOCKERFILE + COMPOSE))
    # The compose file's own inputs (read from deploy/.env by Docker Compose, not by Basira):
    used -= {"BASIRA_DB_PASSWORD"}
    assert used and used <= KNOWN, sorted(used - KNOWN)


def test_the_image_copies_files_that_exist_and_runs_a_real_command() -> None:
    for line in DOCKERFILE.splitlines():
        if line.startswith("COPY "):
            for part in line.split()[1:-1]:
                assert (ROOT / part).exists(), part
    cmd = json.loads(re.search(r"^CMD (\[.*\])$", DOCKERFILE, re.M).group(1))  # type: ignore[union-attr]
    assert cmd[:2] == ["basira", "serve"]
    shown = CliRunner().invoke(app, ["serve", "--help"], env={"COLUMNS": "200"})
    assert shown.exit_code == 0
    for option in (a for a in cmd[2:] if a.startswith("--")):
        assert option in shown.output


def test_the_health_checks_point_at_routes_of_the_app(tmp_path: Path) -> None:
    from basira.api.app import create_app
    from basira.core.instance import Instance
    from basira.core.settings import load_settings

    checked = re.findall(r"127\.0\.0\.1:8000(/[a-z/]+)", DOCKERFILE)
    assert checked == ["/health/live"]
    inst = Instance(load_settings(environ={}, data_dir=tmp_path, worker_interval_s=0))
    paths = set(create_app(inst).openapi()["paths"])
    inst.close()
    assert set(checked) <= paths and "/health/ready" in paths

"""The container recipe (deploy/Dockerfile, deploy/compose.yaml) names only what exists: settings Basira reads,
files of the repository, a command and options of the CLI, and health routes of the app; and its two services are
wired to each other. (Building the image needs a base image CI cannot fetch; docs/operations.md says how it was
built and run from a local one.)"""

from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import urlsplit

import yaml  # type: ignore[import-untyped]  # PyYAML, installed with distributed (Dask)
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
        if line.startswith("COPY ") and "--from=" not in line:  # not what a build stage made
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

    # The health check asks the port the server listens on (BASIRA_PORT, 8000 unless changed).
    checked = re.findall(r"127\.0\.0\.1:%s(/[a-z/]+)' % os\.environ\.get\('BASIRA_PORT', '8000'\)", DOCKERFILE)
    assert checked == ["/health/live"]
    inst = Instance(load_settings(environ={}, data_dir=tmp_path, worker_interval_s=0))
    paths = set(create_app(inst).openapi()["paths"])
    inst.close()
    assert set(checked) <= paths and "/health/ready" in paths


def _stages() -> list[list[str]]:
    """The Dockerfile's instructions (continuation lines joined), split at each FROM."""
    joined = re.sub(r"\\\n\s*", " ", DOCKERFILE)
    stages: list[list[str]] = []
    for line in joined.splitlines():
        if line.startswith("FROM "):
            stages.append([])
        if stages and line and not line.startswith("#"):
            stages[-1].append(line)
    return stages


def test_the_server_runs_unprivileged_from_the_environment_the_build_stage_filled() -> None:
    build, final = _stages()
    named = build[0].split()[-1]
    assert build[0] == f"FROM ${{BASE_IMAGE}} AS {named}" and final[0] == "FROM ${BASE_IMAGE}"
    venv = re.search(r"VIRTUAL_ENV=(\S+)", " ".join(build)).group(1)  # type: ignore[union-attr]
    for stage in (build, final):
        env = " ".join(line for line in stage if line.startswith("ENV "))
        assert f"VIRTUAL_ENV={venv}" in env and f"PATH={venv}/bin:$PATH" in env
    assert any(line.startswith("RUN python3 -m venv") and "pip install ." in line for line in build)
    assert f"COPY --from={named} {venv} {venv}" in final
    assert "USER basira" in final and "--uid 10001" in " ".join(final)


def test_compose_runs_the_image_beside_its_database() -> None:
    spec = yaml.safe_load(COMPOSE)
    db, server = spec["services"]["db"], spec["services"]["basira"]
    context = ROOT / "deploy" / server["build"]["context"]
    assert context.resolve() == ROOT and (context / server["build"]["dockerfile"]).is_file()
    assert server["depends_on"] == {"db": {"condition": "service_healthy"}} and "healthcheck" in db
    url = urlsplit(server["environment"]["BASIRA_DATABASE_URL"])
    assert url.scheme == "postgresql+psycopg" and (url.hostname, url.port) == ("db", 5432)
    assert url.username == db["environment"]["POSTGRES_USER"] and url.path == "/" + db["environment"]["POSTGRES_DB"]
    assert url.password == "${BASIRA_DB_PASSWORD}"
    # The port published is the one the image listens on, and only on the loopback (a TLS proxy goes in front).
    assert server["ports"] == ["127.0.0.1:8000:8000"] and "EXPOSE 8000" in DOCKERFILE
    data = re.search(r'^VOLUME \["([^"]+)"\]$', DOCKERFILE, re.M).group(1)  # type: ignore[union-attr]
    assert server["volumes"] == [f"data:{data}"] and f"BASIRA_DATA_DIR={data}" in DOCKERFILE
    assert set(spec["volumes"]) == {"db", "data"}

"""A partner's package adds a front without editing Basira: the example front in ``example_front/`` comes in through
a ``basira.fronts`` entry point and brings a signal type, a case kind that review opens, a router, a command group
and a setting."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from dataclasses import replace
from importlib.metadata import EntryPoint, EntryPoints
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from tests.plugins.example_front.front import EXAMPLE_REPORT, ExampleSettings
from typer.testing import CliRunner

from basira.api.app import create_app
from basira.cli.main import build_app
from basira.core import fronts, orgs
from basira.core.demo import DemoContext
from basira.core.errors import ConfigurationError
from basira.core.fronts import FrontManifest, FrontRegistry
from basira.core.instance import Instance
from basira.core.principal import system_principal
from basira.core.settings import env_name, load_settings, setting_fields
from basira.review import consume
from basira.review.models import Case
from basira.review.policy import ReviewPolicy

BUILT_IN = ("content", "drones", "finance")


def _with_example(monkeypatch: pytest.MonkeyPatch) -> FrontRegistry:
    """The registry as it reads the entry points once the partner's distribution is installed beside Basira."""
    # The process's own registry stays as installed: only the registry built here sees the partner's front.
    monkeypatch.setattr(fronts, "_default", fronts.default_fronts())
    installed = fronts.entry_points(group=fronts.ENTRY_POINT_GROUP)
    extra = EntryPoint(name="example", value="tests.plugins.example_front.front:MANIFEST",
                       group=fronts.ENTRY_POINT_GROUP)
    monkeypatch.setattr(fronts, "entry_points", lambda group: EntryPoints([*installed, extra]))
    return FrontRegistry.from_entry_points()


@pytest.fixture
def reg(monkeypatch: pytest.MonkeyPatch) -> FrontRegistry:
    return _with_example(monkeypatch)


@pytest.fixture
def inst(reg: FrontRegistry, database_url: str, tmp_path: Path) -> Iterator[Instance]:
    settings = load_settings(environ={"BASIRA_EXAMPLE_GREETING": "salaam"}, fronts=reg, data_dir=tmp_path / "data",
                             database_url=database_url, secret_key="test-secret", worker_interval_s=0)
    instance = Instance(settings, fronts=reg)
    yield instance
    instance.close()


@pytest.fixture
def api(inst: Instance) -> Iterator[tuple[Any, dict[str, str]]]:
    with inst.db.session() as s:
        org = orgs.create_org(s, "test", "acme", "Acme", operator=True)
        key = orgs.create_key(s, system_principal(org.id, actor="test"), org.id, "admin", "test key").secret
    with TestClient(create_app(inst)) as client:
        yield client, {"Authorization": f"Bearer {key}"}


def test_the_entry_point_adds_the_front_beside_the_built_in_ones(reg: FrontRegistry) -> None:
    assert reg.names() == sorted([*BUILT_IN, "example"])
    assert reg.case_kind("example_report") is EXAMPLE_REPORT
    assert "example.reported" in reg.event_kinds()


def test_the_front_brings_its_signal_type_and_its_setting(inst: Instance) -> None:
    assert inst.registry.validate("example_tag", "#Basira_2027") == "basira_2027"
    assert inst.settings.of(ExampleSettings).example_greeting == "salaam"
    assert env_name("example_greeting") in {env_name(f.name) for f in setting_fields(inst.fronts)}


def test_the_router_records_a_report_and_review_opens_a_case_of_the_new_kind(
        inst: Instance, api: tuple[Any, dict[str, str]]) -> None:
    client, auth = api
    for report_id, flagged in (("r1", False), ("r2", True), ("r2", True)):  # r2 twice: kept once
        r = client.post("/v1/example/reports", headers=auth,
                        json={"channel": "c-9", "report_id": report_id, "tag": "#Bad", "flagged": flagged})
        assert r.status_code == 201, r.text
    report = consume(inst.db.session, policy=ReviewPolicy(fronts=inst.fronts))
    assert (report.opened, report.joined, report.skipped) == (1, 2, 0)
    with inst.db.session() as s:
        (case,) = s.scalars(select(Case))
    assert (case.kind, case.group_key, case.priority) == ("example_report", "channel:c-9", 1)
    assert case.evidence["channel"] == "c-9"
    assert case.evidence["reports"] == [{"report_id": "r1", "tag": "bad"}, {"report_id": "r2", "tag": "bad"}]
    assert (case.due_at - case.created_at).total_seconds() == 2 * 3600


def test_a_tag_that_is_not_one_is_refused_with_a_reason(api: tuple[Any, dict[str, str]]) -> None:
    client, auth = api
    r = client.post("/v1/example/reports", headers=auth, json={"channel": "c", "report_id": "r", "tag": "not a tag"})
    assert r.status_code == 422 and "is not a hashtag" in r.text


def test_the_router_reads_the_front_s_setting(api: tuple[Any, dict[str, str]]) -> None:
    client, _ = api
    assert client.get("/v1/example/greeting").json() == {"greeting": "salaam"}


def test_the_review_api_lists_the_new_kind_s_reasons(api: tuple[Any, dict[str, str]]) -> None:
    client, auth = api
    r = client.get("/v1/reasons", params={"kind": "example_report"}, headers=auth)
    assert [x["code"] for x in r.json()] == ["abusive", "fine"]


def test_the_command_group_joins_the_basira_command(reg: FrontRegistry) -> None:
    result = CliRunner().invoke(build_app(reg), ["example", "tag", " #Hello "])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "hello"


def test_the_demo_hook_loads_the_front_s_demo_data(inst: Instance, tmp_path: Path) -> None:
    with inst.db.session() as s:
        org = orgs.create_org(s, "demo", "example-demo", "Example demo")
    ctx = DemoContext(inst=inst, admin=system_principal(org.id, actor="demo"), work=tmp_path, files=tmp_path / "try")
    hooks = dict(inst.fronts.demo_hooks())
    first, again = hooks["example"](ctx), hooks["example"](ctx)
    assert [p.added for p in first] == [{"reports": 1}] and [p.added for p in again] == [{"reports": 0}]
    consume(inst.db.session, policy=ReviewPolicy(fronts=inst.fronts))
    with inst.db.session() as s:
        (case,) = s.scalars(select(Case))
    assert (case.kind, case.group_key) == ("example_report", "channel:demo")


def test_without_the_entry_point_the_front_is_absent() -> None:
    reg = FrontRegistry.from_entry_points()
    assert reg.names() == list(BUILT_IN)
    result = CliRunner().invoke(build_app(reg), ["example", "tag", "x"])
    assert result.exit_code != 0


@pytest.mark.parametrize(("clash", "why"), [
    (FrontManifest(name="example", description="again"), "two fronts are named"),
    (FrontManifest(name="other", description="", case_kinds=(EXAMPLE_REPORT,)), "declares case kind"),
    (FrontManifest(name="other", description="", case_kinds=(replace(EXAMPLE_REPORT, name="other_report"),)),
     "another kind is opened by 'example.reported'"),
    (FrontManifest(name="other", description="", case_kinds=(replace(EXAMPLE_REPORT, name="x", group_key=""),)),
     "no group key"),
    (FrontManifest(name="other", description="", settings=dict), "settings must be a dataclass"),
])
def test_a_clashing_front_is_refused(reg: FrontRegistry, clash: FrontManifest, why: str) -> None:
    with pytest.raises(ConfigurationError, match=why):
        reg.register(clash)


def test_an_entry_point_that_is_not_a_manifest_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fronts, "_default", fronts.default_fronts())
    bad = EntryPoint(name="example", value="tests.plugins.example_front.front:EXAMPLE_REPORT",
                     group=fronts.ENTRY_POINT_GROUP)
    monkeypatch.setattr(fronts, "entry_points", lambda group: EntryPoints([bad]))
    with pytest.raises(ConfigurationError, match="is not a FrontManifest"):
        FrontRegistry.from_entry_points()


def test_reading_the_manifests_imports_no_face_and_no_front_service() -> None:
    # Routers, commands, pages and models are references, imported when a face asks for them.
    code = ("import sys; from basira.core.fronts import default_fronts; default_fronts().case_kinds(); "
            "print(sorted(m for m in sys.modules if m.startswith(('basira.api', 'basira.cli', 'basira.web', "
            "'basira.drones.ingest', 'basira.finance.screening', 'basira.content.photo'))))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60)
    assert out.stdout.strip() == "[]"

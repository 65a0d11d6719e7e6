"""Nothing of an exercise reaches a real organization, partner, export or webhook, and nothing real reaches the
exercise: every route out is tried, through the API, the command line and the services, and each is refused or
comes back empty.

Routes: bank listing and matching (both ways), bank shares and sharing groups (both ways), opinions on another
organization's signals, STIX bundle export, MISP feed export, TAXII collections (both ways), the HMA API, partner
TAXII feeds, and webhooks (configuration and delivery, including a setting changed after a webhook was saved).
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from tests.exercise.conftest import Drill
from tests.factories import Api
from typer.testing import CliRunner

from basira.actions.config import ActionsConfig
from basira.actions.delivery import deliver_due
from basira.actions.dispatch import dispatch
from basira.actions.models import Delivery
from basira.cli.main import app as cli_app
from basira.core import groups, opinions, orgs
from basira.core.errors import NotFound
from basira.core.exercise import ExerciseIsolation, exercise_endpoint
from basira.core.models import Bank, Role, Signal
from basira.core.principal import Principal
from basira.review.consumer import consume
from basira.review.models import Case
from basira.sharing import export, feeds, misp


@dataclasses.dataclass
class Sides:
    real: Api
    drill: Api
    drill_admin: Principal
    real_bank: int
    real_signal: int
    drill_bank: Bank
    drill_value: tuple[str, str]


@pytest.fixture(scope="module")
def sides(drill: Drill, client: TestClient) -> Sides:
    real = Api(client, drill.real_key)
    bank = real.bank("Real CLEAR list", tlp="CLEAR")
    signal = real.add(bank["id"], "sha256", "a" * 64)
    with drill.inst.db.session() as s:
        org = orgs.get_org(s, drill.started.org_slug)
        drill_bank = s.scalars(select(Bank).where(Bank.org_id == org.id,
                                                  Bank.name == "Exercise photos")).one()
        sig = s.scalars(select(Signal).where(Signal.bank_id == drill_bank.id,
                                             Signal.signal_type == "sha256")).first()
        assert sig is not None
        s.expunge(drill_bank)
        value = (sig.signal_type, sig.value)
        admin = Principal(org.id, Role.ADMIN, "trainer")
    return Sides(real, Api(client, drill.started.api_key), admin, bank["id"], signal["id"], drill_bank, value)


def test_banks_are_neither_seen_nor_matched_across_the_wall(sides: Sides) -> None:
    real_names = {b["name"] for b in sides.real.get("/v1/banks").json()}
    drill_names = {b["name"] for b in sides.drill.get("/v1/banks").json()}
    assert "Exercise photos" in drill_names and "Exercise photos" not in real_names
    assert "Real CLEAR list" in real_names and "Real CLEAR list" not in drill_names  # CLEAR, yet walled off
    assert sides.real.get(f"/v1/banks/{sides.drill_bank.id}").status_code == 404
    assert sides.drill.get(f"/v1/banks/{sides.real_bank}").status_code == 404
    assert sides.real.match(sides.drill_value).json()["matches"] == []
    assert sides.drill.match(("sha256", "a" * 64)).json()["matches"] == []
    # Each side still matches its own.
    assert sides.drill.match(sides.drill_value).json()["matches"]
    assert sides.real.match(("sha256", "a" * 64)).json()["matches"]


def test_shares_groups_and_opinions_do_not_cross(drill: Drill, sides: Sides) -> None:
    r = sides.drill.post(f"/v1/banks/{sides.drill_bank.id}/share", json={"org": "acme"})
    assert r.status_code == 403 and "exercise" in r.json()["detail"]
    r = sides.real.post(f"/v1/banks/{sides.real_bank}/share", json={"org": drill.started.org_slug})
    assert r.status_code == 403
    with drill.inst.db.session() as s, pytest.raises(ExerciseIsolation):
        groups.create_group(s, sides.drill_admin, "drill partners", ["acme"])
    with drill.inst.db.session() as s, pytest.raises(ExerciseIsolation):
        groups.create_group(s, drill.real, "partners", [drill.started.org_slug])
    with drill.inst.db.session() as s, pytest.raises(NotFound):
        opinions.set_opinion(s, sides.drill_admin, sides.real_signal, "confirmed")


def test_no_export_leaves_with_exercise_signals(drill: Drill, sides: Sides, client: TestClient,
                                                tmp_path: Path) -> None:
    with drill.inst.db.session() as s, pytest.raises(ExerciseIsolation):
        export.bank_bundle(s, sides.drill_admin, drill.inst.secret_key, sides.drill_bank.id)
    with drill.inst.db.session() as s, pytest.raises(ExerciseIsolation):
        misp.export_feed(s, sides.drill_admin, sides.drill_bank.id, tmp_path / "feed")
    with drill.inst.db.session() as s:
        assert all(b.org_id == drill.real_org_id for b in export.exportable_banks(s, drill.real_org_id))
    # The command line says so, with the permission exit code, and writes nothing.
    settings = drill.inst.settings
    env = {"BASIRA_DATABASE_URL": settings.database_url, "BASIRA_DATA_DIR": str(settings.data_dir),
           "BASIRA_SECRET_KEY": "test-secret"}
    slug = drill.started.org_slug
    for args in (["sharing", "export", "Exercise photos", "--org", slug, "-o", str(tmp_path / "b.json")],
                 ["misp", "export", "Exercise photos", str(tmp_path / "misp"), "--org", slug]):
        result = CliRunner().invoke(cli_app, args, env=env)
        assert result.exit_code == 77, result.output
        assert "exercise" in result.output
    assert not (tmp_path / "b.json").exists() and not (tmp_path / "misp").exists()
    # TAXII: the real organization is offered no exercise collection; the exercise offers none to read.
    real_taxii = client.get("/taxii2/api/collections/", headers={"Authorization": f"Bearer {drill.real_key}"})
    titles = {c["title"] for c in real_taxii.json().get("collections", [])}
    assert "Real CLEAR list" in titles and "Exercise photos" not in titles
    drill_taxii = client.get("/taxii2/api/collections/",
                             headers={"Authorization": f"Bearer {drill.started.api_key}"}).json()
    assert not any(c["can_read"] for c in drill_taxii.get("collections", []))
    # HMA's curation API of a real key lists no exercise bank.
    hma = client.get("/c/banks", headers={"Authorization": f"Bearer {drill.real_key}"}).json()
    assert "Exercise photos" not in {b["name"] for b in hma}


def test_no_partner_feed_for_an_exercise(drill: Drill, sides: Sides) -> None:
    spec = feeds.FeedSpec(name="partner", api_root="https://partner.example/api/", collection_id="c1",
                          bank="Exercise photos", secret="key")
    with drill.inst.db.session() as s, pytest.raises(ExerciseIsolation):
        feeds.add_feed(s, sides.drill_admin, drill.inst.secret_key, spec)


def _decide_one(drill: Drill, client: TestClient, kind: str) -> None:
    with drill.inst.db.session() as s:
        org_id = orgs.get_org(s, drill.started.org_slug).id
        case = s.scalars(select(Case).where(Case.org_id == org_id, Case.kind == kind, Case.status != "decided")
                         .order_by(Case.id)).first()
        assert case is not None
        key = orgs.create_key(s, Principal(org_id, Role.ADMIN, "test"), org_id, "reviewer", f"r-{kind}").secret
        reason = {"screening_hit": "true_match", "content_match": "incites"}[kind]
    r = Api(client, key).post(f"/v1/cases/{case.id}/decide", json={"reason": reason})
    assert r.status_code == 200, r.text


def test_webhooks_go_to_the_exercise_endpoint_only(drill: Drill, sides: Sides, client: TestClient) -> None:
    r = sides.drill.post("/v1/actions/webhooks", json={"url": drill.real_hook.url, "name": "leak"})
    assert r.status_code == 403 and "exercise endpoint" in r.json()["detail"]
    # A look-alike host is not the endpoint.
    assert not exercise_endpoint(drill.exercise_hook.url.replace("127.0.0.1", "127.0.0.1.evil"),
                                 [drill.exercise_hook.url])
    real = sides.real.post("/v1/actions/webhooks", json={"url": drill.real_hook.url, "name": "real"})
    assert real.status_code == 201, real.text
    hook_id = sides.drill.get("/v1/actions/webhooks").json()[0]["id"]
    moved = sides.drill.patch(f"/v1/actions/webhooks/{hook_id}", json={"url": drill.real_hook.url})
    assert moved.status_code == 403

    cfg = ActionsConfig.from_settings(drill.inst.settings)
    _decide_one(drill, client, "screening_hit")
    consume(drill.inst.db.session)
    dispatch(drill.inst.db.session)
    deliver_due(drill.inst.db.session, cfg)
    got = [w.json for w in drill.exercise_hook.requests]
    assert got and all(w.signed for w in drill.exercise_hook.requests)
    assert {w["organization"] for w in got} == {drill.started.org_slug}
    assert drill.real_hook.requests == []

    # The endpoint is struck from the setting after the webhook was saved: the next delivery is refused at once.
    before = len(drill.exercise_hook.requests)
    _decide_one(drill, client, "content_match")
    dispatch(drill.inst.db.session)
    deliver_due(drill.inst.db.session, dataclasses.replace(cfg, exercise_endpoints=()))
    assert len(drill.exercise_hook.requests) == before and drill.real_hook.requests == []
    with drill.inst.db.session() as s:
        dead = s.scalars(select(Delivery).where(Delivery.status == "dead")).all()
    assert dead and all("exercise endpoint" in d.last_error for d in dead)

"""An exercise end to end through the real HTTP API: the operator starts one, the trainer sends the scenario's
injects, the team decides (or not) in the real review queue, and the report scores time to decision, misses and
deadline breaches as JSON, CSV and HTML in three languages."""

from __future__ import annotations

import csv
import datetime as dt
import io

from fastapi.testclient import TestClient
from sqlalchemy import select
from tests.exercise.conftest import Drill
from tests.factories import Api

from basira.core import orgs
from basira.core.models import Bank, Role, utcnow
from basira.core.principal import Principal
from basira.drones.models import DroneZone
from basira.exercise import scoring
from basira.review.models import Case


def test_the_exercise_lives_in_a_marked_organization_with_synthetic_data(drill: Drill) -> None:
    with drill.inst.db.session() as s:
        org = orgs.get_org(s, drill.started.org_slug)
        assert org.exercise and not org.operator and org.name.startswith("EXERCISE: ")
        bank_names = set(s.scalars(select(Bank.name).where(Bank.org_id == org.id)))
        zones = list(s.scalars(select(DroneZone.ref).where(DroneZone.org_id == org.id)))
        cases = s.scalars(select(Case.kind).where(Case.org_id == org.id)).all()
    assert {"Exercise photos", "Demo sanctions list"} <= bank_names
    assert zones == ["stadium"]
    # The fronts' starting hits are in the team's queue: the re-posted message and the listed customer.
    assert {"content_match", "screening_hit"} <= set(cases)
    assert drill.started.org_slug == "exercise-drill"


def _decide(api: Api, case_id: int, reason: str) -> None:
    r = api.post(f"/v1/cases/{case_id}/decide", json={"reason": reason, "rationale": "exercise"})
    assert r.status_code == 200, r.text


def test_the_trainer_plays_the_scenario_and_the_report_scores_the_team(drill: Drill, client: TestClient) -> None:
    slug = drill.started.org_slug
    trainer = Api(client, drill.started.api_key)
    played = {}
    for ref in ("new-hash-list", "drone-in-zone", "list-update", "removal-order"):
        r = trainer.post(f"/v1/exercises/{slug}/injects/{ref}")
        assert r.status_code == 200, r.text
        played[ref] = r.json()
    assert played["new-hash-list"]["cases_opened"] == 1
    assert played["drone-in-zone"]["case_keys"][0].startswith("track:")
    # A second press sends nothing: the inject is spent.
    assert trainer.post(f"/v1/exercises/{slug}/injects/new-hash-list").status_code == 409
    assert trainer.post(f"/v1/exercises/{slug}/injects/nope").status_code == 404

    with drill.inst.db.session() as s:
        org_id = orgs.get_org(s, slug).id
        team_key = orgs.create_key(s, Principal(org_id, Role.ADMIN, "test"), org_id, "reviewer", "team").secret
        by_key = {c.group_key: c.id for c in s.scalars(select(Case).where(Case.org_id == org_id))}
    team = Api(client, team_key)
    _decide(team, by_key[played["new-hash-list"]["case_keys"][0]], "incites")  # as the scenario expects
    _decide(team, by_key[played["drone-in-zone"]["case_keys"][0]], "benign")  # against it: a miss
    # The list update and the removal order are left waiting.

    # The team's key is not the trainer's: no timeline, no report.
    assert team.get(f"/v1/exercises/{slug}/report").status_code == 403
    r = trainer.get(f"/v1/exercises/{slug}/report")
    assert r.status_code == 200, r.text
    body = r.json()
    lines = {i["ref"]: i for i in body["injects"]}
    assert lines["new-hash-list"]["status"] == "decided"
    assert 0 <= lines["new-hash-list"]["time_to_decision_s"] < 300
    assert lines["drone-in-zone"]["status"] == "wrong" and lines["drone-in-zone"]["missed"]
    assert lines["list-update"]["status"] == "undecided" and not lines["list-update"]["breached"]
    assert lines["removal-order"]["status"] == "undecided"
    assert lines["re-post"]["status"] == "pending" and lines["re-post"]["injected_at"] is None
    assert body["totals"] == {**body["totals"], "injects": 5, "sent": 4, "decided": 1, "misses": 1,
                              "deadline_breaches": 0}

    # Two hours on, the list update's 30 minutes and the removal order's hour have passed.
    later = scoring.score(drill.inst, drill.real, slug, now=utcnow() + dt.timedelta(hours=2))
    assert {i.ref for i in later.injects if i.breached} == {"list-update", "removal-order"}
    assert {i.ref for i in later.injects if i.missed} == {"drone-in-zone", "list-update", "removal-order"}

    rows = list(csv.DictReader(io.StringIO(trainer.get(f"/v1/exercises/{slug}/report",
                                                       params={"format": "csv", "lang": "fr"}).text)))
    assert [r["ref"] for r in rows] == ["new-hash-list", "drone-in-zone", "list-update", "removal-order", "re-post"]
    assert rows[1]["title"] == "Un drone entre dans la zone du stade pendant le match"
    assert rows[0]["status"] == "decided" and rows[1]["missed"] == "True"
    html = trainer.get(f"/v1/exercises/{slug}/report", params={"format": "html", "lang": "ar"}).text
    assert 'dir="rtl"' in html and "تقرير التمرين" in html and "طائرة مسيّرة تدخل منطقة الملعب" in html

    r = trainer.post(f"/v1/exercises/{slug}/end")
    assert r.json()["state"] == "ended"
    assert trainer.post(f"/v1/exercises/{slug}/injects/re-post").status_code == 409


def test_only_the_operator_starts_an_exercise_and_the_api_reads_no_path(drill: Drill, client: TestClient) -> None:
    trainer = Api(client, drill.started.api_key)
    operator = Api(client, drill.real_key)
    scenario = {"name": "Quick list drill", "injects": [
        {"id": "hit", "kind": "list_update", "expect": "violating", "title": {"en": "A list update"}}]}
    assert trainer.post("/v1/exercises", json={"scenario": scenario}).status_code == 403
    # A path is never read: only shipped names, or the documents themselves.
    assert operator.post("/v1/exercises", json={"scenario": "/etc/passwd"}).status_code == 422
    assert operator.post("/v1/exercises", json={"scenario": scenario, "site": "../../etc/hosts"}).status_code == 422
    bad = {**scenario, "injects": [{"id": "x", "kind": "teleport"}]}
    assert "kind is one of" in operator.post("/v1/exercises", json={"scenario": bad}).json()["detail"]
    r = operator.post("/v1/exercises", json={"scenario": scenario, "site": "government-quarter", "slug": "quick"})
    assert r.status_code == 201, r.text
    assert r.json()["org_slug"] == "exercise-quick"
    listed = {e["org_slug"] for e in operator.get("/v1/exercises").json()}
    assert {"exercise-drill", "exercise-quick"} <= listed
    assert [e["org_slug"] for e in trainer.get("/v1/exercises").json()] == ["exercise-drill"]


def test_the_trainer_reads_the_report_on_the_web_and_the_team_does_not(drill: Drill, client: TestClient) -> None:
    from tests.web.helpers import sign_in

    slug = drill.started.org_slug
    try:
        sign_in(client, drill.started.team, drill.started.team_password)
        assert client.get(f"/exercise/{slug}").status_code == 403  # the team never sees what is coming
        assert client.get(f"/exercise/{slug}/report.json").status_code == 403
        client.cookies.clear()
        sign_in(client, drill.started.trainer, drill.started.trainer_password)
        listing = client.get("/exercise")
        assert listing.status_code == 200 and f"/exercise/{slug}" in listing.text
        page = client.get(f"/exercise/{slug}/report", params={"lang": "fr"})
        assert page.status_code == 200 and "Rapport d’exercice" in page.text and "EXERCICE" in page.text
        as_csv = client.get(f"/exercise/{slug}/report.csv")
        assert as_csv.headers["content-type"].startswith("text/csv") and as_csv.text.startswith("ref,kind,")
        as_json = client.get(f"/exercise/{slug}/report.json").json()
        assert as_json["org_slug"] == slug and len(as_json["injects"]) == 5
        assert client.get(f"/exercise/{slug}/report.xml").status_code == 404
        assert client.get("/exercise/exercise-nope").status_code == 404
    finally:
        client.cookies.clear()

"""The HTTP routes (Basira's and the yente-shaped one) and the `basira lists` / `basira screen` commands."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.factories import Api, problem

SLICE = Path(__file__).parents[1] / "data" / "finance" / "un_slice.xml"
ARABIC = "إبراهيم عواد إبراهيم علي البدري السامرائي"


def test_api_screens_and_answers_in_yente_shape(client: Any, admin_key: str, instance: Any, admin: Any) -> None:
    from basira.finance.lists.store import ImportRequest, import_list

    with instance.db.session() as s:
        import_list(s, admin, instance.registry, ImportRequest("un", SLICE))
    api = Api(client, admin_key)
    r = api.post("/v1/screen", json={"queries": [{"id": "c1", "name": ARABIC, "birth_date": "1971"}]})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["results"][0]["hits"][0]["entry"]["ref"] == "QDi.299"
    assert body["lists"][0]["version"] == "2026-02-27"
    y = api.post("/v1/match/default", json={"queries": {"q1": {"schema": "Person", "properties": {
        "name": [ARABIC], "birthDate": ["1971"]}}}})
    assert y.status_code == 200, y.text
    res = y.json()["responses"]["q1"]
    top = res["results"][0]
    assert set(top) >= {"id", "caption", "schema", "properties", "score", "match", "features"}
    assert top["match"] and top["schema"] == "Person" and res["total"]["value"] >= 1
    problem(api.post("/v1/screen", json={"queries": [{"name": "x", "birth_date": "1961-13-45"}]}), 422)
    problem(api.post("/v1/match/nosuch", json={"queries": {"q": {"schema": "Person", "properties": {
        "name": ["A B"]}}}}), 404)
    s = api.request("PUT", "/v1/screen/settings", json={"threshold": 0.85})
    assert s.status_code == 200 and s.json()["version"] == 1
    assert api.get("/v1/lists").json()[0]["source"] == "un"


def test_cli_imports_shows_and_screens_a_customer_file(cli: Any, tmp_path: Path) -> None:
    cli.ok("org", "create", "acme")
    cli.ok("lists", "import", "un", str(SLICE))
    shown = json.loads(cli.ok("lists", "show", "--json").stdout)
    assert shown["lists"][0]["version"] == "2026-02-27"
    customers = tmp_path / "customers.csv"
    customers.write_text(f"id,name,birth_date,nationality,wallet\nc1,{ARABIC},1971,Iraq,\nc2,Jane Neutral,,,\n",
                         encoding="utf-8")
    out = cli.ok("screen", str(customers)).stdout
    rows = out.strip().splitlines()
    assert rows[0].startswith("id,matched") and rows[1].startswith("c1,yes") and rows[2].startswith("c2,no")
    as_json = json.loads(cli.ok("screen", str(customers), "--json", "--no-record").stdout)
    assert as_json["results"][0]["hits"][0]["entry"]["ref"] == "QDi.299"
    bad = tmp_path / "bad.csv"
    bad.write_text("id,name,birth_date\nc1,Someone,1961-13-45\n", encoding="utf-8")
    result = cli("screen", str(bad))
    assert result.exit_code == 65 and "1961-13-45" in result.output
    bomb = tmp_path / "bomb.xml"
    bomb.write_text('<?xml version="1.0"?><!DOCTYPE a [<!ENTITY b "c">]><CONSOLIDATED_LIST/>')
    result = cli("lists", "import", "un", str(bomb))
    assert result.exit_code == 65 and "DTD" in result.output


def test_api_and_cli_list_the_same_imports_those_of_the_banks_the_caller_sees(
        client: Any, admin_key: str, instance: Any, admin: Any, cli: Any) -> None:
    from basira.core import orgs
    from basira.core.principal import system_principal
    from basira.finance.lists.store import ImportRequest, import_list

    with instance.db.session() as s:
        other = system_principal(orgs.create_org(s, "test", "partner").id)
        hidden = system_principal(orgs.create_org(s, "test", "closed").id)
    with instance.db.session() as s:
        import_list(s, admin, instance.registry, ImportRequest("un", SLICE, bank="UN (ours)"))
        import_list(s, other, instance.registry, ImportRequest("un", SLICE, bank="UN (partner's, CLEAR)"))
        import_list(s, hidden, instance.registry, ImportRequest("un", SLICE, bank="UN (closed)", tlp="AMBER"))
    from_api = Api(client, admin_key).get("/v1/lists").json()
    from_cli = json.loads(cli.ok("lists", "show", "--json", "--org", "acme").stdout)["lists"]
    assert [r["bank"] for r in from_api] == ["UN (ours)", "UN (partner's, CLEAR)"]
    assert from_cli == from_api


def test_lists_show_prints_the_re_screen_of_the_last_delta_in_80_columns(cli: Any, tmp_path: Path) -> None:
    header = "ref,kind,name,aliases,birth_dates,wallets\n"
    v1, v2 = tmp_path / "v1.csv", tmp_path / "v2.csv"
    v1.write_text(header + "N-1,person,Zubayr Qasim Example,,,\n", encoding="utf-8")
    v2.write_text(header + "N-2,person,Karim Yusuf Examplestan,,,\n", encoding="utf-8")
    customers = tmp_path / "customers.csv"
    customers.write_text("id,name\nc1,Karim Yusuf Examplestan\nc2,Jane Neutral\n", encoding="utf-8")
    cli.ok("org", "create", "acme")
    cli.ok("lists", "import", "csv", str(v1), "--bank", "Own list", "--version", "v1")
    cli.ok("screen", str(customers))  # kept for monitoring
    cli.ok("lists", "import", "csv", str(v2), "--bank", "Own list", "--version", "v2")
    shown = json.loads(cli.ok("lists", "show", "--json").stdout)["lists"][0]
    assert shown["rescreened"] >= 1 and shown["new_hits"] == 1
    text = cli.ok("lists", "show").stdout
    assert "version v2" in text and "1 added, 0 changed, 1 removed" in text
    assert f"re-screened {shown['rescreened']} customers, 1 new hits" in text
    assert "added: N-2" in text and "removed: N-1" in text
    assert "…" not in text  # nothing cut to fit the terminal

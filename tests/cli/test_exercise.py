"""``basira exercise`` and ``basira readiness`` end to end: a scenario file and a zone file start an exercise, the
trainer sends an inject and writes the report; hostile files are refused with a message and an exit code; the
readiness assessment is written from an answers file as HTML in Arabic and as JSON."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from basira.cli.main import app as cli_app
from basira.exercise import readiness

from .conftest import Cli

ZONES = {"type": "FeatureCollection", "features": [{
    "type": "Feature", "geometry": {"type": "Point", "coordinates": [2.35, 48.85]},
    "properties": {"identifier": "square", "name": "Town square (fictional)", "radius_m": 300, "upper_m": 120}}]}
SCENARIO = {"name": "Square drill", "injects": [
    {"id": "drone", "at_s": 0, "kind": "drone_enters_zone", "expect": "violating", "deadline_s": 600,
     "title": {"en": "A drone over the square", "fr": "Un drone au-dessus de la place"}, "params": {"zone": "square"}},
    {"id": "order", "at_s": 0, "kind": "removal_order", "title": "An order too early", "params": {"of": "later"}},
    {"id": "later", "at_s": 86_400, "kind": "list_update", "title": "Tomorrow's list update"}]}


def _write(folder: Path, name: str, value: object) -> Path:
    path = folder / name
    path.write_text(json.dumps(value), encoding="utf-8")
    return path


# One backend: the exercise's tables are plain ORM (the migration is checked on both by tests/core/test_db.py), and
# an exercise start is the slow part of this file.
@pytest.mark.parametrize("backend", ["sqlite"])
def test_an_exercise_from_files_through_the_command_line(cli: Cli, tmp_path: Path) -> None:
    scenario, zones = _write(tmp_path, "drill.json", SCENARIO), _write(tmp_path, "square.json", ZONES)
    started = cli.ok("exercise", "start", "--scenario", str(scenario), "--site", str(zones), "--slug", "square")
    assert "exercise-square" in started.output and "EXERCISE" in started.output
    # Only the injects at 0 s are due; tomorrow's waits. The order names content not posted yet: it is spent with
    # its error, not tried again every round.
    due = cli.ok("exercise", "due")
    assert "exercise-square drone: drone" in due.output and "later:" not in due.output
    assert "order: error: send inject 'later' first" in due.output
    assert "No inject is due." in cli.ok("exercise", "due").output
    again = cli("exercise", "inject", "exercise-square", "drone")
    assert again.exit_code == 75
    assert "sent already" in again.output
    report = cli.ok("exercise", "report", "exercise-square", "--format", "csv", "--lang", "fr")
    rows = list(csv.DictReader(io.StringIO(report.output)))
    assert [(r["ref"], r["title"], r["status"]) for r in rows] == [
        ("drone", "Un drone au-dessus de la place", "undecided"), ("order", "An order too early", "not_detected"),
        ("later", "Tomorrow's list update", "pending")]
    cli.ok("exercise", "end", "exercise-square")
    ended = json.loads(cli.ok("exercise", "report", "exercise-square").output)
    assert ended["state"] == "ended" and ended["totals"]["misses"] == 2  # undecided when it ended; not played
    assert ended["injects"][1]["error"].startswith("send inject 'later' first")
    listed = json.loads(cli.ok("exercise", "list", "--json").output)
    assert [e["org_slug"] for e in listed] == ["exercise-square"]


@pytest.mark.parametrize("backend", ["sqlite"])
def test_hostile_scenario_and_site_files_are_refused_with_a_reason(cli: Cli, tmp_path: Path) -> None:
    cases = [
        (tmp_path / "missing.json", "cannot read"),
        (_write(tmp_path, "list.json", [1, 2]), "a scenario is a JSON object"),
        (_write(tmp_path, "dup.json", {**SCENARIO, "injects": [SCENARIO["injects"][0]] * 2}), "same id"),
        (_write(tmp_path, "order.json", {"name": "x", "injects": [{"id": "o", "kind": "removal_order"}]}),
         "a removal order names"),
    ]
    (tmp_path / "bad.json").write_bytes(b"\xff\xfe{not json")
    cases.append((tmp_path / "bad.json", "is not JSON"))
    (tmp_path / "deep.json").write_text("[" * 100_000 + "]" * 100_000)
    cases.append((tmp_path / "deep.json", "nests too deeply"))
    for path, reason in cases:
        result = cli("exercise", "start", "--scenario", str(path))
        assert result.exit_code != 0 and reason in result.output, (path.name, result.output)
    bad_site = _write(tmp_path, "nozone.json", {"type": "FeatureCollection", "features": []})
    result = cli("exercise", "start", "--scenario", "stadium-night", "--site", str(bad_site))
    assert result.exit_code == 65 and "no zone" in result.output
    assert json.loads(cli.ok("exercise", "list", "--json").output) == []  # nothing was made


@pytest.mark.parametrize("backend", ["sqlite"])
def test_readiness_from_an_answers_file_in_arabic(cli: Cli, tmp_path: Path) -> None:
    q = readiness.load()
    answers = {x.id: "yes" for x in q.questions} | {"drones-detect": "no", "payments-lists": "partly"}
    path = _write(tmp_path, "answers.json", answers)
    html = cli.ok("readiness", "--answers", str(path), "--format", "html", "--lang", "ar").output
    assert 'dir="rtl"' in html and "التقييم الذاتي للجاهزية" in html and "docs/drones.md" in html
    report = json.loads(cli.ok("readiness", "--answers", str(path)).output)
    assert [g["question"] for g in report["gaps"]] == ["drones-detect", "payments-lists"]
    wrong = _write(tmp_path, "wrong.json", {**answers, "drones-detect": "maybe"})
    result = cli("readiness", "--answers", str(wrong))
    assert result.exit_code == 65 and "drones-detect" in result.output


@pytest.mark.parametrize("backend", ["sqlite"])
def test_a_ministry_s_own_questionnaire_replaces_the_shipped_one(cli: Cli, tmp_path: Path) -> None:
    doc = json.loads(readiness.QUESTIONNAIRE.read_text(encoding="utf-8"))
    doc["questions"] = doc["questions"][:2]
    doc["questions"][1]["text"]["fr"] = "Question adaptée par le ministère ?"
    own = _write(tmp_path, "ministry.json", doc)
    answers = _write(tmp_path, "answers.json", {q["id"]: "partly" for q in doc["questions"]})
    env = {**cli.env, "BASIRA_READINESS_QUESTIONS": str(own)}
    result = cli.runner.invoke(cli_app, ["readiness", "--answers", str(answers), "--lang", "fr"], env=env)
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["overall"] == 50.0 and [g["text"] for g in report["gaps"]][1] == "Question adaptée par le ministère ?"

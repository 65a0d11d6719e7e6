"""Scenario and questionnaire files are outside input: any JSON is either a checked scenario or an InvalidInput
naming the problem; the shipped files are valid in every language and their links lead somewhere real."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from basira.core.errors import InvalidInput
from basira.core.exercise import ExerciseIsolation, exercise_endpoint
from basira.exercise import readiness, scenario

ROOT = Path(__file__).resolve().parents[2]
KINDS = ("hash_list", "content_hit", "drone_enters_zone", "list_update")
json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-10, 10**7) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=5),
    max_leaves=12)
inject_like = st.fixed_dictionaries(
    {"id": st.text(max_size=8), "kind": st.sampled_from([*KINDS, "removal_order", "x"])},
    optional={"at_s": json_values, "title": json_values, "expect": json_values, "deadline_s": json_values,
              "params": json_values})


@settings(max_examples=40, deadline=None)
@given(st.one_of(json_values, st.fixed_dictionaries({"name": json_values, "injects": st.lists(inject_like,
                                                                                             max_size=4)})))
def test_any_json_is_a_checked_scenario_or_a_clear_refusal(doc: Any) -> None:
    try:
        plan = scenario.parse(doc, KINDS)
    except InvalidInput as e:
        assert e.detail
        return
    assert plan.injects and all(i.kind in (*KINDS, "removal_order") for i in plan.injects)
    assert [i.at_s for i in plan.injects] == sorted(i.at_s for i in plan.injects)
    assert all(set(i.title) == {"en", "ar", "fr"} for i in plan.injects)


def test_shipped_scenarios_and_sites_are_valid() -> None:
    for name in scenario.scenario_names():
        plan = scenario.load_scenario(name, KINDS, 1_000_000, files=False)
        assert all(i.title["ar"] != i.title["en"] for i in plan.injects), name  # really translated
    assert scenario.site_names() == ["government-quarter", "stadium"]


@pytest.mark.parametrize(("url", "ok"), [
    ("https://drill.example/hooks/basira", True),
    ("https://drill.example/hooks/basira/more", True),
    ("https://drill.example/hooks/basiraX", False),  # a sibling path, not below
    ("https://drill.example.evil/hooks/basira", False),  # a look-alike host
    ("http://drill.example/hooks/basira", False),  # another scheme
    ("https://drill.example:8443/hooks/basira", False),  # another port
    ("https://user:pw@drill.example/hooks/basira", False),  # credentials smuggled in
    ("not a url", False),
])
def test_exercise_endpoints_are_matched_by_origin_and_path(url: str, ok: bool) -> None:
    assert exercise_endpoint(url, ["https://drill.example/hooks/basira"]) is ok
    assert exercise_endpoint(url, []) is False


def test_the_wall_is_a_permission_refusal() -> None:
    assert (ExerciseIsolation.status, ExerciseIsolation.exit_code) == (403, 77)


def test_the_shipped_questionnaire_is_complete_and_its_links_lead_somewhere() -> None:
    from basira.web import drones_map, exercise_pages, pages, review_pages

    routers = (pages.router, review_pages.router, exercise_pages.router, drones_map.router)
    routes = {getattr(r, "path", "") for router in routers for r in router.routes}
    q = readiness.load()
    assert len(q.questions) >= 10 and {t for t, _, _ in q.themes} == {x.theme for x in q.questions}
    assert {src for _, src, _ in q.themes} == {"delhi", "berlin"}
    for x in q.questions:
        assert x.features, x.id
        for f in x.features:
            assert not f.doc or (ROOT / f.doc).is_file(), f.doc
            assert not f.route or f.route in routes, f.route


def test_scores_are_weighted_by_theme_and_gaps_come_largest_first() -> None:
    q = readiness.load()
    best = {x.id: "yes" for x in q.questions}
    assert readiness.assess(q, best).overall == 100.0 and readiness.assess(q, best).gaps == []
    mixed = best | {"drones-detect": "no", "drones-zones": "partly", "partners-exercise": "no"}
    a = readiness.assess(q, mixed)
    # drones: weights 3, 2, 2 → (0 + 2*1 + 2*2) / (2*7) = 6/14
    assert a.themes["drones"] == round(100 * 6 / 14, 1)
    # 6 points short, then two of 2 points each in the questionnaire's order.
    assert [g.question.id for g in a.gaps] == ["drones-detect", "drones-zones", "partners-exercise"]
    doc = readiness.as_json(a, "fr")
    assert doc["gaps"][0]["features"][0]["doc"] == "docs/drones.md" and "drone" in doc["gaps"][0]["text"]


@pytest.mark.parametrize(("answers", "reason"), [
    ({}, "unanswered"),
    ({"nope": "yes"}, "unknown questions"),
    ("yes", "answers is an object"),
])
def test_bad_answers_are_refused(answers: Any, reason: str) -> None:
    with pytest.raises(InvalidInput, match=reason):
        readiness.assess(readiness.load(), answers)


@pytest.mark.parametrize(("change", "reason"), [
    (lambda d: d["questions"][0]["text"].pop("ar"), r"text\.ar"),
    (lambda d: d["questions"][0].update(theme="space"), "theme is one of"),
    (lambda d: d["questions"][0].update(weight=99), "weight"),
    (lambda d: d["questions"][0]["features"][0].update(route="http://evil"), "route"),
    (lambda d: d["questions"].append(dict(d["questions"][0])), "same id"),
    (lambda d: d.update(scale=[]), "scale"),
])
def test_an_adapted_questionnaire_is_checked(change: Any, reason: str) -> None:
    import json

    doc = json.loads(readiness.QUESTIONNAIRE.read_text())
    change(doc)
    with pytest.raises(InvalidInput, match=reason):
        readiness.parse(doc)

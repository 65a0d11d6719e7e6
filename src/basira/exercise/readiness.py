"""The readiness self-assessment: a questionnaire kept as data (``data/readiness.json``, in English, Arabic and
French, adaptable by a ministry), scored by theme, with each gap linked to the Basira features that close it.

The shipped questions are Basira's own, written from the themes of the Delhi Declaration and the Berlin
Memorandum's good practices on drones. A questionnaire file is checked like any outside input: every text in every
language, answers from the scale, weights and links bounded.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from basira.core.errors import InvalidInput
from basira.exercise.scenario import DATA, LANGUAGES, read_json

QUESTIONNAIRE = DATA / "readiness.json"
MAX_QUESTIONS = 300
MAX_TEXT = 2000


@dataclass(frozen=True)
class Feature:
    """A Basira feature that closes a gap: its title, its documentation page and the page that opens it."""

    title: dict[str, str]
    doc: str = ""
    route: str = ""


@dataclass(frozen=True)
class Question:
    id: str
    theme: str
    weight: int
    text: dict[str, str]
    gap: dict[str, str]
    features: tuple[Feature, ...]


@dataclass(frozen=True)
class Questionnaire:
    """A checked questionnaire."""

    version: str
    sources: dict[str, dict[str, str]]
    scale: tuple[tuple[str, int, dict[str, str]], ...]
    themes: tuple[tuple[str, str, dict[str, str]], ...]
    questions: tuple[Question, ...]

    @property
    def top(self) -> int:
        return max(score for _, score, _ in self.scale)

    def score_of(self, value: str) -> int | None:
        return next((score for v, score, _ in self.scale if v == value), None)


def _texts(value: Any, what: str) -> dict[str, str]:
    if not isinstance(value, dict):
        raise InvalidInput(f"{what} is an object of texts in {', '.join(LANGUAGES)}")
    out = {}
    for lang in LANGUAGES:
        text = value.get(lang)
        if not isinstance(text, str) or not text.strip() or len(text) > MAX_TEXT:
            raise InvalidInput(f"{what}.{lang} is a text of 1-{MAX_TEXT} characters")
        out[lang] = text.strip()
    return out


def _ident(value: Any, what: str) -> str:
    if not isinstance(value, str) or not 0 < len(value) <= 64 or not value.replace("-", "").replace("_", "").isalnum():
        raise InvalidInput(f"{what} is an identifier of 1-64 letters, digits, '-' and '_'")
    return value


def _list(doc: Mapping[str, Any], key: str, limit: int) -> list[Any]:
    value = doc.get(key)
    if not isinstance(value, list) or not value or len(value) > limit:
        raise InvalidInput(f"{key} is a list of 1-{limit} items")
    return value


def _feature(obj: Any, where: str) -> Feature:
    if not isinstance(obj, dict):
        raise InvalidInput(f"{where} is an object")
    doc, route = obj.get("doc", ""), obj.get("route", "")
    if not isinstance(doc, str) or not isinstance(route, str) or len(doc) > 200 or len(route) > 200:
        raise InvalidInput(f"{where}: doc and route are texts of at most 200 characters")
    if route and not route.startswith("/"):
        raise InvalidInput(f"{where}: route is a path of Basira's web pages (starts with '/')")
    return Feature(title=_texts(obj.get("title"), f"{where}.title"), doc=doc, route=route)


def _question(obj: Any, n: int, themes: set[str]) -> Question:
    where = f"question {n}"
    if not isinstance(obj, dict):
        raise InvalidInput(f"{where} is an object")
    qid = _ident(obj.get("id"), f"{where}: id")
    where = f"question {qid!r}"
    theme = obj.get("theme")
    if theme not in themes:
        raise InvalidInput(f"{where}: theme is one of {', '.join(sorted(themes))}")
    weight = obj.get("weight", 1)
    if not isinstance(weight, int) or isinstance(weight, bool) or not 1 <= weight <= 10:
        raise InvalidInput(f"{where}: weight is a whole number from 1 to 10")
    features = obj.get("features", [])
    if not isinstance(features, list) or len(features) > 10:
        raise InvalidInput(f"{where}: features is a list of at most 10")
    return Question(id=qid, theme=str(theme), weight=weight, text=_texts(obj.get("text"), f"{where}: text"),
                    gap=_texts(obj.get("gap"), f"{where}: gap"),
                    features=tuple(_feature(f, f"{where}: feature {k}") for k, f in enumerate(features, 1)))


def parse(doc: Any) -> Questionnaire:
    """A checked questionnaire from its JSON value, or InvalidInput naming what is wrong."""
    if not isinstance(doc, dict):
        raise InvalidInput("a questionnaire is a JSON object")
    sources = {_ident(s.get("id") if isinstance(s, dict) else None, "a source's id"):
               _texts(s.get("title"), "a source's title") for s in _list(doc, "sources", 20)}
    scale = []
    for s in _list(doc, "scale", 10):
        if not isinstance(s, dict) or not isinstance(s.get("score"), int) or isinstance(s.get("score"), bool) \
                or not 0 <= s["score"] <= 100:
            raise InvalidInput("each step of the scale has a value, a score from 0 to 100 and a label")
        scale.append((_ident(s.get("value"), "a scale value"), int(s["score"]), _texts(s.get("label"), "a label")))
    if len({v for v, _, _ in scale}) != len(scale) or max(sc for _, sc, _ in scale) == 0:
        raise InvalidInput("the scale's values are distinct and one scores above 0")
    themes = []
    for t in _list(doc, "themes", 50):
        if not isinstance(t, dict) or t.get("source") not in sources:
            raise InvalidInput("each theme names one of the sources")
        themes.append((_ident(t.get("id"), "a theme's id"), str(t["source"]), _texts(t.get("title"), "a theme title")))
    questions = [_question(q, n, {t for t, _, _ in themes})
                 for n, q in enumerate(_list(doc, "questions", MAX_QUESTIONS), 1)]
    if len({q.id for q in questions}) != len(questions):
        raise InvalidInput("two questions have the same id")
    version = doc.get("version", "")
    return Questionnaire(version=str(version)[:40], sources=sources, scale=tuple(scale), themes=tuple(themes),
                         questions=tuple(questions))


def load(path: Path | None = None, max_bytes: int = 1_048_576) -> Questionnaire:
    """The shipped questionnaire, or a ministry's own file."""
    return parse(read_json(path or QUESTIONNAIRE, max_bytes, "the questionnaire"))


def configured(settings: Any) -> Questionnaire:
    """The questionnaire the instance serves: ``BASIRA_READINESS_QUESTIONS``, else the shipped one."""
    own = str(settings.readiness_questions or "").strip()
    return load(Path(own) if own else None, int(settings.exercise_max_file_bytes))


@dataclass
class Gap:
    question: Question
    answer: str
    missing: int  # weighted points short of the top answer


@dataclass
class Assessment:
    """The scored answers: per theme and overall (percent of the weighted top score), and the gaps, largest
    first."""

    questionnaire: Questionnaire
    answers: dict[str, str]
    themes: dict[str, float] = field(default_factory=dict)
    overall: float = 0.0
    gaps: list[Gap] = field(default_factory=list)


def assess(q: Questionnaire, answers: Mapping[str, Any]) -> Assessment:
    """Score ``answers`` (question id → scale value; every question answered), or InvalidInput."""
    if not isinstance(answers, Mapping):
        raise InvalidInput("answers is an object: question id → answer")
    known = {x.id for x in q.questions}
    unknown = sorted(set(map(str, answers)) - known)
    if unknown:
        raise InvalidInput(f"unknown questions: {', '.join(unknown)[:200]}")
    missing = [x.id for x in q.questions if x.id not in answers]
    if missing:
        raise InvalidInput(f"unanswered questions: {', '.join(missing)[:200]}", missing=missing)
    values = [v for v, _, _ in q.scale]
    got: dict[str, int] = {}
    for x in q.questions:
        score = q.score_of(answers[x.id]) if isinstance(answers[x.id], str) else None
        if score is None:
            raise InvalidInput(f"question {x.id!r}: the answer is one of {', '.join(values)}")
        got[x.id] = score
    out = Assessment(questionnaire=q, answers={x.id: str(answers[x.id]) for x in q.questions})
    total = reached = 0
    for theme, _, _ in q.themes:
        qs = [x for x in q.questions if x.theme == theme]
        if qs:
            top = sum(x.weight * q.top for x in qs)
            have = sum(x.weight * got[x.id] for x in qs)
            out.themes[theme] = round(100 * have / top, 1)
            total, reached = total + top, reached + have
    out.overall = round(100 * reached / total, 1) if total else 0.0
    out.gaps = sorted((Gap(x, out.answers[x.id], x.weight * (q.top - got[x.id]))
                       for x in q.questions if got[x.id] < q.top), key=lambda g: -g.missing)
    return out


def as_json(a: Assessment, lang: str) -> dict[str, Any]:
    """The assessment as a JSON value, texts in ``lang``."""
    q = a.questionnaire
    lang = lang if lang in LANGUAGES else "en"
    return {
        "version": q.version, "lang": lang, "overall": a.overall,
        "themes": [{"id": t, "source": q.sources[src][lang], "title": title[lang], "score": a.themes.get(t)}
                   for t, src, title in q.themes],
        "answers": a.answers,
        "gaps": [{"question": g.question.id, "theme": g.question.theme, "text": g.question.text[lang],
                  "answer": g.answer, "missing_points": g.missing, "gap": g.question.gap[lang],
                  "features": [{"title": f.title[lang], "doc": f.doc, "route": f.route}
                               for f in g.question.features]} for g in a.gaps],
    }

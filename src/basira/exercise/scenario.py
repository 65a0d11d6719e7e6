"""Scenario files: an exercise's timeline of injects, as data (JSON) a trainer writes and a ministry adapts.

A scenario is a JSON object::

    {"name": "Stadium night", "site": "stadium",
     "authority": {"name": "Exercise authority (fictional)", "member_state": "FR", "timezone": "Europe/Paris"},
     "injects": [{"id": "new-list", "at_s": 0, "kind": "hash_list", "expect": "violating", "deadline_s": 900,
                  "title": {"en": "...", "ar": "...", "fr": "..."}, "params": {"count": 5}}, ...]}

``kind`` is one of the fronts' inject kinds (``hash_list``, ``content_hit``, ``drone_enters_zone``,
``list_update``) or ``removal_order`` (a removal order from the exercise authority naming the URLs another inject
posted: ``"params": {"of": "new-list"}``). ``expect`` is the decision the team should reach (``violating``,
``not_violating`` or ``any``); ``deadline_s`` the time they have from the inject (the case's own deadline when
absent; a removal order's is its one-hour clock). Every field is checked: a file is hostile until proven otherwise.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from basira.core.errors import InvalidInput

DATA = Path(__file__).parent / "data"
SCENARIOS = DATA / "scenarios"
SITES = DATA / "sites"
#: The languages of titles and questions (those of the web pages).
LANGUAGES = ("en", "ar", "fr")
REMOVAL_ORDER = "removal_order"
EXPECTATIONS = ("violating", "not_violating", "any")
MAX_INJECTS = 200
MAX_AT_S = 7 * 24 * 3600
MAX_DEADLINE_S = 30 * 24 * 3600
MAX_TEXT = 500
MAX_DEPTH = 8
_ID = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
_NAME = re.compile(r"^[a-z0-9][a-z0-9-]{0,40}$")


@dataclass(frozen=True)
class Inject:
    """One inject of a scenario (see the module docstring for the fields)."""

    id: str
    at_s: int
    kind: str
    title: dict[str, str]
    expect: str = "any"
    deadline_s: int | None = None
    params: dict[str, Any] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return {"id": self.id, "at_s": self.at_s, "kind": self.kind, "title": self.title, "expect": self.expect,
                "deadline_s": self.deadline_s, "params": self.params}


@dataclass(frozen=True)
class Authority:
    """The fictional authority that sends the exercise's removal orders."""

    name: str = "Exercise authority (fictional)"
    member_state: str = "FR"
    timezone: str = "Europe/Paris"


@dataclass(frozen=True)
class Scenario:
    """A checked scenario: its name, the site it names (if any), the authority and the injects in time order."""

    name: str
    injects: tuple[Inject, ...]
    site: str | None = None
    authority: Authority = field(default_factory=Authority)

    def as_json(self) -> dict[str, Any]:
        return {"name": self.name, "site": self.site, "authority": self.authority.__dict__,
                "injects": [i.as_json() for i in self.injects]}


def _depth(value: Any, level: int = 0) -> int:
    if level > MAX_DEPTH:
        return level
    if isinstance(value, dict):
        return max((_depth(v, level + 1) for v in value.values()), default=level)
    if isinstance(value, list):
        return max((_depth(v, level + 1) for v in value), default=level)
    return level


def _text(value: Any, what: str, limit: int = MAX_TEXT) -> str:
    if not isinstance(value, str) or not value.strip() or len(value) > limit:
        raise InvalidInput(f"{what} is a text of 1-{limit} characters")
    return value.strip()


def _title(value: Any, what: str) -> dict[str, str]:
    """A title in each language: one text for all, or an object by language (English required)."""
    if isinstance(value, str):
        text = _text(value, what)
        return {lang: text for lang in LANGUAGES}
    if not isinstance(value, dict) or "en" not in value:
        raise InvalidInput(f"{what} is a text, or an object of texts by language with at least 'en'")
    unknown = sorted(set(value) - set(LANGUAGES))
    if unknown:
        raise InvalidInput(f"{what}: unknown languages {', '.join(map(str, unknown))[:80]} ({', '.join(LANGUAGES)})")
    english = _text(value["en"], f"{what}.en")
    return {lang: _text(value[lang], f"{what}.{lang}") if lang in value else english for lang in LANGUAGES}


def _int(value: Any, what: str, low: int, high: int) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        raise InvalidInput(f"{what} is a whole number from {low} to {high}")
    return value


def _inject(n: int, obj: Any, kinds: Iterable[str]) -> Inject:
    where = f"inject {n}"
    if not isinstance(obj, dict):
        raise InvalidInput(f"{where} is not an object")
    unknown = sorted(set(obj) - {"id", "at_s", "kind", "title", "expect", "deadline_s", "params"})
    if unknown:
        raise InvalidInput(f"{where}: unknown fields {', '.join(map(str, unknown))[:120]}")
    ident = obj.get("id")
    if not isinstance(ident, str) or not _ID.match(ident):
        raise InvalidInput(f"{where}: id is 1-64 lower-case letters, digits, '-' and '_'")
    where = f"inject {ident!r}"
    known = sorted({*kinds, REMOVAL_ORDER})
    kind = obj.get("kind")
    if kind not in known:
        raise InvalidInput(f"{where}: kind is one of {', '.join(known)}")
    expect = obj.get("expect", "any")
    if expect not in EXPECTATIONS:
        raise InvalidInput(f"{where}: expect is one of {', '.join(EXPECTATIONS)}")
    deadline = obj.get("deadline_s")
    params = obj.get("params", {})
    if not isinstance(params, dict):
        raise InvalidInput(f"{where}: params is an object")
    return Inject(id=ident, at_s=_int(obj.get("at_s", 0), f"{where}: at_s", 0, MAX_AT_S), kind=str(kind),
                  title=_title(obj.get("title", ident), f"{where}: title"), expect=str(expect),
                  deadline_s=None if deadline is None else _int(deadline, f"{where}: deadline_s", 1, MAX_DEADLINE_S),
                  params=params)


def _authority(obj: Any) -> Authority:
    if obj is None:
        return Authority()
    if not isinstance(obj, dict):
        raise InvalidInput("authority is an object (name, member_state, timezone)")
    d = Authority()
    return Authority(name=_text(obj.get("name", d.name), "authority.name", 200),
                     member_state=_text(obj.get("member_state", d.member_state), "authority.member_state", 2),
                     timezone=_text(obj.get("timezone", d.timezone), "authority.timezone", 64))


def parse(doc: Any, kinds: Iterable[str]) -> Scenario:
    """A checked scenario from its JSON value, or InvalidInput saying what is wrong; ``kinds`` are the fronts'
    inject kinds."""
    if not isinstance(doc, dict):
        raise InvalidInput("a scenario is a JSON object")
    if _depth(doc) > MAX_DEPTH:
        raise InvalidInput(f"a scenario nests at most {MAX_DEPTH} levels")
    raw = doc.get("injects")
    if not isinstance(raw, list) or not raw:
        raise InvalidInput("a scenario has a non-empty list of injects")
    if len(raw) > MAX_INJECTS:
        raise InvalidInput(f"a scenario has at most {MAX_INJECTS} injects")
    kind_list = list(kinds)
    injects = [_inject(n, obj, kind_list) for n, obj in enumerate(raw, 1)]
    ids = [i.id for i in injects]
    if len(set(ids)) != len(ids):
        raise InvalidInput("two injects have the same id")
    for i in injects:
        if i.kind == REMOVAL_ORDER:
            _check_order(i, ids)
    site = doc.get("site")
    if site is not None and (not isinstance(site, str) or not _NAME.match(site)):
        raise InvalidInput("site is the name of a shipped site (see 'basira exercise sites')")
    return Scenario(name=_text(doc.get("name"), "name", 200), site=site, authority=_authority(doc.get("authority")),
                    injects=tuple(sorted(injects, key=lambda i: (i.at_s, ids.index(i.id)))))


def _check_order(i: Inject, ids: list[str]) -> None:
    of, urls = i.params.get("of"), i.params.get("urls")
    if (of is None) == (urls is None):
        raise InvalidInput(f"inject {i.id!r}: a removal order names 'of' (an inject that posted content) or 'urls'")
    if of is not None and (of not in ids or of == i.id):
        raise InvalidInput(f"inject {i.id!r}: 'of' names another inject of the scenario")
    if urls is not None and (not isinstance(urls, list) or not urls or
                             not all(isinstance(u, str) and 0 < len(u) <= 2048 for u in urls)):
        raise InvalidInput(f"inject {i.id!r}: 'urls' is a list of URLs")


def read_json(path: Path, max_bytes: int, what: str) -> Any:
    """The JSON value of a file of at most ``max_bytes``, or InvalidInput."""
    try:
        size = path.stat().st_size
    except OSError as e:
        raise InvalidInput(f"cannot read {what} {str(path)[:200]}: {e.strerror}") from None
    if size > max_bytes:
        raise InvalidInput(f"{what} holds {size} bytes; the most is {max_bytes} (BASIRA_EXERCISE_MAX_FILE_BYTES)")
    try:
        return json.loads(path.read_bytes())
    except RecursionError:
        raise InvalidInput(f"{what} nests too deeply") from None
    except OSError as e:
        raise InvalidInput(f"cannot read {what} {str(path)[:200]}: {e.strerror}") from None
    except ValueError as e:
        raise InvalidInput(f"{what} is not JSON ({str(e)[:80]})") from None


def _named(folder: Path, name: str) -> Path | None:
    return folder / f"{name}.json" if _NAME.match(name) and (folder / f"{name}.json").is_file() else None


def scenario_names() -> list[str]:
    """The shipped scenarios' names."""
    return sorted(p.stem for p in SCENARIOS.glob("*.json"))


def load_scenario(ref: str, kinds: Iterable[str], max_bytes: int, *, files: bool = True) -> Scenario:
    """A shipped scenario by name, or (``files``) a scenario file by path."""
    path = _named(SCENARIOS, ref)
    if path is None and not files:
        raise InvalidInput(f"no scenario {ref[:200]!r}: one of {', '.join(scenario_names())}, or give the scenario")
    path = path or Path(ref)
    return parse(read_json(path, max_bytes, "the scenario file"), kinds)


def site_names() -> list[str]:
    """The shipped sites' names."""
    return sorted(p.stem for p in SITES.glob("*.json"))


def load_site(ref: str, max_bytes: int, *, files: bool = True) -> tuple[str, Mapping[str, Any]]:
    """(name, zone document) of a shipped site by name, or (``files``) of a zone file (GeoJSON, ED-269, ED-318) by
    path; the API never reads a path it is given."""
    path = _named(SITES, ref)
    if path is not None:
        return ref, read_json(path, max_bytes, "the site")
    if not files:
        raise InvalidInput(f"no site {ref[:200]!r}: one of {', '.join(site_names())}, or give the zones")
    path = Path(ref)
    if not path.is_file():
        raise InvalidInput(f"no site {ref[:200]!r}: a zone file, or one of {', '.join(site_names())}")
    doc = read_json(path, max_bytes, "the zone file")
    if not isinstance(doc, dict):
        raise InvalidInput("a zone file is a JSON object (GeoJSON, ED-269 or ED-318)")
    return path.stem[:200], doc

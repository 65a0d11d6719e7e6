"""Speed work on the name matcher leaves every score as it was, to the bit: 300 queries of the dev2 tuning split
(never a frozen split), with and without a birth date and nationality or a kind, against the whole UN list and the
EU sample; every hit (entry, score, matched name, features, alert) is compared with the file written by the code
before that work (``tests/data/finance/name_scores_golden.jsonl.gz``). A change meant to change scores must
rewrite that file, and say so."""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from basira.core.errors import InvalidInput
from basira.finance.lists import eu, un
from basira.finance.lists.base import ListedEntry
from basira.finance.name_forms import parse_name
from basira.finance.name_query import QueryRun
from basira.finance.names import NameIndex
from basira.finance.screening import record_of_listed

DATA = Path(__file__).parents[1] / "data" / "finance"
GOLDEN = DATA / "name_scores_golden.jsonl.gz"
QUERIES_FILE = DATA / "name_scores_queries.jsonl"
SANCTIONS = Path(__file__).parents[3] / "shared" / "data" / "sanctions"


def build() -> NameIndex:
    records = []
    for src, module, name in (("un", un, "un_consolidated.xml"), ("eu", eu, "eu_fsf_sample.xml")):
        with (SANCTIONS / name).open("rb") as f:
            for x in module.read(f):
                if isinstance(x, ListedEntry) and (rec := record_of_listed(f"{src}:{x.ref}", x)) is not None:
                    records.append(rec)
    return NameIndex.build(records)


def queries() -> list[dict[str, Any]]:
    return [json.loads(line) for line in QUERIES_FILE.read_text(encoding="utf-8").splitlines()]


def run(index: NameIndex, qs: list[dict[str, Any]]) -> Iterator[list[Any]]:
    for i, q in enumerate(qs):
        kw: dict[str, Any] = {}
        if i % 3 == 1:
            kw = {"birth_date": "1960", "nationality": "Syria"}
        elif i % 3 == 2 and q.get("kind"):
            kw = {"kind": q["kind"]}
        try:
            hits = index.query(q["q"], **kw)
        except InvalidInput as e:
            yield [q["q"], kw, f"refused: {e.detail}"]
            continue
        # repr keeps every bit of a float. Scores are rounded to 4 places: the name matches of the shortlist are
        # compared unrounded too.
        yield [q["q"], kw, [[str(h.entry_id), repr(h.score), h.matched_name,
                             sorted([k, repr(v)] for k, v in h.features.items()), h.alert] for h in hits],
               [[str(c.entry_id), c.text, repr(m)] for c, m in raw_matches(index, q["q"], kw.get("kind"))]]


def raw_matches(index: NameIndex, name: str, kind: Any) -> list[tuple[Any, float]]:
    """The shortlisted listed names and their unrounded name matches, as :meth:`NameIndex.query` computes them."""
    state = index._state
    state.refresh()
    run = QueryRun(state, [(arabic, p) for arabic, parts in parse_name(name) for p in parts])
    return [(cand, match) for cand, match in run.matches(kind)]


@pytest.mark.skipif(not SANCTIONS.is_dir(), reason="needs ../shared/data/sanctions")
def test_every_score_is_the_same_to_the_bit() -> None:
    with gzip.open(GOLDEN, "rt", encoding="utf-8") as f:
        expected = [json.loads(line) for line in f.read().splitlines()]
    got = [json.loads(json.dumps(x, ensure_ascii=False, sort_keys=True)) for x in run(build(), queries())]
    assert len(got) == len(expected) == 300
    for g, e in zip(got, expected, strict=True):
        assert g == e, f"{g[0]!r} scored otherwise"

"""Pairwise evaluation of the name matcher on the pairs of ``bench/names_pairs.py``, with nomenklatura logic-v2
scored on the same pairs in the same run.

Run: ``.venv/bin/python bench/names_eval.py`` (the first tuning split), ``--split dev2`` (the second tuning split,
``bench/names_holdout.py``), ``--split holdout --final`` (the second, fresh frozen split: read once, at the end; the
run refuses a file whose SHA-256 is not ``HOLDOUT_SHA256``). ``--split test --final`` reads the first frozen split
(``TEST_SHA256``), which issue 15's first session read once already: its figures no longer judge later changes.
``--split dev3`` is the third evaluation's tuning half and ``--split third --final`` its frozen half
(``bench/names_third.py``, ``THIRD_SHA256``), built in wave 12 after both earlier frozen splits had been read; wave 13
read it once (docs/benchmarks.md, "Name screening, wave 13"): its figures no longer judge later changes either.
``--split dev4`` is the fourth evaluation's tuning half and ``--split fourth --final`` its frozen half
(``bench/names_fourth.py``, ``FOURTH_SHA256``), built in wave 14 from new pair kinds before any change it judges;
wave 14 read it once (docs/benchmarks.md, "Name screening, wave 14"): its figures no longer judge later changes.
``--split dev5`` is the fifth evaluation's tuning half and ``--split fifth --final`` its frozen half
(``bench/names_fifth.py``, ``FIFTH_SHA256``), built in wave 15 from new pair kinds before any change it judges;
wave 15 read it once (docs/benchmarks.md, "Name screening, wave 15"): its figures no longer judge later changes.
``--split dev6`` is the sixth evaluation's tuning half and ``--split sixth --final`` its frozen half
(``bench/names_sixth.py``, ``SIXTH_SHA256``), built in wave 16 from new pair kinds before any change it judges;
wave 16 read it once (docs/benchmarks.md, "Name screening, wave 16"): its figures no longer judge later changes.
``--split dev7`` is the seventh evaluation's tuning half and ``--split seventh --final`` its frozen half
(``bench/names_seventh.py``, ``SEVENTH_SHA256``), built in wave 17 from new pair kinds before any change it judges;
wave 17 read it once (docs/benchmarks.md, "Name screening, wave 17"): its figures no longer judge later changes.
``--split dev8`` is the eighth evaluation's tuning half and ``--split eighth --final`` its frozen half
(``bench/names_eighth.py``, ``EIGHTH_SHA256``), built in wave 18 from new pair kinds before any change it judges;
wave 18 read it once (docs/benchmarks.md, "Name screening, wave 18"): its figures no longer judge later changes.
``--split dev9`` is the ninth evaluation's tuning half and ``--split ninth --final`` its frozen half
(``bench/names_ninth.py``, ``NINTH_SHA256``: Hebrew, Greek and Georgian script), built in wave 18 after the eighth was
read, before any change it judges; wave 18 read it once (docs/benchmarks.md, "Name screening, wave 18 (continued)"):
its figures no longer judge later changes.
``--split dev10`` is the tenth evaluation's tuning half and ``--split tenth --final`` its frozen half
(``bench/names_tenth.py``, ``TENTH_SHA256``: Devanagari, Bengali, Ethiopic and Katakana script), built in wave 19
before any change it judges; wave 19 read it once (docs/benchmarks.md, "Name screening, wave 19"): its figures no
longer judge later changes.
``--split dev11`` is the eleventh evaluation's tuning half and ``--split eleventh --final`` its frozen half
(``bench/names_eleventh.py``, ``ELEVENTH_SHA256``: Cyrillic names in Swedish, Finnish, Lithuanian and Estonian
romanization), built in wave 19 after the tenth was read, before any change it judges; wave 19 read it once
(docs/benchmarks.md, "Name screening, wave 19 (continued)"): a twelfth evaluation must be built before the next
tuning round can be judged, and few listed entries are left that no tuning split names.
``--limit N`` scores a seeded sample of N pairs.

Basira scores a pair as :meth:`basira.finance.names.NameIndex.score_name` against an index of the whole UN, OFAC
and EU lists (the part weights of a real deployment), limited to the pair's listed name; the query's kind (person,
organization) is given when the pair knows it. logic-v2 compares two FollowTheMoney entities, each holding one of
the two names, with the schemas the kinds give; kinds its schemas cannot match score 0, as yente would not
compare them. Reported: precision, recall and F1 at each matcher's default threshold (Basira 0.80, logic-v2 0.70,
yente's default), the curve, and the breakdown by script pair and kind.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import random
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from basira.core.errors import InvalidInput
from basira.finance.names import DEFAULT_THRESHOLD, NameIndex, NameRecord
from basira.finance.screening import record_of_listed
from names_holdout import load_ofac_advanced
from names_pairs import OUT, load

#: SHA-256 of the first frozen test split as written by ``bench/names_pairs.py`` before any tuning.
TEST_SHA256 = "0e77d030071ae4cb9ad7d4786d2ca0da8096ca96bf7c7863fc60597235d4c997"
#: SHA-256 of the second frozen split as written by ``bench/names_holdout.py`` before the changes it judges.
HOLDOUT_SHA256 = "e05acaf56f841827494fc9c9d0a656d1379b591b5779d45c377aa1b7ea3b8aed"
#: SHA-256 of the third frozen split as written by ``bench/names_third.py`` before the changes it judges.
THIRD_SHA256 = "21aa04b3777901798e114f371f4aff3faf2ba0a8e37ddef1df5bfac8ed3775b9"
#: SHA-256 of the fourth frozen split as written by ``bench/names_fourth.py`` before the changes it judges.
FOURTH_SHA256 = "a3dab3d08ca59aafce2fe6cc4202bae582dfcd2f27c102fdc96f3d551f37d29c"
#: SHA-256 of the fifth frozen split as written by ``bench/names_fifth.py`` before the changes it judges.
FIFTH_SHA256 = "db333af4bea3d2554336b28dfed52542fbe9c5f9d38ca6bac9a3df48da650a6c"
#: SHA-256 of the sixth frozen split as written by ``bench/names_sixth.py`` before the changes it judges.
SIXTH_SHA256 = "863a1b02c276057afc500ba996588ecd458a432f9fd20abb3ab112811cefde01"
#: SHA-256 of the seventh frozen split as written by ``bench/names_seventh.py`` before the changes it judges.
SEVENTH_SHA256 = "6b8ae0ebd28b5f05f89a833dab547ed216d72efc679caac1743d2ff244ec8709"
#: SHA-256 of the eighth frozen split as written by ``bench/names_eighth.py`` before the changes it judges.
EIGHTH_SHA256 = "7880fc8ed12ce322ecb393db74e2720c2df5887df0a5a0b08817913cc5d107fd"
#: SHA-256 of the ninth frozen split as written by ``bench/names_ninth.py`` before the changes it judges.
NINTH_SHA256 = "5638791842cdf7875af208c00f43ece6acd621b42500f0dbcfc38e16fe84ac4b"
#: SHA-256 of the tenth frozen split as written by ``bench/names_tenth.py`` before the changes it judges.
TENTH_SHA256 = "17747d277f57306ea075d7f9e4c740ab9e3cd2145c26aba5ffc86d006a56813a"
#: SHA-256 of the eleventh frozen split as written by ``bench/names_eleventh.py`` before the changes it judges.
ELEVENTH_SHA256 = "cbdc03732e773dbe446906205ec16efeab46253c8f49701c40294cf31a57c217"
FROZEN = {"test": TEST_SHA256, "holdout": HOLDOUT_SHA256, "third": THIRD_SHA256, "fourth": FOURTH_SHA256,
          "fifth": FIFTH_SHA256, "sixth": SIXTH_SHA256, "seventh": SEVENTH_SHA256, "eighth": EIGHTH_SHA256,
          "ninth": NINTH_SHA256, "tenth": TENTH_SHA256,
          "eleventh": ELEVENTH_SHA256}
#: The second to eleventh evaluations' entries come from OFAC's advanced XML; the first's from the SDN CSV.
SECOND = ("dev2", "holdout", "dev3", "third", "dev4", "fourth", "dev5", "fifth", "dev6", "sixth", "dev7", "seventh",
          "dev8", "eighth", "dev9", "ninth", "dev10", "tenth", "dev11",
          "eleventh")
LOGIC_V2_THRESHOLD = 0.7
CURVE = (0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95)
Pair = dict[str, Any]
Scorer = Callable[[Pair], float]


def read(split: str, final: bool) -> list[Pair]:
    if split in FROZEN and not final:
        raise SystemExit(f"the {split} split is frozen: it is read once, at the end, with --final")
    if final and split not in FROZEN:
        raise SystemExit(f"--final reads a frozen split ({', '.join(FROZEN)}), not {split}")
    path = OUT / f"names_{split}.jsonl.gz"
    data = path.read_bytes()
    if final and hashlib.sha256(data).hexdigest() != FROZEN[split]:
        raise SystemExit(f"{path} is not the frozen {split} split (its SHA-256 differs)")
    return [json.loads(line) for line in gzip.decompress(data).decode().splitlines()]


def build_index(split: str = "tune") -> tuple[NameIndex, float]:
    u, o, e = load()
    if split in SECOND:
        o = load_ofac_advanced()
    records: list[NameRecord] = []
    for src, lst in (("un", u), ("ofac", o), ("eu", e)):
        for x in lst:
            rec = record_of_listed(f"{src}:{x.ref}", x)
            if rec is not None:
                records.append(rec)
    t0 = time.perf_counter()
    index = NameIndex.build(records)
    index.query("warm up")
    return index, time.perf_counter() - t0


def basira_scorer(index: NameIndex) -> tuple[Scorer, list[str]]:
    refused: list[str] = []

    def score(p: Pair) -> float:
        kind = p["q_kind"] if p["q_kind"] in ("person", "organization") else None
        try:
            return index.score_name(p["q"], p["r_entry"], p["r"], kind=kind)
        except InvalidInput as exc:
            refused.append(f"{p['q']!r}: {exc}")
            return 0.0

    return score, refused


_SCHEMA = {"person": "Person", "organization": "Organization", "vessel": "Vessel", "aircraft": "Airplane"}


def logic_v2_scorer() -> Scorer | None:
    try:
        from followthemoney import model
        from nomenklatura.matching import LogicV2
    except ImportError:
        return None
    config = LogicV2.default_config()
    counter = iter(range(10**9))

    def entity(name: str, kind: str) -> Any:
        e = model.make_entity(_SCHEMA.get(kind, "LegalEntity"))
        e.id = f"e{next(counter)}"  # one id per entity: nomenklatura caches what it learns by id
        e.add("name", name)
        return e

    def score(p: Pair) -> float:
        q, r = entity(p["q"], p["q_kind"]), entity(p["r"], p["r_kind"])
        if not q.schema.can_match(r.schema):
            return 0.0
        return float(LogicV2.compare(q, r, config).score)

    return score


def prf(scores: list[float], labels: list[int], t: float) -> tuple[float, float, float, int, int]:
    tp = sum(1 for s, y in zip(scores, labels, strict=True) if s >= t and y)
    fp = sum(1 for s, y in zip(scores, labels, strict=True) if s >= t and not y)
    pos = sum(labels)
    p = tp / (tp + fp) if tp + fp else 1.0
    r = tp / pos if pos else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f, fp, len(labels) - pos


def line(name: str, scores: list[float], labels: list[int], t: float) -> str:
    p, r, f, fp, neg = prf(scores, labels, t)
    far = f"{fp}/{neg} = {fp / neg:.1%}" if neg else "-"
    return f"{name:<10} t={t:.2f}  P {p:.3f}  R {r:.3f}  F1 {f:.3f}  false alerts {far}"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--split", choices=("tune", "test", "dev2", "holdout", "dev3", "third", "dev4", "fourth", "dev5",
                                        "fifth", "dev6", "sixth", "dev7", "seventh", "dev8", "eighth", "dev9",
                                        "ninth", "dev10", "tenth", "dev11", "eleventh"),
                    default="tune", help="which pairs: tune and dev2 to dev11 are tuning splits, test, holdout, third, "
                    "fourth, fifth, sixth, seventh, eighth, ninth, tenth and eleventh frozen ones")
    ap.add_argument("--final", action="store_true", help="score a frozen split (once, at the end)")
    ap.add_argument("--limit", type=int, default=0, help="score a seeded sample of this many pairs")
    ap.add_argument("--no-peers", action="store_true", help="skip nomenklatura logic-v2")
    ap.add_argument("--show", type=int, default=0, help="print this many of Basira's errors per kind")
    args = ap.parse_args()
    pairs = read(args.split, args.final)
    if args.limit:
        pairs = random.Random(7).sample(pairs, min(args.limit, len(pairs)))
    print(f"split: {args.split}{' (frozen, --final)' if args.final else ''}; {len(pairs)} pairs, "
          f"{sum(p['label'] for p in pairs)} positive")
    index, build_s = build_index(args.split)
    ofac = "OFAC advanced XML" if args.split in SECOND else "OFAC SDN CSV"
    print(f"index: {len(index)} entries (UN + {ofac} + EU sample) built in {build_s:.1f} s")
    scorers: dict[str, tuple[Scorer, float]] = {}
    b, refused = basira_scorer(index)
    scorers["basira"] = (b, DEFAULT_THRESHOLD)
    if not args.no_peers:
        lv2 = logic_v2_scorer()
        if lv2 is None:
            print("logic-v2: nomenklatura is not installed (pip install -e '.[bench]'); Basira alone")
        else:
            scorers["logic-v2"] = (lv2, LOGIC_V2_THRESHOLD)
    scores: dict[str, list[float]] = {name: [] for name in scorers}
    spent = dict.fromkeys(scorers, 0.0)
    for p in pairs:  # interleaved pair by pair
        for name, (fn, _) in scorers.items():
            t0 = time.perf_counter()
            scores[name].append(fn(p))
            spent[name] += time.perf_counter() - t0
    labels = [p["label"] for p in pairs]
    print("\n== overall, at each matcher's default threshold")
    for name, (_, t) in scorers.items():
        print(line(name, scores[name], labels, t) + f"  ({spent[name] / len(pairs) * 1e3:.2f} ms/pair)")
    print("\n== best F1 over thresholds 0.30..0.99 (a threshold chosen on these pairs: optimistic)")
    for name in scorers:
        best = max((prf(scores[name], labels, t / 100)[2], t / 100) for t in range(30, 100))
        print(f"{name:<10} best F1 {best[0]:.3f} at t={best[1]:.2f}")
    print("\n== curve")
    for t in CURVE:
        print("   ".join(line(name, scores[name], labels, t) for name in scorers))
    for field in ("scripts", "kind"):
        print(f"\n== by {field} (default thresholds)")
        groups: dict[str, list[int]] = defaultdict(list)
        for i, p in enumerate(pairs):
            groups[p[field]].append(i)
        for g, idx in sorted(groups.items(), key=lambda kv: -len(kv[1])):
            gl = [labels[i] for i in idx]
            cells = []
            for name, (_, t) in scorers.items():
                gs = [scores[name][i] for i in idx]
                p_, r_, f_, fp, neg = prf(gs, gl, t)
                cells.append(f"{name} P {p_:.3f} R {r_:.3f} F1 {f_:.3f} FA {fp}/{neg}")
            print(f"{g:<20} n={len(idx):<5} pos={sum(gl):<5} " + " | ".join(cells))
    # The cross-script goal: Arabic <-> Latin recall at the default threshold, false alerts on negatives.
    ar = [i for i, p in enumerate(pairs) if p["label"] and set(p["scripts"].split("-")) == {"arabic", "latin"}]
    neg = [i for i, p in enumerate(pairs) if not p["label"]]
    print("\n== Arabic<->Latin recall and false alerts on all negatives")
    for name, (_, t) in scorers.items():
        rec = sum(1 for i in ar if scores[name][i] >= t) / max(1, len(ar))
        fa = sum(1 for i in neg if scores[name][i] >= t) / max(1, len(neg))
        print(f"{name:<10} recall {rec:.1%} of {len(ar)}  false alerts {fa:.2%} of {len(neg)}")
    print(f"\nBasira refused {len(refused)} queries" + (": " + "; ".join(refused[:5]) if refused else ""))
    if args.show:
        by_kind: dict[str, list[str]] = defaultdict(list)
        t = DEFAULT_THRESHOLD
        for i, p in enumerate(pairs):
            s = scores["basira"][i]
            if (s >= t) != bool(p["label"]):
                other = scores["logic-v2"][i] if "logic-v2" in scores else float("nan")
                by_kind[p["kind"]].append(f"  {p['label']} {s:.2f} (lv2 {other:.2f}) {p['q']!r} | {p['r']!r}")
        for k, rows in sorted(by_kind.items()):
            print(f"-- {k}: {len(rows)} wrong")
            print("\n".join(rows[:args.show]))


if __name__ == "__main__":
    main()

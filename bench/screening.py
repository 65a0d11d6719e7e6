"""Benchmark of the name matcher: cross-script recall, spelling-variant recall, false alerts and throughput.

Run: ``.venv/bin/python bench/screening.py [--half tune|test] [--peers]``. Reports on the test half unless told;
``--peers`` also runs nomenklatura logic-v2 and logic-v1 (the ``bench`` extra) on the same candidate sets.
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from collections.abc import Callable
from pathlib import Path

from rapidfuzz.distance import JaroWinkler

sys.path.insert(0, str(Path(__file__).resolve().parent))

from basira.finance.names import DEFAULT_THRESHOLD, NameHit, NameIndex, NameRecord
from basira.lang.translit import ascii_fold, romanize
from common import report
from screening_data import DATA, Pair, load_ofac, load_un, read_negatives, read_pairs, split

SANCTIONS = Path("/work/shared/data/sanctions")
Scorer = Callable[[str, NameRecord], float]


SAME_PERSON: dict[str, set[str]] = {}  # entry id -> folded names, to recognise one person on two lists


def found(hits: list[NameHit], entry_id: str, threshold: float) -> bool:
    """The right entry is among the tied top hits and alerts.

    A hit ranked above it on another list counts as the same party only when its matched name, folded, is one
    of the right entry's own names (the UN and OFAC list many of the same people).
    """
    if not hits or hits[0].score < threshold:
        return False
    top = hits[0].score
    for h in hits:
        if h.entry_id == entry_id:
            return h.score == top or (all(
                ascii_fold(o.matched_name) in SAME_PERSON.get(entry_id, ()) for o in hits if o.score > h.score
            ) and h.score >= threshold)
    return False


def recall(index: NameIndex, pairs: list[Pair], threshold: float) -> tuple[float, list[tuple[Pair, list[NameHit]]]]:
    misses = []
    for p in pairs:
        hits = index.query(p.query, limit=20)
        if not found(hits, p.entry_id, threshold):
            misses.append((p, hits))
    return 1 - len(misses) / max(1, len(pairs)), misses


def false_alerts(index: NameIndex, names: list[str], threshold: float) -> tuple[float, list[tuple[str, NameHit]]]:
    bad = []
    for n in names:
        hits = index.query(n, limit=1)
        if hits and hits[0].score >= threshold:
            bad.append((n, hits[0]))
    return len(bad) / max(1, len(names)), bad


def peer_recall(index: NameIndex, records: dict[str, NameRecord], pairs: list[Pair], scorer: Scorer,
                threshold: float) -> float:
    """Recall of another scorer on Basira's candidate sets (the top 10 of the blocking step)."""
    ok = 0
    for p in pairs:
        cands = [h.entry_id for h in index.query(p.query, limit=10, threshold=2.0)]
        scored = sorted(((scorer(p.query, records[str(c)]), str(c)) for c in cands), reverse=True)
        if scored and scored[0][0] >= threshold and any(c == p.entry_id for s, c in scored if s == scored[0][0]):
            ok += 1
    return ok / max(1, len(pairs))


def peer_false(index: NameIndex, records: dict[str, NameRecord], names: list[str], scorer: Scorer,
               threshold: float) -> float:
    bad = 0
    for n in names:
        cands = [h.entry_id for h in index.query(n, limit=10, threshold=2.0)]
        if any(scorer(n, records[str(c)]) >= threshold for c in cands):
            bad += 1
    return bad / max(1, len(names))


def jaro_winkler_scorer(query: str, rec: NameRecord) -> float:
    """Plain baseline: Jaro-Winkler between the romanised query and each listed name, best of all."""
    q = ascii_fold(romanize(query))
    return max(JaroWinkler.normalized_similarity(q, ascii_fold(n.name)) for n in rec.names)


def nomenklatura_scorers() -> dict[str, Scorer]:
    """logic-v2 and logic-v1 as scorers, or nothing when nomenklatura is not installed."""
    try:
        from followthemoney import model
        from nomenklatura.matching import LogicV1, LogicV2
    except ImportError:
        return {}
    cache: dict[str, object] = {}

    def entity(rec: NameRecord) -> object:
        key = str(rec.entry_id)
        if key not in cache:
            e = model.make_entity("Person" if rec.kind == "person" else "Organization")
            e.id = re.sub(r"[^A-Za-z0-9]", "-", key)
            e.add("name", [n.name for n in rec.names])
            cache[key] = e
        return cache[key]

    def make(algo: type) -> Scorer:
        config = algo.default_config()

        def score(query: str, rec: NameRecord) -> float:
            q = model.make_entity("Person" if rec.kind == "person" else "Organization")
            q.id = "query"
            q.add("name", query)
            return float(algo.compare(q, entity(rec), config).score)

        return score

    return {"logic-v2": make(LogicV2), "logic-v1": make(LogicV1)}


def throughput(index: NameIndex, queries: list[str], seconds: float = 3.0) -> tuple[float, float]:
    """Screens per second of this process's CPU time (one core, whatever else runs) and of wall time."""
    n, start, cpu = 0, time.perf_counter(), time.process_time()
    while time.perf_counter() - start < seconds:
        for q in queries:
            index.query(q, limit=10)
        n += len(queries)
    return n / (time.process_time() - cpu), n / (time.perf_counter() - start)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--half", choices=("tune", "test"), default="test")
    ap.add_argument("--peers", action="store_true", help="also run nomenklatura logic-v2/v1 (slow)")
    ap.add_argument("--misses", action="store_true", help="print the misses and false alerts")
    args = ap.parse_args()

    un, pairs, translated = load_un(SANCTIONS / "un_consolidated.xml")
    ofac = load_ofac(SANCTIONS / "ofac_sdn.csv")
    t0 = time.perf_counter()
    index = NameIndex.build(un + ofac)
    build_s = time.perf_counter() - t0
    records = {str(r.entry_id): r for r in un + ofac}
    SAME_PERSON.update({str(r.entry_id): {ascii_fold(n.name) for n in r.names} for r in un})
    tune, test = split(pairs)
    cross = tune if args.half == "tune" else test
    variants = read_pairs(DATA / "name_variants.tsv")
    vt, vs = split(variants)
    spelled = vt if args.half == "tune" else vs
    indexed = {ascii_fold(n.name) for r in un + ofac for n in r.names}
    all_neg = [n for n in read_negatives(DATA / "negative_names.txt") if ascii_fold(n) not in indexed]
    dropped = len(read_negatives(DATA / "negative_names.txt")) - len(all_neg)
    negatives = all_neg[0 if args.half == "tune" else 1::2]  # even lines tune, odd lines test
    th = DEFAULT_THRESHOLD
    print(f"# {len(un)} UN + {len(ofac)} OFAC entries indexed in {build_s:.1f}s; {len(pairs)} cross-script pairs "
          f"({translated} translated entity names left out); half={args.half}: {len(cross)} cross-script, "
          f"{len(spelled)} spelling variants, {len(negatives)} negatives ({dropped} dropped as listed); "
          f"threshold {th}")

    r_cross, m_cross = recall(index, cross, th)
    r_spell, m_spell = recall(index, spelled, th)
    fa, bad = false_alerts(index, negatives, th)
    jw_cross = peer_recall(index, records, cross, jaro_winkler_scorer, 0.9)
    jw_fa = peer_false(index, records, negatives, jaro_winkler_scorer, 0.9)
    qps, qps_wall = throughput(index, [p.query for p in cross + spelled] + negatives)
    peers = nomenklatura_scorers() if args.peers else {}
    v2 = None
    for name, scorer in peers.items():
        t = time.process_time()
        pr = peer_recall(index, records, cross, scorer, 0.7)
        ps = peer_recall(index, records, spelled, scorer, 0.7)
        pf = peer_false(index, records, negatives, scorer, 0.7)
        speed = (len(cross) + len(spelled) + len(negatives)) / (time.process_time() - t)
        report(f"screening.{name}.cross_script_recall", pr, "", note="same candidate sets, threshold 0.70")
        report(f"screening.{name}.variant_recall", ps, "")
        report(f"screening.{name}.false_alert_rate", pf, "")
        report(f"screening.{name}.screens_per_s", speed, "screens/s", note="scoring 10 candidates per query")
        if name == "logic-v2":
            v2 = (pr, ps, pf, speed)
    report("screening.cross_script_recall", r_cross, "", baseline=v2[0] if v2 else jw_cross,
           note=f"baseline {'logic-v2' if v2 else 'Jaro-Winkler after romanisation @0.9'}")
    report("screening.variant_recall", r_spell, "", baseline=v2[1] if v2 else None)
    report("screening.false_alert_rate", fa, "", baseline=v2[2] if v2 else jw_fa)
    report("screening.jaro_winkler.cross_script_recall", jw_cross, "", note="romanise + JW >= 0.9, same candidates")
    report("screening.screens_per_s", qps, "screens/s", baseline=v2[3] if v2 else None,
           note=f"per CPU-second of one core, UN + OFAC, limit 10; {qps_wall:.0f}/s wall-clock under load")
    if args.misses:
        for p, hits in m_cross + m_spell:
            top = hits[0] if hits else None
            print("MISS", p.query, p.entry_id, "->", top and (top.entry_id, top.matched_name, top.score, top.features))
        for n, h in bad:
            print("FALSE", n, "->", h.entry_id, h.matched_name, h.score, h.features)


if __name__ == "__main__":
    main()

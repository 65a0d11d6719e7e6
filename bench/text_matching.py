"""Text matching benchmarks on real Arabic, English and French sentences (FLORES-200 devtest, NTREX-128).

1. Near-duplicates: ~200-character paragraphs (consecutive sentences joined), each edited as re-posts are
   (diacritics, tatweel, alef/hamza/yaa/ta-marbuta swaps, a "breaking" prefix, a hashtag tail, a few words
   replaced); recall of ``text_minhash`` at its threshold, and false matches over all unrelated pairs. Thresholds
   are tuned on FLORES paragraphs and reported on the held-back NTREX paragraphs.
2. Throughput: exact + MinHash matching of texts against a bank of 100,000 texts, the way the signal types and
   indexes do it (normal forms, values, index queries), pinned to one core; against plain datasketch (MinHash +
   MinHashLSH over the same shingles, bank of at most 20,000), the two interleaved pass by pass on the same
   queries in the same run, the ratio of the medians.
3. Cross-lingual recall@1 of ``text_embedding`` among 1,000 candidates, ar↔en↔fr.

4. Containment: NTREX-style documents found by their banked paragraphs, and paragraphs by their banked articles.
5. Candidates: the share of pairs within a similarity that each MinHash LSH setting returns, at 100-20,000
   characters (how the index's bands were chosen).

Run: ``.venv/bin/python -m bench.text_matching [--only neardup|throughput|crosslingual|containment|candidates]
[--bank 100000]``.
"""

from __future__ import annotations

import argparse
import gc
import hashlib
import os
import random
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import numpy as np
from bench.common import report

from basira.content.embeddings import VectorIndex, embed, encode
from basira.content.minhash import (
    MinHashIndex,
    TextMinHashSignal,
    jaccard,
    shingle_hashes,
    shingle_text,
    text_values,
    value_of_key,
)
from basira.content.text import prepare
from basira.core.signals import ExactIndex

T = TypeVar("T")
DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "parallel"
FILES = {"flores": ("flores200_devtest.arb_Arab", "flores200_devtest.eng_Latn", "flores200_devtest.fra_Latn"),
         "ntrex": ("ntrex128.arb", "ntrex128.eng", "ntrex128.fra")}
PREFIX = {"ar": "عاجل: ", "en": "BREAKING: ", "fr": "URGENT : "}
TAGS = {"ar": " #عاجل #اخبار", "en": " #breaking #news", "fr": " #urgent #info"}
SWAPS = {"أ": "ا", "إ": "ا", "ى": "ي", "ة": "ه", "ؤ": "و", "ئ": "ي"}
DIACRITICS = "\u064e\u064f\u0650\u0652\u0651"


def lines(name: str) -> list[str]:
    return [x.strip() for x in (DATA / name).read_text(encoding="utf-8").splitlines()]


def paragraphs(sents: list[str], size: int = 200) -> list[tuple[int, str]]:
    """(first line, paragraph of consecutive sentences reaching ``size`` characters), aligned across languages."""
    out, i = [], 0
    while i < len(sents):
        j, text = i, ""
        while j < len(sents) and len(text) < size:
            text = (text + " " + sents[j]).strip()
            j += 1
        out.append((i, text))
        i = j
    return out


def edit(text: str, lang: str, rng: random.Random, vocabulary: list[str]) -> str:
    """A re-post: spelling and diacritic edits (Arabic), a prefix, a tail, and 1-3 words replaced."""
    words = text.split()
    for _ in range(rng.randint(1, 3)):
        words[rng.randrange(len(words))] = rng.choice(vocabulary)
    out = " ".join(words)
    if lang == "ar":
        out = "".join(SWAPS.get(c, c) if rng.random() < 0.5 else c for c in out)
        out = "".join(c + rng.choice(DIACRITICS) if c.isalpha() and rng.random() < 0.15 else c for c in out)
        out = "".join(c + "ـ" if c.isalpha() and rng.random() < 0.03 else c for c in out)
    if rng.random() < 0.5:
        out = PREFIX[lang] + out
    if rng.random() < 0.5:
        out += TAGS[lang]
    return out


def near_duplicates(corpus: str, threshold: float | None) -> float:
    rng = random.Random(7)
    best = threshold
    for lang, name in zip(("ar", "en", "fr"), FILES[corpus], strict=True):
        paras = [p for _, p in paragraphs(lines(name))]
        vocabulary = sorted({w for p in paras for w in p.split()})
        sets = [shingle_hashes(prepare(p).key) for p in paras]
        edited = [shingle_hashes(prepare(edit(p, lang, rng, vocabulary)).key) for p in paras]
        pair_d = np.array([1 - jaccard(a, b) for a, b in zip(sets, edited, strict=True)])
        unrelated = np.array([1 - jaccard(sets[i], sets[j]) for i in range(len(sets)) for j in range(i + 1, len(sets))])
        if threshold is None:
            # Tuning: the largest distance with no false match among unrelated pairs, less a margin.
            best = min(best or 1.0, round(float(unrelated.min()) - 0.1, 2))
            continue
        index = MinHashIndex()
        index.build((i, "".join(f"{int(x):08x}" for x in s)) for i, s in enumerate(sets))
        found = sum(i in {sid for sid, _ in index.query_set(e, threshold)} for i, e in enumerate(edited))
        false = int((unrelated <= threshold).sum())
        report(f"text_neardup_recall_{corpus}_{lang}", found / len(paras), "recall",
               note=f"threshold {threshold}, {len(paras)} paragraphs, pair Jaccard distance median "
                    f"{np.median(pair_d):.2f}")
        report(f"text_neardup_false_{corpus}_{lang}", false / len(unrelated), "fraction of unrelated pairs",
               note=f"{false} of {len(unrelated)} pairs")
    return float(best or TextMinHashSignal.default_threshold)


def throughput(bank_size: int, queries: int) -> None:
    """Exact + MinHash from raw text, the way the signal types and indexes do it, vs datasketch, one core."""
    from datasketch import MinHash, MinHashLSH

    sents = lines(FILES["flores"][0]) + lines(FILES["ntrex"][0]) + lines(FILES["flores"][1]) + lines(FILES["ntrex"][1])
    rng = random.Random(3)
    # Real words in random order: 100,000 distinct texts of ~200 characters (the corpus has ~6,000 sentences, too
    # few for a bank of unrelated paragraphs; pairs of them would share whole sentences).
    vocabulary = sorted({w for s in sents for w in s.split()})
    bank_texts = [" ".join(rng.choices(vocabulary, k=40))[:220] for _ in range(bank_size)]
    probe = [edit(t, "ar", rng, ["كلمة", "word"]) for t in rng.sample(bank_texts, queries)]
    threshold = TextMinHashSignal.default_threshold
    # One core: pinned, so that the scheduler does not move the run between cores (and their caches) mid-pass.
    cores = os.sched_getaffinity(0) if hasattr(os, "sched_getaffinity") else set()
    if cores:
        os.sched_setaffinity(0, {max(cores)})
    exact, mh = ExactIndex(), MinHashIndex()
    # Bank: the signal values as extract() computes them, then the indexes built from the values (as the index
    # manager builds them from the stored signals).
    t = time.perf_counter()
    prepared = [prepare(x) for x in bank_texts]
    sha_values = [hashlib.sha256(p.exact.encode()).hexdigest() for p in prepared]
    mh_values = [value_of_key(p.key) or "" for p in prepared]
    signals_s = time.perf_counter() - t
    t = time.perf_counter()
    exact.build(enumerate(sha_values))
    mh.build(enumerate(mh_values))
    index_s = time.perf_counter() - t
    del prepared, sha_values, mh_values
    gc.collect()

    # End to end, per text: normal forms, the text_sha256 value and its exact lookup, the text_minhash value (as
    # hex, the way extract() hands it over) and its index query (decoding, MinHash, LSH, Jaccard confirmation).
    hits = 0

    def end_to_end(q: str) -> None:
        nonlocal hits
        p = prepare(q)
        exact.query([hashlib.sha256(p.exact.encode()).hexdigest()], 0)
        hits += bool(mh.query([value_of_key(p.key) or ""], threshold)[0])

    def ds_minhash(key: str) -> MinHash:
        s = shingle_text(key)
        m = MinHash(num_perm=128)
        m.update_batch([s[i:i + 5].encode() for i in range(max(1, len(s) - 4))])
        return m

    lsh = MinHashLSH(threshold=0.5, num_perm=128)
    n_ds = min(bank_size, 20_000)  # its bank build takes ~1 ms a text; the query cost barely depends on the size
    for i, x in enumerate(bank_texts[:n_ds]):
        lsh.insert(i, ds_minhash(prepare(x).key))
    # Basira and datasketch in turn, pass by pass, on the same queries: load changes hit both alike.
    passes = interleaved({"basira": end_to_end, "datasketch": lambda q: lsh.query(ds_minhash(prepare(q).key))},
                         probe, passes=7)
    ours, theirs = passes["basira"], passes["datasketch"]
    keys = [prepare(q).key for q in probe]
    exacts = [prepare(q).exact for q in probe]
    sets = [shingle_hashes(k) for k in keys]
    keyed = rates(lambda k: mh.query([value_of_key(k) or ""], threshold), keys)
    stages = {
        "normal forms": rates(prepare, probe),
        "text_sha256 + exact lookup": rates(lambda e: exact.query([hashlib.sha256(e.encode()).hexdigest()], 0), exacts),
        "shingles + hex value": rates(value_of_key, keys),
        "MinHash + LSH + Jaccard": rates(lambda a: mh.query_set(a, threshold), sets),
    }
    ratios = [a / b for a, b in zip(ours, theirs, strict=True)]
    report("text_match_throughput_end_to_end", statistics.median(ours), "texts/s", statistics.median(theirs),
           note=f"bank {bank_size}; medians of {len(ours)} interleaved passes (best {max(ours):.0f} vs "
                f"{max(theirs):.0f}; per-pass ratios {min(ratios):.2f}-{max(ratios):.2f}); normalisation included; "
                f"{hits // len(ours)}/{queries} edited copies found; bank signals {signals_s:.1f} s, "
                f"index build {index_s:.1f} s; datasketch bank {n_ds}")
    report("text_match_throughput_after_normalisation", max(keyed), "texts/s",
           note=f"median {statistics.median(keyed):.0f}; shingles + hex value + index query (MinHash, LSH, Jaccard), "
                "from the matching key")
    micros = {name: 1e6 / max(r) for name, r in stages.items()}
    report("text_match_stage_times", sum(micros.values()), "µs per text",
           note="; ".join(f"{k} {v:.1f}" for k, v in micros.items()))
    if cores:
        os.sched_setaffinity(0, cores)


def candidates(per_length: int = 150) -> None:
    """Share of random pairs within a Jaccard similarity that each LSH setting returns as candidates, for texts of
    100 to 20,000 characters (NTREX words, 2-50 % of them replaced, 30 % of copies also cut)."""
    import rensa  # type: ignore[import-untyped]

    from basira.content.minhash import SEED

    rng = random.Random(1)
    words = [w for name in FILES["ntrex"] for x in lines(name) for w in x.split()]

    def text(n: int) -> list[str]:
        out: list[str] = []
        size = 0
        while size < n:
            out.append(rng.choice(words))
            size += len(out[-1]) + 1
        return out

    pairs = []
    for n in (100, 300, 1_000, 3_000, 10_000, 20_000):
        for _ in range(per_length):
            a = text(n)
            b = list(a)
            for _ in range(int(len(b) * rng.uniform(0.02, 0.5))):
                b[rng.randrange(len(b))] = rng.choice(words)
            if rng.random() < 0.3:
                b = b[rng.randrange(len(b) // 5 + 1):]
            sa, sb = shingle_hashes(prepare(" ".join(a)).key), shingle_hashes(prepare(" ".join(b)).key)
            pairs.append((sa, sb, jaccard(sa, sb)))

    def signature(arr: np.ndarray, perms: int) -> object:
        m = rensa.RMinHash(perms, SEED)
        m.update(np.ascontiguousarray(arr, dtype=np.uint32).view("V4").tolist())
        return m

    for perms, bands in ((128, 32), (126, 42), (128, 64), (256, 64), (256, 128)):
        for floor in (0.5, 0.3, 0.2):
            within = [(a, b) for a, b, j in pairs if j >= floor]
            found = 0
            for a, b in within:
                lsh = rensa.RMinHashLSH(0.5, perms, bands)
                lsh.insert(1, signature(a, perms))
                found += 1 in lsh.query(signature(b, perms))
            report(f"text_candidates_{perms}_{bands}_at_{floor}", found / len(within), "recall",
                   note=f"{len(within)} pairs of Jaccard >= {floor}, 100-20,000 characters")


def bands_cost(bank_size: int, queries: int) -> None:
    """The index query (MinHash, LSH, Jaccard) with the bands before (128 permutations, 32 bands of 4 rows) and
    now (126, 42 bands of 3 rows), interleaved pass by pass on the same queries: the cost of the wider candidates."""
    sents = lines(FILES["flores"][0]) + lines(FILES["ntrex"][0]) + lines(FILES["flores"][1]) + lines(FILES["ntrex"][1])
    rng = random.Random(3)
    vocabulary = sorted({w for s in sents for w in s.split()})
    bank_texts = [" ".join(rng.choices(vocabulary, k=40))[:220] for _ in range(bank_size)]
    probe = [shingle_hashes(prepare(edit(t, "ar", rng, ["كلمة", "word"])).key) for t in rng.sample(bank_texts, queries)]
    values = [value_of_key(prepare(x).key) or "" for x in bank_texts]
    before, now = MinHashIndex(128, 32), MinHashIndex()
    before.build(enumerate(values))
    now.build(enumerate(values))
    threshold = TextMinHashSignal.default_threshold

    passes = interleaved({"before": lambda a: before.query_set(a, threshold),
                          "now": lambda a: now.query_set(a, threshold)}, probe, passes=7)
    report("text_index_query_bands_now_vs_before", statistics.median(passes["now"]), "queries/s",
           statistics.median(passes["before"]),
           note=f"bank {bank_size}; medians of 7 interleaved passes; before = 128 permutations in 32 bands")


def containment(docs_per_lang: int = 150) -> None:
    """NTREX-style documents (4 paragraphs of 3 consecutive NTREX sentences) matched by their parts: articles
    re-posted (edited, paragraphs merged into one block) against a bank of paragraphs of other documents and
    theirs, and edited paragraphs against a bank of whole articles."""
    rng = random.Random(11)
    threshold = TextMinHashSignal.default_threshold
    for lang, name in zip(("ar", "en", "fr"), FILES["ntrex"], strict=True):
        sents = lines(name)
        vocabulary = sorted({w for x in sents for w in x.split()})
        docs = [[" ".join(sents[d * 12 + 3 * i:d * 12 + 3 * i + 3]) for i in range(4)]
                for d in range(min(docs_per_lang, len(sents) // 12))]
        # Bank 1: every paragraph of every document, each an entry (values: whole paragraph and its sentences).
        by_paragraph, owner = MinHashIndex(), {}
        sid = 0
        for d, doc in enumerate(docs):
            for para in doc:
                for value, _ in text_values(para):
                    by_paragraph.add([(sid, value)])
                    owner[sid] = d
                    sid += 1
        # Bank 2: every whole article (paragraphs on their own lines), its parts being values of the same entry.
        by_article, article_of = MinHashIndex(), {}
        sid = 0
        for d, doc in enumerate(docs):
            for value, _ in text_values("\n\n".join(doc)):
                by_article.add([(sid, value)])
                article_of[sid] = d
                sid += 1
        found_article = found_paragraph = total_paragraphs = wrong = 0
        for d, doc in enumerate(docs):
            merged = edit(" ".join(doc), lang, rng, vocabulary)
            hits = {owner[h] for value, _ in text_values(merged) for h, _ in by_paragraph.query([value], threshold)[0]}
            found_article += d in hits
            wrong += bool(hits - {d})
            for para in doc:
                total_paragraphs += 1
                query = edit(para, lang, rng, vocabulary)
                got = {article_of[h] for value, _ in text_values(query)
                       for h, _ in by_article.query([value], threshold)[0]}
                found_paragraph += d in got
                wrong += bool(got - {d})
        report(f"text_containment_article_by_banked_paragraphs_{lang}", found_article / len(docs), "found",
               note=f"{len(docs)} edited articles (paragraphs merged) vs a bank of {len(docs) * 4} paragraphs")
        report(f"text_containment_paragraph_by_banked_article_{lang}", found_paragraph / total_paragraphs, "found",
               note=f"{total_paragraphs} edited paragraphs vs a bank of {len(docs)} articles; {wrong} queries of "
                    f"both kinds also matched another document")


def interleaved(fns: dict[str, Callable[[T], object]], items: list[T], passes: int) -> dict[str, list[float]]:
    """Items per second of each function, their passes taken in turn (one pass of each, then again)."""
    out: dict[str, list[float]] = {name: [] for name in fns}
    for _ in range(passes):
        for name, fn in fns.items():
            out[name].extend(rates(fn, items, passes=1))
    return out


def rates(fn: Callable[[T], object], items: list[T], passes: int = 5) -> list[float]:
    """Items per second of ``fn`` over ``items``, once per pass; prepare()'s cache is emptied before each pass."""
    out = []
    for _ in range(passes):
        prepare.cache_clear()
        t = time.perf_counter()
        for x in items:
            fn(x)
        out.append(len(items) / (time.perf_counter() - t))
    return out


def crosslingual(n: int = 1000) -> None:
    langs = {"ar": FILES["flores"][0], "en": FILES["flores"][1], "fr": FILES["flores"][2]}
    vec = {k: embed(lines(v)[:n]) for k, v in langs.items()}
    sims_true, sims_false = [], []
    for a in langs:
        for b in langs:
            if a == b:
                continue
            index = VectorIndex()
            index.build((i, encode(v)) for i, v in enumerate(vec[b]))
            ids, _sims = index.search(vec[a], 2)
            r1 = float((ids[:, 0] == np.arange(len(ids))).mean())
            report(f"text_crosslingual_recall_at_1_{a}_{b}", r1, "recall@1", note=f"{len(ids)} candidates")
            full = vec[a] @ vec[b].T
            sims_true.extend(np.diag(full).tolist())
            sims_false.extend(full[~np.eye(len(full), dtype=bool)][:: 97].tolist())
    st, sf = np.array(sims_true), np.array(sims_false)
    for cos in (0.5, 0.55, 0.6, 0.65, 0.7):
        report(f"text_embedding_cos{cos}_recall", float((st >= cos).mean()), "recall",
               note=f"false match rate {(sf >= cos).mean():.4f} of sampled unrelated pairs")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--bank", type=int, default=100_000)
    ap.add_argument("--queries", type=int, default=2000)
    ap.add_argument("--only", choices=["neardup", "throughput", "crosslingual", "containment", "candidates", "bands"])
    args = ap.parse_args()
    if args.only in (None, "neardup"):
        tuned = near_duplicates("flores", None)
        report("text_neardup_tuned_threshold", tuned, "Jaccard distance", note="tuned on FLORES, used on NTREX")
        near_duplicates("ntrex", TextMinHashSignal.default_threshold)
    if args.only in (None, "bands"):
        bands_cost(min(args.bank, 50_000), args.queries)
    if args.only in (None, "candidates"):
        candidates()
    if args.only in (None, "containment"):
        containment()
    if args.only in (None, "throughput"):
        throughput(args.bank, args.queries)
    if args.only in (None, "crosslingual"):
        crosslingual()

if __name__ == "__main__":
    main()

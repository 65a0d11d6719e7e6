"""Text matching benchmarks on real Arabic, English and French sentences (FLORES-200 devtest, NTREX-128).

1. Near-duplicates: ~200-character paragraphs (consecutive sentences joined), each edited as re-posts are
   (diacritics, tatweel, alef/hamza/yaa/ta-marbuta swaps, a "breaking" prefix, a hashtag tail, a few words
   replaced); recall of ``text_minhash`` at its threshold, and false matches over all unrelated pairs. Thresholds
   are tuned on FLORES paragraphs and reported on the held-back NTREX paragraphs.
2. Throughput: exact + MinHash matching of texts against a bank of 100,000 texts on one core, against plain
   datasketch (MinHash + MinHashLSH over the same shingles) measured in the same run.
3. Cross-lingual recall@1 of ``text_embedding`` among 1,000 candidates, ar↔en↔fr.

Run: ``.venv/bin/python bench/text_matching.py [--bank 100000]``.
"""

from __future__ import annotations

import argparse
import hashlib
import random
import time
from pathlib import Path

import numpy as np
from bench.common import report

from basira.content.embeddings import VectorIndex, embed, encode
from basira.content.minhash import MinHashIndex, TextMinHashSignal, jaccard, shingle_hashes, shingle_text
from basira.content.text import prepare
from basira.core.signals import ExactIndex

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
    """Exact + MinHash from raw text, vs datasketch MinHash + LSH over the same shingles, one core."""
    from datasketch import MinHash, MinHashLSH

    sents = lines(FILES["flores"][0]) + lines(FILES["ntrex"][0]) + lines(FILES["flores"][1]) + lines(FILES["ntrex"][1])
    rng = random.Random(3)
    # Real words in random order: 100,000 distinct texts of ~200 characters (the corpus has ~6,000 sentences, too
    # few for a bank of unrelated paragraphs; pairs of them would share whole sentences).
    vocabulary = sorted({w for s in sents for w in s.split()})
    bank_texts = [" ".join(rng.choices(vocabulary, k=40))[:220] for _ in range(bank_size)]
    probe = [edit(t, "ar", rng, ["كلمة", "word"]) for t in rng.sample(bank_texts, queries)]
    exact, mh = ExactIndex(), MinHashIndex()
    t = time.perf_counter()
    exact.build((i, hashlib.sha256(prepare(x).exact.encode()).hexdigest()) for i, x in enumerate(bank_texts))
    mh.build((i, "".join(f"{int(v):08x}" for v in shingle_hashes(prepare(x).key))) for i, x in enumerate(bank_texts))
    build_s = time.perf_counter() - t
    t = time.perf_counter()
    hits = 0
    for q in probe:
        p = prepare(q)
        exact.query([hashlib.sha256(p.exact.encode()).hexdigest()], 0)
        hits += bool(mh.query_set(shingle_hashes(p.key), TextMinHashSignal.default_threshold))
    ours = queries / (time.perf_counter() - t)
    keys = [prepare(q).key for q in probe]
    t = time.perf_counter()
    for k in keys:
        mh.query_set(shingle_hashes(k), TextMinHashSignal.default_threshold)
    ours_keyed = queries / (time.perf_counter() - t)

    def ds_minhash(key: str) -> MinHash:
        s = shingle_text(key)
        m = MinHash(num_perm=128)
        m.update_batch([s[i:i + 5].encode() for i in range(max(1, len(s) - 4))])
        return m

    lsh = MinHashLSH(threshold=0.5, num_perm=128)
    n_ds = bank_size
    for i, x in enumerate(bank_texts[:n_ds]):
        lsh.insert(i, ds_minhash(prepare(x).key))
    t = time.perf_counter()
    for q in probe:
        p = prepare(q)
        lsh.query(ds_minhash(p.key))
    theirs = queries / (time.perf_counter() - t)
    report("text_match_throughput_end_to_end", ours, "texts/s", theirs,
           note=f"bank {bank_size}; normalisation included; {hits}/{queries} edited copies found; "
                f"build {build_s:.0f} s; datasketch bank {n_ds}")
    report("text_match_throughput_after_normalisation", ours_keyed, "texts/s",
           note="shingles + LSH + Jaccard only, from the matching key")


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
    ap.add_argument("--only", choices=["neardup", "throughput", "crosslingual"])
    args = ap.parse_args()
    if args.only == "throughput":
        throughput(args.bank, args.queries)
        return
    tuned = near_duplicates("flores", None)
    report("text_neardup_tuned_threshold", tuned, "Jaccard distance", note="tuned on FLORES, used on NTREX")
    near_duplicates("ntrex", TextMinHashSignal.default_threshold)
    throughput(args.bank, args.queries)
    crosslingual()


if __name__ == "__main__":
    main()

"""A second, fresh pair evaluation for the name matcher: pairs built only from list entries that appear in no
pair of the first evaluation (``bench/names_pairs.py``'s tuning and test splits), split by entry into a second
tuning half (``names_dev2``) and a frozen held-out half (``names_holdout``), read once at the end.

Why a second one: the first test split was read once already (issue 15's first session), so its figures cannot
judge changes made after that reading. This builder was written and run, and the held-out file's SHA-256 fixed in
``bench/names_eval.py`` (``HOLDOUT_SHA256``), before any change to the matcher that it is used to judge.

Entries come from the same UN and EU files, and from OFAC's *advanced* XML (``ofac_sdn_advanced.xml.bz2``, a
later and larger issue of the SDN list than the CSV the first evaluation used, with names in Arabic, Cyrillic and
Chinese script); an entry (by list and reference; one party on two lists is one cluster) is in the pool when
neither it nor any entry of its cluster is named by a pair of the first evaluation. Pair kinds are the first
builder's (same functions, see its docstring) with another seed; the generated common names of the negatives come
from other name pools than the first builder's (``COMMON2``), so that none of them was seen while tuning.

Run once: ``.venv/bin/python bench/names_holdout.py`` writes ``bench/data/names_{dev2,holdout}.jsonl.gz`` and
prints their SHA-256.
"""

from __future__ import annotations

import bz2
import gzip
import hashlib
import json
import random
import sys
from pathlib import Path

from rapidfuzz import fuzz

sys.path.insert(0, str(Path(__file__).resolve().parent))

from basira.finance.lists import ofac_xml
from basira.finance.lists.base import ListedEntry
from names_pairs import (
    _KIND,
    OUT,
    SANCTIONS,
    Pair,
    _pair,
    alike_pairs,
    clusters,
    common_names,
    cross_list_links,
    fold,
    load,
    nearest,
    org_variants,
    person_variants,
    script,
    script_alike,
    spelled_alike,
    split_by_cluster,
    tokens,
    write_splits,
)

SEED2 = 20261207
HOLDOUT_SHARE = 50  # percent of the pool's clusters in the held-out half
OLD = (OUT / "names_tune.jsonl.gz", OUT / "names_test.jsonl.gz")

COMMON2: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "ar": (("حمزة", "زياد", "مازن", "جمال", "نبيل", "رشا", "سلمى", "دينا", "منى", "أنس", "باسل", "هشام", "ماجد",
            "غادة", "رنا", "لينا", "فادي", "عادل", "مروان", "صبري"),
           ("الحلبي", "المصري", "القاضي", "العطار", "الحسيني", "شاهين", "الدباغ", "الصباغ", "عثمان", "الرفاعي",
            "الكردي", "السقا", "الطويل", "بركات", "جابر", "درويش", "الفارس", "نصار", "حجازي", "الجمل")),
    "en": (("Charles", "Joseph", "Christopher", "Matthew", "Anthony", "Mark", "Steven", "Andrew", "Joshua", "Kevin",
            "Barbara", "Elizabeth", "Jessica", "Nancy", "Lisa", "Betty", "Margaret", "Sandra", "Ashley", "Dorothy"),
           ("Anderson", "Thomas", "Jackson", "White", "Harris", "Martin", "Thompson", "Robinson", "Allen", "Hill",
            "Nelson", "Carter", "Mitchell", "Roberts", "Turner", "Phillips", "Campbell", "Parker", "Evans",
            "Edwards")),
    "fr": (("Alain", "Christophe", "Laurent", "Stéphane", "Sébastien", "Céline", "Sandrine", "Valérie", "Hélène",
            "Mathieu", "Youssef", "Nabil", "Hakim", "Malik", "Bilal", "Samia", "Houria", "Djamel", "Lamine", "Zohra"),
           ("Roux", "Fournier", "Morel", "Mercier", "Blanc", "Guerin", "Faure", "Rousseau", "Garnier", "Chevalier",
            "Ould Ahmed", "Kaci", "Meziane", "Hamidi", "Touati", "Benyahia", "Ouali", "Zeroual", "Bensaid",
            "Lahlou")),
    "ru": (("Виктор", "Евгений", "Константин", "Артём", "Роман", "Григорий", "Станислав", "Валентин", "Людмила",
            "Галина", "Вера", "Ксения", "Дарья", "Полина", "Вадим", "Игорь", "Борис", "Леонид", "Зоя", "Нина"),
           ("Зайцев", "Соловьёв", "Борисов", "Яковлев", "Григорьев", "Романов", "Воробьёв", "Сергеев", "Кузьмин",
            "Фролов", "Александров", "Дмитриев", "Королёв", "Гусев", "Киселёв", "Ильин", "Максимов", "Поляков",
            "Сорокин", "Виноградов")),
    "zh": (("晓明", "志强", "丽娟", "桂英", "玉兰", "俊杰", "子涵", "浩然", "欣怡", "宇航", "思远", "佳怡", "文博",
            "雨桐", "一鸣", "国华", "春梅", "立新", "振华", "美玲"),
           ("梁", "宋", "郑", "谢", "韩", "唐", "冯", "于", "董", "萧", "程", "曹", "袁", "邓", "许", "傅", "沈", "曾",
            "彭", "吕")),
    "tr": (("Hakan", "Serkan", "Cem", "Onur", "Volkan", "Tolga", "Gökhan", "Barış", "Deniz", "Merve", "Büşra", "Esra",
            "Tuğba", "Gizem", "Ebru", "Sevgi", "Erkan", "Levent", "Koray", "Nurcan"),
           ("Güneş", "Bulut", "Erdoğan", "Polat", "Korkmaz", "Avcı", "Ünal", "Keskin", "Tekin", "Taş", "Acar", "Kaplan",
            "Eren", "Işık", "Uçar", "Sarı", "Balcı", "Karakaya", "Altun", "Gök")),
    "ur": (("عارف", "ساجد", "ماجد", "جاوید", "پرویز", "اکرم", "اشفاق", "زاہد", "شبانہ", "رخسانہ", "صائمہ", "کوثر",
            "نعیم", "وسیم", "اظہر", "ارشد", "یاسمین", "غزالہ", "امجد", "شکیل"),
           ("لودھی", "سیال", "وڑائچ", "گیلانی", "بخاری", "جعفری", "رضوی", "کھوسہ", "لغاری", "مزاری", "نیازی", "ترین",
            "یوسفزئی", "آفریدی", "درانی", "میمن", "سومرو", "ڈوگر", "کیانی", "تارڑ")),
}


def load_ofac_advanced() -> list[ListedEntry]:
    with bz2.open(SANCTIONS / "ofac_sdn_advanced.xml.bz2", "rb") as f:
        return [x for x in ofac_xml.read(f) if isinstance(x, ListedEntry)]


def used_entries() -> set[str]:
    """Every entry key a pair of the first evaluation names (either split)."""
    used: set[str] = set()
    for path in OLD:
        for line in gzip.decompress(path.read_bytes()).decode().splitlines():
            p = json.loads(line)
            used.update(p["entries"])
            used.add(p["r_entry"])
    return used


def half2(cluster: str) -> str:
    h = int(hashlib.sha256(f"{SEED2}:{cluster}".encode()).hexdigest(), 16) % 100
    return "holdout" if h < HOLDOUT_SHARE else "dev2"


def build() -> tuple[list[Pair], list[Pair]]:
    rng = random.Random(SEED2)
    u, _, e = load()
    o = load_ofac_advanced()
    used = used_entries()
    by_key = {f"un:{x.ref}": x for x in u} | {f"ofac:{x.ref}": x for x in o} | {f"eu:{x.ref}": x for x in e}
    kinds = {k: _KIND.get(x.kind, "other") for k, x in by_key.items()}
    links = cross_list_links(u, o, e)
    cluster, members = clusters(by_key, links)
    # The pool: clusters none of whose entries (nor the cluster's own key) the first evaluation used.
    pool = {c for c, ks in members.items() if not (ks | {c}) & used}
    in_pool = {k for k in by_key if cluster[k] in pool}

    def names(x: ListedEntry) -> list[str]:
        return list(dict.fromkeys(n.name for n in x.names if n.quality == "strong"))

    pairs: list[Pair] = []
    for key in sorted(in_pool):
        x, k = by_key[key], kinds[key]
        ns = names(x)
        originals = {n.name for n in x.names if n.kind == "original"}
        for i, a in enumerate(ns):
            for b in ns[i + 1:]:
                if tokens(a) == tokens(b):
                    continue
                if script_alike(a, b) if script(a) != script(b) else spelled_alike(a, b):
                    how = "original" if (a in originals) != (b in originals) else "alias"
                    q, r = (a, b) if a in originals or rng.random() < 0.5 else (b, a)
                    pairs.append(_pair(q, r, 1, how, (key,), key, k, k))
    for a, b in sorted(links):
        if a not in in_pool or b not in in_pool:
            continue
        na, nb = names(by_key[a]), names(by_key[b])
        for q in na[:3]:
            if not nb:
                break
            r = nb[0]
            if spelled_alike(q, r) if script(q) == script(r) else script_alike(q, r):
                pairs.append(_pair(q, r, 1, "crosslist", (a, b), b, kinds[a], kinds[b]))

    for key in sorted(in_pool):
        x, k = by_key[key], kinds[key]
        primary = next((n.name for n in x.names if n.kind == "primary"), None)
        if not primary or script(primary) != "latin" or rng.random() > 0.3:
            continue
        made = person_variants(primary, rng) if k == "person" else org_variants(primary, rng) \
            if k == "organization" else []
        for how, v in made:
            if tokens(v) != tokens(primary):
                pairs.append(_pair(v, primary, 1, how, (key,), key, k, k))
        orig = next((n.name for n in x.names if n.kind == "original" and script(n.name) == "arabic"), None)
        if orig and k == "person":
            for how, v in made:
                if how == "variant:ou":
                    pairs.append(_pair(v, orig, 1, how, (key,), key, k, k))

    for src in ("un", "ofac"):
        keyed = [(key, n) for key in sorted(in_pool) if key.startswith(src + ":") for n in names(by_key[key])[:2]]
        if not keyed:
            continue
        for i, j in alike_pairs(keyed, cluster, rng, fuzz.token_sort_ratio, 75, 3, 12000):
            (a, na), (b, nb) = keyed[i], keyed[j]
            pairs.append(_pair(na, nb, 0, "similar", (a, b), b, kinds[a], kinds[b]))

    listed = [(k, n) for k in sorted(in_pool) for n in names(by_key[k]) if kinds[k] == "person"]
    all_person_tokens = {tokens(n) for k, x in by_key.items() if kinds[k] == "person" for n in names(x)}
    ltexts = [fold(n) for _, n in listed]
    for lang in COMMON2:
        made = [n for n in common_names(lang, rng, 300, COMMON2) if tokens(n) not in all_person_tokens]
        for n, j in zip(made, nearest(made, ltexts), strict=True):
            pairs.append(_pair(n, listed[j][1], 0, f"common:{lang}", (listed[j][0],), listed[j][0], "person",
                               "person"))

    dev2, holdout = split_by_cluster(pairs, cluster, half2, "holdout")
    print(f"pool: {len(pool)} clusters ({len(in_pool)} entries) of {len(members)}; first evaluation used "
          f"{len(used)} entries")
    return dev2, holdout


def main() -> None:
    dev2, holdout = build()
    write_splits({"dev2": dev2, "holdout": holdout})


if __name__ == "__main__":
    main()

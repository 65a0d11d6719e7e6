"""Labelled name pairs for the name-screening evaluation, built from the sanctions lists in ``shared/data`` alone,
split by entry into a tuning half and a frozen test half.

Run once: ``.venv/bin/python bench/names_pairs.py`` writes ``bench/data/names_tune.jsonl.gz`` and
``bench/data/names_test.jsonl.gz`` and prints their SHA-256; ``bench/names_eval.py`` holds the test split's hash
and refuses to read it without ``--final``. Nothing here looks at any matcher: which names are "alike" (for the
hard negatives) is decided by a plain token-sort ratio on the ``anyascii`` transliteration, so the pairs do not
depend on the matcher they judge.

Positives (label 1):

- ``alias``: two names of one entry written in different scripts, or two spellings of one name (the token-sort
  words of the shorter are all alike in the longer: see ``spelled_alike`` and ``script_alike``, so that a nickname
  or another alias of the party is not counted as a spelling of its name);
- ``original``: a UN original-script name against the entry's Latin names;
- ``crosslist``: a UN entry and an OFAC entry that list the same document number (or an EU entry that cites the
  UN reference), one name of each;
- ``variant:<how>``: a generated spelling of a listed Latin name against that name: French/Maghrebi ``ou``/``aou``,
  ``ben``/``el``/``bou``, a typo in a long part, a given name left out or one more, a legal form written out or
  left out.

Negatives (label 0):

- ``similar``: names of two different entries of one list whose transliterations are alike (ratio 75 or more) but
  not the same words;
- ``common:<lang>``: generated common names in ar/en/fr/ru/zh/tr/ur against the listed name most like them.

The split is by entry: every pair's entries (both for a cross-list pair or a similar-names negative) must fall in
the same half, decided by a seeded hash of the entry (``SEED``); a pair across the halves is dropped.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import random
import re
import sys
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
from anyascii import anyascii
from rapidfuzz import fuzz, process

from basira.finance.lists import eu, ofac, un
from basira.finance.lists.base import ListedEntry

SANCTIONS = Path(__file__).resolve().parents[2] / "shared" / "data" / "sanctions"
if not SANCTIONS.is_dir():
    SANCTIONS = Path("/work/shared/data/sanctions")
OUT = Path(__file__).resolve().parent / "data"
SEED = 20261206
TEST_SHARE = 50  # percent of entries in the test half

Pair = dict[str, Any]


def fold(text: str) -> str:
    """Lower-case ASCII letters and digits of any script, single spaces (the pairs' own notion of alike)."""
    return " ".join(re.sub(r"[^a-z0-9]+", " ", anyascii(text).lower()).split())


def tokens(text: str) -> tuple[str, ...]:
    return tuple(sorted(fold(text).split()))


def script(text: str) -> str:
    """The script of a name's first letter that is not Latin, or ``latin`` (Common characters skipped)."""
    found = "latin"
    for ch in text:
        if ch.isalpha():
            word = unicodedata.name(ch, "UNKNOWN").split()[0].lower()
            if word == "cjk":
                return "han"
            if word not in ("latin",):
                return word
    return found


def load() -> tuple[list[ListedEntry], list[ListedEntry], list[ListedEntry]]:
    def entries(items: Iterator[Any]) -> list[ListedEntry]:
        return [x for x in items if isinstance(x, ListedEntry)]

    with (SANCTIONS / "un_consolidated.xml").open("rb") as f:
        u = entries(un.read(f))
    with (SANCTIONS / "ofac_sdn.csv").open("rb") as f, (SANCTIONS / "ofac_sdn_comments.csv").open("rb") as c:
        o = entries(ofac.read(f, c))
    with (SANCTIONS / "eu_fsf_sample.xml").open("rb") as f:
        e = entries(eu.read(f))
    return u, o, e


def spelled_alike(a: str, b: str) -> bool:
    """Two names in one script are spellings of one name: every word of the one with fewer words has a word
    of the other like it (ratio 70 or more, or the same initial when one is an initial). A nickname or another
    alias of the same party is not a spelling of its name, and no name matcher should be asked to match it."""
    ta, tb = fold(a).split(), fold(b).split()
    if len(ta) > len(tb):
        ta, tb = tb, ta
    if not ta:
        return False
    return all(any(fuzz.ratio(x, y) >= 70 or (min(len(x), len(y)) == 1 and x[0] == y[0]) for y in tb) for x in ta)


_PARTICLES = {"al", "el", "ul", "bin", "ibn", "ben", "bn", "abu", "abd", "dit", "l"}


def _skel(word: str) -> str:
    return re.sub(r"(.)\1+", r"\1", re.sub(r"[aeiouwy]", "", word)) or word


def script_alike(a: str, b: str) -> bool:
    """A name and one in another script are the same name written twice: on consonant skeletons of their
    transliterations (Arabic script writes no short vowels), particles set aside, every word of the one with
    fewer words has a word of the other like it, or the names written together are alike (Chinese names
    transliterate as one word)."""
    ta = [_skel(t) for t in fold(a).split() if t not in _PARTICLES]
    tb = [_skel(t) for t in fold(b).split() if t not in _PARTICLES]
    if len(ta) > len(tb):
        ta, tb = tb, ta
    if not ta:
        return False
    if fuzz.ratio("".join(sorted(ta)), "".join(sorted(tb))) >= 85:
        return True
    return all(any(x == y or fuzz.ratio(x, y) >= 70 for y in tb) for x in ta)


def half(cluster: str) -> str:
    h = int(hashlib.sha256(f"{SEED}:{cluster}".encode()).hexdigest(), 16) % 100
    return "test" if h < TEST_SHARE else "tune"


def _doc(number: str) -> str:
    return re.sub(r"[^A-Z0-9]", "", number.upper())


_KIND = {"person": "person", "organization": "organization", "vessel": "vessel", "aircraft": "aircraft"}


def _pair(q: str, r: str, label: int, kind: str, entries: tuple[str, ...], r_entry: str, qk: str, rk: str) -> Pair:
    return {"q": q, "r": r, "label": label, "kind": kind, "entries": list(entries), "r_entry": r_entry,
            "q_kind": qk, "r_kind": rk, "scripts": f"{script(q)}-{script(r)}"}


# --- generated spellings --------------------------------------------------------------------------------------

_COMMON_GIVEN = ("Mohammed", "Ahmed", "Abdullah", "Ali", "Hassan", "Omar")
_LEGAL = ((r"\bLTD\b\.?", "LIMITED"), (r"\bLIMITED\b", "LTD"), (r"\bCO\b\.?", "COMPANY"), (r"\bCOMPANY\b", "CO."),
          (r"\bLLC\b", "LIMITED LIABILITY COMPANY"), (r"\bINC\b\.?", "INCORPORATED"), (r"\bCORP\b\.?",
          "CORPORATION"), (r"\bCORPORATION\b", "CORP"), (r"\bAG\b", "AKTIENGESELLSCHAFT"),
          (r"\bGMBH\b", "GESELLSCHAFT MIT BESCHRAENKTER HAFTUNG"), (r"\bS\.?A\.?$", "SOCIETE ANONYME"),
          (r"\bJSC\b", "JOINT STOCK COMPANY"), (r"\bFZE\b", "FREE ZONE ESTABLISHMENT"))
_LEGAL_DROP = re.compile(r"[,\s]+(?:LTD\.?|LIMITED|CO\.?|COMPANY|LLC|INC\.?|CORP\.?|CORPORATION|S\.A\.?|SA|GMBH|AG|"
                         r"JSC|FZE|LLP|PLC|SARL|S\.?A\.?R\.?L\.?)$", re.IGNORECASE)


def _typo(word: str, rng: random.Random) -> str:
    i = rng.randrange(1, len(word) - 1)
    how = rng.choice(("swap", "drop", "double", "sub"))
    if how == "swap":
        return word[:i] + word[i + 1] + word[i] + word[i + 2:]
    if how == "drop":
        return word[:i] + word[i + 1:]
    if how == "double":
        return word[:i] + word[i] + word[i:]
    return word[:i] + rng.choice("aeioulnrst") + word[i + 1:]


def person_variants(name: str, rng: random.Random) -> list[tuple[str, str]]:
    """(how, spelling) of a Latin person name; only those that change it."""
    out: list[tuple[str, str]] = []
    words = name.replace(",", " ").split()
    if len(words) < 2:
        return out
    low = name.lower()
    fr = re.sub(r"(?<=[aeiou])w(?=[aeiou])", "ou", low)
    fr = re.sub(r"(?<![aeiou])u", "ou", fr)
    fr = re.sub(r"aw\b", "aou", fr)
    if fr != low:
        out.append(("variant:ou", fr.title()))
    mg = re.sub(r"\b(?:bin|ibn)\b", "ben", low)
    mg = re.sub(r"\bal[- ]", "el ", mg)
    mg = re.sub(r"\babu\b", "bou", mg)
    if mg != low:
        out.append(("variant:ben-el-bou", mg.title()))
    longest = max(range(len(words)), key=lambda k: len(words[k]))
    if len(words[longest]) >= 6:
        typo = list(words)
        typo[longest] = _typo(words[longest], rng)
        out.append(("variant:typo", " ".join(typo)))
    if len(words) >= 3:
        k = rng.randrange(1, len(words) - 1)
        out.append(("variant:missing", " ".join(words[:k] + words[k + 1:])))
    extra = list(words)
    extra.insert(1, rng.choice(_COMMON_GIVEN))
    out.append(("variant:extra", " ".join(extra)))
    return out


def org_variants(name: str, rng: random.Random) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    up = name.upper()
    for pat, repl in _LEGAL:
        new = re.sub(pat, repl, up)
        if new != up:
            out.append(("variant:legal-form", new))
            break
    dropped = _LEGAL_DROP.sub("", name)
    if dropped != name and len(dropped.split()) >= 2:
        out.append(("variant:legal-drop", dropped))
    words = name.split()
    longest = max(range(len(words)), key=lambda k: len(words[k]))
    if len(words[longest]) >= 7 and len(words) >= 2:
        typo = list(words)
        typo[longest] = _typo(words[longest], rng)
        out.append(("variant:typo", " ".join(typo)))
    return out


# --- generated common names ----------------------------------------------------------------------------------

COMMON: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "ar": (("محمد", "أحمد", "علي", "عمر", "خالد", "حسن", "يوسف", "إبراهيم", "فاطمة", "مريم", "عائشة", "سارة", "ليلى",
            "كريم", "سامي", "رامي", "هدى", "نادية", "طارق", "وليد"),
           ("حداد", "منصور", "خوري", "سعيد", "النجار", "الشامي", "العمري", "الزين", "عيسى", "يونس", "سليمان", "داود",
            "الخطيب", "البدوي", "حمدان", "عواد", "الأحمد", "صالح", "قاسم", "زيدان")),
    "en": (("James", "John", "Robert", "Michael", "David", "William", "Mary", "Patricia", "Jennifer", "Linda",
            "Sarah", "Thomas", "Daniel", "Emma", "Olivia", "George", "Paul", "Susan", "Karen", "Peter"),
           ("Smith", "Johnson", "Williams", "Brown", "Jones", "Miller", "Davis", "Wilson", "Taylor", "Clark",
            "Lewis", "Walker", "Hall", "Young", "King", "Wright", "Scott", "Green", "Baker", "Adams")),
    "fr": (("Jean", "Pierre", "Michel", "Philippe", "Nicolas", "Marie", "Nathalie", "Isabelle", "Sophie", "Karim",
            "Mehdi", "Yacine", "Sofiane", "Nadia", "Samira", "Rachid", "Farid", "Amine", "Leila", "Julien"),
           ("Martin", "Bernard", "Dubois", "Thomas", "Petit", "Durand", "Leroy", "Moreau", "Benali", "Haddad",
            "Mansouri", "Bouazza", "Belkacem", "Cherif", "Brahimi", "Amrani", "Boukhari", "Saidi", "Lefebvre",
            "Girard")),
    "ru": (("Александр", "Сергей", "Дмитрий", "Андрей", "Алексей", "Иван", "Мария", "Анна", "Елена", "Ольга",
            "Николай", "Татьяна", "Павел", "Ирина", "Михаил", "Наталья", "Владимир", "Юрий", "Светлана", "Олег"),
           ("Иванов", "Смирнов", "Кузнецов", "Попов", "Васильев", "Петров", "Соколов", "Михайлов", "Новиков",
            "Федоров", "Морозов", "Волков", "Алексеев", "Лебедев", "Семенов", "Егоров", "Павлов", "Козлов",
            "Степанов", "Николаев")),
    "zh": (("伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "涛", "明", "超", "秀英",
            "华", "建国", "海燕"),
           ("王", "李", "张", "刘", "陈", "杨", "黄", "赵", "周", "吴", "徐", "孙", "马", "朱", "胡", "郭", "何", "林",
            "高", "罗")),
    "tr": (("Mehmet", "Mustafa", "Ahmet", "Ali", "Hüseyin", "Hasan", "Fatma", "Ayşe", "Emine", "Zeynep", "İbrahim",
            "Murat", "Elif", "Emre", "Burak", "Selin", "Kemal", "Özlem", "Osman", "Yusuf"),
           ("Yılmaz", "Kaya", "Demir", "Şahin", "Çelik", "Yıldız", "Yıldırım", "Öztürk", "Aydın", "Özdemir",
            "Arslan", "Doğan", "Kılıç", "Aslan", "Çetin", "Kara", "Koç", "Kurt", "Özkan", "Şimşek")),
    "ur": (("محمد", "علی", "احمد", "حسن", "عمران", "عائشہ", "فاطمہ", "زینب", "بلال", "عثمان", "ثناء", "نادیہ",
            "کامران", "فیصل", "شاہد", "آصف", "نوید", "سلمان", "رضوان", "طاہر"),
           ("خان", "شاہ", "ملک", "چوہدری", "بٹ", "قریشی", "حسین", "اعوان", "راجپوت", "مرزا", "شیخ", "صدیقی", "بھٹی",
            "گجر", "ہاشمی", "جٹ", "انصاری", "نقوی", "رانا", "عباسی")),
}


def common_names(lang: str, rng: random.Random, n: int,
                 pools: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] | None = None) -> list[str]:
    """``n`` distinct names in ``lang`` from ``pools`` (given names, family names; the first builder's ``COMMON``
    by default), in the shapes names take there: family then given name in Chinese and often in Russian, three
    parts often in Arabic, Urdu and Persian, two family names often in Spanish."""
    given, family = (COMMON if pools is None else pools)[lang]
    out: set[str] = set()
    while len(out) < n:
        if lang == "zh":
            out.add(rng.choice(family) + rng.choice(given))
        elif lang in ("ar", "ur", "fa") and rng.random() < 0.4:
            out.add(" ".join((rng.choice(given), rng.choice(given), rng.choice(family))))
        elif lang == "ru" and rng.random() < 0.4:
            out.add(f"{rng.choice(family)} {rng.choice(given)}")
        elif lang == "es" and rng.random() < 0.5:
            out.add(f"{rng.choice(given)} {rng.choice(family)} {rng.choice(family)}")
        else:
            out.add(f"{rng.choice(given)} {rng.choice(family)}")
    return sorted(out)


# --- building --------------------------------------------------------------------------------------------------


def build() -> tuple[list[Pair], list[Pair]]:
    rng = random.Random(SEED)
    u, o, e = load()
    by_key = {f"un:{x.ref}": x for x in u} | {f"ofac:{x.ref}": x for x in o} | {f"eu:{x.ref}": x for x in e}
    kinds = {k: _KIND.get(x.kind, "other") for k, x in by_key.items()}
    pairs: list[Pair] = []
    # Same party on two lists: a shared document number (UN/OFAC) or the UN reference an EU entry cites; one
    # person on two lists is one cluster.
    links = cross_list_links(u, o, e)
    cluster, _ = clusters(by_key, links)

    def names(x: ListedEntry) -> list[str]:
        return list(dict.fromkeys(n.name for n in x.names if n.quality == "strong"))

    for key, x in by_key.items():
        k = kinds[key]
        ns = names(x)
        for i, a in enumerate(ns):
            for b in ns[i + 1:]:
                if tokens(a) == tokens(b):
                    continue
                if script_alike(a, b) if script(a) != script(b) else spelled_alike(a, b):
                    originals = {n.name for n in x.names if n.kind == "original"}
                    how = "original" if (a in originals) != (b in originals) else "alias"
                    q, r = (a, b) if a in originals or rng.random() < 0.5 else (b, a)
                    pairs.append(_pair(q, r, 1, how, (key,), key, k, k))
    for a, b in sorted(links):
        xa, xb = by_key[a], by_key[b]
        na, nb = names(xa), names(xb)
        for q in na[:3]:
            r = nb[0]
            if not (spelled_alike(q, r) if script(q) == script(r) else script_alike(q, r)):
                continue
            pairs.append(_pair(q, r, 1, "crosslist", (a, b), b, kinds[a], kinds[b]))

    # Generated spellings of Latin primary names.
    for key, x in by_key.items():
        k = kinds[key]
        primary = next((n.name for n in x.names if n.kind == "primary"), None)
        if not primary or script(primary) != "latin" or rng.random() > 0.25:
            continue
        made = person_variants(primary, rng) if k == "person" else org_variants(primary, rng) \
            if k == "organization" else []
        for how, v in made:
            if tokens(v) != tokens(primary):
                pairs.append(_pair(v, primary, 1, how, (key,), key, k, k))
        # Arabic original against a French spelling of the Latin name.
        orig = next((n.name for n in x.names if n.kind == "original"), None)
        if orig and k == "person":
            for how, v in made:
                if how == "variant:ou":
                    pairs.append(_pair(v, orig, 1, how, (key,), key, k, k))

    # Hard negatives: different entries of one list with alike names.
    for src, lst in (("un", u), ("ofac", o)):
        keyed = [(f"{src}:{x.ref}", n) for x in lst for n in names(x)[:2]]
        for i, j in alike_pairs(keyed, cluster, rng, fuzz.token_sort_ratio, 75, 3, 12000):
            (a, na), (b, nb) = keyed[i], keyed[j]
            pairs.append(_pair(na, nb, 0, "similar", (a, b), b, kinds[a], kinds[b]))

    # Generated common names against the listed name most like them.
    listed = [(k, n) for k, x in by_key.items() for n in names(x) if kinds[k] == "person"]
    listed_tokens = {tokens(n) for _, n in listed}
    ltexts = [fold(n) for _, n in listed]
    for lang in COMMON:
        made = [n for n in common_names(lang, rng, 400) if tokens(n) not in listed_tokens]
        for n, j in zip(made, nearest(made, ltexts), strict=True):
            pairs.append(_pair(n, listed[j][1], 0, f"common:{lang}", (listed[j][0],), listed[j][0], "person",
                               "person"))

    return split_by_cluster(pairs, cluster, half, "test")


def write(path: Path, pairs: list[Pair]) -> str:
    """Writes the pairs as gzip'd JSON lines with no timestamp in the header (same bytes every run)."""
    body = "".join(json.dumps(p, ensure_ascii=False, sort_keys=True) + "\n" for p in pairs).encode()
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0, filename="") as gz:
        gz.write(body)
    return hashlib.sha256(path.read_bytes()).hexdigest()

# --- shared by the builders ------------------------------------------------------------------------------------

def cross_list_links(u: list[ListedEntry], o: list[ListedEntry], e: list[ListedEntry]) -> set[tuple[str, str]]:
    """(UN entry key, OFAC or EU entry key) of one party on two lists: a shared document number of six or more
    letters and digits (UN, OFAC), or the UN reference an EU entry cites."""
    docs: dict[str, set[str]] = defaultdict(set)
    for x in u:
        for d in x.documents:
            n = _doc(d.get("number", ""))
            if len(n) >= 6:
                docs[n].add(f"un:{x.ref}")
    links: set[tuple[str, str]] = set()
    for x in o:
        for d in x.documents:
            for k in docs.get(_doc(d.get("number", "")), ()):
                links.add((k, f"ofac:{x.ref}"))
    refs = {x.ref for x in u}
    for x in e:
        ref = str(x.extra.get("un_reference", "")).strip()
        if ref and ref in refs:
            links.add((f"un:{ref}", f"eu:{x.ref}"))
    return links


def clusters(keys: Iterable[str], links: set[tuple[str, str]]) -> tuple[dict[str, str], dict[str, set[str]]]:
    """Each entry key's cluster (the UN entry's key for a party on two lists, else its own) and each cluster's
    members."""
    cluster = {k: k for k in keys}
    for a, b in sorted(links):
        cluster[b] = cluster[a]
    members: dict[str, set[str]] = defaultdict(set)
    for k, c in cluster.items():
        members[c].add(k)
    return cluster, members


def alike_pairs(keyed: list[tuple[str, str]], cluster: dict[str, str], rng: random.Random, scorer: Any, cutoff: int,
                top: int, rows_max: int) -> Iterator[tuple[int, int]]:
    """(i, j) of ``keyed`` (entry key, name) names of two clusters that ``scorer`` calls alike (``cutoff`` or more)
    but whose words differ: at most ``top`` for each of at most ``rows_max`` names drawn with ``rng``."""
    texts = [fold(n) for _, n in keyed]
    owners = [k for k, _ in keyed]
    rows = list(range(len(keyed)))
    rng.shuffle(rows)
    rows = rows[:rows_max]
    scores = process.cdist([texts[i] for i in rows], texts, scorer=scorer, score_cutoff=cutoff, dtype=np.uint8,
                           workers=2)
    for ri, i in enumerate(rows):
        row = scores[ri]
        cand = [j for j in np.argsort(-row.astype(np.int16))[:12] if row[j] >= cutoff
                and cluster[owners[j]] != cluster[owners[i]] and tokens(keyed[j][1]) != tokens(keyed[i][1])]
        for j in cand[:top]:
            yield i, j


def nearest(made: list[str], listed_texts: list[str]) -> list[int]:
    """For each generated name, the index of the listed name (folded texts) most like it by token-sort ratio."""
    scores = process.cdist([fold(n) for n in made], listed_texts, scorer=fuzz.token_sort_ratio, dtype=np.uint8,
                           workers=2)
    return [int(np.argmax(scores[i])) for i in range(len(made))]


def split_by_cluster(pairs: list[Pair], cluster: dict[str, str], half_of: Any, frozen: str, *,
                     drop_contradicting: bool = False) -> tuple[list[Pair], list[Pair]]:
    """The pairs (each once; with ``drop_contradicting``, not again with the other label) whose entries all fall in
    one half by ``half_of(cluster)``: (tuning half, ``frozen`` half); a pair across the halves is dropped. The
    pairs' entries are written as their clusters."""
    tuning: list[Pair] = []
    held: list[Pair] = []
    seen: set[tuple[str, str, int]] = set()
    for p in pairs:
        key = (p["q"], p["r"], p["label"])
        if key in seen or (drop_contradicting and (p["q"], p["r"], 1 - p["label"]) in seen):
            continue
        seen.add(key)
        halves = {half_of(cluster[k]) for k in p["entries"]}
        if len(halves) != 1:
            continue
        p["entries"] = [cluster[k] for k in p["entries"]]
        (held if halves == {frozen} else tuning).append(p)
    return tuning, held


def write_splits(splits: dict[str, list[Pair]]) -> None:
    """Writes each split as ``bench/data/names_<name>.jsonl.gz`` and prints its size and SHA-256."""
    for name, pairs in splits.items():
        digest = write(OUT / f"names_{name}.jsonl.gz", pairs)
        pos = sum(p["label"] for p in pairs)
        print(f"{name}: {len(pairs)} pairs ({pos} positive, {len(pairs) - pos} negative), sha256 {digest}")
    sys.stdout.flush()


def main() -> None:
    tune, test = build()
    write_splits({"tune": tune, "test": test})


if __name__ == "__main__":
    main()

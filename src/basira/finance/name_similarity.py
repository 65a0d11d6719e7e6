"""How alike two name parts are, and how the parts of two names pair up: the pure core of the name matcher.

Two parts are compared on the keys of :mod:`basira.lang.translit`. Across scripts only the consonant skeleton
exists on both sides, so it alone decides. Between two Latin spellings the vowels are known too, and the test is
stricter: the same consonants with a few vowels spelt differently (Mohammed / Muhammad, Qureshi / Qurashi) are the
same name, a different consonant in a short name is a different name (Hamad / Hamza, Hazem / Hatem).
"""

from __future__ import annotations

from rapidfuzz.distance import JaroWinkler, Levenshtein

from basira.lang.translit import skeleton_variants, spellings

#: Below this similarity two name parts count as different.
PART_FLOOR = 0.8
#: Similarity of one part to two adjacent parts that spell it out exactly (final h aside).
FUSED_SIM = 0.97
#: What each vowel spelt differently takes away between two Latin parts with the same consonants.
VOWEL_STEP = 0.08
#: Two Latin parts of this many consonants or more that differ in one consonant (a typo) may still be one name.
LONG_SKELETON = 5
#: Similarity of two such parts, before their vowels are compared.
ONE_CONSONANT = 0.85
# Every Latin case below needs the vowel forms within this many edits: more cannot reach PART_FLOOR.
_MAX_STEPS = 2

Pair = tuple[float, tuple[int, ...], tuple[int, ...]]  # similarity, query part(s), listed part(s)


def skeleton_similarity(a: str, b: str) -> float:
    """Similarity of two consonant skeletons (plain spellings, no markers); used across scripts."""
    if a == b:
        return 1.0
    if a.removesuffix("h") == b.removesuffix("h"):
        return 0.95  # a final h: Mullah / ملا, Hamzah / حمزة
    if min(len(a), len(b)) < 3:
        return 0.0  # skeletons of one or two letters (Ali, Abu) are too short to be "close"
    return JaroWinkler.normalized_similarity(a, b)


def cross_similarity(a: str, b: str) -> float:
    """Best similarity of two marked skeletons over their plain spellings, or 0 below ``PART_FLOOR``."""
    if a == b:
        return 1.0
    va, vb = skeleton_variants(a), skeleton_variants(b)
    if len(va) == 1 and len(vb) == 1:
        sim = skeleton_similarity(va[0], vb[0])
    else:
        sim = max(skeleton_similarity(x, y) for x in va for y in vb)
    return sim if sim >= PART_FLOOR else 0.0


def latin_similarity(a_skel: str, a_vowels: str, b_skel: str, b_vowels: str) -> float:
    """Similarity of two Latin parts from their skeletons and vowel forms, or 0 below ``PART_FLOOR``."""
    if a_vowels == b_vowels:
        return 1.0
    steps = Levenshtein.distance(a_vowels, b_vowels, score_cutoff=_MAX_STEPS)
    if steps > _MAX_STEPS:
        return 0.0
    if a_skel == b_skel:
        return 1.0 - VOWEL_STEP * steps  # the usual case: blocking found a form of the same skeleton
    a_sp, b_sp = spellings(a_skel), spellings(b_skel)
    if a_sp & b_sp:
        sim = 1.0 - VOWEL_STEP * steps
    elif {s.removesuffix("h") for s in a_sp} & {s.removesuffix("h") for s in b_sp}:
        sim = 0.95 - VOWEL_STEP * (steps - 1)  # Hamzah / Hamza: the h is one of the steps
    elif a_vowels[2:] == b_vowels or b_vowels[2:] == a_vowels:
        # An article fused to a word that starts with a vowel (Alazhar / Azhar): the only two letters apart.
        longer = a_vowels if len(a_vowels) > len(b_vowels) else b_vowels
        sim = 0.95 if longer[:2] in ("al", "il") else 0.0
    elif min(len(a_skel), len(b_skel)) < LONG_SKELETON:
        sim = 0.0  # a different consonant in a short name is another name (Hamad / Hamza, Sultan / Suleiman)
    elif min(Levenshtein.distance(x, y) for x in a_sp for y in b_sp) == 1:
        sim = ONE_CONSONANT - VOWEL_STEP * steps / 2
    else:
        sim = 0.0
    return sim if sim >= PART_FLOOR else 0.0


def align(pairs: list[Pair]) -> tuple[dict[int, float], dict[int, float]]:
    """Best pairs first, each part used once: the similarity each query part and each listed part got."""
    used_q: dict[int, float] = {}
    used_c: dict[int, float] = {}
    for sim, qi, cj in sorted(pairs, reverse=True):
        if not any(i in used_q for i in qi) and not any(j in used_c for j in cj):
            for i in qi:
                used_q[i] = sim
            for j in cj:
                used_c[j] = sim
    return used_q, used_c


def coverage(weights: tuple[float, ...] | list[float], used: dict[int, float]) -> float:
    """Share of a name's information (its parts' weights) that the alignment accounts for, each part by its
    similarity."""
    total = sum(weights)
    return sum(weights[i] * s for i, s in used.items()) / total if total else 0.0

"""How alike two name parts are, and how the parts of two names pair up: the pure core of the name matcher.

Two parts are compared on the keys of :mod:`basira.lang.translit`. Across scripts only the consonant skeleton
exists on both sides, so it alone decides. Between two Latin spellings the vowels are known too, and the test is
stricter: the same consonants with a few vowels spelt differently (Mohammed / Muhammad, Qureshi / Qurashi) are the
same name, a different consonant in a short name is a different name (Hamad / Hamza, Hazem / Hatem).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence

from rapidfuzz.distance import OSA, JaroWinkler, Levenshtein

from basira.lang.nameparts import KUNYA_PATTERN
from basira.lang.translit import has_marker, latin_plain, skeleton_variants, spellings

#: Below this similarity two name parts count as different.
PART_FLOOR = 0.8
#: Across scripts, the most two short parts are alike when one has a consonant more at either end.
END_CONSONANT = 0.85
#: Similarity of one part to two adjacent parts that spell it out exactly (final h aside).
FUSED_SIM = 0.97
#: What each vowel spelt differently takes away between two Latin parts with the same consonants.
VOWEL_STEP = 0.08
#: Two Latin parts of this many consonants or more that differ in one consonant (a typo) may still be one name.
LONG_SKELETON = 5
#: Similarity of two such parts, before their vowels are compared.
ONE_CONSONANT = 0.85
#: Every Latin case below needs the vowel forms within this many edits: more cannot reach PART_FLOOR.
MAX_STEPS = 2
#: Two Latin parts of fewer consonants than this with the same consonants, ``MAX_STEPS`` vowel edits apart, one of
#: them a vowel of another quality where both spell one (see :func:`vowels_contradict`), are two names of one root,
#: not two spellings of one name: Hasan / Hussain, Hassan / Hossein, Raisi / Rossi. In a short name the vowels are
#: much of what tells it apart, as a consonant is (``LONG_SKELETON``). One edit is still a spelling (Hussein /
#: Husayn), and so are two that agree in quality (Zuraik / Zreik, Kazuo / Kazuya, Getwech / Gatweach).
SHORT_VOWELS = 4

#: Below this similarity two parts are only loosely alike (another consonant, not another spelling of one).
LOOSE = 0.95
#: How many times over a pair that is only alike loses its shortfall when it stands in another order than
#: another pair of the two names.
ORDER_FUZZ = 2.0

#: A loose pair's weight gap (see :func:`align`) costs only beyond this ratio of the two weights: a typing slip
#: makes a part no list holds, whose weight is always the highest there is, but the part it slipped from is
#: rarely common; a word like "Company" weighs far less than half a rare name.
WEIGHT_GAP_FREE = 0.6

#: Two skeletons of one or two consonants, one with a t more at the end: at most a ta marbuta written t (see
#: :func:`skeleton_similarity`), which ``vowel_penalty`` checks.
SHORT_TA_MARBUTA = 0.95

Pair = tuple[float, tuple[int, ...], tuple[int, ...]]  # similarity, query part(s), listed part(s)


def skeleton_similarity(a: str, b: str) -> float:
    """Similarity of two consonant skeletons (plain spellings, no markers); used across scripts."""
    if a == b:
        return 1.0
    if a.removesuffix("h") == b.removesuffix("h"):
        return 0.95  # a final h: Mullah / ملا, Hamzah / حمزة
    if min(len(a), len(b)) < 3:
        if abs(len(a) - len(b)) == 1 and _plus_t(a, b):
            # A ta marbuta written t (جمعية / Jamiat, عزة / Izzat, هيئة / Hayat): vowel_penalty checks that the
            # Arabic word ends in one.
            return SHORT_TA_MARBUTA
        return 0.0  # skeletons of one or two letters (Ali, Abu) are too short to be "close"
    sim = JaroWinkler.normalized_similarity(a, b)
    short, long_ = (a, b) if len(a) < len(b) else (b, a)
    if (len(long_) == len(short) + 1 and len(short) < LONG_SKELETON and long_.find(short) in (0, 1)
            and long_ != short + "l"):  # the next word's article glued on: Ansarul / أنصار, Hizbul / حزب
        # A consonant more at either end of a short name is at most barely alike (ماهر / Meherez, حمد / Hamdouni,
        # منصور / Nasr; but also a fused article, Ansarul / أنصار), unless it is a ta marbuta written t (نصرة /
        # Nusrat). Jaro-Winkler's bonus for a shared start would make it a near-identity.
        return 0.95 if long_ == short + "t" else min(sim, END_CONSONANT)
    return sim


def _plus_t(a: str, b: str) -> bool:
    return a + "t" == b or b + "t" == a


def short_ta_marbuta(a: str, b: str) -> bool:
    """Whether two marked skeletons are alike only as a short one and the same with a ta marbuta written t."""
    if min(len(a), len(b)) > 3:
        return False
    return any(_plus_t(x, y) for x in skeleton_variants(a) for y in skeleton_variants(b) if min(len(x), len(y)) < 3)


#: Consonant classes that one sound's spellings in two scripts may swap (kh as ch or h, sh as s, th as t or s,
#: zh as j, the Egyptian g, p and f, v and w, m and n): one of these apart is a spelling, another letter another
#: name.
SPELLING_SWAPS = frozenset(frozenset(p) for p in ("kx", "kh", "xs", "sz", "dz", "dt", "ts", "zj", "jy", "kj", "bf",
                                                  "fw", "bw", "mn"))


def letter_apart(a: str, b: str, swaps: frozenset[frozenset[str]] = frozenset()) -> bool:
    """Whether two marked skeletons of the same length under ``LONG_SKELETON`` are, in their closest spellings,
    one letter apart, and not two letters in ``swaps``: a short name with another letter is another name, in one
    script (نزار / نضال) and across scripts unless the letters are a sound's spellings (``SPELLING_SWAPS``:
    Tarek / ثروت, k for t)."""
    if len(a) != len(b) or len(a) >= LONG_SKELETON:
        return False
    one_apart = False
    for va in skeleton_variants(a):
        for vb in skeleton_variants(b):
            if len(va) != len(vb):
                continue
            diff = [(x, y) for x, y in zip(va, vb, strict=True) if x != y]
            if not diff or (len(diff) == 1 and frozenset(diff[0]) in swaps):
                return False  # one spelling in common, or one a sound's spellings swap
            one_apart = one_apart or len(diff) == 1
    return one_apart


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


def vowel_steps(a: str, b: str) -> int:
    """Edits between two Latin vowel forms (``MAX_STEPS + 1`` for more), a kh written for h none: Russian and
    Central Asian spellings write the h of ح and ه kh (Mokhammed / Muhammad, Khasan / Hasan, Akhmed / Ahmed), as
    Cyrillic х is the kh of Slavic names and the h of Arabic ones."""
    steps = Levenshtein.distance(a, b, score_cutoff=MAX_STEPS)
    if steps and ("χ" in a or "χ" in b):
        steps = min(steps, Levenshtein.distance(a.replace("χ", "h"), b.replace("χ", "h"), score_cutoff=MAX_STEPS))
    return steps


def latin_similarity(a_skel: str, a_vowels: str, b_skel: str, b_vowels: str, a_pattern: str = "",
                     b_pattern: str = "") -> float:
    """Similarity of two Latin parts from their skeletons and vowel forms, or 0 below ``PART_FLOOR``; with their
    vowel patterns, two short parts whose vowels contradict are apart (``SHORT_VOWELS``)."""
    if a_vowels == b_vowels:
        return 1.0
    if _nisba_apart(a_vowels, b_vowels) or _nisba_apart(b_vowels, a_vowels):
        return 0.0  # Sharif / Sharifi, Abdallah / Abdollahi: the nisba ending makes another family name
    steps = vowel_steps(a_vowels, b_vowels)
    if a_skel == b_skel or ((has_marker(a_skel) or has_marker(b_skel)) and latin_plain(a_skel) == latin_plain(b_skel)):
        # The usual case: blocking found a form of the same skeleton. Vowel forms more letters apart than any case
        # allows are apart, akanye too (the query path skips them before it compares).
        if abs(len(a_vowels) - len(b_vowels)) > MAX_STEPS:
            return 0.0
        return same_skeleton_similarity(len(a_skel) < SHORT_VOWELS, steps, a_pattern, b_pattern)
    if steps > MAX_STEPS:
        return 0.0
    if steps == MAX_STEPS and min(len(a_skel), len(b_skel)) < SHORT_VOWELS and vowels_contradict(a_pattern, b_pattern):
        return 0.0  # Hasan / Hussain: two names of one root
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
        # One consonant apart in a long name: a spelling, or one typing slip when the parts are long enough for
        # one (Copomedios / Corpomedios), whichever is likelier; two slips apart stay a spelling's case
        # (Mikalauskas / Nikolauskas).
        sim = ONE_CONSONANT - VOWEL_STEP * steps / 2
        if typo_similarity(a_vowels, b_vowels, a_pattern, b_pattern) == TYPO_SIM:
            sim = max(sim, TYPO_SIM)
    else:
        sim = 0.0
    return sim if sim >= PART_FLOOR else 0.0


def same_skeleton_similarity(short: bool, steps: int, a_pattern: str, b_pattern: str) -> float:
    """:func:`latin_similarity` of two Latin parts of one skeleton whose vowel forms differ, ``steps`` vowel-form
    edits apart (``MAX_STEPS + 1`` for more), from the skeleton's length (``short``: fewer than ``SHORT_VOWELS``
    consonants) and the two vowel patterns, or 0: akanye in a long name (see :func:`akanye_steps`), two names of
    one root in a short one (see :func:`vowels_contradict`), else a vowel step per edit. The query path's blocking
    loop calls it for a form of the query part's own skeleton, so that both score such a pair alike."""
    if short and syllable_more(a_pattern, b_pattern):
        return 0.0  # Li / Ali, Le / Ali: a name of one syllable and another of two
    if steps == 1 and (short or a_pattern[-2:-1] == "I") and gendered_ending(a_pattern, b_pattern):
        # Mario / Maria, Antonio / Antonia, Ignazio / Ignazia: a man's name and a woman's; in a long name only
        # after an i, for the a of a Belarusian o is akanye (Davydzka / Davydko).
        return 0.0
    if not short and (akanye := akanye_steps(a_pattern, b_pattern)):
        return 1.0 - VOWEL_STEP * akanye / 2  # Fedaravich / Fedorovich, Kachanava / Kochanova
    if steps > MAX_STEPS:
        return 0.0
    if steps == MAX_STEPS and short and vowels_contradict(a_pattern, b_pattern):
        return 0.0  # Hasan / Hussain: two names of one root
    return 1.0 - VOWEL_STEP * steps


#: How alike two Latin parts are that spell one name of another script two ways, one marked letter read as the
#: other script reads it (Gamal / Jamal, Cihad / Jihad, Raca / Raja: the Egyptian g and the Turkish c of ج), with
#: the same vowels; a vowel step less per vowel spelt otherwise (see :func:`cross_latin_similarity`).
CROSS_LATIN_SIM = 0.9


@functools.lru_cache(maxsize=65536)
def cross_latin_similarity(a_skel: str, a_pattern: str, b_skel: str, b_pattern: str) -> float:
    """Similarity of two Latin parts whose skeletons meet only as another script reads a marked letter (see
    ``CROSS_LATIN_SIM``), or 0: the same number of consonant units, a spelling of each skeleton in common across
    scripts, and no vowels that contradict, each vowel spelt otherwise (not one written on one side only) a vowel
    step."""
    if not a_pattern or not b_pattern or not set(skeleton_variants(a_skel)) & set(skeleton_variants(b_skel)):
        return 0.0
    a_units, a_slots = _units(a_pattern)
    b_units, b_slots = _units(b_pattern)
    if len(a_units) != len(b_units) or len(a_units) < 2 or vowels_contradict(a_pattern, b_pattern):
        return 0.0
    slots = [(x.strip("^~"), y.strip("^~")) for x, y in zip(a_slots, b_slots, strict=True)]
    if bool(slots[0][0]) != bool(slots[0][1]):
        return 0.0  # a vowel before the first consonant on one side only: a syllable more (Camille / Ajmail)
    # A vowel written on one side only, or a vowel more beside one both write, is no step: the y of Indonesian sy
    # (Farsyad / Farshad), an e of Turkish spellings.
    steps = sum(bool(x) and bool(y) and not set(x) & set(y) for x, y in slots)
    sim = CROSS_LATIN_SIM - VOWEL_STEP * steps
    return sim if sim >= PART_FLOOR else 0.0


def syllable_more(a_pattern: str, b_pattern: str) -> bool:
    """Whether one Latin vowel pattern is a consonant and a vowel (Li ``lI``) and the other the same consonant with a
    vowel before it (Ali ``AlI``): a Chinese Li is no Arabic Ali."""
    short, other = (a_pattern, b_pattern) if len(a_pattern) < len(b_pattern) else (b_pattern, a_pattern)
    return (len(short) == 2 and short[0].islower() and short[1].isupper() and other[:1].isupper()
            and other[1:2] == short[0])


def gendered_ending(a_pattern: str, b_pattern: str) -> bool:
    """Whether two Latin vowel patterns differ only in a final a against a final o (Mario ``mArIO`` / Maria
    ``mArIA``): the Romance endings of a man's and a woman's name."""
    if len(a_pattern) != len(b_pattern) or a_pattern[:-1] != b_pattern[:-1] or len(a_pattern) < 3:
        return False
    return {a_pattern[-1], b_pattern[-1]} == {"A", "O"}


#: Most a-for-o vowels (see :func:`akanye_steps`) two long Latin parts may differ by and still be one name.
AKANYE_STEPS = 3


#: What Belarusian writes a for, between two Latin vowel patterns: the unstressed o of akanye (Fedaravich /
#: Fedorovich) anywhere, the unstressed e of yakanye only after ch, sh or zh (Vyachaslau / Vyacheslav, Charheika /
#: Chergeiko; elsewhere a Latin spelling writes it ia: Aliaksandr / Aleksandr, Piatrovich / Petrovich); Fortuna
#: and Fortune stay a vowel step apart.
_AKANYE_PAIRS = frozenset({("A", "O"), ("O", "A")})
_YAKANYE_PAIRS = frozenset({("A", "E"), ("E", "A")})
_HUSHING = frozenset("xʃʒ")


@functools.lru_cache(maxsize=65536)
def akanye_steps(a_pattern: str, b_pattern: str) -> int:
    """How many vowels two vowel patterns write a (or ia) where the other writes o or e, when that is all they
    differ by (0 otherwise, or past ``AKANYE_STEPS``): Belarusian writes a for the unstressed o and e of Russian
    spellings of one name (akanye and yakanye: Fedaravich / Fedorovich, Branislavavich / Bronislavovich,
    Viachaslavavich / Viacheslavovich, Aliaksandr / Aleksandr), half a vowel step each."""
    if not a_pattern or not b_pattern or a_pattern == b_pattern:
        return 0
    i = j = n = 0
    la, lb = len(a_pattern), len(b_pattern)
    while i < la and j < lb:
        x, y = a_pattern[i], b_pattern[j]
        if x == y:
            i += 1
            j += 1
            continue
        if (x, y) in _AKANYE_PAIRS or ((x, y) in _YAKANYE_PAIRS and i and a_pattern[i - 1] in _HUSHING):
            i += 1
            j += 1
        elif x == "I" and y == "E" and a_pattern[i + 1:i + 2] in ("A", "O"):
            i += 2  # ia for e (yakanye), io for e (ё, which Russian spellings write e: Fiodar / Fedor)
            j += 1
        elif y == "I" and x == "E" and b_pattern[j + 1:j + 2] in ("A", "O"):
            i += 1
            j += 2
        else:
            return 0
        n += 1
    if i < la or j < lb:
        return 0
    return n if n <= AKANYE_STEPS else 0


# Latin vowels that may spell one vowel: e is a's imala (Jamel, Kemal) and i's English spelling (Saeed, Hussein),
# o is u (Osama / Usama, Hossein / Husayn); a and u, a and o, i and u are vowels of another quality.
_SPELL_ALIKE = {"A": "AE", "E": "AEI", "I": "IE", "O": "OU", "U": "UO"}


@functools.lru_cache(maxsize=65536)
def vowels_contradict(a_pattern: str, b_pattern: str) -> bool:
    """Whether two Latin vowel patterns with the same consonant units write, between the same two consonants,
    vowels that cannot spell one vowel (Hasan ``hAsAn`` / Hussain ``hUsAIn``: a where the other writes u). A vowel
    written on one side only, or a pair of vowels that share one that may spell it (ai / ei, io / ie), says
    nothing; nor do patterns whose units differ."""
    if not a_pattern or not b_pattern:
        return False
    a_units, a_slots = _units(a_pattern)
    b_units, b_slots = _units(b_pattern)
    if len(a_units) != len(b_units):
        return False
    for x, y in zip(a_slots, b_slots, strict=True):
        x, y = x.strip("^~"), y.strip("^~")
        if x and y and not any(c in _SPELL_ALIKE.get(d, "") for c in x for d in y):
            return True
    return False


#: Similarity of two Latin parts one typing slip apart (a letter left out, added, changed or two swapped) that the
#: spelling rules above find different, when the parts are long enough for a slip to be the likelier story.
TYPO_SIM = 0.9
#: ... two slips apart, in parts of at least ``TYPO_LONG`` letters.
TYPO_SIM_2 = 0.86
TYPO_SHORT = 6
TYPO_LONG = 8
#: Two adjacent letters swapped is the likelier story from this many letters on (Adbul / Abdul, Segrey / Sergey,
#: Hazma / Hamza): a swap makes no other name as often as a letter changed does (Hazem / Hatem).
TRANSPOSED_SHORT = 5


def one_swap(a: str, b: str) -> bool:
    """Whether ``a`` is ``b`` with two adjacent, different letters swapped."""
    if len(a) != len(b) or a == b:
        return False
    diff = [i for i in range(len(a)) if a[i] != b[i]]
    return len(diff) == 2 and diff[1] == diff[0] + 1 and a[diff[0]] == b[diff[1]] and a[diff[1]] == b[diff[0]]


# Slavic patronymic endings, in vowel forms (ch is x there, and a y after the first letter i) and as written: a
# name with one added is the patronymic made from it, another part of a name (see :func:`patronymic_apart`).
_PATRONYMIC_VOWELS = ("ix", "na")
_PATRONYMIC_TEXT = ("ich", "ych", "itch", "na")


def patronymic_apart(a: str, b: str, endings: tuple[str, ...] = _PATRONYMIC_VOWELS, v: str = "ʋ") -> bool:
    """Whether one of two Latin parts (vowel forms; with ``endings`` and ``v`` for a v, as written) is the
    other's patronymic: a family name in -ov or -ev with -ich or -na added (Yakovlev / Yakovlevich, Aleksandrov /
    Aleksandrovich, Alekseev / Alekseevna). Two letters apart, they look like typing slips, but a patronymic and a
    family name of one stem name two people (Viktor Yakovlev is not Viktor Yakovlevich Grin). A feminine -ova or
    -eva stays one slip from -ovna or -evna: a patronymic written so is a common slip (Anatolieva / Anatolievna),
    and a family name's feminine -a a spelling of it (Semenov / Semenova)."""
    short, long_ = (a, b) if len(a) <= len(b) else (b, a)
    for end in endings:
        if long_.endswith(end):
            stem = long_[:-len(end)]
            if stem[-1:] == v and short == stem:
                return True
    return False


def typo_similarity(a_vowels: str, b_vowels: str, a_pattern: str = "", b_pattern: str = "") -> float:
    """Similarity of two Latin parts' vowel forms as typing slips (Badege / Basege, Mutebutsi / Mutebusi), or 0.

    Short names stay apart (Hazem / Hatem, Hamad / Hamza are other names, not slips): one slip counts from
    ``TYPO_SHORT`` letters, two from ``TYPO_LONG``; a patronymic and the family name of its stem stay apart too
    (:func:`patronymic_apart`).
    """
    if (_nisba_apart(a_vowels, b_vowels) and not b_pattern.endswith("E")) or \
            (_nisba_apart(b_vowels, a_vowels) and not a_pattern.endswith("E")):
        return 0.0  # Sharif / Sharifi: another family name, not a slip (but Scholz / Scholze is one)
    if patronymic_apart(a_vowels, b_vowels):
        return 0.0  # Yakovlev / Yakovlevich: a family name and a patronymic
    shorter, longer = sorted((len(a_vowels), len(b_vowels)))
    if shorter >= 3 and ("h" + a_vowels == b_vowels or "h" + b_vowels == a_vowels):
        return TYPO_SIM  # a first h French spellings leave out (Haroun / Aroun, Habib / Abib, Hissene / Issene)
    if shorter >= 3 and ((a_vowels == b_vowels[:-1] and b_pattern.endswith("E"))
                         or (b_vowels == a_vowels[:-1] and a_pattern.endswith("E"))):
        return TYPO_SIM  # a final e written or not (Scholz / Scholze)
    if shorter >= TRANSPOSED_SHORT and one_swap(a_vowels, b_vowels):
        return TYPO_SIM
    if longer < TYPO_SHORT or shorter < TYPO_SHORT - 1:
        return 0.0
    d = OSA.distance(a_vowels, b_vowels, score_cutoff=2)
    if d == 1:
        return TYPO_SIM
    if d == 2 and shorter >= TYPO_LONG:
        return TYPO_SIM_2
    return 0.0


def text_slip(a: str, b: str) -> float:
    """Similarity of two Latin parts as written (folded), one or two typing slips apart, or 0: the keys above
    drop articles and fold vowels (Alfredo / Alfreo would be "fridu" / "friu"), which can turn one slip into
    several. The same lengths as :func:`typo_similarity`; a nisba -i added is another name, and so is a
    patronymic ending (:func:`patronymic_apart`)."""
    if not a or not b or a == b or not (a.isascii() and b.isascii()):
        return 0.0
    shorter, longer = sorted((len(a), len(b)))
    if shorter >= TRANSPOSED_SHORT and one_swap(a, b):
        return TYPO_SIM
    if longer < TYPO_SHORT or shorter < TYPO_SHORT - 1:
        return 0.0
    if (a + "i" == b) or (b + "i" == a) or (len(a) == len(b) + 1 and a.endswith("i") and a[:-2] == b[:-1]) or \
            (len(b) == len(a) + 1 and b.endswith("i") and b[:-2] == a[:-1]):
        return 0.0
    if patronymic_apart(a, b, _PATRONYMIC_TEXT, "v"):
        return 0.0
    d = OSA.distance(a, b, score_cutoff=2)
    if d == 1:
        return TYPO_SIM
    if d == 2 and shorter >= TYPO_LONG:
        return TYPO_SIM_2
    return 0.0


def _nisba_apart(a: str, b: str) -> bool:
    """Whether the Latin vowel form ``b`` is ``a``, which ends in a consonant, with a nisba -i added."""
    return len(a) >= 3 and a[-1] not in "aiu" and b.endswith("i") and b[-2:-1] == a[-1:]


def align(pairs: list[Pair], q_weights: tuple[float, ...] | list[float] = (),
          c_weights: tuple[float, ...] | list[float] = ()) -> tuple[dict[int, float], dict[int, float]]:
    """Best pairs first, each part used once: the similarity each query part and each listed part got.

    Word order is free, but a pair that is only alike (not the same spelling) and stands in another order than
    some other pair loses its shortfall twice over: two names each spelt a little differently *and* swapped
    (Salim Aouad / Iyad Salim, Nasser Issa / Isa Nasr) are more likely two other people.

    With the parts' weights, a part only loosely like (below ``LOOSE``) a much more common one on the other side
    explains only as much as that common part holds: a rare query part that resembles "Company" is not explained
    by it.
    """
    used_q: dict[int, float] = {}
    used_c: dict[int, float] = {}
    chosen: list[Pair] = []
    for pair in sorted(pairs, reverse=True):
        _, qi, cj = pair
        if not any(i in used_q for i in qi) and not any(j in used_c for j in cj):
            chosen.append(pair)
            for i in qi:
                used_q[i] = 1.0
            for j in cj:
                used_c[j] = 1.0
    for sim, qi, cj in chosen:
        if sim < 1.0 and len(qi) == len(cj) == 1 and any((q[0] - qi[0]) * (c[0] - cj[0]) < 0 for _, q, c in chosen):
            sim = 1.0 - ORDER_FUZZ * (1.0 - sim)
            sim = sim if sim >= PART_FLOOR else 0.0
        q_sim = c_sim = sim
        if q_weights and sim < LOOSE and len(qi) == len(cj) == 1:
            wq, wc = q_weights[qi[0]], c_weights[cj[0]]
            q_sim, c_sim = sim * min(1.0, wc / wq / WEIGHT_GAP_FREE), sim * min(1.0, wq / wc / WEIGHT_GAP_FREE)
        for i in qi:
            used_q[i] = q_sim
        for j in cj:
            used_c[j] = c_sim
    return used_q, used_c


#: A pair of one query part and one listed part: similarity, query part, listed part.
OnePair = tuple[float, int, int]


def align_parts(pairs: list[OnePair], q_weights: tuple[float, ...] | list[float],
                c_weights: tuple[float, ...] | list[float]) -> tuple[dict[int, float], dict[int, float]]:
    """:func:`align` for pairs of one part on each side (its usual case), written flat: the same result, the
    mappings filled in the same order, from ``[(s, i, j)]`` for ``[(s, (i,), (j,))]`` (both sort alike)."""
    if len(pairs) == 1 and pairs[0][0] >= 1.0:
        return {pairs[0][1]: pairs[0][0]}, {pairs[0][2]: pairs[0][0]}  # one exact pair: nothing to weigh
    used_q: dict[int, float] = {}
    used_c: dict[int, float] = {}
    chosen: list[OnePair] = []
    exact = True
    for pair in sorted(pairs, reverse=True):
        sim, i, j = pair
        if i not in used_q and j not in used_c:
            chosen.append(pair)
            used_q[i] = used_c[j] = 1.0
            exact = exact and sim >= 1.0
    if exact:
        return used_q, used_c  # exact pairs keep the 1.0 they were given
    crossed = len(chosen) > 1  # one pair alone stands in no other order
    for sim, i, j in chosen:
        if sim >= 1.0:
            continue  # an exact pair keeps the 1.0 it was given
        if crossed and any((q - i) * (c - j) < 0 for _, q, c in chosen):
            sim = 1.0 - ORDER_FUZZ * (1.0 - sim)
            sim = sim if sim >= PART_FLOOR else 0.0
        q_sim = c_sim = sim
        if q_weights and sim < LOOSE:
            wq, wc = q_weights[i], c_weights[j]
            q_sim, c_sim = sim * min(1.0, wc / wq / WEIGHT_GAP_FREE), sim * min(1.0, wq / wc / WEIGHT_GAP_FREE)
        used_q[i] = q_sim
        used_c[j] = c_sim
    return used_q, used_c


def coverage(weights: tuple[float, ...] | list[float], used: dict[int, float], total: float | None = None) -> float:
    """Share of a name's information (its parts' weights) that the alignment accounts for, each part by its
    similarity; ``total`` is ``sum(weights)`` when the caller has it already."""
    if total is None:
        total = sum(weights)
    return sum(weights[i] * s for i, s in used.items()) / total if total else 0.0


def shares(weights: Sequence[float], used: dict[int, float], total: float) -> tuple[float, float, int]:
    """``coverage`` of one name's side of an alignment (``total`` not 0), the share of its information in the parts
    paired at all (similarity above 0, counted as 1 whatever it is), and how many of its parts are paired: the
    same terms summed in the same order as ``coverage``, so the same bits. A similarity is never below 0,
    so a part is paired when its similarity is not 0; when every one is 1, both shares are one sum."""
    sims = [*used.values()]
    if sims.count(1.0) == len(sims):
        share = sum([weights[i] for i in used]) / total
        return share, share, len(sims)
    cov = sum([weights[i] * s for i, s in used.items()]) / total
    zero = sims.count(0.0)
    paired = sum([weights[i] for i, s in used.items() if s > 0.0]) if zero else sum([weights[i] for i in used])
    return cov, paired / total, len(sims) - zero


#: What a long vowel Arabic writes takes away when the Latin spelling has another vowel there (جمال / Jamil), and
#: a Latin word that starts with a vowel where the Arabic one starts with a consonant (رنا / Iran, منى / Ayman):
#: enough to make the two parts different (below ``PART_FLOOR``) on its own.
VOWEL_CONTRADICTION = 0.25
#: ... when the Latin spelling writes no vowel there (Latin spellings drop vowels more often than they change them).
VOWEL_ABSENT = 0.05
#: ... when the Arabic word starts with a vowel (alef, hamza, ʿayn) and the Latin one with a consonant: أحمد /
#: Hamad is another name, but Maghreb spellings drop a first i (إبراهيم / Brahim, إسماعيل / Smail).
VOWEL_INITIAL_ABSENT = 0.15
#: ... when a nisba ending is on one side only: a final ي the Latin lacks, or a Latin final -i the Arabic lacks
#: (الحسيني / Hassan, حسين / Husseini): another family name.
NISBA_DIFFERENCE = 0.25
# Latin vowels that agree with each long vowel Arabic writes; e for ā is the Maghreb and Levant imala (Jamel,
# Hichem), e for ī a common English spelling (Saeed, Hussein).
_AGREE = {"A": "AE", "I": "IE", "U": "UO", "T": "AE", "Y": "AEI", "J": "AEI"}


def joined_pattern(first: str, second: str) -> str:
    """The vowel pattern of two parts written as one (empty, so unchecked, when either has none)."""
    if not first or not second or KUNYA_PATTERN in (first, second):
        return ""
    second = second.replace("^", "")
    if second[:1] == first[-1] and not first[-1].isupper():
        second = second[1:]
    return first + second


def _units(pattern: str) -> tuple[list[str], list[str]]:
    """(consonant units, vowels after each: index 0 before the first unit) of a vowel pattern."""
    units: list[str] = []
    slots = [""]
    for c in pattern:
        if c.isupper() or c in "^~":
            slots[-1] += c
        else:
            units.append(c)
            slots.append("")
    return units, slots


@functools.lru_cache(maxsize=65536)
def vowel_penalty(arabic: str, latin: str) -> float:
    """What the written vowels of an Arabic-script part and a Latin part with like consonants say against their
    being one name (0 when they agree or cannot be lined up), from their vowel patterns (see
    :func:`basira.lang.translit.arabic_vowel_pattern`).

    Arabic writes only long vowels, so a Latin vowel where Arabic writes none says nothing; a long vowel the Latin
    spells otherwise (ā as i: جمال / Jamil) contradicts, one the Latin leaves out costs less.
    """
    if not arabic or not latin:
        return 0.0
    if KUNYA_PATTERN in (arabic, latin):
        return 0.0 if arabic == latin else 1.0  # Abu pairs with Abu, not with a name (أيوبي)
    a_units, a_slots = _units(arabic)
    l_units, l_slots = _units(latin)
    if len(a_units) == len(l_units) + 1 and len(a_units) > 2:
        # A t or d and the h of ح or ه after it, which a Latin th or dh writes as one unit (فتحی / Fathi, مدحت /
        # Medhat, أدهم / Adham): read so too, when it says less against the two.
        merged = [k for k in range(1, len(a_units)) if a_units[k] == "h" and a_units[k - 1] in "td"]
        if merged:
            k = merged[0]
            slots = [*a_slots[:k], a_slots[k] + a_slots[k + 1], *a_slots[k + 2:]]
            units = a_units[:k] + a_units[k + 1:]
            one = slots[0] + "".join(u + v for u, v in zip(units, slots[1:], strict=True))
            return min(vowel_penalty(one, latin), _vowel_penalty(a_units, a_slots, l_units, l_slots))
    return _vowel_penalty(a_units, a_slots, l_units, l_slots)


def _vowel_penalty(a_units: list[str], a_slots: list[str], l_units: list[str], l_slots: list[str]) -> float:
    """:func:`vowel_penalty` of two patterns' units and slots."""
    if len(l_units) == len(a_units) + 1 and l_units[-1] == "t" and len(a_units) < 3:
        if "T" not in a_slots[-1] or l_slots[-1]:
            return 1.0  # a short skeleton with a t more that is no ta marbuta (skeleton_similarity)
        l_slots = l_slots[:-1]  # a ta marbuta written -at (جمعية / Jamiat, هيئة / Hayat)
    elif len(a_units) == len(l_units) + 1 and a_units[-1] == "t" and len(l_units) < 3:
        return 1.0  # the t more is the Arabic word's (جمعت / Jama): no ta marbuta, another word
    elif len(l_units) == len(a_units) + 1 and l_units[-1] == "h" and a_units[-1] != "h":
        l_slots = l_slots[:-1]  # a final h the Arabic lacks (Shehadeh / شحادة, Hamzah / حمزة)
    elif len(a_units) == len(l_units) + 1 and a_units[-1] == "h":
        a_slots = [*a_slots[:-2], a_slots[-2] + "T"]  # a final ه read as a vowel (أسامه / Osama)
    elif len(a_units) != len(l_units) or not a_units:
        return 0.0
    penalty = 0.0
    first_a, first_l = a_slots[0], l_slots[0]
    if "~" in first_l:
        a_slots[0] = l_slots[0] = ""  # a fused article may be all the Latin writes before the first consonant
    elif "^" not in first_a and first_l:
        penalty += VOWEL_CONTRADICTION  # the Latin word starts with a vowel, the Arabic one with a consonant
    elif "^" in first_a and not first_l:
        penalty += VOWEL_INITIAL_ABSENT  # an Arabic word that starts with a vowel, a Latin one that does not
    last = len(a_slots) - 1
    for k, (a, lat) in enumerate(zip(a_slots, l_slots, strict=True)):
        if k == last and not a.strip("^") and "I" in lat:
            penalty += NISBA_DIFFERENCE  # a Latin -i the Arabic lacks
        for v in a.replace("^", "").replace("H", ""):
            if any(c in lat for c in _AGREE[v]):
                continue
            if not lat:
                if v in "IJ" and k == last:
                    penalty += NISBA_DIFFERENCE
                elif v not in "TY":
                    penalty += VOWEL_ABSENT
            else:
                penalty += VOWEL_CONTRADICTION
    return penalty


_DOUBLED_VOWEL = re.compile(r"([AIU])\1+")


@functools.lru_cache(maxsize=65536)
def _arabic_letters(pattern: str) -> str:
    """An Arabic-script part's vowel pattern as two writers of one name agree on it: alif maqsura as ya, ta
    marbuta as ha and a final ha left out, hamza (whose seat varies) left out, a long vowel written twice as once
    (داود / داوود, يحيى / يحيي, فاطمة / فاطمه, رئيس / رييس), a first alif madda as a plain alif (آخوند /
    اخوند), and a final ya left out (Persian ezafe and nisba spellings: زندانها / زندانهای)."""
    p = pattern.replace("Y", "I").replace("J", "I").replace("T", "h").replace("H", "")
    if p.startswith("^A"):
        p = "^" + p[2:]
    p = p.rstrip("h")
    if p.endswith("I"):
        p = p[:-1]
    return _DOUBLED_VOWEL.sub(r"\1", p)


def arabic_letters_differ(a_pattern: str, b_pattern: str) -> bool:
    """Whether two Arabic-script parts with the same consonants write different long vowels, or write them in other
    places: محمود / محمد (Mahmud, Muhammad), حميد / أحمد (Hamid, Ahmad), عمار / عمر, سعيد / سعد, هشام / هاشم are
    other names, which Arabic script tells apart though their consonant keys agree. Compounds (no pattern) and a
    kunya marker are left to the other checks."""
    if not a_pattern or not b_pattern or KUNYA_PATTERN in (a_pattern, b_pattern):
        return False
    return _arabic_letters(a_pattern) != _arabic_letters(b_pattern)


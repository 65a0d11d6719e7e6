"""Arabic-script normalisation as pure functions: a light form for display and search, a matching key for comparison.

Contracts: every function takes any ``str`` (including lone surrogates, bidi overrides and very long strings),
never raises, and is idempotent (``f(f(x)) == f(x)``).

Speed matters (every matched text goes through both forms), so the steps skip what cannot apply: ASCII text
needs only its white space collapsed, and the character maps run only on the runs of characters they change
(``str.translate`` with a dict costs a failed lookup per character). tests/lang/test_arabic_reference.py checks
the outputs against a straightforward step-by-step version.
"""

from __future__ import annotations

import re
import unicodedata

# Harakat, tanwin, shadda, sukun, superscript alef, Quranic annotation signs and small high letters:
# they change pronunciation, not the word, and are written inconsistently.
_TASHKEEL = (
    "\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06dc\u06df-\u06e4\u06e7\u06e8\u06ea-\u06ed\u08d3-\u08e1\u08e3-\u08ff"
)
# Tatweel stretches words for layout; zero-width and bidi controls are invisible and used to dodge filters.
_INVISIBLE = "\u0640\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180e\u200b-\u200f\u202a-\u202e\u2060-\u206f\ufeff"
# Runs are written "[x][x]*", not "[x]+": a pattern that starts with a character set lets re skip ahead to the
# next character of the set instead of trying a match at every position.
_STRIP_RE = re.compile(f"[{_TASHKEEL}{_INVISIBLE}][{_TASHKEEL}{_INVISIBLE}]*")
_SURROGATE_RE = re.compile("[\ud800-\udfff]")

# Arabic-Indic and Persian digits to ASCII, Arabic punctuation to its Latin counterpart.
_LIGHT_MAP = {
    **{c: str(i) for i, c in enumerate("٠١٢٣٤٥٦٧٨٩")},
    **{c: str(i) for i, c in enumerate("۰۱۲۳۴۵۶۷۸۹")},
    "،": ",", "؛": ";", "؟": "?", "٪": "%", "٫": ".", "٬": ",", "۔": ".", "«": '"', "»": '"', "٭": "*",
}
_LIGHT_TABLE = str.maketrans(_LIGHT_MAP)
_LIGHT_MAP_RE = re.compile(f"[{''.join(_LIGHT_MAP)}][{''.join(_LIGHT_MAP)}]*")

# Letter folds for matching: spelling variants that writers, keyboards and regions use for the same name.
_FOLD_MAP = {
    "أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ٲ": "ا", "ٳ": "ا",  # alef with hamza/madda/wasla
    "ى": "ي", "ئ": "ي", "ی": "ي", "ې": "ي", "ۍ": "ي", "ێ": "ي", "ے": "ي",  # alef maqsura, yeh forms
    "ة": "ه", "ۃ": "ه", "ہ": "ه", "ە": "ه", "ھ": "ه", "ۀ": "ه",  # ta marbuta, heh forms (Urdu, Kurdish)
    "ؤ": "و", "ۄ": "و", "ۅ": "و", "ۆ": "و", "ۇ": "و", "ۈ": "و", "ۉ": "و", "ۋ": "و",  # waw forms
    "ک": "ك", "ڪ": "ك", "ګ": "ك", "ڭ": "ك",  # kaf forms (Persian/Urdu keheh)
    "گ": "ك",  # gaf (Persian/Urdu) written for the same names as kaf
    "پ": "ب", "چ": "ج", "ژ": "ز", "ڤ": "ف", "ڨ": "ق",  # Persian/Maghrebi extra letters
    "ٹ": "ت", "ڈ": "د", "ڑ": "ر", "ں": "ن",  # Urdu retroflex letters
    "ء": "",  # a bare hamza is written or dropped at will
}
_FOLD_TABLE = str.maketrans(_FOLD_MAP)
_FOLD_RE = re.compile(f"[{''.join(_FOLD_MAP)}][{''.join(_FOLD_MAP)}]*")
_REPEAT_RE = re.compile(r"(.)\1\1+")  # a character and two or more copies of it
_URL_RE = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
_MENTION_RE = re.compile(r"(?<![\w>])@\w+")  # not after ">": keeps the key idempotent (@a@b)

#: Token a matching key uses in place of any URL.
URL_TOKEN = "<url>"  # noqa: S105 - a placeholder, not a secret
#: Token a matching key uses in place of any @mention.
MENTION_TOKEN = "<mention>"  # noqa: S105 - a placeholder, not a secret


# str.translate looks every character up in its table (and a dict fails for most): the maps only see the runs of
# characters they change, which a regular expression finds.
def _map_light(m: re.Match[str]) -> str:
    return m.group().translate(_LIGHT_TABLE)


def _fold(m: re.Match[str]) -> str:
    return m.group().translate(_FOLD_TABLE)


def _first(m: re.Match[str]) -> str:
    # A function, not the template r"\1": re would hand a template to its Python-level compiler on every call.
    return m.group(1)


def _strip_and_map(text: str) -> str:
    return _LIGHT_MAP_RE.sub(_map_light, _STRIP_RE.sub("", text))


def _light_chars(text: str) -> str:
    """The character steps of :func:`light` (everything but collapsing white space) on non-ASCII text."""
    try:
        text.encode("utf-8")  # a fast scan that fails only on lone surrogates
    except UnicodeEncodeError:
        text = _SURROGATE_RE.sub("", text)
    text = _strip_and_map(unicodedata.normalize("NFKC", text))
    # NFKC can reintroduce nothing we strip, but stripping can join characters NFKC would compose: a second pass.
    # When NFKC leaves the text as it is, that pass would not change it (nothing is left to strip or map).
    again = unicodedata.normalize("NFKC", text)
    return text if again == text else _strip_and_map(again)


def light(text: str) -> str:
    """Light normalisation that keeps the text readable: safe for display, search and hashing.

    NFKC (which also resolves Arabic presentation forms); strips tashkeel, Quranic marks, tatweel,
    zero-width and bidi control characters; Arabic-Indic and Persian digits become ASCII; Arabic
    punctuation becomes its Latin counterpart; runs of white space become one space.
    """
    # ASCII is its own NFKC form and holds none of the characters stripped or mapped.
    return " ".join((text if text.isascii() else _light_chars(text)).split())


def _key_of_light(text: str) -> str:
    """:func:`matching_key` of a text that is already its own :func:`light` form."""
    if text.isascii():
        # Casefolding ASCII is lowercasing; the folds and NFKC leave ASCII as it is, and neither lowercasing nor
        # squeezing repeats can break the single spaces light left.
        text = _REPEAT_RE.sub(_first, text.lower())
        respace = False
    else:
        folded = text.casefold()
        # Only a dropped hamza (a space left on each side) or NFKC (compatibility spaces) can break the spacing.
        respace = "ء" in folded
        folded = _REPEAT_RE.sub(_first, _FOLD_RE.sub(_fold, folded))
        # Casefolding and folding can produce new NFKC-composable sequences or emptied spaces.
        text = unicodedata.normalize("NFKC", folded)
        respace = respace or text is not folded
    # URLs and mentions last: folding can drop a letter (a bare hamza) and so make "x@1" a mention; tokenizing
    # after it keeps the key idempotent. A URL holds "://" or "www." in any case (only "W" matches "w" ignoring
    # case; NFKC can make one, as from a mathematical capital W); a mention holds "@".
    if "://" in text or "www." in text or ("W" in text and "www." in text.lower()):
        text = _URL_RE.sub(URL_TOKEN, text)
    if "@" in text:
        text = _MENTION_RE.sub(MENTION_TOKEN, text)
    return " ".join(text.split()) if respace else text


def matching_key(text: str) -> str:
    """An aggressive key for comparing names and phrases, not for display.

    On top of :func:`light`: casefolds; folds alef forms, alef maqsura and Persian yeh to yeh, ta marbuta
    and heh forms to heh, hamza carriers to their base letter, Persian/Urdu letters to their Arabic
    counterparts; squeezes any letter repeated three or more times to one; URLs become ``<url>`` and
    @mentions ``<mention>``.
    """
    return _key_of_light(light(text))


def light_and_key(text: str) -> tuple[str, str]:
    """``(light(text), matching_key(text))``, computing the light form once."""
    exact = light(text)
    return exact, _key_of_light(exact)


_SCRIPT_RANGES: tuple[tuple[int, int, str], ...] = (
    (0x0041, 0x024F, "latin"),
    (0x1E00, 0x1EFF, "latin"),
    (0x0370, 0x03FF, "greek"),
    (0x0400, 0x052F, "cyrillic"),
    (0x0590, 0x05FF, "hebrew"),
    (0x0600, 0x06FF, "arabic"),
    (0x0750, 0x077F, "arabic"),
    (0x08A0, 0x08FF, "arabic"),
    (0xFB50, 0xFDFF, "arabic"),
    (0xFE70, 0xFEFF, "arabic"),
    (0x0900, 0x097F, "devanagari"),
    (0x4E00, 0x9FFF, "han"),
    (0x3040, 0x30FF, "kana"),
    (0xAC00, 0xD7AF, "hangul"),
)


def char_script(ch: str) -> str | None:
    """The script of one character, or ``None`` for digits, punctuation, marks and unknown scripts."""
    if not ch.isalpha():
        return None
    cp = ord(ch)
    for lo, hi, name in _SCRIPT_RANGES:
        if lo <= cp <= hi:
            return name
    return "other"


def scripts(text: str) -> dict[str, int]:
    """How many letters of each script the text holds."""
    counts: dict[str, int] = {}
    for ch in text:
        s = char_script(ch)
        if s is not None:
            counts[s] = counts.get(s, 0) + 1
    return counts


def dominant_script(text: str) -> str | None:
    """The script most letters are written in, or ``None`` when the text has no letters."""
    counts = scripts(text)
    if not counts:
        return None
    return max(sorted(counts), key=lambda s: counts[s])


def is_arabic(text: str) -> bool:
    """Whether most letters of ``text`` are Arabic-script letters (Arabic, Persian, Urdu, Pashto ...)."""
    return dominant_script(text) == "arabic"


def split_scripts(text: str) -> list[tuple[str, str]]:
    """Splits a string that mixes scripts into runs ``(script, text)``; neutral characters join the run they sit in.

    Lists often write ``"Abu Bakr البغدادي"`` in one alias field; each run is a name of its own.
    """
    runs: list[tuple[str, list[str]]] = []
    pending: list[str] = []
    for ch in text:
        s = char_script(ch)
        if s is None:
            pending.append(ch)
            continue
        if runs and runs[-1][0] == s:
            runs[-1][1].extend(pending)
        elif runs:
            runs[-1][1].extend(pending)
            runs.append((s, []))
        else:
            runs.append((s, []))
        pending = []
        runs[-1][1].append(ch)
    out = [(s, "".join(chars).strip()) for s, chars in runs]
    return [(s, t) for s, t in out if t]

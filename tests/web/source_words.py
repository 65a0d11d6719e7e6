"""What an Arabic or French page must not show: English words of our own catalogs (the msgids), found in the text
a page shows a reader.

The list is built from the catalogs, not written by hand: a word of an English msgid is a source word of a language
unless that language's translations use it too ("Code", "Type" in French), it is written in capitals (an acronym or
a code: TLP, TOTP, UTC) or it is a name (:data:`NAMES`). Data are not text of the page: what a template isolates
as data (``<bdi>``, ``<code>``, ``<kbd>``, ``<pre>``, ``translate="no"``, form values) and what is marked as another
language
(the language switcher's names) is left out, so that an English bank or customer name is not a leak.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from html.parser import HTMLParser

from babel.messages.pofile import read_po

from basira.web import i18n

# Names that stay as they are in every language.
NAMES = frozenset({"basira", "chromium", "threatexchange", "misp", "taxii", "stix", "pdq", "vpdq"})
_PLACEHOLDER = re.compile(r"%\(\w+\)s|%%|<[^>]*>|&\w+;")
_WORD = re.compile(r"[A-Za-z][A-Za-z'’]*[A-Za-z]")
# Elements whose text is data (or not text), not words of the page.
_DATA_TAGS = frozenset({"bdi", "code", "kbd", "pre", "samp", "script", "style", "textarea", "template", "svg",
                        "title"})
# Attributes a reader sees or hears.
_SHOWN_ATTRIBUTES = ("title", "aria-label", "placeholder", "alt")
_VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track",
                   "wbr"})


def _words(text: str) -> Iterable[str]:
    return _WORD.findall(_PLACEHOLDER.sub(" ", text))


def source_words(lang: str) -> frozenset[str]:
    """The English words of the catalogs that a page in ``lang`` would only show by leaving a string out."""
    with i18n.po_path(lang).open("rb") as f:
        catalog = read_po(f, locale=lang)
    english: set[str] = set()
    translated: set[str] = set()
    for message in catalog:
        if not message.id:
            continue
        for msgid in message.id if isinstance(message.id, tuple) else (message.id,):
            english.update(w for w in _words(msgid) if not w.isupper())
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        for s in strings:
            translated.update(w.casefold() for w in _words(s or ""))
    translated.update(w.casefold() for text in _shipped_translations(lang) for w in _words(text))
    return frozenset(w.casefold() for w in english) - translated - NAMES


def _shipped_translations(lang: str) -> Iterable[str]:
    """Texts in ``lang`` that ship as data, not in the catalogs (the readiness questionnaire)."""
    from basira.exercise.readiness import QUESTIONNAIRE

    def walk(node: object) -> Iterable[str]:
        if isinstance(node, dict):
            for key, value in node.items():
                if key == lang and isinstance(value, str):
                    yield value
                else:
                    yield from walk(value)
        elif isinstance(node, list):
            for value in node:
                yield from walk(value)

    return list(walk(json.loads(QUESTIONNAIRE.read_text(encoding="utf-8"))))


class _Reader(HTMLParser):
    """The text of a page a reader sees: all of it, and the part that is not data nor another language's."""

    def __init__(self, lang: str) -> None:
        super().__init__(convert_charrefs=True)
        self.lang = lang
        self.stack: list[tuple[str, bool, bool]] = []  # (tag, whether its text is data, whether it is hidden)
        self.page: list[str] = []
        self.everything: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        data, unseen = self.stack[-1][1:] if self.stack else (False, False)
        unseen = unseen or tag in ("script", "style", "template", "title") or "hidden" in values
        data = (data or unseen or tag in _DATA_TAGS or values.get("lang") not in (None, self.lang)
                or values.get("translate") == "no")  # HTML's own mark for names and codes shown as they are
        if not data:
            self.page.extend(v for a in _SHOWN_ATTRIBUTES if (v := values.get(a)))
            if tag == "input" and values.get("type") in ("submit", "button") and values.get("value"):
                self.page.append(values["value"] or "")
        if tag not in _VOID:
            self.stack.append((tag, data, unseen))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in _VOID:
            self.stack.pop()

    def handle_endtag(self, tag: str) -> None:
        # Close up to the matching tag (browsers forgive a missing end tag; so does this).
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i][0] == tag:
                del self.stack[i:]
                return

    def handle_data(self, data: str) -> None:
        is_data, unseen = self.stack[-1][1:] if self.stack else (False, False)
        if not unseen:
            self.everything.append(data)
        if not is_data:
            self.page.append(data)


def shown_text(html: str, lang: str) -> tuple[str, str]:
    """The text of ``html`` a reader of ``lang`` sees: the page's own (data and other languages left out), and
    all of it."""
    reader = _Reader(lang)
    reader.feed(html)
    reader.close()
    return " ".join(" ".join(reader.page).split()), " ".join(" ".join(reader.everything).split())


_URL = re.compile(r"\b[a-z][a-z0-9+.-]*://\S+")
# A code written as it is stored (snake_case or SCREAMING_SNAKE: a reason code, a signal type, an alert kind).
_CODE = re.compile(r"\b[A-Za-z]+(?:_[A-Za-z0-9]+)+\b")
# A moment written as ISO 8601 (as stored), not the way the page's language writes dates.
_ISO_MOMENT = re.compile(r"\b\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")


def leaks(html: str, lang: str, words: frozenset[str], codes: frozenset[str] = frozenset()) -> list[tuple[str, str]]:
    """What ``html`` (a page in ``lang``) shows untranslated, each with the text around it: English source words
    and ``codes`` in the page's own text, codes as stored, and ISO moments anywhere."""
    page, everything = shown_text(html, lang)
    page = _URL.sub(" ", page)

    def around(text: str, m: re.Match[str]) -> tuple[str, str]:
        return m.group(), text[max(0, m.start() - 40):m.end() + 40]

    # Words are looked for outside codes (``text`` of ``text_minhash`` is the code's, reported once as such).
    prose = _CODE.sub(lambda m: " " * len(m.group()), page)
    found = [around(page, m) for m in _WORD.finditer(prose)
             if (m.group().casefold() in words and not m.group().isupper()) or m.group() in codes]
    found += [around(page, m) for m in _CODE.finditer(page)]
    found += [around(everything, m) for m in _ISO_MOMENT.finditer(everything)]
    return found

"""A check of the reading of the scripts that share Devanagari's layout (Gurmukhi, Gujarati, Oriya, Telugu, Kannada,
Malayalam): the Devanagari pairs of the tenth evaluation's tuning half (``hi10`` positives, ``common10:hi``
negatives) moved to each block by its fixed offset, scored as ``bench/names_eval.py`` scores them.

It checks the mapping, not those scripts' own spellings of foreign names (no list or evaluation holds a name in
them). Run: ``.venv/bin/python bench/names_brahmic.py``.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from basira.finance.names import DEFAULT_THRESHOLD
from names_eval import basira_scorer, build_index, read

BLOCKS = (("devanagari", 0), ("gurmukhi", 0x100), ("gujarati", 0x180), ("oriya", 0x200), ("telugu", 0x300),
          ("kannada", 0x380), ("malayalam", 0x400))


def moved(text: str, offset: int) -> str:
    return "".join(chr(ord(c) + offset) if "\u0900" <= c <= "\u097f" else c for c in text)


def main() -> None:
    index, _ = build_index("dev10")
    score, _ = basira_scorer(index)
    pairs = [p for p in read("dev10", False) if p["kind"] in ("hi10", "common10:hi")]
    for name, offset in BLOCKS:
        found = [score({**p, "q": moved(p["q"], offset)}) >= DEFAULT_THRESHOLD for p in pairs]
        pos = [f for f, p in zip(found, pairs, strict=True) if p["label"]]
        neg = [f for f, p in zip(found, pairs, strict=True) if not p["label"]]
        print(f"{name:<10} found {sum(pos)} of {len(pos)} ({sum(pos) / len(pos):.3f}), false alerts {sum(neg)} of "
              f"{len(neg)}")


if __name__ == "__main__":
    main()

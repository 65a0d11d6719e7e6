"""Candidate generation never loses pairs within the threshold, at any text length up to 20,000 characters and at
the default and the widest threshold (random pairs, generated; recall >= 0.99 of pairs that are within it)."""

from __future__ import annotations

import random
import string

import pytest

from basira.content.minhash import MinHashIndex, TextMinHashSignal, decode, text_minhash

_WORDS = ["".join(random.Random(i).choices(string.ascii_lowercase + "éàçابتثجحخدرزسشصضطظعغفقكلمنهوي", k=1 + i % 9))
          for i in range(3000)]


def _pair(rng: random.Random, length: int, threshold: float) -> tuple[str, str, float]:
    """A text of about ``length`` characters and an edited copy within ``threshold`` (words replaced, a part cut)."""
    while True:
        words: list[str] = []
        size = 0
        while size < length:
            words.append(rng.choice(_WORDS))
            size += len(words[-1]) + 1
        edited = list(words)
        for _ in range(int(len(words) * rng.uniform(0.0, 0.45 if threshold <= 0.5 else 0.75))):
            edited[rng.randrange(len(edited))] = rng.choice(_WORDS)
        if rng.random() < 0.3:
            edited = edited[rng.randrange(len(edited) // 4 + 1):]
        a, b = text_minhash(" ".join(words)), text_minhash(" ".join(edited))
        assert a is not None and b is not None
        d = TextMinHashSignal.distance(a, b)
        if d <= threshold:
            return a, b, d


@pytest.mark.parametrize("threshold", [TextMinHashSignal.default_threshold, TextMinHashSignal.max_threshold])
def test_pairs_within_the_threshold_are_found_at_every_length(threshold: float) -> None:
    rng = random.Random(int(threshold * 100))
    pairs = [_pair(rng, length, threshold) for length in (80, 300, 1_000, 4_000, 20_000) for _ in range(30)]
    index = MinHashIndex()
    index.build((i, a) for i, (a, _, _) in enumerate(pairs))
    found = sum(i in {sid for sid, _ in index.query_set(decode(b), threshold)} for i, (_, b, _) in enumerate(pairs))
    assert found / len(pairs) >= 0.99, (found, len(pairs))
    # The pairs span the range up to the threshold, not only easy ones.
    assert max(d for _, _, d in pairs) > threshold - 0.1

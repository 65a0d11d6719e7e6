"""The multi-index hash tables behind the Hamming index: exact at any radius after any changes, fast mode's recall,
and merges, compactions and resizes that never lose a row. Small row limits force every path on small data."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from basira.content.hamming import HammingIndex
from basira.content.mih import SUBSTRINGS, SubstringTables, as_words, flip_masks, substring_bits

BASE = int("5a" * 32, 16)


def _hex(n: int) -> str:
    return f"{n:064x}"


def _brute(model: dict[int, str], value: str, threshold: float) -> list[tuple[int, float]]:
    q = int(value, 16)
    hits = [(sid, float((int(v, 16) ^ q).bit_count())) for sid, v in model.items()]
    return sorted(((sid, d) for sid, d in hits if d <= threshold), key=lambda t: (t[1], t[0]))


def _small(mode: str = "exact") -> HammingIndex:
    # Tables from 4 rows on, merged every 3 new rows: every query crosses tables, flat segment and dead rows.
    return HammingIndex(mode, table_min_rows=4, delta_max_rows=3)  # type: ignore[arg-type]


near_hash = st.lists(st.integers(0, 255), max_size=60).map(lambda bits: _hex(BASE ^ sum(1 << b for b in set(bits))))
ops = st.lists(st.one_of(
    st.tuples(st.just("add"), st.lists(st.tuples(st.integers(0, 40), near_hash), max_size=10)),
    st.tuples(st.just("remove"), st.lists(st.integers(0, 45), max_size=6)),
    st.tuples(st.just("build"), st.lists(st.tuples(st.integers(0, 40), near_hash), max_size=12)),
), max_size=10)


@settings(max_examples=60, deadline=None)
@given(ops=ops, queries=st.lists(near_hash, min_size=1, max_size=4),
       threshold=st.one_of(st.integers(-1, 70).map(float), st.sampled_from([10.0, 21.0, 31.0, 32.0, 33.0, 43.0])))
def test_exact_mode_with_tables_equals_a_brute_force_scan_after_any_changes(
        ops: list[tuple[str, list[object]]], queries: list[str], threshold: float) -> None:
    index = _small()
    model: dict[int, str] = {}
    for op, arg in ops:
        if op == "remove":
            index.remove(arg)  # type: ignore[arg-type]
            for sid in arg:
                model.pop(sid, None)  # type: ignore[call-overload]
        else:
            if op == "build":
                index.build(arg)  # type: ignore[arg-type]
                model.clear()
            else:
                index.add(arg)  # type: ignore[arg-type]
            model.update(dict(arg))  # type: ignore[arg-type]
    assert len(index) == len(model)
    assert index.query(queries, threshold) == [_brute(model, q, threshold) for q in queries]


def _planted(rng: np.random.Generator, codes: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Queries that are copies of stored codes with 1 to 31 random bits flipped."""
    src = rng.integers(0, codes.shape[0], n)
    flips = rng.integers(1, 32, n)
    bits = np.unpackbits(codes[src], axis=1)
    for i, k in enumerate(flips):
        bits[i, rng.choice(256, int(k), replace=False)] ^= 1
    return np.packbits(bits, axis=1), src, flips


def test_exact_mode_finds_every_planted_neighbour_and_fast_mode_nearly_all() -> None:
    rng = np.random.default_rng(7)
    codes = rng.integers(0, 256, (60_000, 32), dtype=np.uint8)
    queries, src, _ = _planted(rng, codes, 3000)
    index = HammingIndex()
    index.add_codes(np.arange(60_000, dtype=np.int64) * 3, codes)
    for mode, floor in (("exact", 1.0), ("fast", 0.99)):
        index.mode = mode  # type: ignore[assignment]
        qpos, ids, dist = index.search(queries, 31)
        found = set(zip(qpos.tolist(), ids.tolist(), strict=True))
        recall = np.mean([(i, int(s) * 3) in found for i, s in enumerate(src)])
        assert recall >= floor, (mode, recall)
        assert (dist <= 31).all()


def test_random_codes_are_never_reported_beyond_the_radius_and_threads_agree() -> None:
    rng = np.random.default_rng(8)
    codes = rng.integers(0, 256, (40_000, 32), dtype=np.uint8)
    index = HammingIndex()
    index.add_codes(np.arange(40_000, dtype=np.int64), codes)
    queries, _, _ = _planted(rng, codes, 700)
    one = index.search(queries, 31)
    two = index.search(queries, 31, workers=2)
    assert all((a == b).all() for a, b in zip(one, two, strict=True))


def test_merges_compaction_and_resizing_keep_every_live_row() -> None:
    rng = np.random.default_rng(9)
    codes = rng.integers(0, 256, (5000, 32), dtype=np.uint8)
    index = HammingIndex(table_min_rows=100, delta_max_rows=64)
    for lo in range(0, 5000, 250):  # 20 adds: tables appear at 100 rows, merge and grow from 2**12 buckets
        index.add_codes(np.arange(lo, lo + 250, dtype=np.int64), codes[lo:lo + 250])
    index.remove(range(0, 5000, 2))  # half dead: compacted
    index.add_codes(np.array([1, 3], dtype=np.int64), codes[[10, 12]])  # replaced values
    assert len(index) == 2500
    qpos, ids, dist = index.search(codes, 0)
    got = dict(zip(qpos.tolist(), ids.tolist(), strict=True))
    want = {i: i for i in range(1, 5000, 2) if i not in (1, 3)} | {10: 1, 12: 3}
    assert got == want and (dist == 0).all()


def test_saved_large_index_loads_with_the_same_answers(tmp_path: Path) -> None:
    rng = np.random.default_rng(10)
    codes = rng.integers(0, 256, (40_000, 32), dtype=np.uint8)
    index = HammingIndex()
    index.add_codes(np.arange(40_000, dtype=np.int64), codes)
    index.remove(range(100))
    index.watermark = 12
    index.save(tmp_path / "big.idx")
    loaded = HammingIndex.load(tmp_path / "big.idx")
    queries, _, _ = _planted(rng, codes, 300)
    assert len(loaded) == 39_900 and loaded.watermark == 12
    assert all((a == b).all() for a, b in zip(index.search(queries, 31), loaded.search(queries, 31), strict=True))


def test_substring_keys_cut_the_code_in_order() -> None:
    tables = SubstringTables(23)
    code = np.zeros((1, 32), dtype=np.uint8)
    code[0, 0] = 0x80  # the first bit of the code: the top bit of substring 0
    code[0, 31] = 0x08  # bit 252, the last bit of substring 10 (11 x 23 = 253 bits are used)
    keys = tables.keys(as_words(code))
    assert keys[0, 0] == 1 << 22 and keys[0, SUBSTRINGS - 1] == 1 and keys[0, 1:SUBSTRINGS - 1].sum() == 0


@pytest.mark.parametrize(("n", "bits"), [(1, 12), (5000, 13), (1_000_000, 20), (10_000_000, 23), (10**9, 23)])
def test_substring_length_follows_log2_of_the_row_count(n: int, bits: int) -> None:
    assert substring_bits(n) == bits


def test_flip_masks_enumerate_each_pattern_once() -> None:
    masks = flip_masks(23, 2)
    assert masks.size == 1 + 23 + 253 == np.unique(masks).size
    assert max(bin(int(m)).count("1") for m in masks) == 2


def test_unknown_mode_is_a_configuration_error() -> None:
    from basira.core.errors import ConfigurationError

    with pytest.raises(ConfigurationError):
        HammingIndex("approximate")  # type: ignore[arg-type]


def test_distance_of_a_complement_is_256_not_wrapped_to_zero() -> None:
    from basira.content.hamming import _popcount_rows

    words = np.array([[0, 0, 0, 0]], dtype=np.uint64)
    assert _popcount_rows(words, ~words).tolist() == [256]

"""The Hamming index: its answers equal a brute-force scan after any sequence of changes, and survive a save."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from basira.content.hamming import HammingIndex
from basira.core.errors import ConfigurationError, InvalidInput, InvalidSignal

BASE = int("5a" * 32, 16)


def _hex(n: int) -> str:
    return f"{n:064x}"


def _brute(model: dict[int, str], value: str, threshold: float) -> list[tuple[int, float]]:
    q = int(value, 16)
    hits = [(sid, float((int(v, 16) ^ q).bit_count())) for sid, v in model.items()]
    return sorted(((sid, d) for sid, d in hits if d <= threshold), key=lambda t: (t[1], t[0]))


# Hashes near a common base, so that thresholds around 31 split them (random 256-bit values are ~128 apart).
near_hash = st.lists(st.integers(0, 255), max_size=48).map(lambda bits: _hex(BASE ^ sum(1 << b for b in set(bits))))
ops = st.lists(st.one_of(
    st.tuples(st.just("add"), st.lists(st.tuples(st.integers(0, 30), near_hash), max_size=8)),
    st.tuples(st.just("remove"), st.lists(st.integers(0, 35), max_size=5)),
    st.tuples(st.just("build"), st.lists(st.tuples(st.integers(0, 30), near_hash), max_size=8)),
), max_size=8)


@settings(max_examples=100, deadline=None)
@given(ops=ops, queries=st.lists(near_hash, min_size=1, max_size=4),
       threshold=st.one_of(st.integers(-1, 70).map(float), st.floats(0, 64, allow_nan=False)))
def test_answers_equal_a_brute_force_scan_after_any_changes(
        ops: list[tuple[str, list[object]]], queries: list[str], threshold: float) -> None:
    index = HammingIndex()
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


@settings(max_examples=30, deadline=None)
@given(items=st.lists(st.tuples(st.integers(0, 10**12), near_hash), max_size=20), watermark=st.integers(0, 2**62),
       query=near_hash)
def test_saved_index_loads_with_the_same_answers_and_watermark(
        tmp_path_factory: pytest.TempPathFactory, items: list[tuple[int, str]], watermark: int,
        query: str) -> None:
    index = HammingIndex()
    index.build(items)
    index.watermark = watermark
    path = tmp_path_factory.mktemp("idx") / "pdq.npz"
    index.save(path)
    loaded = HammingIndex.load(path)
    assert loaded.watermark == watermark
    assert len(loaded) == len(index)
    assert loaded.query([query], 40) == index.query([query], 40)


def test_saved_file_has_the_documented_fields(tmp_path: Path) -> None:
    index = HammingIndex()
    index.build([(7, _hex(BASE)), (9, _hex(1))])
    index.watermark = 42
    index.save(tmp_path / "i.npz")
    with np.load(tmp_path / "i.npz", allow_pickle=False) as data:
        assert sorted(data.files) == ["bits", "codes", "format", "ids", "watermark"]
        assert int(data["format"]) == 1 and int(data["bits"]) == 256 and int(data["watermark"]) == 42
        assert data["ids"].tolist() == [7, 9]
        assert data["codes"].shape == (2, 32) and data["codes"][0].tobytes().hex() == _hex(BASE)


@pytest.mark.parametrize("content", [b"", b"not a zip", b"PK\x03\x04broken"])
def test_damaged_index_file_is_a_clear_error(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "bad.npz"
    path.write_bytes(content)
    with pytest.raises(ConfigurationError, match="index file"):
        HammingIndex.load(path)


def test_index_file_with_repeated_ids_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "dup.npz"
    with path.open("wb") as f:
        np.savez(f, format=np.int64(1), bits=np.int64(256), watermark=np.int64(0),
                 ids=np.array([3, 3], dtype=np.int64), codes=np.zeros((2, 32), dtype=np.uint8))
    with pytest.raises(ConfigurationError, match="repeated"):
        HammingIndex.load(path)


def test_adding_an_id_again_replaces_its_value() -> None:
    index = HammingIndex()
    index.add([(1, _hex(0))])
    index.add([(1, _hex(2**256 - 1))])
    assert len(index) == 1
    assert index.query([_hex(0)], 31) == [[]]
    assert index.query([_hex(2**256 - 1)], 0) == [[(1, 0.0)]]


def test_threshold_is_inclusive_and_whole_bits() -> None:
    index = HammingIndex()
    index.build([(1, _hex(0b111))])  # 3 bits from zero
    assert index.query([_hex(0)], 3) == [[(1, 3.0)]]
    assert index.query([_hex(0)], 2.9) == [[]]
    assert index.query([_hex(0)], 3.5) == [[(1, 3.0)]]


def test_empty_index_and_empty_query_answer_nothing() -> None:
    index = HammingIndex()
    assert index.query([_hex(0)], 64) == [[]]
    assert index.query([], 31) == []
    index.remove([1, 2])
    assert len(index) == 0


@pytest.mark.parametrize("value", ["00" * 31, "0" * 62 + " 0", "g" * 64, "0" * 63 + "٣", "0" * 65])
def test_malformed_hash_is_refused(value: str) -> None:
    with pytest.raises(InvalidSignal):
        HammingIndex().add([(1, value)])
    with pytest.raises(InvalidSignal):
        HammingIndex().query([value], 31)


def test_negative_ids_are_refused() -> None:
    with pytest.raises(InvalidInput):
        HammingIndex().add([(-1, _hex(0))])


def test_query_threads_apply_in_every_thread_that_queries(monkeypatch: pytest.MonkeyPatch) -> None:
    """OpenMP keeps its thread count per calling thread: a server's requests run in pool threads that never read
    the setting, and without it a small flat scan starts a team of threads per query."""
    import threading

    from basira.content import hamming

    faiss = hamming.faiss_module()
    before = faiss.omp_get_max_threads()
    monkeypatch.setattr(hamming, "_query_threads", 0)
    hamming.set_query_threads(1)
    seen: list[int] = []

    def query_in_new_thread() -> None:
        index = HammingIndex()
        index.add([(1, "f" * 64)])
        assert index.query(["f" * 64], 31) == [[(1, 0.0)]]
        seen.append(faiss.omp_get_max_threads())

    worker = threading.Thread(target=query_in_new_thread)
    worker.start()
    worker.join()
    assert seen == [1]
    faiss.omp_set_num_threads(before)

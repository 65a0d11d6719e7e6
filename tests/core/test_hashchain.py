"""The hash chain shared by the audit log and the drone evidence: what a walk finds in a good, an edited, a
reordered and a cut chain, and hashes that stay what they were."""

from __future__ import annotations

from dataclasses import dataclass, replace

from hypothesis import given
from hypothesis import strategies as st

from basira.core import hashchain
from basira.core.hashchain import GENESIS, Wording

WORDS = Wording(item="entry", changed="was edited", unlinked=" (removed or reordered)", removed=": entries removed")


@dataclass(frozen=True)
class Row:
    seq: int
    body: str
    prev_hash: str
    hash: str


def recompute(r: Row) -> str:
    return hashchain.digest([r.seq, r.body, r.prev_hash])


def chain(*bodies: str) -> list[Row]:
    rows, prev = [], GENESIS
    for i, body in enumerate(bodies, start=1):
        h = hashchain.digest([i, body, prev])
        rows.append(Row(i, body, prev, h))
        prev = h
    return rows


def test_a_good_chain_has_no_problem_and_ends_at_its_last_link() -> None:
    rows = chain("a", "b", "c")
    found = hashchain.walk(rows, recompute, WORDS)
    assert (found.links, found.last_seq, found.last_hash, found.problems) == (3, 3, rows[-1].hash, [])
    assert hashchain.head_problem(found, 3, rows[-1].hash, WORDS) is None


def test_an_edited_link_is_named() -> None:
    rows = chain("a", "b", "c")
    rows[1] = replace(rows[1], body="B")
    assert hashchain.walk(rows, recompute, WORDS).problems == [
        "entry 2 was edited (its hash does not match its content)"]


def test_a_removed_link_is_named_twice_missing_and_unlinked() -> None:
    rows = chain("a", "b", "c")
    assert hashchain.walk([rows[0], rows[2]], recompute, WORDS).problems == [
        "entry 2 is missing (next found is 3)",
        "entry 3 does not follow the entry before it (removed or reordered)"]


def test_a_cut_tail_shows_against_the_head() -> None:
    rows = chain("a", "b", "c")
    found = hashchain.walk(rows[:2], recompute, WORDS)
    assert found.problems == []
    assert hashchain.head_problem(found, 3, rows[-1].hash, WORDS) == \
        "the chain ends at entry 2 but its head says 3: entries removed"


def test_the_walk_stops_after_enough_problems() -> None:
    rows = [replace(r, body="x") for r in chain(*"abcdefgh")]
    assert len(hashchain.walk(rows, recompute, WORDS, max_problems=3).problems) == 4


def test_digests_keep_their_bytes() -> None:
    # Stored chains were hashed this way (the audit log with UTF-8 text, drone evidence with ASCII escapes):
    # a change here would break every link stored before it.
    audit_fields = ["é", {"b": 1, "a": 2}, 1.5, None, "0" * 64]
    assert hashchain.digest(audit_fields) == "32aaba960d46d406fac9e973d83143b24dea704b8952a66a7f3bd334449929ce"
    frame_fields = [3, 7, "2026-01-01T00:00:00.000000+00:00", "bt5", -70.5, "ä", 9, "ab", "0" * 64]
    assert hashchain.digest(frame_fields, ascii_only=True) == \
        "d53d655dec68cbd4ee9d69bfc83edec76be5b349aaf751db327249c2d45a1774"


def _runs(deleted: list[int], rows: list[Row]) -> dict[int, tuple[int, str]]:
    """Recorded gaps for the deleted sequence numbers, as the retention job records them (consecutive runs)."""
    runs: dict[int, tuple[int, str]] = {}
    first = None
    for seq in sorted(deleted):
        if first is not None and runs[first][0] == seq - 1:
            runs[first] = (seq, rows[seq - 1].hash)
        else:
            first = seq
            runs[seq] = (seq, rows[seq - 1].hash)
    return runs


@given(n=st.integers(1, 12), data=st.data())
def test_recorded_gaps_are_stepped_over_and_an_unrecorded_removal_is_still_found(n: int, data: st.DataObject) -> None:
    rows = chain(*(f"b{i}" for i in range(n)))
    deleted = data.draw(st.lists(st.integers(1, n), unique=True))
    kept = [r for r in rows if r.seq not in deleted]
    found = hashchain.walk(kept, recompute, WORDS, gaps=_runs(deleted, rows))
    assert found.problems == [] and found.purged == len(deleted) and found.links == len(kept)
    assert hashchain.head_problem(found, n, rows[-1].hash, WORDS) is None
    if kept:
        gone = data.draw(st.sampled_from(kept))
        cut = hashchain.walk([r for r in kept if r is not gone], recompute, WORDS, gaps=_runs(deleted, rows))
        ended = hashchain.head_problem(cut, n, rows[-1].hash, WORDS)
        assert cut.problems or ended is not None


_JSONABLE = st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
                         lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(), inner, max_size=3),
                         max_leaves=8)


@given(fields=st.lists(_JSONABLE, min_size=1, max_size=8), key=st.none() | st.binary(min_size=1, max_size=32))
def test_fields_written_one_by_one_hash_as_the_whole_link(fields: list[object], key: bytes | None) -> None:
    """A batch writes what its links share once (hashchain.encoded); the link's bytes, and hash, are the same."""
    assert hashchain.digest_encoded([hashchain.encoded(f) for f in fields], key=key) == \
        hashchain.digest(fields, key=key)

"""The query path's shortcuts say what the plain functions say: the flat alignment of one-part pairs, the nisba and
length tests that skip a comparison, and the flat tables an index derives for its queries (never saved, rebuilt
after a change). Scores to the bit over real queries are ``test_names_scores_unchanged.py``'s."""

from __future__ import annotations

import pickle

from hypothesis import given, settings
from hypothesis import strategies as st

from basira.finance.name_similarity import (
    _nisba_apart,
    align,
    align_parts,
    coverage,
    shares,
    text_slip,
    typo_similarity,
)
from basira.finance.name_tables import nisba_keys, slip_lengths
from basira.finance.names import NameIndex, NameRecord, NameVariant

# Few letters, so that random words often come one or two edits apart, end in -i, or repeat a part.
WORDS = st.text(alphabet="abdhilmsu", min_size=0, max_size=9)
SIMS = st.sampled_from([1.0, 1.0, 0.97, 0.95, 0.92, 0.9, 0.86, 0.84, 0.8])
PAIRS = st.lists(st.tuples(SIMS, st.integers(0, 4), st.integers(0, 4)), max_size=8)
WEIGHTS = st.lists(st.floats(0.1, 12.0), min_size=5, max_size=5)


@settings(max_examples=400, deadline=None)
@given(PAIRS, WEIGHTS, WEIGHTS)
def test_flat_alignment_is_align_to_the_bit_and_in_the_same_order(
        pairs: list[tuple[float, int, int]], q_weights: list[float], c_weights: list[float]) -> None:
    wide = [(s, (i,), (j,)) for s, i, j in pairs]
    want_q, want_c = align(wide, q_weights, c_weights)
    got_q, got_c = align_parts(pairs, q_weights, c_weights)
    # Item order matters: the shares are summed in it.
    assert list(got_q.items()) == list(want_q.items())
    assert list(got_c.items()) == list(want_c.items())


@settings(max_examples=400, deadline=None)
@given(WORDS, WORDS)
def test_nisba_keys_say_what_nisba_apart_says(a: str, b: str) -> None:
    a_bare, a_last, a_before_i = nisba_keys(a)
    b_bare, b_last, b_before_i = nisba_keys(b)
    assert (a_bare and b_before_i == a_last) == _nisba_apart(a, b)
    assert (b_bare and a_before_i == b_last) == _nisba_apart(b, a)


@settings(max_examples=600, deadline=None)
@given(WORDS, WORDS, st.sampled_from(["", "E", "xE"]), st.sampled_from(["", "E"]))
def test_lengths_no_slip_rule_allows_are_never_slips(a: str, b: str, a_pattern: str, b_pattern: str) -> None:
    by_vowels, by_text = slip_lengths(len(a), len(a))
    if typo_similarity(a, b, a_pattern, b_pattern) > 0.0:
        assert len(b) in by_vowels
    if text_slip(a, b) > 0.0:
        assert len(b) in by_text


def test_slip_lengths_cover_the_slips_the_rules_name() -> None:
    # A first h left out (Haroun / Aroun), a final e (Scholz / Scholze), two slips in long parts.
    assert typo_similarity("harun", "arun") > 0.0 and 4 in slip_lengths(5, 5)[0]
    assert typo_similarity("skhlz", "skhlze", "", "xE") > 0.0 and 6 in slip_lengths(5, 5)[0]
    assert text_slip("mutebutsi", "mutebusi") > 0.0 and 8 in slip_lengths(9, 9)[1]


def _index() -> NameIndex:
    return NameIndex.build([
        NameRecord("un:1", (NameVariant("Ayman Mohammed Rabie al-Zawahiri"), NameVariant("أيمن الظواهري"))),
        NameRecord("un:2", (NameVariant("Fadi Nabih Nasser"),)),
        NameRecord("un:3", (NameVariant("Hizb Allah"),), kind="organization"),
    ])


def test_a_saved_index_leaves_its_query_tables_out_and_answers_the_same() -> None:
    index = _index()
    before = [index.query(q) for q in ("Aiman al Zawahiry", "الظواهري أيمن", "Hizballah", "Fadi Nasser")]
    loaded = pickle.loads(pickle.dumps(index))
    assert loaded._state._tables is None
    assert [loaded.query(q) for q in ("Aiman al Zawahiry", "الظواهري أيمن", "Hizballah", "Fadi Nasser")] == before


def test_query_tables_follow_changes_to_the_lists() -> None:
    index = _index()
    assert not [h for h in index.query("Mokhtar Belmokhtar") if h.entry_id == "un:4"]
    index.add([NameRecord("un:4", (NameVariant("Mokhtar Belmokhtar"),))])
    assert index.query("Mokhtar Belmokhtar")[0].entry_id == "un:4"
    index.remove(["un:4"])
    assert not [h for h in index.query("Mokhtar Belmokhtar") if h.entry_id == "un:4"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.floats(0.01, 50.0), min_size=1, max_size=8).flatmap(lambda w: st.tuples(
    st.just(w), st.dictionaries(st.integers(0, len(w) - 1),
                                st.one_of(st.just(0.0), st.just(1.0), st.floats(0.0, 1.0))))))
def test_shares_are_coverage_and_the_paired_share_to_the_bit(case: tuple[list[float], dict[int, float]]) -> None:
    weights, used = case
    total = sum(weights)
    cov, paired, count = shares(weights, used, total)
    assert cov == coverage(weights, used, total)
    assert paired == sum(weights[i] for i, s in used.items() if s > 0.0) / total
    assert count == sum(1 for s in used.values() if s > 0.0)

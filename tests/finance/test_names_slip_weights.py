"""A word no list holds weighs what the listed word it pairs with weighs: a typing slip or an unusual spelling of
a common name is as common as that name, not the rarest name there is."""

from __future__ import annotations

from basira.finance.names import NameIndex, NameRecord, NameVariant

_GIVEN = ("Mohammad", "Ahmad", "Ali", "Hassan", "Omar")
_FAMILY = ("Karimi", "Haddad", "Nasser", "Saleh", "Mansour", "Darwish", "Hijazi", "Barakat", "Shaheen", "Jaber",
           "Othman", "Yassin", "Hamdan", "Suleiman", "Zaidan", "Awad", "Daher", "Farouk", "Qasim", "Nassar")


def _index(*extra: str) -> NameIndex:
    names = [f"{g} {f}" for g in _GIVEN for f in _FAMILY]  # Mohammad and the others are common here
    names += ["Mohammad Javad IMANIRAD", "Mohamad Fayez BARAKAT", *extra]
    return NameIndex.build([NameRecord(f"t:{i}", (NameVariant(n),)) for i, n in enumerate(names)])


def _entry(index: NameIndex, name: str) -> str:
    return next(h.entry_id for h in index.query(name) if h.matched_name == name)


def test_slip_of_a_common_given_name_alerts() -> None:
    index = _index()
    for query, listed in (("Mohammnd Javad IMANIRAD", "Mohammad Javad IMANIRAD"),
                          ("Mohzmad Fayez BARAKAT", "Mohamad Fayez BARAKAT")):
        assert index.score_name(query, _entry(index, listed), listed) >= 0.9
        assert index.query(query)[0].matched_name == listed


def test_a_listed_word_keeps_its_own_weight() -> None:
    # Mohanad is a name a list holds: one letter from Mohamad, it is another name, not a slip that inherits.
    listed = "Mohamad Fayez BARAKAT"
    known = _index("Mohanad KHALIL")
    unknown = _index()
    s_known = known.score_name("Mohanad Fayez BARAKAT", _entry(known, listed), listed)
    s_unknown = unknown.score_name("Mohanad Fayez BARAKAT", _entry(unknown, listed), listed)
    assert s_known < s_unknown


def test_slip_weight_never_above_the_parts_own() -> None:
    index = _index()
    listed = "Mohammad Javad IMANIRAD"
    exact = index.score_name(listed, _entry(index, listed), listed)
    slipped = index.score_name("Mohammad Javad IMANIRAF", _entry(index, listed), listed)
    assert slipped < exact


def test_a_nisba_is_no_theophoric_tail() -> None:
    # al-Houghi has the skeleton of al-Haqq and al-Adani that of ad-Din: names of their own (a final -i, a nisba).
    from basira.finance.name_forms import parse_name

    def parts(name: str) -> list[str]:
        return [p.text for _, ps in parse_name(name) for p in ps]

    assert parts("Abdul Malik al Houghi") == ["abdul malik", "houghi"]
    assert parts("Abu Sulayman al-Adani")[-1] == "adani"
    assert parts("Nur al-Din") == ["nur al-din"]
    assert parts("Abu al-Dine") == parts("Abuldine")  # a final e is no nisba's -i: ad-Dine is ad-Din
    assert parts("Abd al-Haqq") == ["abd haqq"]
    assert parts("Ehsan Ullah") == ["ehsan ullah"]

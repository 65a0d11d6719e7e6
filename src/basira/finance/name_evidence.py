"""What corroborates or contradicts a name hit: birth date, nationality, gender, documents."""

from __future__ import annotations

import re

from basira.finance.name_types import FEATURE_WEIGHTS, DateSpan, Gender, NameRecord
from basira.lang.countries import country_code

_W = FEATURE_WEIGHTS


def _norm_doc(doc: str) -> str:
    return re.sub(r"[^0-9A-Za-z]", "", doc).upper()


def _norm_country(text: str) -> str:
    """An ISO 3166-1 alpha-2 code when the text is a country name or code the table knows ("United Kingdom" and
    the UN's "United Kingdom of Great Britain and Northern Ireland" are both GB), else the folded text."""
    return country_code(text) or re.sub(r"[^a-z]", "", text.casefold())


def corroboration(rec: NameRecord, birth: DateSpan | None, nationality: tuple[str, ...], gender: Gender | None,
                  documents: tuple[str, ...]) -> dict[str, float]:
    """The features the details given with a query add to a hit on ``rec`` (none when a detail is missing)."""
    feats: dict[str, float] = {}
    if birth is not None and rec.birth_dates:
        gaps = [max((s.earliest - birth.latest).days, (birth.earliest - s.latest).days) for s in rec.birth_dates]
        if min(gaps) <= 0:
            feats["birth_date_match"] = _W["birth_date_match"]
        elif min(gaps) > 366:
            feats["birth_date_mismatch"] = _W["birth_date_mismatch"]
    if nationality and rec.nationalities:
        given = {_norm_country(n) for n in nationality} - {""}
        listed = {_norm_country(n) for n in rec.nationalities} - {""}
        # Codes are compared with codes and country names with names, so two vocabularies never contradict.
        comparable = any((len(a) == 2) == (len(b) == 2) for a in given for b in listed)
        if given & listed:
            feats["nationality_match"] = _W["nationality_match"]
        elif comparable:
            feats["nationality_mismatch"] = _W["nationality_mismatch"]
    if gender and rec.gender and gender != rec.gender:
        feats["gender_mismatch"] = _W["gender_mismatch"]
    if documents and rec.documents:
        if {_norm_doc(d) for d in documents} & {_norm_doc(d) for d in rec.documents} - {""}:
            feats["document_match"] = _W["document_match"]
    return feats

"""goAML reports of decided screening cases: what they say, that they meet the schema, what is refused, and that any
text a customer or a list brings still gives a valid file."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree
from sqlalchemy import select

from basira.core.errors import Conflict, InvalidInput
from basira.core.instance import Instance
from basira.core.models import AuditEntry
from basira.core.principal import Principal
from basira.finance.screening import ScreenQuery
from basira.reports import goaml

from .screening_case import decided_screening_case

REPORTER = goaml.Reporter(rentity_id=4711, first_name="Lina", last_name="Haddad", email="mlro@bank.example",
                          action="Funds frozen on 2027-03-02.", indicators=("SANCTIONS",))
QUERY = ScreenQuery(ref="C-1042", kind="person", names=["Zubayr Qasim Example", "Zubair Kassem"],
                    birth_date="1961", nationality=["IQ", "Atlantis"], gender="male", documents=["P1234567"],
                    wallets=["XBT:12QtD5BFwRsdNsAZY76UVE1xyCGNTojH9h"])


def test_a_true_match_gives_a_valid_report_naming_subject_wallet_and_hit(
        instance: Instance, admin: Principal, reviewer: Principal, tmp_path: Path) -> None:
    case_id = decided_screening_case(instance, admin, reviewer, tmp_path, QUERY)
    with instance.db.session() as s:
        xml = goaml.goaml_report(s, admin, case_id, REPORTER, now=dt.datetime(2027, 3, 2, 9, 30, tzinfo=dt.UTC))
    assert goaml.validate(xml) == []
    doc = etree.fromstring(xml)
    assert doc.findtext("rentity_id") == "4711" and doc.findtext("report_code") == "STR"
    assert doc.findtext("entity_reference") == f"basira-case-{case_id}"
    assert doc.findtext("submission_date") == "2027-03-02T09:30:00"
    assert doc.findtext("reporting_person/last_name") == "Haddad"
    person = doc.find("activity/report_parties/report_party/person")
    assert (person.findtext("first_name"), person.findtext("last_name")) == ("Zubayr Qasim", "Example")
    assert person.findtext("gender") == "M" and person.findtext("nationality1") == "IQ"
    assert person.findtext("id_number") == "P1234567" and person.findtext("alias") == "Zubair Kassem"
    assert person.find("full_name_frn") is None  # the name is already in Latin letters
    hits = person.findall("sanctions/sanction_list")
    assert hits and {h.findtext("sanction_list_name") for h in hits} == {"National list"}
    assert all("N-1" in h.findtext("match_criteria") for h in hits)
    assert "1961" in person.findtext("comments") and "Atlantis" in person.findtext("comments")
    assert person.find("birthdate") is None  # a year alone is no goAML date: it goes to the comments
    [account] = doc.findall("activity/report_parties/report_party/account")
    assert account.findtext("account") == "12QtD5BFwRsdNsAZY76UVE1xyCGNTojH9h"
    # goAML's account names its institution by code and its holder; the asset goes in the comments.
    assert account.findtext("institution_code") == "UNKNOWN"
    assert account.findtext("account_name") == "Zubayr Qasim Example"
    assert account.find("currency_code") is None
    reason = doc.findtext("reason")
    assert "true_match" in reason and "National list" in reason and "N-1" in reason and "alias" in reason
    assert doc.findtext("report_indicators/indicator") == "SANCTIONS"
    with instance.db.session() as s:
        entry = s.scalars(select(AuditEntry).where(AuditEntry.action == "report.goaml")).one()
    assert entry.target == f"case:{case_id}" and "Zubayr" not in str(entry.details)


def test_open_and_false_positive_cases_have_nothing_to_report(
        instance: Instance, admin: Principal, reviewer: Principal, tmp_path: Path) -> None:
    open_case = decided_screening_case(instance, admin, reviewer, tmp_path, QUERY, reason=None)
    with instance.db.session() as s, pytest.raises(Conflict, match="not decided"):
        goaml.goaml_report(s, admin, open_case, REPORTER)
    other = ScreenQuery(ref="C-2", kind="organization", names=["Example Relief Foundation"])
    cleared = decided_screening_case(instance, admin, reviewer, tmp_path, other, reason="false_positive")
    with instance.db.session() as s, pytest.raises(Conflict, match="false_positive"):
        goaml.goaml_report(s, admin, cleared, REPORTER)


def test_a_bad_reporter_is_refused_with_every_problem_named() -> None:
    bad = goaml.Reporter(rentity_id=2**31, first_name=" ", last_name="حداد", email="nobody", currency="euro",
                         report_code="CTR")
    with pytest.raises(InvalidInput) as err:
        bad.check()
    for word in ("entity id", "first name", "last name", "e-mail", "currency", "report code", "indicator"):
        assert word in str(err.value)


def test_names_in_other_scripts_are_written_in_latin_letters_and_kept_as_written() -> None:
    """goAML (5.0.2 as FIUs publish it) allows only ASCII letters, digits, space, dot, apostrophe and dash in names."""
    hits = [{"list": "UN Security Council Consolidated List", "entry": "QDi.001", "matched_name": "عمر حداد",
             "score": 0.97}]
    args = {"case_id": 3, "decided_at": dt.datetime(2027, 1, 1, tzinfo=dt.UTC), "decision": "true_match",
            "rationale": "", "now": dt.datetime(2027, 1, 2, tzinfo=dt.UTC)}
    xml = goaml.build({"kind": "person", "ref": "C-3", "names": ["عمر حداد", "Omar Haddad", "O. Ḥaddād"],
                       "wallets": ["ETH:0x52908400098527886E0F7030069857D2E4169EE7"], "hits": hits}, REPORTER, **args)
    assert goaml.validate(xml) == []
    person = etree.fromstring(xml).find("activity/report_parties/report_party/person")
    assert (person.findtext("first_name"), person.findtext("last_name")) == ("'mr", "hdad")
    assert person.findtext("full_name_frn") == "عمر حداد" and person.findtext("alias") == "Omar Haddad; O. Ḥaddād"
    assert person.findtext("sanctions/sanction_list/provider") == "UN Security Council Consolidated List"
    org = goaml.build({"kind": "organization", "ref": "C-4", "names": ["مؤسسة الإغاثة", "Relief Co. (Ltd)"],
                       "hits": hits}, REPORTER, **args)
    entity = etree.fromstring(org).find("activity/report_parties/report_party/entity")
    assert entity.findtext("name") == "m'ssa al-ighatha"
    assert entity.findtext("commercial_name") == "Relief Co. Ltd"
    assert "مؤسسة الإغاثة" in entity.findtext("comments") and goaml.validate(org) == []


def test_the_schema_refuses_a_report_without_its_reporting_person() -> None:
    xml = goaml.build({"kind": "organization", "ref": "C-9", "names": ["Acme Trading"]}, REPORTER, case_id=9,
                      decided_at=dt.datetime(2027, 1, 1, tzinfo=dt.UTC), decision="true_match", rationale="",
                      now=dt.datetime(2027, 1, 2, tzinfo=dt.UTC))
    doc = etree.fromstring(xml)
    assert doc.findtext("activity/report_parties/report_party/entity/name") == "Acme Trading"
    doc.remove(doc.find("reporting_person"))
    assert any("reporting_person" in p or "reason" in p for p in goaml.validate(etree.tostring(doc)))
    assert goaml.validate(b"<report><rentity_id>") != []


def _visible(text: str) -> str:
    return "".join(re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", "", text).split())


@settings(max_examples=30, deadline=None)
@given(kind=st.sampled_from(["person", "organization", "wallet"]),
       names=st.lists(st.text(max_size=300), max_size=4), wallets=st.lists(st.text(max_size=120), max_size=3),
       birth=st.one_of(st.none(), st.text(max_size=20), st.dates().map(str)),
       nationality=st.lists(st.text(max_size=12), max_size=4), rationale=st.text(max_size=300))
def test_any_text_from_a_customer_or_a_list_gives_a_valid_file_or_a_clear_refusal(
        kind: str, names: list[str], wallets: list[str], birth: str | None, nationality: list[str],
        rationale: str) -> None:
    subject = {"kind": kind, "ref": "C\x00-1", "names": names, "wallets": wallets, "birth_date": birth,
               "nationality": nationality, "hits": [{"list": "L\x07", "entry": "E", "matched_name": names[:1],
                                                     "score": 0.9}]}
    try:
        xml = goaml.build(subject, REPORTER, case_id=1, decided_at=dt.datetime(2027, 1, 1, tzinfo=dt.UTC),
                          decision="true_match", rationale=rationale, now=dt.datetime(2027, 1, 2, tzinfo=dt.UTC))
    except Conflict:
        assert not any(_visible(n) for n in names) and not any(_visible(w.rpartition(":")[2]) for w in wallets)
        return
    assert goaml.validate(xml) == []

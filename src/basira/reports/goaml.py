"""The suspicious-transaction report a decided screening case leads to, in the goAML XML layout (UNODC) that most
financial intelligence units accept.

The report names the reporting entity and person (given by the caller: they are the FIU's registration, not
Basira's), the reason (the reviewer's decision and the list entries hit) and, as the activity, the subject: a person
or an entity with its names, birth date, nationality and documents, and each wallet as an account. Transactions
are left for the reporter to add (Basira never sees them). The front that owns the case kind gives the subject's
values through its manifest's ``reports["goaml_subject"]`` hook; this module never imports a front. Every report is
validated against ``schemas/goaml_report.xsd`` before it is returned, and its export is audited.

goAML (5.0.2 as FIUs publish it) takes names of persons, entities and account holders in ASCII letters only: a name
in another script is written in Latin letters (``anyascii``) and kept as it was in ``full_name_frn`` (persons) or in
the comments. The list entries the subject matched go in ``sanctions`` (provider, list, match criteria).
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

from anyascii import anyascii
from lxml import etree
from sqlalchemy import select
from sqlalchemy.orm import Session

from basira.core import audit
from basira.core.errors import Conflict, InvalidInput, NotFound
from basira.core.fronts import FrontRegistry, default_fronts
from basira.core.models import Role, utcnow
from basira.core.principal import Principal
from basira.lang.translit import romanize
from basira.review.models import Case, CaseMatch, Decision, DecisionState
from basira.review.taxonomy import reason_for

HOOK = "goaml_subject"
REPORT_CODES = ("STR", "SAR")
READ = {Role.ADMIN, Role.REVIEWER}
_COUNTRY = re.compile(r"[A-Za-z]{2}")
_CURRENCY = re.compile(r"[A-Z]{3}")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+")
_NOT_GOAML_NAME = re.compile(r"[^a-zA-Z0-9 .'-]+")
MAX_RENTITY_ID = 2**31 - 1  # goAML's rentity_id is an xs:int


@dataclass(frozen=True)
class Reporter:
    """Who reports: the FIU's registration of the reporting entity and the person who files."""

    rentity_id: int
    first_name: str
    last_name: str
    email: str = ""
    branch: str = ""
    currency: str = "EUR"
    report_code: str = "STR"
    action: str = ""
    indicators: tuple[str, ...] = field(default_factory=tuple)

    def check(self) -> None:
        problems = []
        if not 0 < self.rentity_id <= MAX_RENTITY_ID:
            problems.append("the reporting entity id is a positive number (the FIU's registration)")
        for label, value in (("first name", self.first_name), ("last name", self.last_name)):
            if not value.strip() or len(value) > 100 or _NOT_GOAML_NAME.search(value):
                problems.append(f"the reporting person's {label} is 1 to 100 Latin letters, digits, spaces, dots, "
                                "apostrophes or dashes (goAML's rule for names)")
        if self.email and (not _EMAIL.fullmatch(self.email) or len(self.email) > 255):
            problems.append("the reporting person's e-mail is not an address")
        if not _CURRENCY.fullmatch(self.currency):
            problems.append("the local currency is an ISO 4217 code such as EUR")
        if self.report_code not in REPORT_CODES:
            problems.append(f"the report code is one of {', '.join(REPORT_CODES)}")
        if len(self.branch) > 255 or len(self.action) > 8000:
            problems.append("the branch is at most 255 characters and the action at most 8000")
        if not self.indicators:
            problems.append("goAML asks for at least one report indicator: give the FIU's indicator code(s)")
        elif len(self.indicators) > 50 or any(not i.strip() or len(i) > 100 for i in self.indicators):
            problems.append("at most 50 indicators of 1 to 100 characters")
        if problems:
            raise InvalidInput("; ".join(problems))


@functools.cache
def schema() -> etree.XMLSchema:
    """The schema every report is validated against (Basira's own, see the file's comment)."""
    text = resources.files("basira.reports").joinpath("schemas/goaml_report.xsd").read_bytes()
    return etree.XMLSchema(etree.fromstring(text))


def validate(xml: bytes) -> list[str]:
    """The schema's complaints about ``xml`` (empty when valid); a file that is no XML gives one complaint."""
    try:
        doc = etree.fromstring(xml, parser=etree.XMLParser(resolve_entities=False, no_network=True))
    except etree.XMLSyntaxError as e:
        return [f"not XML: {e}"]
    checker = schema()
    if checker.validate(doc):
        return []
    return [f"line {err.line}: {err.message}" for err in checker.error_log]


def _hook(fronts: FrontRegistry, kind: str) -> Callable[..., Mapping[str, Any]]:
    owners = {f.name for f in fronts.fronts() if any(k.name == kind for k in f.case_kinds)}
    hooks = fronts.report_hooks(HOOK)
    for name in owners:
        if name in hooks:
            hook = hooks[name]
            return lambda *args: _mapping(hook(*args))
    raise InvalidInput(f"a {kind} case has no goAML report (only screening cases of customers do)")


def _mapping(value: object) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise TypeError("a goaml_subject hook returns a mapping")
    return value


def _text(parent: etree._Element, tag: str, value: object) -> None:
    if value is None or value == "":
        return
    etree.SubElement(parent, tag).text = str(value)


def _clean(value: object, limit: int) -> str:
    """Text as goAML takes it: control characters out, spaces folded, capped."""
    text = re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", "", str(value))
    return " ".join(text.split())[:limit]


def _latin(value: object, limit: int) -> str:
    """A name as goAML takes it: in Latin letters (any script transliterated), only letters, digits, space, dot,
    apostrophe and dash, capped (Arabic script read by Basira's own romanisation, other scripts by ``anyascii``);
    "Unknown" when nothing is left."""
    text = " ".join(_NOT_GOAML_NAME.sub(" ", anyascii(romanize(_clean(value, 1000)))).split())[:limit].strip()
    return text or "Unknown"


def _split_name(name: str) -> tuple[str, str]:
    """(first, last) in Latin letters: the last word is the family name; a one-word name is both (the reporter
    corrects)."""
    words = _latin(name, 400).split()
    if len(words) < 2:
        return words[0][:100], words[0][:100]
    return " ".join(words[:-1])[:100].strip(), words[-1][:100]


def _sanctions(parent: etree._Element, hits: Sequence[Mapping[str, Any]]) -> None:
    """The list entries the subject matched, as goAML's ``sanctions`` (one ``sanction_list`` per hit)."""
    if not hits:
        return
    sanctions = etree.SubElement(parent, "sanctions")
    for h in hits[:50]:
        entry = etree.SubElement(sanctions, "sanction_list")
        _text(entry, "provider", _clean(h.get("list"), 255) or "Unknown")
        _text(entry, "sanction_list_name", _clean(h.get("list"), 255) or "Unknown")
        _text(entry, "match_criteria", _clean(f"entry {_clean(h.get('entry'), 100)}, matched name "
                                              f"{_clean(h.get('matched_name'), 300)}, score {h.get('score')}", 8000))


def _birthdate(value: object) -> str | None:
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        try:
            return dt.date.fromisoformat(value).isoformat() + "T00:00:00"
        except ValueError:
            return None
    return None


def _person(parent: etree._Element, subject: Mapping[str, Any]) -> None:
    person = etree.SubElement(parent, "person")
    names = [_clean(n, 200) for n in subject.get("names") or [] if _clean(n, 200)]
    gender = {"male": "M", "female": "F"}.get(str(subject.get("gender") or "").lower())
    _text(person, "gender", gender)
    first, last = _split_name(names[0] if names else "")
    _text(person, "first_name", first)
    _text(person, "last_name", last)
    _text(person, "birthdate", _birthdate(subject.get("birth_date")))
    if len(names) > 1:
        _text(person, "alias", "; ".join(names[1:])[:100])
    if names and _NOT_GOAML_NAME.search(names[0]):
        _text(person, "full_name_frn", names[0][:255])  # the name as written, in its own script
    documents = [_clean(d, 100) for d in subject.get("documents") or [] if _clean(d, 100)]
    if documents:
        _text(person, "id_number", "; ".join(documents)[:255])
    codes = [str(n).upper() for n in subject.get("nationality") or [] if _COUNTRY.fullmatch(str(n))]
    for i, code in enumerate(codes[:3], start=1):
        _text(person, f"nationality{i}", code)
    _sanctions(person, subject.get("hits") or [])
    notes = []
    if len(names) > 1 and len("; ".join(names[1:])) > 100:
        notes.append("Other names: " + "; ".join(names[1:]))
    if subject.get("birth_date") and not _birthdate(subject.get("birth_date")):
        notes.append(f"Birth date as given: {_clean(subject['birth_date'], 40)}")
    other = [_clean(n, 100) for n in subject.get("nationality") or [] if not _COUNTRY.fullmatch(str(n))]
    if other:
        notes.append("Nationality as given: " + ", ".join(other))
    _text(person, "comments", "; ".join(notes)[:8000] or None)


def _entity(parent: etree._Element, subject: Mapping[str, Any]) -> None:
    entity = etree.SubElement(parent, "entity")
    names = [_clean(n, 255) for n in subject.get("names") or [] if _clean(n, 255)]
    _text(entity, "name", _latin(names[0] if names else "", 255))
    if len(names) > 1:
        _text(entity, "commercial_name", _latin(names[1], 255))
    _sanctions(entity, subject.get("hits") or [])
    notes = [f"Name as written: {names[0]}"] if names and _NOT_GOAML_NAME.search(names[0]) else []
    if len(names) > 2 or (len(names) > 1 and _NOT_GOAML_NAME.search(names[1])):
        notes.append("Other names: " + "; ".join(names[1:]))
    _text(entity, "comments", "; ".join(notes)[:8000] or None)


def _wallet(parent: etree._Element, wallet: str, holder: str) -> None:
    """A crypto-asset address as a goAML account: no institution holds it (its code says UNKNOWN for the reporter
    to complete), the asset goes in the comments (FIUs' currency lists rarely hold crypto-assets)."""
    asset, sep, address = wallet.partition(":")
    if not sep:
        asset, address = "", wallet
    account = etree.SubElement(parent, "account")
    _text(account, "institution_name", "Virtual asset address")
    _text(account, "institution_code", "UNKNOWN")
    _text(account, "non_bank_institution", "true")
    _text(account, "account", _clean(address, 255))
    _text(account, "account_name", _latin(holder, 255))
    asset_text = f" on {_clean(asset, 20)}" if _clean(asset, 20) else ""
    _text(account, "comments", f"A crypto-asset address{asset_text} (no institution holds it).")


def _wallet_of(wallet: str, holder: str, parent: etree._Element) -> None:
    _wallet(parent, wallet, holder)


def _party(parties: etree._Element, significance: int, reason: str,
           build: Callable[[etree._Element], None]) -> None:
    party = etree.SubElement(parties, "report_party")
    build(party)
    _text(party, "significance", significance)
    _text(party, "reason", reason[:8000])


def build(subject: Mapping[str, Any], reporter: Reporter, *, case_id: int, decided_at: dt.datetime,
          decision: str, rationale: str, now: dt.datetime) -> bytes:
    """The goAML report's bytes (UTF-8, declaration included) for ``subject`` (a front's ``goaml_subject``)."""
    reporter.check()
    root = etree.Element("report")
    _text(root, "rentity_id", reporter.rentity_id)
    _text(root, "rentity_branch", _clean(reporter.branch, 255) or None)
    _text(root, "submission_code", "E")
    _text(root, "report_code", reporter.report_code)
    _text(root, "entity_reference", f"basira-case-{case_id}")
    _text(root, "submission_date", now.astimezone(dt.UTC).replace(tzinfo=None, microsecond=0).isoformat())
    _text(root, "currency_code_local", reporter.currency)
    person = etree.SubElement(root, "reporting_person")
    _text(person, "first_name", _latin(reporter.first_name, 100))
    _text(person, "last_name", _latin(reporter.last_name, 100))
    _text(person, "email", reporter.email or None)
    hits = list(subject.get("hits") or [])
    lines = [f"Screening case {case_id} decided on {decided_at.date().isoformat()}: {decision}."]
    lines += [f"Hit on {_clean(h.get('list'), 200)} entry {_clean(h.get('entry'), 100)} "
              f"({_clean(h.get('matched_name'), 200)}, score {h.get('score')})" for h in hits[:50]]
    if rationale.strip():
        lines.append("Reviewer's rationale: " + _clean(rationale, 2000))
    _text(root, "reason", _clean(" ".join(lines), 8000))
    _text(root, "action", _clean(reporter.action, 8000) or None)
    activity = etree.SubElement(root, "activity")
    parties = etree.SubElement(activity, "report_parties")
    why = "Screened customer " + _clean(subject.get("ref") or "", 200) + " matched a sanctions list entry"
    kind = subject.get("kind")
    named = any(_clean(n, 200) for n in subject.get("names") or [])
    if named and kind == "organization":
        _party(parties, 10, why, lambda p: _entity(p, subject))
    elif named:
        _party(parties, 10, why, lambda p: _person(p, subject))
    wallets = [str(w) for w in subject.get("wallets") or [] if _clean(str(w).rpartition(":")[2], 100)]
    holder = next((_clean(n, 255) for n in subject.get("names") or [] if _clean(n, 255)), "")
    for wallet in wallets[:50]:
        _party(parties, 10 if kind == "wallet" else 8, why, functools.partial(_wallet_of, wallet, holder))
    if not len(parties):
        raise Conflict("the case names no person, organization or wallet to report")
    indicators = etree.SubElement(root, "report_indicators")
    for code in reporter.indicators:
        _text(indicators, "indicator", _clean(code, 100))
    xml: bytes = etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
    problems = validate(xml)
    if problems:  # a bug, not bad input: what Basira writes must meet the schema
        raise RuntimeError("the goAML report does not meet its schema: " + "; ".join(problems[:5]))
    return xml


def goaml_report(session: Session, principal: Principal, case_id: int, reporter: Reporter,
                 now: dt.datetime | None = None, fronts: FrontRegistry | None = None) -> bytes:
    """The goAML report of a decided case whose decision found a true match (admins and reviewers; audited)."""
    principal.require(READ, "export goAML reports")
    reporter.check()
    case = session.get(Case, case_id)
    if case is None or case.org_id != principal.org_id:
        raise NotFound(f"no case {case_id}")
    hook = _hook(fronts or default_fronts(), case.kind)
    decision = session.scalar(select(Decision).where(Decision.case_id == case.id,
                                                     Decision.state == DecisionState.TAKEN.value)
                              .order_by(Decision.decided_at.desc(), Decision.id.desc()).limit(1))
    if decision is None or decision.decided_at is None:
        raise Conflict(f"case {case_id} is not decided: a report follows a decision")
    reason = reason_for(case.kind, decision.reason_code)
    if not reason.violating:
        raise Conflict(f"case {case_id} was decided as {reason.code}: nothing to report")
    prefix, _, ref = case.group_key.partition(":")
    match_ids = list(session.scalars(select(CaseMatch.match_id).where(CaseMatch.case_id == case.id)))
    subject = hook(session, principal.org_id, ref if prefix == "customer" else case.group_key, match_ids)
    xml = build(subject, reporter, case_id=case.id, decided_at=decision.decided_at,
                decision=f"{reason.code} ({reason.label})", rationale=decision.rationale, now=now or utcnow())
    audit.record(session, org_id=principal.org_id, actor=principal.actor, action="report.goaml",
                 target=f"case:{case.id}", details={"report_code": reporter.report_code,
                                                    "parties": xml.count(b"<report_party>")})
    return xml

"""Imports as deltas, screening with recorded cases, monitoring after a list change, settings audit (both backends)."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from basira.core.errors import Conflict, InvalidInput
from basira.core.instance import Instance
from basira.core.models import AuditEntry, Entry, Event, Signal
from basira.core.principal import Principal
from basira.finance import settings as fsettings
from basira.finance.lists.base import ListFormatError
from basira.finance.lists.store import ImportRequest, import_list
from basira.finance.models import ListChange
from basira.finance.monitoring import rescreen
from basira.finance.screening import ScreenOptions, ScreenQuery, screen
from basira.review.consumer import consume

SLICE = Path(__file__).parents[1] / "data" / "finance" / "un_slice.xml"
HEADER = "ref,kind,name,aliases,birth_dates,wallets\n"
ROW_A = "N-1,person,Zubayr Qasim Example,Zubair Kassem Example,1961,XBT:12QtD5BFwRsdNsAZY76UVE1xyCGNTojH9h\n"
ROW_B = "N-2,organization,Example Relief Foundation,,,\n"


def _csv(tmp_path: Path, body: str, name: str = "list.csv") -> Path:
    path = tmp_path / name
    path.write_text(HEADER + body, encoding="utf-8")
    return path


def _import(instance: Instance, admin: Principal, path: Path, version: str, source: str = "csv") -> object:
    with instance.db.session() as s:
        return import_list(s, admin, instance.registry, ImportRequest(source, path, bank="National list",
                                                                      version=version), rescreen)


def test_reimport_records_added_changed_and_removed_entries(instance: Instance, admin: Principal,
                                                            tmp_path: Path) -> None:
    first = _import(instance, admin, _csv(tmp_path, ROW_A + ROW_B, "v1.csv"), "v1")
    assert (first.added, first.changed, first.removed) == (2, 0, 0)  # type: ignore[attr-defined]
    changed_a = ROW_A.replace("Zubair Kassem Example", "Zubair Kassem Example;Abu Example")
    second = _import(instance, admin, _csv(tmp_path, changed_a + "N-3,person,New Listed Person,,,\n", "v2.csv"), "v2")
    assert (second.added, second.changed, second.removed, second.unchanged) == (1, 1, 1, 0)  # type: ignore
    with instance.db.session() as s:
        changes = {(c.ref, c.change) for c in s.scalars(select(ListChange).where(
            ListChange.import_id == second.import_id))}  # type: ignore[attr-defined]
        assert changes == {("N-1", "changed"), ("N-2", "removed"), ("N-3", "added")}
        n2 = s.scalar(select(Entry).where(Entry.ref == "N-2"))
        assert n2 is not None and n2.attributes["removed"]
        assert not any(sig.enabled for sig in s.scalars(select(Signal).where(Signal.entry_id == n2.id)))


def test_same_file_twice_changes_nothing(instance: Instance, admin: Principal, tmp_path: Path) -> None:
    path = _csv(tmp_path, ROW_A)
    _import(instance, admin, path, "v1")
    again = _import(instance, admin, path, "v1")
    assert again.skipped  # type: ignore[attr-defined]


def test_a_broken_update_leaves_the_previous_list_in_force(instance: Instance, admin: Principal,
                                                          tmp_path: Path) -> None:
    with instance.db.session() as s:
        import_list(s, admin, instance.registry, ImportRequest("un", SLICE), rescreen)
    changed = tmp_path / "changed.xml"
    changed.write_bytes(SLICE.read_bytes().replace(b"</INDIVIDUALS>", b"<NEW_THING/></INDIVIDUALS>")
                        .replace(b"<GENDER>", b"<EYE_COLOUR>x</EYE_COLOUR><GENDER>"))
    with pytest.raises(ListFormatError, match="EYE_COLOUR"), instance.db.session() as s:
        import_list(s, admin, instance.registry, ImportRequest("un", changed), rescreen)
    with instance.db.session() as s:
        result = screen(s, admin, [ScreenQuery(ref="c", names=["إبراهيم عواد إبراهيم علي البدري السامرائي"])],
                        ScreenOptions(record=False, monitor=False))
    assert result["results"][0]["hits"][0]["entry"]["ref"] == "QDi.299"
    assert result["lists"][0]["version"] == "2026-02-27"


def test_an_older_list_is_refused(instance: Instance, admin: Principal, tmp_path: Path) -> None:
    with instance.db.session() as s:
        import_list(s, admin, instance.registry, ImportRequest("un", SLICE), rescreen)
    older = tmp_path / "older.xml"
    older.write_bytes(SLICE.read_bytes().replace(b'dateGenerated="2026-02-27', b'dateGenerated="2025-01-01')
                      .replace(b"CDi.003", b"CDi.999"))
    with pytest.raises(Conflict, match="older"), instance.db.session() as s:
        import_list(s, admin, instance.registry, ImportRequest("un", older), rescreen)


def test_hits_are_recorded_with_list_version_settings_and_become_cases(instance: Instance, admin: Principal,
                                                                      tmp_path: Path) -> None:
    _import(instance, admin, _csv(tmp_path, ROW_A), "2026-03-01")
    with instance.db.session() as s:
        result = screen(s, admin, [
            ScreenQuery(ref="cust-1", names=["Zubayr Qasim Example"], birth_date="1961"),
            ScreenQuery(ref="cust-2", kind="wallet", wallets=["XBT:12QtD5BFwRsdNsAZY76UVE1xyCGNTojH9h"])])
    hit = result["results"][0]["hits"][0]
    assert hit["entry"]["ref"] == "N-1" and hit["alert"] and hit["features"]
    assert hit["list"]["version"] == "2026-03-01" and result["settings"]["version"] == 0
    assert result["results"][1]["hits"][0]["signal_type"] == "crypto_address"
    with instance.db.session() as s:
        events = list(s.scalars(select(Event).where(Event.kind == "match.recorded")))
        assert {e.payload["customer_ref"] for e in events} == {"cust-1", "cust-2"}
        assert all(e.payload["case_kind"] == "screening_hit" for e in events)
    report = consume(instance.db.session)
    assert report.opened == 2


def test_a_list_update_rescreens_customers_and_raises_new_hits_only(instance: Instance, admin: Principal,
                                                                   tmp_path: Path) -> None:
    _import(instance, admin, _csv(tmp_path, ROW_B, "v1.csv"), "v1")
    with instance.db.session() as s:
        first = screen(s, admin, [ScreenQuery(ref="cust-9", names=["Zubayr Qasim Example"])])
    assert not first["results"][0]["matched"]
    report = _import(instance, admin, _csv(tmp_path, ROW_A + ROW_B, "v2.csv"), "v2")
    assert report.rescreened == 1 and report.new_hits == 1  # type: ignore[attr-defined]
    with instance.db.session() as s:
        ev = s.scalars(select(Event).where(Event.kind == "match.recorded")).one()
        assert ev.payload["customer_ref"] == "cust-9" and ev.payload["case_kind"] == "screening_hit"
    # N-1 changes again (a new alias): the customer was alerted on it already, so nothing new.
    again = _import(instance, admin, _csv(tmp_path, ROW_A.replace("Example,1961", "Example;Abu Z,1961") + ROW_B,
                                          "v3.csv"), "v3")
    assert again.new_hits == 0  # type: ignore[attr-defined]


@pytest.mark.parametrize(("query", "message"), [
    (ScreenQuery(names=["!!! ... ---"]), "no letter"),
    (ScreenQuery(names=["A" * 5000]), "at most"),
    (ScreenQuery(names=["Someone"], birth_date="1961-13-45"), "1961-13-45"),
    (ScreenQuery(kind="wallet", wallets=["12QtD5BFwRsdNsAZY76UVE1xyCGNTojH9i"]), "checksum"),
])
def test_bad_queries_are_refused_with_the_reason(instance: Instance, admin: Principal, query: ScreenQuery,
                                                 message: str) -> None:
    with pytest.raises(InvalidInput) as info, instance.db.session() as s:
        screen(s, admin, [ScreenQuery(names=["Fine Name"]), query])
    assert message in str(info.value.extra["errors"][0]["reason"])
    assert info.value.extra["errors"][0]["index"] == 1


def test_right_to_left_override_characters_do_not_hide_a_name(instance: Instance, admin: Principal,
                                                              tmp_path: Path) -> None:
    _import(instance, admin, _csv(tmp_path, ROW_A), "v1")
    with instance.db.session() as s:
        result = screen(s, admin, [ScreenQuery(ref="c", names=["\u202eZubayr\u202c Qasim\u200b Example"])],
                        ScreenOptions(record=False, monitor=False))
    assert result["results"][0]["hits"][0]["entry"]["ref"] == "N-1"


def test_settings_changes_are_audited_and_shown_on_results(instance: Instance, admin: Principal,
                                                           tmp_path: Path) -> None:
    _import(instance, admin, _csv(tmp_path, ROW_A), "v1")
    with instance.db.session() as s:
        view = fsettings.update_settings(s, admin, threshold=0.9, weights={"name_match": 1.0})
    assert view.version == 1
    with instance.db.session() as s:
        result = screen(s, admin, [ScreenQuery(names=["Nobody Atall"])], ScreenOptions(record=False, monitor=False))
        assert result["settings"]["version"] == 1 and result["settings"]["threshold"] == 0.9
        entry = s.scalars(select(AuditEntry).where(AuditEntry.action == "screening.settings")).one()
        assert entry.details["before"]["threshold"] != entry.details["after"]["threshold"]
    with pytest.raises(InvalidInput), instance.db.session() as s:
        fsettings.update_settings(s, admin, threshold=1.5)


def test_a_removed_entry_marks_its_open_cases_and_a_stated_version_is_not_silently_ignored(
        instance: Instance, admin: Principal, tmp_path: Path) -> None:
    from basira.review.models import Case

    _import(instance, admin, _csv(tmp_path, ROW_A + ROW_B, "v1.csv"), "v1")
    with instance.db.session() as s:
        screen(s, admin, [ScreenQuery(ref="cust-7", names=["Zubayr Qasim Example"])])
    assert consume(instance.db.session).opened == 1
    _import(instance, admin, _csv(tmp_path, ROW_B, "v2.csv"), "v2")  # N-1 removed
    report = consume(instance.db.session)
    assert report.marked == 1
    with instance.db.session() as s:
        case = s.scalars(select(Case)).one()
        assert case.evidence["delisted"][0]["refs"] == ["N-1"] and case.evidence["delisted"][0]["version"] == "v2"
    # A file that states its own version: --version is reported as not used.
    with instance.db.session() as s:
        un = import_list(s, admin, instance.registry, ImportRequest("un", SLICE, version="1999-01-01"))
    assert any("--version" in w and "not used" in w for w in un.warnings)


def test_a_wallet_a_list_carries_unverified_can_be_screened_and_errors_name_the_likely_currency(
        instance: Instance, admin: Principal, tmp_path: Path) -> None:
    bad_xmr = "5be5543ff73456ab9f2d207887e2af87322c651ea1a873c5b25b7ffae456"
    _import(instance, admin, _csv(tmp_path, f"N-5,person,Wallet Holder Example,,,XMR:{bad_xmr}\n"), "v1")
    with instance.db.session() as s:
        result = screen(s, admin, [ScreenQuery(ref="w1", kind="wallet", wallets=[bad_xmr])])
    assert result["results"][0]["hits"][0]["entry"]["ref"] == "N-5"
    with instance.db.session() as s, pytest.raises(InvalidInput) as e:
        screen(s, admin, [ScreenQuery(ref="w2", kind="wallet", wallets=["TXLAQ63Xg1NAzckPwKHvzw7CSEmLMEqcdk"])])
    reason = e.value.extra["errors"][0]["reason"]
    assert "TRX" in reason and "XBT" not in reason


def test_the_64_digit_xmr_value_ofac_lists_is_screened_in_any_case(instance: Instance, admin: Principal,
                                                                     tmp_path: Path) -> None:
    xmr = "5be5543ff73456ab9f2d207887e2af87322c651ea1a873c5b25b7ffae456c320"  # profile 29585, as OFAC gives it
    _import(instance, admin, _csv(tmp_path, f"N-6,person,Wallet Holder Example,,,XMR:{xmr}\n"), "v1")
    for written in (xmr, xmr.upper(), f"XMR:{xmr}", f" {xmr} "):
        with instance.db.session() as s:
            result = screen(s, admin, [ScreenQuery(ref="w", kind="wallet", wallets=[written])])
        assert result["results"][0]["hits"][0]["entry"]["ref"] == "N-6", written

"""Import of an HMA bank export: python-threatexchange's signal file and HMA's content JSON, as deltas."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from basira.core.errors import ContentTooLarge, InvalidInput, NotFound
from basira.core.instance import Instance
from basira.core.principal import Principal
from basira.sharing import hma
from basira.sharing.hma_import import HmaReport, import_export, read_text

from .conftest import MD5, PDQ, SHA256


def _import(instance: Instance, principal: Principal, bank: int, text: str,
            signal_type: str | None = None) -> HmaReport:
    with instance.db.session() as s:
        return import_export(s, principal, instance.registry, instance.settings, bank, text, "export",
                             signal_type)


SIGNAL_FILE = f"pdq {PDQ}\nvideo_md5 {MD5.upper()}\ntmk 1,2,3\n\n# a comment\n"


def test_a_signal_file_fills_the_bank_and_skips_types_basira_lacks(
        instance: Instance, admin: Principal, bank_with: Callable[..., int],
        values: Callable[[Instance, int], set[tuple[str, str]]]) -> None:
    bank_id = bank_with(admin, "From HMA", "AMBER")
    report = _import(instance, admin, bank_id, SIGNAL_FILE)
    assert (report.format, report.added, report.skipped_types) == ("signal-file", 2, {"tmk": 1})
    assert values(instance, bank_id) == {("pdq", PDQ), ("md5", MD5)}


def test_a_signal_file_of_bare_values_takes_the_type_given(
        instance: Instance, admin: Principal, bank_with: Callable[..., int],
        values: Callable[[Instance, int], set[tuple[str, str]]]) -> None:
    bank_id = bank_with(admin, "From HMA", "AMBER")
    _import(instance, admin, bank_id, f"{PDQ}\n{'0' * 64}\n", signal_type="pdq")
    assert values(instance, bank_id) == {("pdq", PDQ), ("pdq", "0" * 64)}


def test_content_json_as_hmas_curation_api_returns_it_round_trips(
        instance: Instance, admin: Principal, partner: Principal, bank_with: Callable[..., int],
        values: Callable[[Instance, int], set[tuple[str, str]]]) -> None:
    bank_with(partner, "SEED_BANK", "AMBER")
    with instance.db.session() as s:
        one = hma.add_content(s, partner, instance.registry, instance.settings, "SEED_BANK",
                              {"pdq": PDQ, "md5": MD5}, {"content_uri": "https://example.com/p.jpg"})
        two = hma.add_content(s, partner, instance.registry, instance.settings, "SEED_BANK", {"sha256": SHA256})
        hma.set_content(s, partner, "SEED_BANK", two["id"], hma.DISABLED)
        exported = [hma.get_content(s, partner, "SEED_BANK", c["id"], include_signals=True) for c in (one, two)]
        exported[1]["signals"] = {"sha256": SHA256}  # HMA lists a disabled content's signals too
    bank_id = bank_with(admin, "Copy", "AMBER")
    report = _import(instance, admin, bank_id, json.dumps(exported))
    assert (report.format, report.contents, report.disabled_contents, report.added) == ("json", 2, 1, 2)
    assert values(instance, bank_id) == {("pdq", PDQ), ("md5", MD5)}
    lines = "\n".join(json.dumps(c) for c in exported)  # one content per line reads the same
    again = _import(instance, admin, bank_id, lines)
    assert (again.added, again.disabled, again.unchanged) == (0, 0, 2)


def test_content_gone_from_the_export_is_disabled(
        instance: Instance, admin: Principal, bank_with: Callable[..., int],
        values: Callable[[Instance, int], set[tuple[str, str]]]) -> None:
    bank_id = bank_with(admin, "From HMA", "AMBER", [("sha256", SHA256)])  # added by hand: never touched
    _import(instance, admin, bank_id, SIGNAL_FILE)
    report = _import(instance, admin, bank_id, f"pdq {PDQ}\n")
    assert (report.added, report.disabled, report.unchanged) == (0, 1, 1)
    assert values(instance, bank_id) == {("pdq", PDQ), ("sha256", SHA256)}


@pytest.mark.parametrize(("text", "says"), [
    ('[{"id": 1, "signals": {"pdq": ', "not JSON"),
    ('{"id": 1, "signals": ["pdq"]}', "signals is not an object"),
    ('{"signals": {"pdq": "x"}}', "id is missing"),
    ('[{"id": 1, "signals": {}, "disable_until_ts": "soon"}]', "not a whole number"),
    ('["a string"]', "not a JSON object"),
    ("pdq\n", "'<signal type> <value>'"),
    ("[" * 50_000 + "]" * 50_000, "nested too deeply"),
])
def test_a_malformed_export_changes_nothing(
        instance: Instance, admin: Principal, bank_with: Callable[..., int],
        values: Callable[[Instance, int], set[tuple[str, str]]], text: str, says: str) -> None:
    bank_id = bank_with(admin, "From HMA", "AMBER")
    _import(instance, admin, bank_id, SIGNAL_FILE)
    with pytest.raises(InvalidInput, match=says):
        _import(instance, admin, bank_id, text)
    assert values(instance, bank_id) == {("pdq", PDQ), ("md5", MD5)}


def test_bad_values_are_rejected_one_by_one(instance: Instance, admin: Principal,
                                            bank_with: Callable[..., int]) -> None:
    bank_id = bank_with(admin, "From HMA", "AMBER")
    report = _import(instance, admin, bank_id, f"pdq {PDQ}\npdq not-a-hash\nmd5 12\n")
    assert (report.added, report.rejected, len(report.reasons)) == (1, 2, 2)


def test_an_export_over_the_limit_or_not_utf8_is_refused(tmp_path: Path) -> None:
    big = tmp_path / "big.txt"
    big.write_text(SIGNAL_FILE)
    with pytest.raises(ContentTooLarge):
        read_text(big, max_bytes=10)
    (tmp_path / "latin1.txt").write_bytes(b"pdq \xe9\xe9\n")
    with pytest.raises(InvalidInput, match="UTF-8"):
        read_text(tmp_path / "latin1.txt")


def test_another_organizations_bank_cannot_be_filled(instance: Instance, admin: Principal, partner: Principal,
                                                      bank_with: Callable[..., int]) -> None:
    theirs = bank_with(partner, "Theirs", "GREEN")
    with pytest.raises(NotFound):
        _import(instance, admin, theirs, SIGNAL_FILE)

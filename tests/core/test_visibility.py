"""DESIGN.md's who-sees-what table, row by row, through the real services (banks, matching)."""

from __future__ import annotations

import pytest

from basira.core import banks, orgs
from basira.core.errors import NotFound
from basira.core.instance import Instance
from basira.core.matching import MatchRequest, match_item
from basira.core.models import Role
from basira.core.principal import Principal
from basira.core.visibility import Access

MD5 = "0123456789abcdef0123456789abcdef"


def _setup(instance: Instance, admin: Principal, tlp: str, shared: bool) -> tuple[Principal, Principal]:
    """A bank of ``acme`` with one signal; ``partner`` (shared with when ``shared``) and ``stranger``."""
    with instance.db.session() as s:
        partner = orgs.create_org(s, "test", "partner")
        stranger = orgs.create_org(s, "test", "stranger")
        bank = banks.create_bank(s, admin, instance.registry, banks.BankSpec(name="b", tlp=tlp))
        banks.add_signals(s, admin, instance.registry, instance.settings, bank.id,
                          [banks.SignalSpec("md5", MD5, entry_ref="e1", labels=["propaganda"])])
        if shared:
            banks.share_bank(s, admin, bank.id, org="partner")
        return (Principal(partner.id, Role.ANALYST, "p"), Principal(stranger.id, Role.ANALYST, "s"))


def _match(instance: Instance, who: Principal) -> dict[str, object]:
    with instance.db.session() as s:
        return match_item(s, who, instance.registry, instance.indexes, instance.settings,
                          MatchRequest(signals=[("md5", MD5)]))


def _can_list(instance: Instance, who: Principal) -> bool:
    with instance.db.session() as s:
        try:
            banks.list_signals(s, who, banks.get_bank(s, who, 1, Access.MATCH_ONLY).id)
        except NotFound:
            return False
        return True


# (marking, shared with partner?, partner sees, partner matches, stranger sees, stranger matches)
TABLE = [
    ("CLEAR", True, True, True, True, True),  # CLEAR: all see and match
    ("GREEN", True, True, True, True, True),  # GREEN: all on the instance see and match
    ("AMBER", True, True, True, False, False),  # AMBER: only those shared with
    ("AMBER+STRICT", True, False, True, False, False),  # AMBER+STRICT shared: match only (issue 21)
    ("RED", True, False, True, False, False),  # RED shared: match only, never the value
    ("RED", False, False, False, False, False),  # RED not shared: nothing at all
    ("AMBER", False, False, False, False, False),  # AMBER not shared: nothing
]


@pytest.mark.parametrize(("tlp", "shared", "p_sees", "p_matches", "s_sees", "s_matches"), TABLE)
def test_who_sees_what(instance: Instance, admin: Principal, tlp: str, shared: bool, p_sees: bool,
                       p_matches: bool, s_sees: bool, s_matches: bool) -> None:
    partner, stranger = _setup(instance, admin, tlp, shared)
    assert _can_list(instance, admin)
    assert _match(instance, admin)["matched"]
    assert _can_list(instance, partner) is p_sees
    assert _can_list(instance, stranger) is s_sees
    res = _match(instance, partner)
    assert res["matched"] is p_matches
    assert _match(instance, stranger)["matched"] is s_matches
    if tlp == "RED" and p_matches:
        (m,) = res["matches"]  # type: ignore[misc]
        assert m["signal"] is None and m["entry"] is None and m["distance"] is None
        assert m["bank"] == {"owner": "acme", "tlp": "RED", "negative": False}
        assert "propaganda" not in str(res) and MD5 == m["query_value"]

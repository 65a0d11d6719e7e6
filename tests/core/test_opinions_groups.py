"""Opinions summarise to confirmed / false_positive / disputed; sharing groups share banks with their members."""

from __future__ import annotations

import pytest

from basira.core import banks, groups, opinions, orgs
from basira.core.errors import InvalidInput, NotFound
from basira.core.instance import Instance
from basira.core.matching import MatchRequest, match_item
from basira.core.models import Role
from basira.core.principal import Principal

A = "a" * 32


def _two_orgs_and_a_bank(instance: Instance, admin: Principal, tlp: str) -> tuple[Principal, int]:
    with instance.db.session() as s:
        partner = orgs.create_org(s, "test", "partner")
        bank = banks.create_bank(s, admin, instance.registry, banks.BankSpec(name="b", tlp=tlp))
        (sig,) = banks.add_signals(s, admin, instance.registry, instance.settings, bank.id,
                                   [banks.SignalSpec("md5", A)])
        return Principal(partner.id, Role.ANALYST, "p"), sig.id


def test_agreeing_opinions_confirm_and_mixed_ones_dispute(instance: Instance, admin: Principal) -> None:
    partner, sig_id = _two_orgs_and_a_bank(instance, admin, "GREEN")
    with instance.db.session() as s:
        opinions.set_opinion(s, admin, sig_id, "confirmed")
        opinions.set_opinion(s, partner, sig_id, "seen")
        assert opinions.summary(s, sig_id) == "confirmed"
        opinions.set_opinion(s, partner, sig_id, "false_positive")
        assert opinions.summary(s, sig_id) == "disputed"
        with pytest.raises(InvalidInput):
            opinions.set_opinion(s, partner, sig_id, "maybe")


def test_no_opinion_on_a_signal_the_org_cannot_match(instance: Instance, admin: Principal) -> None:
    partner, sig_id = _two_orgs_and_a_bank(instance, admin, "AMBER")
    with pytest.raises(NotFound), instance.db.session() as s:
        opinions.set_opinion(s, partner, sig_id, "confirmed")


def test_bank_shared_with_a_group_reaches_its_members(instance: Instance, admin: Principal) -> None:
    partner, _ = _two_orgs_and_a_bank(instance, admin, "AMBER")
    req = MatchRequest(signals=[("md5", A)])
    with instance.db.session() as s:
        assert not match_item(s, partner, instance.registry, instance.indexes, instance.settings, req)["matched"]
        groups.create_group(s, admin, "gifct-like hub", ["partner"])
        banks.share_bank(s, admin, "b", group="gifct-like hub")
    with instance.db.session() as s:
        assert match_item(s, partner, instance.registry, instance.indexes, instance.settings, req)["matched"]

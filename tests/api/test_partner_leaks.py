"""Issue 21's leaks across organizations, each reproduced first through the HTTP API: AMBER+STRICT values listed
to partners (and copied on into a CLEAR bank), a signal id mapped to its bank by the 404's wording, the owner's
RED signal ids in a partner's webhooks and actions, the owner's key id in provenance."""

from __future__ import annotations

from collections.abc import Callable

from tests.factories import Api, problem

from basira.core.instance import Instance

V = "9" * 32


def _strict_bank(api: Api, org_key: Callable[..., str], tlp: str = "AMBER+STRICT") -> tuple[Api, int]:
    bank = api.bank("strict", tlp=tlp)
    api.add(bank["id"], "md5", V, labels=["owner-label"], entry_ref="owner-entry")
    partner = api.as_(org_key("partner", "admin"))
    assert api.post(f"/v1/banks/{bank['id']}/share", json={"org": "partner"}).status_code == 200
    return partner, bank["id"]


def test_amber_strict_values_are_never_listed_to_a_partner(api: Api, org_key: Callable[..., str]) -> None:
    partner, bank_id = _strict_bank(api, org_key)
    # The attack: the partner listed every value of the bank (200 with the values).
    problem(partner.get(f"/v1/banks/{bank_id}/signals"), 404)
    problem(partner.get(f"/v1/banks/{bank_id}/export?format=jsonl"), 404)
    problem(partner.get(f"/v1/banks/{bank_id}"), 404)
    listed = partner.get("/v1/banks").json()
    assert [b["access"] for b in listed] == ["match_only"]
    hit = partner.match(("md5", V)).json()["matches"][0]
    assert hit["signal"] is None and hit["entry"] is None and hit["distance"] is None
    assert "owner-label" not in partner.match(("md5", V)).text


def test_a_copied_value_keeps_its_provenance_and_never_leaves(api: Api, org_key: Callable[..., str]) -> None:
    partner, _ = _strict_bank(api, org_key)
    # The partner learnt the value anyway (its own item matched) and copies it into a CLEAR bank of its own.
    own = partner.bank("partner clear", tlp="CLEAR")
    copied = partner.add(own["id"], "md5", V)
    mine = partner.add(own["id"], "md5", "8" * 32)
    assert copied["provenance"] == "copy of a TLP:AMBER+STRICT signal of acme; never passed on"
    assert mine["provenance"] != copied["provenance"]
    # A third organization sees the CLEAR bank: the copy is not in what it may take away.
    third = api.as_(org_key("third", "admin"))
    exported = third.get(f"/v1/banks/{own['id']}/export?format=jsonl")
    assert exported.status_code == 200, exported.text
    assert V not in exported.text and "8" * 32 in exported.text
    # Nor in the partner's own export of its bank.
    assert V not in partner.get(f"/v1/banks/{own['id']}/export?format=jsonl").text


def test_a_signal_id_of_another_organization_is_not_mapped_to_its_bank(api: Api,
                                                                      org_key: Callable[..., str]) -> None:
    bank = api.bank("mine")
    sig = api.add(bank["id"], "md5", V)
    other = api.as_(org_key("other", "admin"))
    theirs = problem(other.post(f"/v1/signals/{sig['id']}/disable"), 404)
    missing = problem(other.post("/v1/signals/999999/disable"), 404)
    # The attack: "no bank 1" for an existing signal, "no signal 999999" for a missing one.
    assert theirs["detail"] == f"no signal {sig['id']}"
    assert missing["detail"] == "no signal 999999"


def test_provenance_of_a_shared_signal_hides_the_owners_key(api: Api, org_key: Callable[..., str]) -> None:
    bank = api.bank("amber")
    owner_view = api.add(bank["id"], "md5", V)
    assert owner_view["provenance"].startswith("key:")
    partner = api.as_(org_key("partner", "analyst"))
    api.post(f"/v1/banks/{bank['id']}/share", json={"org": "partner"})
    listed = partner.get(f"/v1/banks/{bank['id']}/signals").json()["signals"]
    assert [s["provenance"] for s in listed] == [""]
    assert owner_view["provenance"] not in partner.match(("md5", V)).text


def test_a_partners_decision_does_not_name_the_owners_red_signals(api: Api, org_key: Callable[..., str],
                                                                 instance: Instance) -> None:
    from tests.factories import run_consumer

    from basira.core.models import Event

    partner, _ = _strict_bank(api, org_key, tlp="RED")
    assert partner.match(("md5", V), ref="post-9").json()["matched"] is True
    run_consumer(instance)
    case_id = partner.get("/v1/cases").json()[0]["id"]
    r = partner.post(f"/v1/cases/{case_id}/decide", json={"reason": "incites", "rationale": "x"})
    assert r.status_code == 200, r.text
    with instance.db.session() as s:
        decided = [e.payload for e in s.query(Event).filter(Event.kind == "case.decided")]
    # The attack: the payload (webhooks, /v1/actions) carried the owner's RED signal ids.
    assert decided and all(p["signal_ids"] == [] for p in decided)
    assert decided[0]["match_ids"]

"""The evidence a case keeps has exactly the documented keys of its kind (the web UI and exports rely on them)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from tests.factories import A, B, make_bank, run_consumer, submit

from basira.core import outbox
from basira.core.fronts import default_fronts
from basira.core.instance import Instance
from basira.core.principal import Principal
from basira.drones.cases import AlertEvidence
from basira.review import evidence as ev
from basira.review.models import Case


def _keys(shape: Any) -> set[str]:
    return set(shape.__required_keys__ | shape.__optional_keys__)


def test_each_case_kind_keeps_its_documented_evidence_shape(instance: Instance, admin: Principal) -> None:
    make_bank(instance, admin, "b", [A, B])
    submit(instance, admin, [A], ref="post-1")
    submit(instance, admin, [B], ref="customer-1", content_type="wallet")
    with instance.db.session() as s:
        outbox.emit(s, "alert.raised", {"track_id": "T9", "alert_id": "a1", "alert_kind": "WATCHLIST",
                                        "position": {"lat": 1.0, "lon": 2.0}, "suspect_reasons": ["counter"],
                                        "at": "2027-01-01T00:00:00Z", "evidence_ref": "sha256:00"},
                    org_id=admin.org_id)
    run_consumer(instance)
    with instance.db.session() as s:
        by_kind = {c.kind: c.evidence for c in s.scalars(select(Case))}
    # Each kind's shape is the one its front's manifest documents.
    shapes = {k.name: k.evidence for k in default_fronts().case_kinds()}
    assert set(by_kind) == set(shapes) == {"content_match", "screening_hit", "drone_alert"}
    for kind, shape in shapes.items():
        assert set(by_kind[kind]) == _keys(shape), kind
    for kind in ("content_match", "screening_hit"):
        (hit,) = by_kind[kind]["matches"]
        assert set(hit) == _keys(ev.MatchEvidence)
        assert set(hit["signal"]) == _keys(ev.SignalEvidence) and set(hit["entry"]) == _keys(ev.EntryEvidence)
        assert set(by_kind[kind]["items"][0]) == _keys(ev.ItemEvidence)
    (alert,) = by_kind["drone_alert"]["alerts"]
    assert set(alert) <= _keys(AlertEvidence) and alert["suspect_reasons"] == ["counter"]

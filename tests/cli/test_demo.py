"""``basira demo`` and :func:`basira.demo.seed_demo`: banks, a list, a drone sensor and zone, and a review queue with
a case of every kind, made from generated data; a second run adds nothing."""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

from sqlalchemy import func, select

from basira.core.instance import Instance
from basira.core.models import AuditEntry, Event, Item, Match, Signal
from basira.drones.models import DroneAlert, DroneTrack
from basira.finance.models import Customer
from basira.review.models import Case

from .conftest import Cli


def _counts(inst: Instance) -> dict[str, Any]:
    with inst.db.session() as s:
        return {
            "signals": s.scalar(select(func.count()).select_from(Signal)),
            "items": s.scalar(select(func.count()).select_from(Item)),
            "matches": s.scalar(select(func.count()).select_from(Match)),
            "events": s.scalar(select(func.count()).select_from(Event)),
            "customers": s.scalar(select(func.count()).select_from(Customer)),
            "tracks": s.scalar(select(func.count()).select_from(DroneTrack)),
            "alerts": sorted(s.scalars(select(DroneAlert.kind))),
            "cases": Counter(s.scalars(select(Case.kind))),
        }


def test_demo_makes_banks_of_good_quality_signals_and_files_to_try(cli: Cli) -> None:
    first = cli.ok("demo")
    assert "bsk_" in first.stdout and "demo-admin" in first.stdout
    assert "basira match --org demo" in first.stdout and "curl" in first.stdout
    for name in ("resized-copy.jpg", "exact-copy.png", "unrelated.png"):
        assert (cli.data_dir / "demo" / "try" / name).is_file()
        assert name in first.stdout

    photos = json.loads(cli.ok("bank", "show", "Demo photos", "--org", "demo", "--json").stdout)
    assert photos["signal_counts"] == {"md5": 20, "pdq": 20, "sha256": 20}
    assert photos["tlp"] == "AMBER" and photos["negative"] is False
    memes = json.loads(cli.ok("bank", "show", "Demo harmless memes", "--org", "demo", "--json").stdout)
    assert memes["negative"] is True
    exported = [json.loads(x) for x in cli.ok("bank", "export", "Demo photos", "--org", "demo",
                                               "--format", "jsonl").stdout.splitlines()]
    qualities = [r["quality"] for r in exported if r["signal_type"] == "pdq"]
    assert len(qualities) == 20 and min(qualities) >= 50
    assert len({r["signal_value"] for r in exported if r["signal_type"] == "pdq"}) == 20
    assert cli.ok("audit", "verify")


def test_demo_opens_a_case_of_every_kind_and_a_drone_track_in_the_zone(cli: Cli) -> None:
    out = cli.ok("demo").stdout
    assert "4 cases wait for review" in out
    counts = _counts(cli.instance())
    assert counts["cases"] == {"content_match": 2, "screening_hit": 1, "drone_alert": 1}
    assert {"ENTER", "OPERATOR_IN_ZONE"} <= set(counts["alerts"])
    assert counts["tracks"] == 1 and counts["customers"] == 3
    with cli.instance().db.session() as s:
        refs = set(s.scalars(select(Case.group_key)))
    assert {"item:demo:resized-copy.jpg", "item:demo:reposted-text", "customer:demo-customer-001"} <= refs
    # The commands it prints work as printed.
    alerts = json.loads(cli.ok("drones", "alerts", "--org", "demo", "--json").stdout)
    assert {"ENTER", "OPERATOR_IN_ZONE"} <= {a["kind"] for a in alerts}
    screened = json.loads(cli.ok("screen", str(cli.data_dir / "demo" / "customers.csv"), "--org", "demo",
                                 "--no-record", "--json").stdout)
    hits = {r["ref"]: [h["entry"]["ref"] for h in r["hits"]] for r in screened["results"]}
    assert hits == {"demo-customer-001": ["DEMO.P.001"], "demo-customer-002": [], "demo-customer-003": []}


def test_demo_run_twice_adds_nothing(cli: Cli) -> None:
    cli.ok("demo")
    before = _counts(cli.instance())
    second = cli.ok("demo")
    assert "nothing was added" in second.stdout and "bsk_" not in second.stdout
    assert _counts(cli.instance()) == before
    with cli.instance().db.session() as s:
        assert s.scalar(select(func.count()).where(AuditEntry.action == "demo.seed")) == 1
    assert cli.ok("audit", "verify")

"""Retention reads the fronts' manifests: a front's declared kind joins the rules, and the platform's items kind
leaves the items that a front's part claims alone."""

from __future__ import annotations

import pytest

from basira.core.errors import ConfigurationError, InvalidInput
from basira.core.fronts import FrontManifest, FrontRegistry, RetentionKind, RetentionPart, default_fronts
from basira.retention import parts, rules

TOY = FrontManifest(name="toy", description="A front with its own kind of record.", retention=(
    RetentionKind("toy_reports", "toy reports", default_days=12, parts=(
        RetentionPart(table="items", age_column="created_at", content_types=frozenset({"toy_report"}),
                      subjects=(("item", "ref"),)),)),))


def _registry(*extra: FrontManifest) -> FrontRegistry:
    return FrontRegistry([*default_fronts().fronts(), *extra])


def test_a_front_s_declared_kind_joins_the_rules_with_its_default() -> None:
    reg = _registry(TOY)
    assert "toy_reports" in rules.kind_names(reg) and "toy_reports" not in rules.kind_names()
    assert rules.check_kind("toy_reports", reg) == "toy_reports"
    with pytest.raises(InvalidInput):
        rules.check_kind("toy_reports")
    [toy] = parts.parts_by_kind(reg)["toy_reports"]
    assert toy.spec.content_types == {"toy_report"}
    [platform_items] = parts.parts_by_kind(reg)["items"]
    assert "toy_report" in platform_items.unclaimed_items and "person" in platform_items.unclaimed_items


def test_the_built_in_fronts_declare_frames_tracks_and_customers() -> None:
    by_kind = parts.parts_by_kind()
    assert [p.spec.table for p in by_kind["drone_frames"]] == ["drone_frames"]
    assert by_kind["drone_frames"][0].spec.chain is not None and by_kind["drone_frames"][0].spec.bulk
    assert [p.spec.table for p in by_kind["customers"]] == ["finance_customers", "items"]
    assert [p.spec.table for p in parts.data_subject_parts("customer")] == ["finance_customers", "items"]


def test_a_kind_declared_twice_is_refused() -> None:
    with pytest.raises(ConfigurationError, match="toy_reports"):
        _registry(TOY, FrontManifest(name="toy2", description="x", retention=TOY.retention))

"""Loading the indicator configuration (categories, sources, seasons, rules) with the order."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from indicators.loader import validate_indicator_config
from indicators.models import (
    IndicatorSeason,
    IndicatorSource,
    ProgrammeCategory,
    ValidationRule,
)
from roadmap.plans.loader import DEFAULT_PLAN_FILE, PlanDataError, plan_load, read_yaml


@pytest.fixture(scope="module")
def data() -> dict[str, Any]:
    return read_yaml(DEFAULT_PLAN_FILE)


def test_it_loads_the_sources_of_the_order(order_plan: Any) -> None:
    sources = {
        s.indicator.code: (
            s.kind,
            s.event_field,
            sorted(a.number for a in s.activities.all()),
            sorted(c.key for c in s.categories.all()),
            s.scope,
        )
        for s in IndicatorSource.objects.filter(indicator__indicator_set__plan=order_plan)
    }
    assert sources["6"] == ("event_reports", "participants_total", [14, 16, 17], [], "copp_and_colleges")
    assert sources["7"] == ("event_reports", "participants_pupils_6_11", [14, 16, 17], [], "copp_and_colleges")
    assert sources["8"] == ("partner_agreements", "", [], [], "copp")
    assert sources["4"][0] == "sum_of"
    assert sources["4.6"] == ("programmes", "", [], ["employment-promotion", "other"], "copp")
    assert sources["5.7"] == ("cohorts", "", [], ["employment-promotion"], "copp")
    assert sources["5.8"] == ("cohorts", "", [], ["other"], "copp")
    rows = {s.indicator.code: s.row_codes for s in IndicatorSource.objects.filter(kind="sum_of")}
    assert rows == {"2": ["3", "5", "6"], "4": [f"4.{i}" for i in range(1, 8)], "5": [f"5.{i}" for i in range(1, 9)]}
    assert len(sources) == 4 + 8 + 9
    assert ProgrammeCategory.objects.filter(indicator_set__plan=order_plan).count() == 8
    assert IndicatorSeason.objects.get(indicator__code="7").monthly_weights[8:11] == [18, 18, 18]


def test_it_keeps_administrators_changes_on_reload(order_plan: Any) -> None:
    rule = ValidationRule.objects.get(key="subset-7")
    rule.importance = "low"
    rule.save()
    IndicatorSource.objects.get(indicator__code="6").activities.clear()
    result = plan_load()
    assert not result.counts["validation rule:created"]
    assert result.counts["validation rule:unchanged"] == 5
    assert ValidationRule.objects.get(key="subset-7").importance == "low"
    assert not IndicatorSource.objects.get(indicator__code="6").activities.exists()


def test_it_recreates_a_deleted_rule_on_reload(order_plan: Any) -> None:
    ValidationRule.objects.filter(key="total-4").delete()
    plan_load()
    assert ValidationRule.objects.filter(key="total-4").exists()


def test_the_order_file_has_a_valid_configuration(data: dict[str, Any]) -> None:
    assert validate_indicator_config(data) == []


@pytest.mark.parametrize(
    ("block", "item", "message"),
    [
        ("rules", {"key": "x", "name": "x", "left": "4", "operator": "<", "right": "4.1"}, "operator must be one of"),
        (
            "rules",
            {"key": "x", "name": "x", "left": "4", "operator": "=", "right": "4.9"},
            "unknown indicator code '4.9'",
        ),
        ("rules", {"key": "x", "name": "x", "left": "1", "operator": "=", "right": "4"}, "'1' is a yes/no indicator"),
        (
            "rules",
            {"key": "x", "name": "x", "left": "4", "operator": "=", "right": "4.1", "missing": "zero"},
            "missing must be",
        ),
        ("rules", {"key": "total-4", "name": "x", "left": "4", "operator": "=", "right": "4.1"}, "duplicate rule key"),
        (
            "sources",
            {"indicator": "6", "kind": "event_reports", "activities": [14], "field": "x"},
            "field must be one of",
        ),
        (
            "sources",
            {"indicator": "3", "kind": "event_reports", "activities": [99], "field": "participants_total"},
            "unknown activity number '99'",
        ),
        ("sources", {"indicator": "3", "kind": "cohorts", "categories": ["nope"]}, "unknown programme category 'nope'"),
        ("sources", {"indicator": "1", "kind": "programmes"}, "only number indicators"),
        ("sources", {"indicator": "3", "kind": "magic"}, "kind must be one of"),
        ("seasons", {"indicators": ["3"], "monthly_weights": [1, 2, 3]}, "12 non-negative numbers"),
        ("seasons", {"indicators": ["99"], "monthly_weights": [1] * 12}, "unknown indicator code '99'"),
    ],
)
def test_it_names_each_problem_of_the_configuration(
    data: dict[str, Any], block: str, item: dict[str, Any], message: str
) -> None:
    broken = copy.deepcopy(data)
    if block == "sources" and item["indicator"] == "6":
        broken["sources"] = [s for s in broken["sources"] if s["indicator"] != "6"]
    broken[block].append(item)
    errors = validate_indicator_config(broken)
    assert any(message in e for e in errors), errors


@pytest.mark.django_db
def test_it_refuses_a_file_with_a_broken_rule_and_loads_nothing(tmp_path: Any, data: dict[str, Any]) -> None:
    import yaml

    broken = copy.deepcopy(data)
    broken["rules"][0]["right"] = "4.1 + 4.99"
    path = tmp_path / "plan.yaml"
    path.write_text(yaml.safe_dump(broken, allow_unicode=True), encoding="utf-8")
    with pytest.raises(PlanDataError, match=r"4\.99"):
        plan_load(path=path)
    assert not ValidationRule.objects.exists()

"""Validation rules: the order's rules against its plan, every operator, every missing-value choice."""

from __future__ import annotations

from typing import Any

import pytest

from indicators.models import Indicator, IndicatorSet, Target, ValidationRule
from indicators.selectors import broken_rules
from indicators.tests.factories import approved_actual
from roadmap.tests.factories import OrganizationFactory, PlanFactory

pytestmark = pytest.mark.django_db


def test_it_loads_the_orders_rules(order_plan: Any) -> None:
    rules = {r.key: r.expression for r in ValidationRule.objects.filter(indicator_set__plan=order_plan)}
    assert rules == {
        "total-4": "4 = 4.1 + 4.2 + 4.3 + 4.4 + 4.5 + 4.6 + 4.7",
        "total-5": "5 = 5.1 + 5.2 + 5.3 + 5.4 + 5.5 + 5.6 + 5.7 + 5.8",
        "total-2": "2 = 3 + 5 + 6",
        "subset-3-1": "3.1 <= 3",
        "subset-7": "7 <= 6",
    }


def test_it_reports_the_orders_own_plan_breaking_the_breakdown_of_4_in_2024(order_plan: Any) -> None:
    breaches = broken_rules(order_plan, years=order_plan.years, source="plan")
    assert [b.as_dict() | {"name": ""} for b in breaches] == [
        {
            "rule": "4 = 4.1 + 4.2 + 4.3 + 4.4 + 4.5 + 4.6 + 4.7",
            "year": 2024,
            "left": 73,
            "right": 75,
            "operator": "=",
            "key": "total-4",
            "name": "",
            "importance": "high",
        }
    ]


def test_it_finds_nothing_broken_in_the_plans_other_years(order_plan: Any) -> None:
    assert broken_rules(order_plan, years=[2023, 2025], source="plan") == []


def test_it_checks_actuals_including_derived_values(order_plan: Any) -> None:
    org = OrganizationFactory()
    by_code = {i.code: i for i in Indicator.objects.filter(indicator_set__plan=order_plan)}
    approved_actual(by_code["3"], org, 100)
    approved_actual(by_code["3.1"], org, 120)
    breaches = broken_rules(order_plan, years=[2024], source="actual")
    assert [(b.rule.key, b.left, b.right, b.operator) for b in breaches] == [("subset-3-1", 120, 100, "<=")]


# --- operators and missing values on a small plan ---------------------------------------------------


@pytest.fixture
def small_plan(db: Any) -> Any:
    plan = PlanFactory(first_year=2024, last_year=2024)
    indicator_set = IndicatorSet.objects.create(plan=plan, title="Показатели")
    for order, (code, target) in enumerate({"a": 10, "b": 4, "c": 6, "d": None}.items()):
        indicator = Indicator.objects.create(
            indicator_set=indicator_set, code=code, name=code, unit="человек", value_type="number", order=order
        )
        if target is not None:
            Target.objects.create(indicator=indicator, year=2024, value_number=target)
    return plan


def check(
    plan: Any, left: str, operator: str, right: str, missing: str = "skip_if_any_missing"
) -> list[tuple[Any, Any]]:
    ValidationRule.objects.all().delete()
    ValidationRule.objects.create(
        indicator_set=plan.indicator_set, key="r", name="r", left=left, operator=operator, right=right, missing=missing
    )
    return [(b.left, b.right) for b in broken_rules(plan, years=[2024], source="plan")]


@pytest.mark.parametrize(
    ("left", "operator", "right", "broken"),
    [
        ("a", "=", "b + c", []),
        ("a", "=", "b", [(10, 4)]),
        ("b", "<=", "a", []),
        ("b", "<=", "b", []),
        ("a", "<=", "b", [(10, 4)]),
        ("a", ">=", "b + c", []),
        ("b", ">=", "a", [(4, 10)]),
        ("b + c", ">=", "a + b", [(10, 14)]),
    ],
)
def test_it_applies_each_operator(small_plan: Any, left: str, operator: str, right: str, broken: list[Any]) -> None:
    assert check(small_plan, left, operator, right) == broken


@pytest.mark.parametrize(
    ("left", "right", "missing", "broken"),
    [
        # d has no value: skip when any value is missing
        ("a", "b + c + d", "skip_if_any_missing", []),
        ("d", "a", "skip_if_any_missing", []),
        # skip only when a whole side is missing; otherwise missing counts as 0
        ("a", "b + d", "skip_if_all_missing", [(10, 4)]),
        ("a", "b + c + d", "skip_if_all_missing", []),
        ("d", "a", "skip_if_all_missing", []),
        # never skip: missing is 0
        ("d", "a", "never_skip", [(0, 10)]),
        ("a", "b + d", "never_skip", [(10, 4)]),
    ],
)
def test_it_handles_missing_values_as_the_rule_says(
    small_plan: Any, left: str, right: str, missing: str, broken: list[Any]
) -> None:
    assert check(small_plan, left, "=", right, missing) == broken


def test_it_ignores_inactive_rules(small_plan: Any) -> None:
    check(small_plan, "a", "=", "b")
    ValidationRule.objects.update(is_active=False)
    assert broken_rules(small_plan, years=[2024], source="plan") == []

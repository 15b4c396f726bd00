from __future__ import annotations

from typing import Any

import pytest

from indicators.tasks import indicator_rules_check


@pytest.mark.django_db
def test_it_reports_the_plans_broken_rules(order_plan: Any, caplog: Any) -> None:
    breaches = indicator_rules_check.apply(args=[order_plan.pk, "plan"]).get()
    assert [(b["rule"].split(" ")[0], b["year"], b["left"], b["right"]) for b in breaches] == [("4", 2024, 73, 75)]
    assert "broken" in caplog.text
    assert indicator_rules_check.apply(args=[order_plan.pk]).get() == []
    assert indicator_rules_check.apply(args=[10**9]).get() == []

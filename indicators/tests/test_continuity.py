"""Continuity across plans: predecessors from the plan file, the old plan's actuals on the page and in the report."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
import yaml

from indicators.continuity import predecessor_facts
from indicators.models import Indicator
from indicators.tests.factories import approved_actual
from reports.builders.indicators import IndicatorsReport
from roadmap.models import Plan
from roadmap.plans.loader import PlanDataError, plan_load
from roadmap.tests.factories import OrganizationFactory

pytestmark = pytest.mark.django_db
OLD = "tula-2714-2022"
NOW = dt.datetime(2026, 12, 2, 12, tzinfo=dt.timezone(dt.timedelta(hours=3)))


def new_plan_data(items: list[dict[str, Any]], **indicators: Any) -> dict[str, Any]:
    return {
        "plan": {
            "key": "tula-next",
            "number": "1",
            "date": dt.date(2025, 12, 20),
            "issuer": "Министерство",
            "title": "Пример",
            "first_year": 2026,
            "last_year": 2028,
        },
        "organizations": [
            {
                "key": "copp",
                "kind": "copp",
                "short_name": "ЦОПП",
                "name": "ЦОПП",
                "municipality": "город Тула",
                "is_group": False,
            }
        ],
        "sections": [
            {
                "title": "Раздел",
                "activities": [
                    {
                        "number": 1,
                        "name": "Пробы",
                        "expected_result": "",
                        "evidence_document": "",
                        "deadline": "Постоянно",
                        "responsible": [{"org": "copp"}],
                    }
                ],
            }
        ],
        "indicators": {"title": "Показатели", "items": items, **indicators},
    }


def item(code: str, **extra: Any) -> dict[str, Any]:
    return {
        "code": code,
        "name": f"Показатель {code}",
        "unit": "человек",
        "value_type": "number",
        "targets": {2026: 100},
        **extra,
    }


def load(tmp_path: Path, data: dict[str, Any]) -> Any:
    path = tmp_path / "next.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return plan_load(path=path, now=NOW)


def test_the_plan_file_names_predecessors_in_both_forms(order_plan: Any, tmp_path: Path) -> None:
    load(
        tmp_path,
        new_plan_data(
            [item("1", predecessor={"plan": OLD, "code": "6"}), item("2", predecessor="7"), item("3")],
            predecessor_plan=OLD,
        ),
    )
    got = {i.code: i.predecessor for i in Indicator.objects.filter(indicator_set__plan__key="tula-next")}
    assert (got["1"].code, got["1"].indicator_set.plan.key) == ("6", OLD)
    assert (got["2"].code, got["2"].indicator_set.plan.key) == ("7", OLD)
    assert got["3"] is None


@pytest.mark.parametrize(
    ("extra", "indicators", "message"),
    [
        ({"predecessor": {"plan": OLD, "code": "99"}}, {}, "plan 'tula-2714-2022' has no indicator '99'"),
        ({"predecessor": {"plan": "nope", "code": "6"}}, {}, "plan 'nope' has no indicator '6'"),
        ({"predecessor": "6"}, {}, "name the old plan"),
        ({"predecessor": {"plan": "tula-next", "code": "1"}}, {}, "must be in another plan"),
    ],
)
def test_a_bad_predecessor_is_refused_by_name_and_nothing_loads(
    order_plan: Any, tmp_path: Path, extra: dict, indicators: dict, message: str
) -> None:
    with pytest.raises(PlanDataError) as exc:
        load(tmp_path, new_plan_data([item("1", **extra)], **indicators))
    assert any("indicators.items[0] (code 1).predecessor" in e and message in e for e in exc.value.errors)
    assert not Plan.objects.filter(key="tula-next").exists()


def test_the_old_plans_actuals_are_given_per_year(order_plan: Any, tmp_path: Path) -> None:
    approved_actual(
        Indicator.objects.get(indicator_set__plan=order_plan, code="6"), OrganizationFactory(), 6100, year=2025
    )
    load(tmp_path, new_plan_data([item("1", predecessor={"plan": OLD, "code": "6"}), item("2")]))
    new = list(Indicator.objects.filter(indicator_set__plan__key="tula-next"))
    facts = predecessor_facts(new, now=NOW)
    one = next(i for i in new if i.code == "1")
    assert set(facts) == {one.pk}
    assert facts[one.pk].actuals[2025] == 6100
    assert facts[one.pk].last == (2025, 6100)
    assert "2025: 6100" in facts[one.pk].text()


def test_the_page_and_the_report_show_the_previous_plans_actuals(
    order_plan: Any, tmp_path: Path, client: Any, make_user: Any
) -> None:
    approved_actual(
        Indicator.objects.get(indicator_set__plan=order_plan, code="6"), OrganizationFactory(), 6100, year=2025
    )
    load(tmp_path, new_plan_data([item("1", predecessor={"plan": OLD, "code": "6"}), item("2")]))
    new_plan = Plan.objects.get(key="tula-next")
    one = Indicator.objects.get(indicator_set__plan=new_plan, code="1")
    client.force_login(make_user("ministry"))
    page = client.get(f"/indicators/{one.pk}/").content.decode()
    assert "Факт предыдущего плана" in page and "6\u00a0100" in page
    report = IndicatorsReport(plan=new_plan, year=2026, now=NOW)
    headers = [c.header for c in report.layout().columns]
    assert headers[3] == "Факт предыдущего плана"
    rows = {r.values[0]: r.values for r in report.rows() if r.values and r.values[0] in ("1", "2")}
    assert "2025: 6100" in rows["1"][3] and rows["2"][3] == ""
    # A plan without predecessors keeps its layout.
    assert "Факт предыдущего плана" not in [
        c.header for c in IndicatorsReport(plan=order_plan, year=2025, now=NOW).layout().columns
    ]

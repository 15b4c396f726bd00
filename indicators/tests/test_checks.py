"""Broken rules read as sentences: one per year and source, sorted; everywhere the same."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from indicators.checks import breach_sentence, checks_from, plan_breaches, target_breaches
from indicators.models import Indicator, Target, ValidationRule
from indicators.selectors import RuleBreach
from indicators.tests.factories import approved_actual
from roadmap.models import Organization
from roadmap.plans.loader import plan_load
from roadmap.tests.factories import OrganizationFactory

pytestmark = pytest.mark.django_db


def plain(text: str) -> str:
    return text.replace("\u00a0", " ")


def test_it_says_a_broken_equality_as_the_issue_asks(order_plan: Any) -> None:
    rule = ValidationRule.objects.get(key="total-2")
    text = breach_sentence(year=2025, source="actual", rule=rule, left=10706, right=18242)
    assert plain(text) == "2025, факт: строка 2 = 10 706, а 3 + 5 + 6 = 18 242 (разница 7 536)"


def test_it_says_a_broken_inequality_with_the_rule(order_plan: Any) -> None:
    rule = ValidationRule.objects.get(key="subset-7")
    text = plain(breach_sentence(year=2024, source="plan", rule=rule, left=6000, right=5000))
    assert text == "2024, план: строка 7 = 6 000 больше, чем 6 = 5 000 (на 1 000); по правилу 7 ≤ 6"


def test_the_order_itself_breaks_row_4_in_the_2024_plan_and_it_is_still_shown(order_plan: Any) -> None:
    checks = plan_breaches(order_plan, sources=["plan"])
    assert [plain(c.sentence) for c in checks] == [
        "2024, план: строка 4 = 73, а 4.1 + 4.2 + 4.3 + 4.4 + 4.5 + 4.6 + 4.7 = 75 (разница 2)"
    ]
    assert plan_load().warnings == [c.sentence for c in checks]


def test_lines_are_sorted_by_year_then_plan_before_fact_without_duplicates(order_plan: Any) -> None:
    copp = OrganizationFactory(kind=Organization.Kind.COPP)
    three = Indicator.objects.get(code="3")
    three_one = Indicator.objects.get(code="3.1")
    for year in (2025, 2023, 2024):
        approved_actual(three, copp, 10, year=year)
        approved_actual(three_one, copp, 20, year=year)
    checks = plan_breaches(order_plan)
    keys = [(c.year, c.source, c.rule.key) for c in checks]
    assert keys == [
        (2023, "actual", "subset-3-1"),
        (2024, "plan", "total-4"),
        (2024, "actual", "subset-3-1"),
        (2025, "actual", "subset-3-1"),
    ]
    assert len(set(keys)) == len(keys)
    twice = checks_from(
        [("actual", RuleBreach(rule=c.rule, year=c.year, left=c.left, right=c.right)) for c in checks[:1]] * 2
    )
    assert len(twice) == 1
    assert [c.year for c in plan_breaches(order_plan, codes=["4.3"])] == [2024]
    assert plan_breaches(order_plan, codes=["8"]) == []


def test_a_target_edit_that_would_break_a_rule_is_named_before_saving(order_plan: Any) -> None:
    four_one = Indicator.objects.get(code="4.1")
    (check,) = target_breaches(indicator=four_one, year=2023, value_number=99)
    assert plain(check.sentence).startswith("2023, план: строка 4 = 72, а 4.1 + ")
    assert (
        target_breaches(
            indicator=four_one, year=2023, value_number=Target.objects.get(indicator=four_one, year=2023).value
        )
        == []
    )


def test_the_admin_asks_to_confirm_a_breach_and_keeps_the_reason(order_plan: Any, client: Any, make_user: Any) -> None:
    admin = make_user("admin")
    client.force_login(admin)
    target = Target.objects.get(indicator__code="4.1", year=2023)
    before = target.value
    url = reverse("admin:indicators_target_change", args=[target.pk])
    body = {"value_number": str(before + 5), "value_bool": "unknown", "reason": "письмо министерства"}
    page = client.post(url, body)
    assert page.status_code == 200
    assert "2023, план: строка 4 = 72" in plain(page.content.decode())
    target.refresh_from_db()
    assert target.value == before
    assert client.post(url, {**body, "reason": ""} | {"confirm_breaches": "on"}).status_code == 200, (
        "a reason is still needed"
    )
    assert client.post(url, body | {"confirm_breaches": "on"}).status_code == 302
    target.refresh_from_db()
    assert (target.value, target.history.first().history_change_reason) == (before + 5, "письмо министерства")
    # a new target needs a reason too
    Target.objects.filter(indicator__code="3", year=2025).delete()
    add = reverse("admin:indicators_target_add")
    three = Indicator.objects.get(code="3")
    body = {"indicator": three.pk, "year": "2025", "value_number": "570", "value_bool": "unknown"}
    assert client.post(add, body).status_code == 200
    assert client.post(add, body | {"reason": "восстановлено по приказу"}).status_code == 302
    assert (
        Target.objects.get(indicator=three, year=2025).history.first().history_change_reason
        == "восстановлено по приказу"
    )


def test_the_pages_show_the_sentences(order_plan: Any, client: Any, make_user: Any) -> None:
    client.force_login(make_user("ministry"))
    sentence = "2024, план: строка 4 = 73, а 4.1 + 4.2 + 4.3 + 4.4 + 4.5 + 4.6 + 4.7 = 75 (разница 2)"
    four = Indicator.objects.get(code="4")
    page = plain(client.get(f"/indicators/{four.pk}/?year=2024").content.decode())
    assert sentence in page
    assert "Как считается" in page
    listing = plain(client.get("/indicators/?year=2024").content.decode())
    assert "проверки: 1 ✗" in listing
    assert sentence in listing  # the badge's title
    assert "проверки:" not in plain(client.get("/indicators/?year=2023").content.decode())
    from copp.web import PlanYear
    from reports.dashboard.snapshot import Dashboard

    dash = Dashboard(py=PlanYear(plan=order_plan, year=2024), now=None)
    assert [plain(c.sentence) for c in dash.checks] == [sentence]


def test_the_consistency_api_gives_the_sentence(order_plan: Any, api_client: Any, make_user: Any) -> None:
    api_client.force_login(make_user("ministry"))
    (row,) = api_client.get("/api/v1/consistency/?source=plan").json()
    assert plain(row["sentence"]).startswith("2024, план: строка 4 = 73")


def test_an_edit_of_an_approved_value_that_would_break_a_rule_is_named_and_confirmed(
    order_plan: Any, client: Any, make_user: Any
) -> None:
    from django.utils import timezone

    from indicators import services

    copp = OrganizationFactory(kind=Organization.Kind.COPP)
    approved_actual(Indicator.objects.get(code="3"), copp, 20)
    actual = approved_actual(Indicator.objects.get(code="3.1"), copp, 10)
    services.actual_reopen(actual=actual, user=make_user("ministry"), now=timezone.now(), reason="уточнить")
    actual.refresh_from_db()
    client.force_login(make_user("copp", organization=copp))
    url = reverse("actual_detail", args=[actual.pk])
    body = {"value": "30", "evidence": "", "reason": "пересчёт", "version": actual.version}
    page = plain(client.post(url, body).content.decode())
    assert "2024, факт: строка 3.1 = 30 больше, чем 3 = 20 (на 10); по правилу 3.1 ≤ 3" in page
    actual.refresh_from_db()
    assert actual.value == 10
    assert client.post(url, body | {"value": "15"}).status_code == 302, "no breach: saved"
    actual.refresh_from_db()
    assert client.post(url, body | {"version": actual.version, "confirm_breaches": "on"}).status_code == 302
    actual.refresh_from_db()
    assert actual.value == 30
    assert actual.changes.last().reason == "пересчёт"


@pytest.fixture
def reopened_3_1(order_plan: Any, make_user: Any) -> Any:
    """Row 3 approved at 20 and row 3.1 approved at 10, then reopened for an edit (rule 3.1 ≤ 3)."""
    from django.utils import timezone

    from indicators import services

    copp = OrganizationFactory(kind=Organization.Kind.COPP, key="copp-x")
    approved_actual(Indicator.objects.get(code="3"), copp, 20)
    actual = approved_actual(Indicator.objects.get(code="3.1"), copp, 10)
    services.actual_reopen(actual=actual, user=make_user("ministry"), now=timezone.now(), reason="уточнить")
    actual.refresh_from_db()
    return actual


def test_the_api_refuses_a_breaking_edit_of_an_approved_value_on_value_until_confirmed(
    reopened_3_1: Any, api_client: Any, make_user: Any
) -> None:
    actual = reopened_3_1
    api_client.force_authenticate(make_user("copp", organization=actual.organization))
    url = f"/api/v1/actuals/{actual.pk}/"
    body = {"value": 30, "version": actual.version, "reason": "пересчёт"}
    response = api_client.patch(url, body, format="json")
    assert response.status_code == 400
    assert "2024, факт: строка 3.1 = 30 больше, чем 3 = 20" in plain(" ".join(response.json()["value"]))
    actual.refresh_from_db()
    assert actual.value == 10
    confirmed = api_client.patch(url, body | {"confirm_breaches": True}, format="json")
    assert confirmed.status_code == 200, confirmed.json()
    actual.refresh_from_db()
    assert actual.value == 30 and actual.changes.last().reason == "пересчёт"


def test_an_import_refuses_a_breaking_edit_of_an_approved_value_by_row_and_loses_nothing(
    reopened_3_1: Any, make_user: Any
) -> None:
    from django.utils import timezone

    from reports.services import import_confirm, import_dry_run
    from reports.tests.conftest import xlsx_bytes

    actual = reopened_3_1
    user = make_user("copp", organization=actual.organization)
    header = ["Код показателя", "Год", "Период", "Организация", "Значение", "Причина изменения"]
    rows = [header, ["3.1", 2024, None, actual.organization.key, 30, "пересчёт"]]
    preview = import_dry_run(user=user, kind="actuals", file=xlsx_bytes(rows))
    assert [(e.row, e.column) for e in preview.errors] == [(2, "Значение")]
    assert "строка 3.1 = 30 больше, чем 3 = 20" in plain(preview.errors[0].message)
    assert "на странице значения" in preview.errors[0].message
    rows[1][4] = 15  # within the rule: taken
    preview = import_dry_run(user=user, kind="actuals", file=xlsx_bytes(rows))
    assert preview.is_clean, [e.message for e in preview.errors]
    actual.refresh_from_db()
    assert actual.value == 10  # the refused file changed nothing, nor does a preview
    import_confirm(user=user, job=preview.job, now=timezone.now())
    actual.refresh_from_db()
    assert actual.value == 15

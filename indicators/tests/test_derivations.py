"""Totals keep the order's arithmetic by construction; scope and «не распределено»."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from copp.demo import DemoGenerator, ScaleSpec
from indicators import services
from indicators.derivations import derivation, unassigned_records
from indicators.loader import validate_indicator_config
from indicators.models import Actual, Indicator, IndicatorSource, ProgrammeCategory
from indicators.selectors import indicator_figures, scope_organization_ids
from indicators.tests.factories import (
    NOW,
    EducationalProgrammeFactory,
    ProgrammeCohortFactory,
    accepted_report,
    approved_actual,
)
from roadmap.models import Activity, Organization
from roadmap.plans.loader import DEFAULT_PLAN_FILE, read_yaml
from roadmap.tests.factories import OrganizationFactory

pytestmark = pytest.mark.django_db

TINY = ScaleSpec(regions=1, colleges=6, schools=30, employers=15, events=300, ministry_staff=2)
AFTER_PLAN = dt.datetime(2026, 3, 1, 12, tzinfo=dt.UTC)


def _n(value: Any) -> int:
    return value or 0


def _assert_identities(plan: Any, figures: dict[tuple[str, int], Any], year: int) -> None:
    fact = {code: figures[(code, year)].actual for code, y in figures if y == year}
    assert _n(fact["4"]) == sum(_n(fact[f"4.{i}"]) for i in range(1, 8)), year
    assert _n(fact["5"]) == sum(_n(fact[f"5.{i}"]) for i in range(1, 9)), year
    assert _n(fact["2"]) == _n(fact["3"]) + _n(fact["5"]) + _n(fact["6"]), year


def test_the_contract_identities_hold_on_generated_demo_data_in_every_year(
    order_plan: Any, api_client: Any, make_user: Any
) -> None:
    DemoGenerator(TINY, seed=11, now=AFTER_PLAN).run()
    # a value typed for a total before it became derived, and approved: it must not count
    copp = Organization.objects.filter(kind=Organization.Kind.COPP).first()
    for code in ("2", "4", "5"):
        Actual.objects.update_or_create(
            indicator=Indicator.objects.get(code=code),
            year=2024,
            period="q1",
            organization=copp,
            defaults={"value_number": 999_999, "status": "approved", "created_at": NOW, "updated_at": NOW},
        )
    figures = indicator_figures(order_plan, years=order_plan.years, now=AFTER_PLAN)
    for year in order_plan.years:
        _assert_identities(order_plan, figures, year)
        assert figures[("4", year)].actual, "the demo has programmes every year"
        assert figures[("4", year)].manual is None
    # the API answers the same figures, one indicator at a time, and says how they are derived
    api_client.force_login(make_user("ministry"))
    for year in order_plan.years:
        got = {
            code: api_client.get(f"/api/v1/indicators/{code}/progress/?year={year}").json()
            for code in ["2", "3", "5", "6", "4", *[f"4.{i}" for i in range(1, 8)], *[f"5.{i}" for i in range(1, 9)]]
        }
        assert _n(got["4"]["actual"]) == sum(_n(got[f"4.{i}"]["actual"]) for i in range(1, 8))
        assert _n(got["5"]["actual"]) == sum(_n(got[f"5.{i}"]["actual"]) for i in range(1, 9))
        assert _n(got["2"]["actual"]) == _n(got["3"]["actual"]) + _n(got["5"]["actual"]) + _n(got["6"]["actual"])
        assert got["4"]["actual"] == figures[("4", year)].actual
    how = got["2"]["derivation"]
    assert (how["kind"], how["rows"], how["scope"], how["unassigned"]) == ("sum_of", ["3", "5", "6"], "mixed", 0)
    assert {s["row"] for s in how["sources"]} == {"3", *[f"5.{i}" for i in range(1, 9)], "6"}
    assert got["4"]["derivation"]["scope"] == "copp"
    assert got["6"]["derivation"]["scope"] == "copp_and_colleges"
    assert got["6"]["derivation"]["sources"][0]["activities"] == [14, 16, 17]
    assert "deduplicated_share" in got["6"]["derivation"]
    # the demo types no values for the derived totals
    assert (
        not Actual.objects.filter(indicator__code__in=["2", "4", "5"]).exclude(organization=copp, period="q1").exists()
    )


def test_a_total_is_the_sum_of_its_rows_whatever_is_typed(order_plan: Any, category: Any = None) -> None:
    other = ProgrammeCategory.objects.get(key="other")
    copp = OrganizationFactory(kind=Organization.Kind.COPP)
    EducationalProgrammeFactory(category=other, developer=copp)
    approved_actual(Indicator.objects.get(code="4.1"), copp, 5)
    approved_actual(Indicator.objects.get(code="3"), copp, 7)
    approved_actual(Indicator.objects.get(code="2"), copp, 1000)  # written around the service: ignored
    figures = indicator_figures(order_plan, years=[2024])
    assert figures[("4", 2024)].actual == 6
    assert (figures[("4", 2024)].derived, figures[("4", 2024)].manual) == (6, None)
    assert figures[("2", 2024)].actual == 7  # 3 + 5 + 6 = 7 + nothing + nothing
    assert figures[("5", 2024)].actual is None
    assert indicator_figures(order_plan, years=[2024], codes=["2"])[("2", 2024)].actual == 7


def test_it_refuses_a_typed_value_for_a_derived_total(order_plan: Any, make_user: Any, api_client: Any) -> None:
    copp = OrganizationFactory(kind=Organization.Kind.COPP)
    user = make_user("copp", organization=copp)
    four = Indicator.objects.select_related("indicator_set__plan").get(code="4")
    with pytest.raises(services.InvalidInput) as refused:
        services.actual_create(indicator=four, year=2024, organization=copp, value=73, user=user, now=NOW)
    assert refused.value.field == "indicator"
    assert "4.1, 4.2" in refused.value.message
    api_client.force_login(user)
    response = api_client.post(
        "/api/v1/actuals/", {"indicator": "2", "year": 2024, "organization": copp.pk, "value": 5}, format="json"
    )
    assert response.status_code == 400, response.content
    assert "indicator" in response.json()
    assert not Actual.objects.exists()
    # a row is typed as before
    services.actual_create(
        indicator=Indicator.objects.get(code="3"), year=2024, organization=copp, value=5, user=user, now=NOW
    )


def test_a_record_that_fits_no_row_is_shown_unassigned_and_never_added_to_the_total(
    order_plan: Any, client: Any, make_user: Any
) -> None:
    new = ProgrammeCategory.objects.create(
        indicator_set=order_plan.indicator_set, key="new", name="Новая категория", order=99
    )
    copp = OrganizationFactory(kind=Organization.Kind.COPP)
    stray = EducationalProgrammeFactory(category=new, developer=copp, name="Программа без строки")
    EducationalProgrammeFactory(category=ProgrammeCategory.objects.get(key="industry"), developer=copp)
    ProgrammeCohortFactory(programme=stray, completed=9)
    EducationalProgrammeFactory(category=new, developer=OrganizationFactory())  # a college's: outside the scope
    four = Indicator.objects.get(code="4")
    figures = indicator_figures(order_plan, years=[2024])
    assert figures[("4", 2024)].actual == 1
    assert figures[("5", 2024)].actual is None
    assert list(unassigned_records(four, 2024)["programmes"]) == [stray]
    assert unassigned_records(four, 2023)["programmes"].count() == 0
    assert derivation(four, 2024)["unassigned"] == 1
    assert derivation(Indicator.objects.get(code="5"), 2024)["unassigned"] == 1
    assert derivation(Indicator.objects.get(code="2"), 2024)["unassigned"] == 1
    assert unassigned_records(Indicator.objects.get(code="4.1"), 2024) == {}
    client.force_login(make_user("ministry"))
    page = client.get(f"/indicators/{four.pk}/?year=2024").content.decode()
    assert "Не распределено (2024): 1" in page
    assert f"/api/v1/programmes/{stray.pk}/" in page
    assert "Программа без строки" in page
    from indicators.checks import unassigned_checks

    four_line, five_line = unassigned_checks(order_plan, years=[2024])  # 2 = 3 + 5 + 6 is not repeated
    assert four_line.sentence.startswith("2024, факт:") and ": 1 — они не входят в строку 4" in four_line.sentence
    assert five_line.sentence.endswith("строку 5")


def test_each_category_of_the_order_maps_to_exactly_one_row_of_4_and_of_5(order_plan: Any) -> None:
    categories = set(ProgrammeCategory.objects.filter(indicator_set__plan=order_plan).values_list("key", flat=True))
    for total in ("4", "5"):
        rows = IndicatorSource.objects.get(indicator__code=total).row_codes
        taken = [
            key
            for source in IndicatorSource.objects.filter(indicator__code__in=rows)
            for key in source.categories.values_list("key", flat=True)
        ]
        assert sorted(taken) == sorted(categories), total


def test_whose_records_count_follows_the_scope(order_plan: Any) -> None:
    copp = OrganizationFactory(kind=Organization.Kind.COPP)
    college, school = OrganizationFactory(), OrganizationFactory(kind=Organization.Kind.SCHOOL)
    industry = ProgrammeCategory.objects.get(key="industry")
    EducationalProgrammeFactory(category=industry, developer=copp)
    EducationalProgrammeFactory(category=industry, developer=college)
    probes = Activity.objects.get(plan=order_plan, number=17)
    for organizer in (copp, college, school):
        accepted_report(probes, organizer, total=10)
    figures = indicator_figures(order_plan, years=[2024])
    assert figures[("4.4", 2024)].actual == 1  # «разработанных ЦОПП»
    assert figures[("6", 2024)].actual == 20  # ЦОПП and the colleges, not the school's own event
    assert scope_organization_ids("copp") == set(Organization.objects.filter(kind="copp").values_list("pk", flat=True))
    assert copp.pk in scope_organization_ids("copp") and college.pk not in scope_organization_ids("copp")
    assert scope_organization_ids("copp_and_colleges") >= {copp.pk, college.pk}
    assert school.pk not in scope_organization_ids("copp_and_colleges")
    assert scope_organization_ids("everyone") is None
    IndicatorSource.objects.filter(indicator__code="4.4").update(scope="copp_and_colleges")
    IndicatorSource.objects.filter(indicator__code="6").update(scope="everyone")
    figures = indicator_figures(order_plan, years=[2024])
    assert (figures[("4.4", 2024)].actual, figures[("4", 2024)].actual, figures[("6", 2024)].actual) == (2, 2, 30)


def test_the_plan_file_refuses_a_bad_sum() -> None:
    data = read_yaml(DEFAULT_PLAN_FILE)
    sources = data["sources"]
    sources[0] = {"indicator": "2", "kind": "sum_of", "rows": ["3", "99", "1"], "scope": "copp"}
    sources.append({"indicator": "3", "kind": "sum_of", "rows": ["2"]})
    sources.append({"indicator": "3.1", "kind": "programmes", "rows": ["3"], "scope": "nobody"})
    errors = "\n".join(validate_indicator_config(data))
    assert "unknown row '99'" in errors
    assert "row '1' is a yes/no indicator" in errors
    assert "a sum takes the scope of its rows" in errors
    assert "its rows add up to itself" in errors
    assert "only kind sum_of takes 'rows'" in errors
    assert "scope must be one of" in errors


def test_the_admin_refuses_a_sum_that_names_unknown_rows(order_plan: Any) -> None:
    from django.core.exceptions import ValidationError

    source = IndicatorSource.objects.get(indicator__code="4")
    source.rows = "4.1 + 4.9"
    with pytest.raises(ValidationError, match=r"4\.9"):
        source.full_clean()
    source.rows = "4 + 4.1"
    with pytest.raises(ValidationError):
        source.full_clean()

"""The figures selector: adding up, derivation from each registry, as_of, progress and status."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from indicators import services
from indicators.models import Actual, ActualChange, Indicator, IndicatorSource, ProgrammeCategory
from indicators.selectors import (
    FigureStatus,
    expected_share,
    figure_status,
    indicator_figures,
    indicator_records,
)
from indicators.tests.factories import (
    NOW,
    EducationalProgrammeFactory,
    PartnerAgreementFactory,
    PartnerFactory,
    ProgrammeCohortFactory,
    accepted_report,
    approved_actual,
)
from roadmap.models import Activity, Organization
from roadmap.tests.factories import OrganizationFactory

MSK = dt.timezone(dt.timedelta(hours=3))
pytestmark = pytest.mark.django_db


@pytest.fixture
def ind(order_plan: Any) -> Any:
    by_code = {i.code: i for i in Indicator.objects.filter(indicator_set__plan=order_plan)}
    return by_code.__getitem__


@pytest.fixture
def activity(order_plan: Any) -> Any:
    by_number = {a.number: a for a in Activity.objects.filter(plan=order_plan)}
    return by_number.__getitem__


@pytest.fixture
def category(order_plan: Any) -> Any:
    by_key = {c.key: c for c in ProgrammeCategory.objects.filter(indicator_set__plan=order_plan)}
    return by_key.__getitem__


def figure(plan: Any, code: str, year: int = 2024, **kwargs: Any) -> Any:
    return indicator_figures(plan, years=[year], **kwargs)[(code, year)]


# --- adding up manual values -------------------------------------------------------------


def test_it_sums_a_flow_over_organisations_counting_only_approved_values(order_plan: Any, ind: Any) -> None:
    a, b, c = OrganizationFactory(), OrganizationFactory(), OrganizationFactory()
    approved_actual(ind("3"), a, 100)
    approved_actual(ind("3"), b, 50)
    Actual.objects.create(
        indicator=ind("3"),
        year=2024,
        organization=c,
        value_number=999,
        status="submitted",
        created_at=NOW,
        updated_at=NOW,
    )
    result = figure(order_plan, "3")
    assert (result.actual, result.manual, result.derived) == (150, 150, None)
    assert result.target == 520
    assert result.deviation == 150 - 520
    assert result.percent == pytest.approx(28.8)


def test_it_takes_a_flows_whole_year_value_or_else_quarters_never_both(order_plan: Any, ind: Any) -> None:
    yearly, quarterly, monthly = OrganizationFactory(), OrganizationFactory(), OrganizationFactory()
    approved_actual(ind("3"), yearly, 100)
    approved_actual(ind("3"), yearly, 30, period="q1")
    approved_actual(ind("3"), quarterly, 10, period="q1")
    approved_actual(ind("3"), quarterly, 20, period="q2")
    approved_actual(ind("3"), quarterly, 7, period="m01")  # a month inside q1: not added again
    approved_actual(ind("3"), monthly, 3, period="m01")
    approved_actual(ind("3"), monthly, 4, period="m02")
    assert figure(order_plan, "3").actual == 100 + 30 + 7


def test_it_takes_a_stocks_latest_period_per_organisation(order_plan: Any, ind: Any) -> None:
    a, b = OrganizationFactory(), OrganizationFactory()
    approved_actual(ind("8"), a, 40, period="q1")
    approved_actual(ind("8"), a, 45, period="q2")
    approved_actual(ind("8"), a, 44, period="m05")
    approved_actual(ind("8"), b, 5)
    result = figure(order_plan, "8")
    assert (result.manual, result.actual) == (50, 50)


def test_it_rolls_up_yes_no_as_yes_when_any_organisation_says_yes(order_plan: Any, ind: Any) -> None:
    assert figure(order_plan, "1").actual is None
    assert figure(order_plan, "1").status == FigureStatus.NO_DATA
    no, yes = OrganizationFactory(), OrganizationFactory()
    approved_actual(ind("1"), no, False)
    assert figure(order_plan, "1").actual is False
    assert figure(order_plan, "1").status == FigureStatus.NOT_ACHIEVED  # the year is looked at as finished
    assert figure(order_plan, "1", now=NOW).status == FigureStatus.BEHIND
    approved_actual(ind("1"), yes, True)
    assert figure(order_plan, "1").actual is True
    assert figure(order_plan, "1").status == FigureStatus.ACHIEVED


def test_it_gives_one_organisations_figures_without_a_target(order_plan: Any, ind: Any) -> None:
    a, b = OrganizationFactory(), OrganizationFactory()
    approved_actual(ind("3"), a, 100)
    approved_actual(ind("3"), b, 50)
    result = figure(order_plan, "3", organization=a)
    assert (result.actual, result.target, result.status, result.percent) == (100, None, None, None)


# --- derived from records ------------------------------------------------------------------


def test_it_derives_career_guidance_participants_from_accepted_event_reports(order_plan: Any, activity: Any) -> None:
    copp, college = OrganizationFactory(), OrganizationFactory()
    accepted_report(activity(14), copp, total=100, pupils=80)
    accepted_report(activity(16), college, total=50, pupils=None)
    accepted_report(activity(17), college, total=30, pupils=30)
    accepted_report(activity(15), copp, total=1000, pupils=1000)  # training, not career guidance
    accepted_report(activity(14), copp, total=1000, status="submitted")
    accepted_report(activity(14), copp, total=1000, status="returned")
    accepted_report(activity(14), copp, total=1000, cancelled=True)
    accepted_report(activity(14), copp, total=1000, start=dt.date(2023, 12, 31))
    six, seven = figure(order_plan, "6"), figure(order_plan, "7")
    assert (six.derived, six.actual) == (180, 180)
    assert seven.derived == 110
    assert figure(order_plan, "6", year=2023).derived == 1000
    assert figure(order_plan, "6", organization=college).derived == 80


def test_it_adds_approved_manual_values_to_the_derived_part(order_plan: Any, ind: Any, activity: Any) -> None:
    org = OrganizationFactory()
    accepted_report(activity(14), org, total=100)
    approved_actual(ind("6"), org, 25)
    result = figure(order_plan, "6")
    assert (result.derived, result.manual, result.actual) == (100, 25, 125)


def test_it_counts_partners_with_a_valid_agreement_at_year_end_once(order_plan: Any) -> None:
    IndicatorSource.objects.filter(indicator__code="8").update(scope="everyone")
    copp, college = OrganizationFactory(kind="copp"), OrganizationFactory()
    twice = PartnerFactory()
    PartnerAgreementFactory(partner=twice, organization=copp)
    PartnerAgreementFactory(partner=twice, organization=copp, valid_from=dt.date(2024, 2, 1))
    PartnerAgreementFactory(partner=twice, organization=college)
    PartnerAgreementFactory(organization=college, valid_to=dt.date(2024, 12, 31))  # valid on the last day
    PartnerAgreementFactory(organization=college, valid_to=dt.date(2024, 12, 30))  # expired a day before
    PartnerAgreementFactory(organization=college, valid_from=dt.date(2025, 1, 1))  # starts next year
    assert figure(order_plan, "8").derived == 2
    assert figure(order_plan, "8", year=2023).derived == 3  # both expiring ones still valid then
    assert figure(order_plan, "8", year=2025).derived == 2
    assert figure(order_plan, "8", organization=college).derived == 2
    # during the year a stock is counted on the day looked at
    assert figure(order_plan, "8", now=dt.datetime(2024, 12, 30, 23, 0, tzinfo=MSK)).derived == 3
    # the order's scope of row 8 is ЦОПП's own agreements: the colleges' do not count
    IndicatorSource.objects.filter(indicator__code="8").update(scope="copp")
    assert figure(order_plan, "8").derived == 1
    assert figure(order_plan, "8", organization=college).derived is None


def test_it_counts_programmes_by_category_and_all_of_them_in_the_total(order_plan: Any, category: Any) -> None:
    EducationalProgrammeFactory(category=category("spo-modules"))
    EducationalProgrammeFactory(category=category("spo-modules"))
    EducationalProgrammeFactory(category=category("other"))
    EducationalProgrammeFactory(category=category("employment-promotion"))
    EducationalProgrammeFactory(category=category("school-pupils"), approved_on=dt.date(2023, 12, 31))
    figures = indicator_figures(order_plan, years=[2023, 2024])
    assert figures[("4.1", 2024)].derived == 2
    assert figures[("4.6", 2024)].derived == 2  # «Содействие занятости» is one of 4.6's categories
    assert figures[("4.2", 2024)].derived is None
    assert figures[("4.2", 2023)].derived == 1
    assert figures[("4", 2024)].derived == 4  # the sum of 4.1–4.7


def test_it_counts_people_who_completed_programmes_by_category(order_plan: Any, category: Any) -> None:
    pupils = EducationalProgrammeFactory(category=category("school-pupils"))
    employment = EducationalProgrammeFactory(category=category("employment-promotion"))
    other = EducationalProgrammeFactory(category=category("other"))
    ProgrammeCohortFactory(programme=pupils, completed=25)
    ProgrammeCohortFactory(programme=pupils, completed=15)
    ProgrammeCohortFactory(programme=employment, completed=10)
    ProgrammeCohortFactory(programme=other, completed=5)
    ProgrammeCohortFactory(programme=other, completed=500, year=2025)
    figures = indicator_figures(order_plan, years=[2024])
    assert figures[("5.2", 2024)].derived == 40
    assert figures[("5.7", 2024)].derived == 10
    assert figures[("5.8", 2024)].derived == 5
    assert figures[("5", 2024)].derived == 55


def test_it_lists_the_records_behind_a_derived_figure(order_plan: Any, ind: Any, activity: Any) -> None:
    org = OrganizationFactory()
    report = accepted_report(activity(17), org, total=40)
    accepted_report(activity(15), org, total=40)
    approved_actual(ind("6"), org, 5)
    records = indicator_records(ind("6"), 2024)
    assert list(records["event_reports"]) == [report]
    assert [a.value for a in records["actuals"]] == [5]
    assert sum(r.participants_total for r in records["event_reports"]) + 5 == figure(order_plan, "6").actual


def test_it_uses_the_source_configured_in_the_admin(order_plan: Any, ind: Any, activity: Any) -> None:
    org = OrganizationFactory()
    accepted_report(activity(15), org, total=40)
    source = ind("6").source
    source.activities.add(activity(15))
    assert figure(order_plan, "6").derived == 40
    source.is_active = False
    source.save()
    assert figure(order_plan, "6").derived is None


# --- as of a past moment ----------------------------------------------------------------------


def test_it_rebuilds_values_as_they_were_approved_at_a_past_moment(order_plan: Any, ind: Any, make_user: Any) -> None:
    org = OrganizationFactory()
    coordinator = make_user("coordinator", organization=org)
    ministry = make_user("ministry")
    t = [dt.datetime(2024, 3, d, 12, tzinfo=dt.UTC) for d in range(1, 8)]
    actual = services.actual_create(
        indicator=ind("3"), year=2024, organization=org, value=100, user=coordinator, now=t[0]
    )
    services.actual_submit(actual=actual, user=coordinator, now=t[1])
    services.actual_approve(actual=actual, user=ministry, now=t[2])
    services.actual_reopen(actual=actual, user=ministry, now=t[3], reason="Ошибка в подсчёте")
    services.actual_update(
        actual=actual, value=120, version=actual.version, user=coordinator, now=t[4], reason="Исправлено"
    )
    services.actual_submit(actual=actual, user=coordinator, now=t[5])
    services.actual_approve(actual=actual, user=ministry, now=t[6])

    def as_of(moment: dt.datetime) -> Any:
        return figure(order_plan, "3", as_of=moment).actual

    assert as_of(t[2] - dt.timedelta(seconds=1)) is None
    assert as_of(t[2]) == 100
    assert as_of(t[3]) is None
    assert as_of(t[5]) is None
    assert as_of(t[6]) == 120
    assert figure(order_plan, "3").actual == 120
    assert ActualChange.objects.filter(actual=actual).count() == 7


def test_it_counts_records_only_once_accepted_or_registered_by_the_moment(order_plan: Any, activity: Any) -> None:
    org = OrganizationFactory()
    accepted_report(activity(14), org, total=10, accepted_at=dt.datetime(2024, 10, 5, tzinfo=dt.UTC))
    accepted_report(activity(14), org, total=20, accepted_at=dt.datetime(2024, 10, 9, tzinfo=dt.UTC))
    assert figure(order_plan, "6", as_of=dt.datetime(2024, 10, 7, tzinfo=dt.UTC)).derived == 10


# --- progress and status ------------------------------------------------------------------------


def test_it_expects_nothing_before_the_year_starts_in_moscow_and_everything_after() -> None:
    new_year = dt.datetime(2024, 1, 1, 0, 0, tzinfo=MSK)
    assert expected_share(2024, new_year - dt.timedelta(seconds=1)) == 0
    assert expected_share(2024, new_year) == 0
    assert expected_share(2024, new_year + dt.timedelta(days=183)) == pytest.approx(0.5)
    assert expected_share(2024, dt.datetime(2024, 12, 31, 23, 59, 59, tzinfo=MSK)) == pytest.approx(1, abs=1e-6)
    assert expected_share(2024, dt.datetime(2025, 1, 1, 0, 0, tzinfo=MSK)) == 1
    # 21:00 UTC on 31 December is already midnight in Moscow
    assert expected_share(2025, dt.datetime(2024, 12, 31, 21, 0, tzinfo=dt.UTC)) == 0
    assert expected_share(2024, None) == 1


def test_it_follows_an_indicators_season_month_by_month() -> None:
    weights = [8, 8, 8, 8, 8, 0, 0, 0, 18, 18, 18, 6]
    assert expected_share(2024, dt.datetime(2024, 6, 1, tzinfo=MSK), weights) == pytest.approx(0.40)
    assert expected_share(2024, dt.datetime(2024, 8, 31, 23, 59, tzinfo=MSK), weights) == pytest.approx(0.40)
    assert expected_share(2024, dt.datetime(2024, 9, 16, tzinfo=MSK), weights) == pytest.approx(0.49)
    assert expected_share(2024, dt.datetime(2024, 10, 1, tzinfo=MSK), weights) == pytest.approx(0.58)
    assert expected_share(2024, dt.datetime(2024, 12, 1, tzinfo=MSK), weights) == pytest.approx(0.94)


def test_it_uses_the_season_loaded_with_the_order(order_plan: Any) -> None:
    in_summer = dt.datetime(2024, 8, 31, 12, tzinfo=MSK)
    assert figure(order_plan, "7", now=in_summer).expected_share == pytest.approx(0.40)
    assert figure(order_plan, "3", now=in_summer).expected_share == pytest.approx(0.665, abs=0.002)


@pytest.mark.parametrize(
    ("actual", "share", "status"),
    [
        (None, 0.5, FigureStatus.NO_DATA),
        (100, 0.5, FigureStatus.ACHIEVED),
        (120, 0.5, FigureStatus.ACHIEVED),
        (45, 0.5, FigureStatus.ON_TRACK),  # 45 of 50 expected = 0.9
        (44, 0.5, FigureStatus.BEHIND),
        (35, 0.5, FigureStatus.BEHIND),  # 0.7
        (34, 0.5, FigureStatus.AT_RISK),
        (0, 0.0, FigureStatus.ON_TRACK),  # nothing expected yet
        (99, 1.0, FigureStatus.ON_TRACK),
        (0, 1.0, FigureStatus.AT_RISK),
    ],
)
def test_it_rates_progress_against_the_expected_share(actual: Any, share: float, status: str) -> None:
    assert figure_status(target=100, actual=actual, share=share) == status


def test_it_reads_status_thresholds_from_settings(settings: Any) -> None:
    settings.INDICATOR_STATUS_THRESHOLDS = {"on_track": 0.5, "behind": 0.2}
    assert figure_status(target=100, actual=25, share=0.5) == FigureStatus.ON_TRACK
    assert figure_status(target=100, actual=10, share=0.5) == FigureStatus.BEHIND
    assert figure_status(target=100, actual=9, share=0.5) == FigureStatus.AT_RISK


def test_it_expects_a_stock_to_grow_from_last_years_target() -> None:
    # 57 planned for the year, 47 at its start: half way through 52 are expected, not 28.5
    assert figure_status(target=57, actual=47, share=0.5, start=47) == FigureStatus.ON_TRACK
    assert figure_status(target=57, actual=30, share=0.5, start=47) == FigureStatus.AT_RISK
    assert figure_status(target=57, actual=30, share=0.5) == FigureStatus.ON_TRACK


# --- a fixed number of queries ----------------------------------------------------------------------


def _populate(plan: Any, ind: Any, activity: Any, category: Any, organisations: int) -> None:
    municipality = OrganizationFactory().municipality
    orgs = Organization.objects.bulk_create(
        Organization(kind="college", short_name=f"Колледж {n}", name=f"Колледж {n}", municipality=municipality)
        for n in range(organisations)
    )
    actuals = [
        Actual(
            indicator=ind(code),
            year=year,
            period=period,
            organization=org,
            value_number=None if code == "1" else 3,
            value_bool=True if code == "1" else None,
            status="approved",
            created_at=NOW,
            updated_at=NOW,
        )
        for org in orgs
        for code in ("1", "3", "8")
        for year in (2023, 2024, 2025)
        for period in ("q1", "q2")
    ]
    Actual.objects.bulk_create(actuals)
    partner = Organization.objects.filter(kind="employer").first() or PartnerFactory()
    for org in orgs[:: max(1, organisations // 10)]:
        accepted_report(activity(14), org, total=10)
        PartnerAgreementFactory(organization=org, partner=partner)
        ProgrammeCohortFactory(programme=EducationalProgrammeFactory(developer=org, category=category("industry")))


def _dashboard_queries(plan: Any) -> tuple[int, dict[tuple[str, int], Any]]:
    with CaptureQueriesContext(connection) as queries:
        figures = indicator_figures(plan, years=[2023, 2024, 2025], now=NOW)
    return len(queries), figures


def test_it_computes_the_dashboard_in_the_same_few_queries_at_10_and_1000_organisations(
    order_plan: Any, ind: Any, activity: Any, category: Any
) -> None:
    IndicatorSource.objects.update(scope="everyone")  # the colleges' records count here
    _populate(order_plan, ind, activity, category, 10)
    small, figures = _dashboard_queries(order_plan)
    assert len(figures) == Indicator.objects.filter(indicator_set__plan=order_plan).count() * 3 == 28 * 3
    assert figures[("3", 2024)].actual == 10 * 2 * 3
    _populate(order_plan, ind, activity, category, 990)
    large, figures = _dashboard_queries(order_plan)
    assert figures[("3", 2024)].actual == 1000 * 2 * 3
    assert figures[("8", 2024)].derived == 1  # one partner, however many holders
    assert all(f.status is not None for f in figures.values())
    assert small == large
    assert large <= 11, large  # event figures of people: three (roadmap.events.participants)


@pytest.mark.parametrize("weights", [[1] * 11, [0] * 12, [-1] + [1] * 11, ["x"] * 12])
def test_it_refuses_a_season_that_is_not_twelve_weights(ind: Any, weights: Any) -> None:
    from django.core.exceptions import ValidationError

    from indicators.models import IndicatorSeason

    with pytest.raises(ValidationError):
        IndicatorSeason(indicator=ind("3"), monthly_weights=weights).full_clean()


def test_a_plan_counts_its_own_programmes_cohorts_and_agreements_only(order_plan: Any, category: Any) -> None:
    """Another region's copy of the order (its own categories and activities) does not add to this plan's figures."""
    from roadmap.plans.plan_copy import plan_copy

    other = plan_copy(source_key=order_plan.key, key="other-region", first_year=2023, last_year=2025).plan
    theirs = ProgrammeCategory.objects.get(indicator_set__plan=other, key="spo-modules")
    ours = EducationalProgrammeFactory(category=category("spo-modules"))
    ProgrammeCohortFactory(programme=ours, completed=7)
    ProgrammeCohortFactory(programme=EducationalProgrammeFactory(category=theirs), completed=100)
    source = IndicatorSource.objects.get(indicator__indicator_set__plan=order_plan, indicator__code="8")
    IndicatorSource.objects.filter(pk=source.pk).update(scope="everyone")
    own_activity = order_plan.activities.get(number=3)  # «Расширение сети партнерских организаций»
    their_activity = other.activities.get(number=3)
    PartnerAgreementFactory(activity=own_activity)
    PartnerAgreementFactory(activity=their_activity)
    figures = indicator_figures(order_plan, years=[2024])
    assert figures[("4.1", 2024)].derived == 1
    assert sum(f.derived or 0 for (code, _), f in figures.items() if code.startswith("5.")) == 7
    assert figures[("8", 2024)].derived == 1
    theirs_figures = indicator_figures(other, years=[2024])
    assert theirs_figures[("4.1", 2024)].derived == 1

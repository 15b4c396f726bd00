"""Reads of the indicators app.

:func:`indicator_figures` is the one place that computes plan-against-fact
figures; the dashboard, the API, the reports and the rules all call it so the
same number is the same everywhere. It runs a fixed number of queries however
many organisations, values and records there are.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import Any, TypeGuard, cast

from django.apps import apps
from django.conf import settings
from django.db.models import Count, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce, ExtractYear
from django.utils import timezone

from indicators.models import (
    Actual,
    ActualChange,
    EducationalProgramme,
    Indicator,
    IndicatorSource,
    PartnerAgreement,
    ProgrammeCohort,
    ValidationRule,
)
from roadmap.events.event_year import event_year_expr, event_year_q
from roadmap.events.participants import PEOPLE_FIELDS, Spec, people_figures_many
from roadmap.models import Organization, Plan, Region

Number = int | float
Value = Number | bool | None


def indicators_of(plan: Plan | None) -> QuerySet[Indicator]:
    if plan is None:
        return Indicator.objects.none()
    return (
        Indicator.objects.filter(indicator_set__plan=plan)
        .select_related("parent")
        .prefetch_related("targets")
        .order_by("order")
    )


class FigureStatus(StrEnum):
    ACHIEVED = "achieved"
    NOT_ACHIEVED = "not_achieved"  # the year is over and the target was not reached
    ON_TRACK = "on_track"
    BEHIND = "behind"
    AT_RISK = "at_risk"
    NO_DATA = "no_data"


@dataclass(frozen=True)
class Figure:
    """Plan against fact of one indicator in one year.

    ``derived`` comes from records (event reports, agreements, programmes,
    cohorts), ``manual`` from approved values typed in; ``actual`` is their
    sum. ``expected_share`` is the part of the target expected by the moment
    looked at (1 for a finished year). ``status`` is None without a target
    (figures of one organisation: the order sets regional targets only).
    """

    code: str
    year: int
    target: Value
    actual: Value
    derived: Value
    manual: Value
    percent: float | None
    deviation: Number | None
    status: str | None
    expected_share: float
    final: bool = False  # the year is over: the status is a verdict (achieved / not achieved)
    # People of the derived part counted once from participant lists (rows of
    # «численность»; ``roadmap.events.participants``); None where no list counts.
    listed: int | None = None

    @property
    def deduplicated_share(self) -> float | None:
        """The share of the figure counted from participant lists («по спискам участников: 63 %»)."""
        if not self.listed or not _is_number(self.actual) or not self.actual:
            return None
        return round(self.listed / self.actual, 4)


# --- time ---------------------------------------------------------------------------


def _year_bounds(year: int) -> tuple[dt.datetime, dt.datetime]:
    tz = timezone.get_default_timezone()
    return dt.datetime(year, 1, 1, tzinfo=tz), dt.datetime(year + 1, 1, 1, tzinfo=tz)


def expected_share(year: int, moment: dt.datetime | None, weights: list[Number] | None = None) -> float:
    """The part of a year's target expected to be reached at ``moment``.

    Linear over the year in the region's time zone (Europe/Moscow) unless
    monthly ``weights`` are given: then the weights of the months already
    over plus the elapsed part of the current month's weight. No moment means
    the whole year is looked at (1.0).
    """
    if moment is None:
        return 1.0
    start, end = _year_bounds(year)
    local = timezone.localtime(moment, timezone.get_default_timezone())
    if local <= start:
        return 0.0
    if local >= end:
        return 1.0
    total = sum(weights) if weights else 0
    if not weights or total <= 0:
        return (local - start) / (end - start)
    month_start = dt.datetime(year, local.month, 1, tzinfo=start.tzinfo)
    days = calendar.monthrange(year, local.month)[1]
    month_part = (local - month_start) / dt.timedelta(days=days)
    done = sum(weights[: local.month - 1]) + weights[local.month - 1] * month_part
    return float(done) / float(total)


def year_is_over(year: int, moment: dt.datetime | None) -> bool:
    """Whether ``year`` has ended by ``moment`` (the Moscow day); no moment: judged as finished."""
    if moment is None:
        return True
    return timezone.localtime(moment, timezone.get_default_timezone()).date() > dt.date(year, 12, 31)


def _reference_date(year: int, moment: dt.datetime | None) -> dt.date:
    """The day a stock is counted on: the year's last day, or today within the year."""
    year_end = dt.date(year, 12, 31)
    if moment is None:
        return year_end
    return min(year_end, timezone.localtime(moment, timezone.get_default_timezone()).date())


# --- manual values ---------------------------------------------------------------------


def _period_end_month(period: str) -> tuple[int, int]:
    """Sort key of a period by its last month (a month before a quarter ending with it)."""
    if not period:
        return (12, 2)
    if period.startswith("q"):
        return (int(period[1]) * 3, 0)
    return (int(period[1:]), 1)


def _organization_year_value(aggregation: str, values: dict[str, Value]) -> Value:
    """One organisation's year figure from its approved values by period.

    A whole-year value wins. Otherwise a flow is the sum of the quarters (or,
    without quarters, of the months) so a quarter and its months are never
    added together; a stock is the value of the latest period; yes/no is yes
    when any period says yes.
    """
    if aggregation == Indicator.Aggregation.BOOLEAN:
        present = [v for v in values.values() if v is not None]
        return any(present) if present else None
    if "" in values:
        return values[""]
    if aggregation == Indicator.Aggregation.STOCK:
        latest = max(values, key=_period_end_month)
        return values[latest]
    quarters = [v for p, v in values.items() if p.startswith("q")]
    chosen = quarters or [v for p, v in values.items() if p.startswith("m")]
    return sum(cast(list[Number], chosen))  # a flow's approved values are numbers


def _approved_values(
    indicator_ids: list[int], years: list[int], organization: Organization | None, as_of: dt.datetime | None
) -> dict[tuple[int, int, int], dict[str, Value]]:
    """(indicator, year, organisation) -> {period: value} of the approved values.

    With ``as_of``, the state at that moment is rebuilt from the audit trail:
    a value counts when its last change by then left it approved, with the
    value it had then.
    """
    result: dict[tuple[int, int, int], dict[str, Value]] = defaultdict(dict)
    org_filter = {"organization": organization} if organization is not None else {}
    if as_of is None:
        rows = Actual.objects.filter(
            indicator_id__in=indicator_ids, year__in=years, status=Actual.Status.APPROVED, **org_filter
        ).values_list("indicator_id", "year", "organization_id", "period", "value_number", "value_bool")
        for indicator_id, year, org_id, period, number, boolean in rows:
            result[(indicator_id, year, org_id)][period] = boolean if boolean is not None else number
        return result
    changes = (
        ActualChange.objects.filter(
            actual__indicator_id__in=indicator_ids,
            actual__year__in=years,
            at__lte=as_of,
            **{f"actual__{k}": v for k, v in org_filter.items()},
        )
        .order_by("actual_id", "at", "id")
        .values_list(
            "actual_id",
            "actual__indicator_id",
            "actual__year",
            "actual__organization_id",
            "actual__period",
            "new_status",
            "new_value",
        )
    )
    last: dict[int, tuple[Any, ...]] = {}
    for row in changes:
        last[row[0]] = row
    for _id, indicator_id, year, org_id, period, status, value in last.values():
        if status == Actual.Status.APPROVED:
            result[(indicator_id, year, org_id)][period] = value
    return result


# --- derived values ----------------------------------------------------------------------


SCOPE_KINDS: dict[str, tuple[str, ...] | None] = {
    IndicatorSource.Scope.COPP: (Organization.Kind.COPP,),
    IndicatorSource.Scope.COPP_AND_COLLEGES: (Organization.Kind.COPP, Organization.Kind.COLLEGE),
    IndicatorSource.Scope.EVERYONE: None,
}


def scope_kinds(scope: str) -> tuple[str, ...] | None:
    """The organisation kinds whose records count under ``scope`` (None: every organisation)."""
    return SCOPE_KINDS.get(scope)


def scope_organization_ids(scope: str) -> set[int] | None:
    """The organisations whose records count under ``scope`` (None: every organisation)."""
    kinds = scope_kinds(scope)
    if kinds is None:
        return None
    return set(Organization.objects.filter(kind__in=kinds).values_list("pk", flat=True))


def _in_scope(source: IndicatorSource, kind: str | None) -> bool:
    kinds = scope_kinds(source.scope)
    return kinds is None or kind in kinds


def _scoped(query: QuerySet[Any], source: IndicatorSource, field: str) -> QuerySet[Any]:
    """``query`` limited to the records of organisations in the source's scope (``field``: the organisation)."""
    kinds = scope_kinds(source.scope)
    return query if kinds is None else query.filter(**{f"{field}__kind__in": kinds})


def _event_report_model() -> Any:
    return apps.get_model("roadmap", "EventReport")


def _derived_events(
    sources: list[IndicatorSource],
    years: list[int],
    organization: Organization | None,
    as_of: dt.datetime | None,
    listed: dict[tuple[int, int], int] | None = None,
) -> dict[tuple[int, int], Number | None]:
    """Sum of a report figure over accepted reports of the sources' activities' events.

    An event belongs to the year of its last day (``roadmap.events.event_year``); a
    cancelled event counts nothing. Each report is one row of one event of one activity, so one
    query grouped by activity cannot count a report twice.
    """
    result = _people_counted_once(sources, years, organization, as_of, listed)
    sources = [s for s in sources if s.event_field not in PEOPLE_FIELDS]
    activity_ids = {a.pk for s in sources for a in s.activities.all()}
    fields = sorted({s.event_field for s in sources})
    if not activity_ids or not fields:
        return result
    query = (
        _event_report_model()
        .objects.filter(
            status="accepted",
            event__activity_id__in=activity_ids,
            event__cancelled_at__isnull=True,
        )
        .filter(event_year_q(years, prefix="event__"))
    )
    if organization is not None:
        query = query.filter(event__organizer=organization)
    if as_of is not None:
        query = query.filter(accepted_at__lte=as_of)
    rows = (
        query.annotate(y=event_year_expr(prefix="event__", years=years))
        .values("event__activity_id", "y", "event__organizer__kind")
        .annotate(reports=Count("id"), **{f"sum_{f}": Sum(f) for f in fields})
    )
    totals: dict[tuple[int, int], list[dict[str, Any]]] = defaultdict(list)
    for r in rows:
        totals[(r["event__activity_id"], r["y"])].append(r)
    for source in sources:
        for year in years:
            found = [
                r
                for a in source.activities.all()
                for r in totals.get((a.pk, year), [])
                if _in_scope(source, r["event__organizer__kind"])
            ]
            if found:
                result[(source.indicator_id, year)] = sum(r[f"sum_{source.event_field}"] or 0 for r in found)
    return result


def _people_counted_once(
    sources: list[IndicatorSource],
    years: list[int],
    organization: Organization | None,
    as_of: dt.datetime | None,
    listed: dict[tuple[int, int], int] | None,
) -> dict[tuple[int, int], Number | None]:
    """Figures of people (every report figure but schools): each person once
    across all the year's events of the source's activities, where the reports
    carry participant lists (``roadmap.events.participants.people_figures``). Two
    queries for all such sources together (none when no source counts people)."""
    people = [s for s in sources if s.event_field in PEOPLE_FIELDS]
    specs: list[Spec] = [
        (frozenset(a.pk for a in s.activities.all()), s.event_field, scope_kinds(s.scope)) for s in people
    ]
    if not specs:
        return {}
    found = people_figures_many(
        specs, years=years, organization_ids=None if organization is None else [organization.pk], as_of=as_of
    )
    result: dict[tuple[int, int], Number | None] = {}
    for (index, year), figure in found.items():
        result[(people[index].indicator_id, year)] = figure.value
        if listed is not None and figure.listed:
            listed[(people[index].indicator_id, year)] = figure.listed
    return result


def _derived_agreements(
    plans: list[Plan],
    sources: list[IndicatorSource],
    years: list[int],
    organization: Organization | None,
    as_of: dt.datetime | None,
    moment: dt.datetime | None,
) -> dict[tuple[int, int], Number | None]:
    """Distinct partners with an agreement valid on the reference day of each year.

    A partner with several agreements, or with agreements held by several
    organisations, is one partner. An agreement under an activity counts in that
    activity's plan only; one under no activity, in the plans of its holder's
    region (an organisation of no region: the default region's; a plan of no
    region takes every region's).
    """
    days = {year: _reference_date(year, moment) for year in years}
    query = PartnerAgreement.objects.filter(valid_from__lte=max(days.values())).filter(
        Q(valid_to__isnull=True) | Q(valid_to__gte=min(days.values()))
    )
    default = Region.objects.filter(key=settings.COPP_DEFAULT_REGION).values("pk")[:1]
    query = query.annotate(holder_region=Coalesce("organization__region_id", Subquery(default)))
    regions = {p.region_id for p in plans}
    free = Q(activity__isnull=True) if None in regions else Q(activity__isnull=True, holder_region__in=regions)
    query = query.filter(free | Q(activity__plan__in=plans))
    if organization is not None:
        query = query.filter(organization=organization)
    if as_of is not None:
        query = query.filter(created_at__lte=as_of)
    rows = list(
        query.values_list(
            "partner_id",
            "activity_id",
            "activity__plan_id",
            "holder_region",
            "valid_from",
            "valid_to",
            "organization__kind",
        )
    )
    plan_of = {p.pk: p for p in plans}
    result: dict[tuple[int, int], Number | None] = {}
    for source in sources:
        wanted = {a.pk for a in source.activities.all()}
        plan = plan_of[source.indicator.indicator_set.plan_id]
        mine = [
            (partner, activity, start, end, holder_kind)
            for partner, activity, activity_plan, holder_region, start, end, holder_kind in rows
            if (activity_plan == plan.pk if activity is not None else plan.region_id in (None, holder_region))
        ]
        for year, day in days.items():
            partners = {
                partner
                for partner, activity, start, end, holder_kind in mine
                if start <= day
                and (end is None or end >= day)
                and (not wanted or activity in wanted)
                and _in_scope(source, holder_kind)
            }
            if partners:
                result[(source.indicator_id, year)] = len(partners)
    return result


def _by_category(
    sources: list[IndicatorSource], totals: dict[tuple[int, int, str], int], years: list[int]
) -> dict[tuple[int, int], Number | None]:
    """Add up (category, year, organisation kind) totals into each source's categories (empty: all) and scope."""
    result: dict[tuple[int, int], Number | None] = {}
    for source in sources:
        wanted = {c.pk for c in source.categories.all()}
        for year in years:
            found = [
                n
                for (category, y, kind), n in totals.items()
                if y == year and (not wanted or category in wanted) and _in_scope(source, kind)
            ]
            if found:
                result[(source.indicator_id, year)] = sum(found)
    return result


def _derived_programmes(
    plans: list[Plan],
    sources: list[IndicatorSource],
    years: list[int],
    organization: Organization | None,
    as_of: dt.datetime | None,
) -> dict[tuple[int, int], Number | None]:
    """Programmes by the year they were approved in, per category."""
    # Categories belong to a plan: a plan counts the programmes in its own categories.
    query = EducationalProgramme.objects.filter(category__indicator_set__plan__in=plans, approved_on__year__in=years)
    if organization is not None:
        query = query.filter(developer=organization)
    if as_of is not None:
        query = query.filter(created_at__lte=as_of, approved_on__lte=timezone.localtime(as_of).date())
    rows = (
        query.annotate(y=ExtractYear("approved_on"))
        .values("category_id", "y", "developer__kind")
        .annotate(n=Count("id"))
    )
    return _by_category(sources, {(r["category_id"], r["y"], r["developer__kind"]): r["n"] for r in rows}, years)


def _derived_cohorts(
    plans: list[Plan],
    sources: list[IndicatorSource],
    years: list[int],
    organization: Organization | None,
    as_of: dt.datetime | None,
) -> dict[tuple[int, int], Number | None]:
    """People who completed programmes, by the cohort's year and the programme's category."""
    query = ProgrammeCohort.objects.filter(year__in=years, programme__category__indicator_set__plan__in=plans)
    if organization is not None:
        query = query.filter(programme__developer=organization)
    if as_of is not None:
        query = query.filter(created_at__lte=as_of)
    rows = query.values("programme__category_id", "year", "programme__developer__kind").annotate(n=Sum("completed"))
    return _by_category(
        sources,
        {(r["programme__category_id"], r["year"], r["programme__developer__kind"]): r["n"] for r in rows},
        years,
    )


# --- the selector ------------------------------------------------------------------------------


def _thresholds() -> dict[str, float]:
    return {"on_track": 0.9, "behind": 0.7, **getattr(settings, "INDICATOR_STATUS_THRESHOLDS", {})}


def figure_status(
    *,
    target: Value,
    actual: Value,
    share: float,
    start: Number = 0,
    thresholds: dict[str, float] | None = None,
    final: bool = False,
) -> str | None:
    """Status of an actual against its target at ``share`` of the year.

    ``start`` is where a stock stands at the beginning of the year (last
    year's target); the expected value grows from it to the target.
    Achieved once the target is reached; otherwise the actual is compared
    with the expected value: at least ``on_track`` of it is on track, at
    least ``behind`` of it is behind, less is at risk. Before anything is
    expected nothing is late yet. ``final``: the year is over, so the status
    is a verdict, achieved or not achieved (no data stays no data).
    """
    if target is None:
        return None
    if actual is None:
        return FigureStatus.NO_DATA
    limits = thresholds or _thresholds()
    if isinstance(target, bool) or isinstance(actual, bool):
        if bool(actual) or not target:
            return FigureStatus.ACHIEVED
        if final:
            return FigureStatus.NOT_ACHIEVED
        return FigureStatus.AT_RISK if share >= 1 else FigureStatus.BEHIND
    if actual >= target:
        return FigureStatus.ACHIEVED
    if final:
        return FigureStatus.NOT_ACHIEVED
    expected = start + (target - start) * share if start < target else target * share
    if expected <= 0:
        return FigureStatus.ON_TRACK
    ratio = actual / expected
    if ratio >= limits["on_track"]:
        return FigureStatus.ON_TRACK
    if ratio >= limits["behind"]:
        return FigureStatus.BEHIND
    return FigureStatus.AT_RISK


def _is_number(value: Any) -> TypeGuard[Number]:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _add(a: Value, b: Value) -> Value:
    if a is None:
        return b
    if b is None:
        return a
    if isinstance(a, bool) or isinstance(b, bool):
        return bool(a) or bool(b)
    return a + b


def _plain(value: Decimal | Value) -> Value:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def indicator_figures(
    plan: Plan,
    *,
    years: Iterable[int],
    organization: Organization | None = None,
    as_of: dt.datetime | None = None,
    now: dt.datetime | None = None,
    codes: Iterable[str] | None = None,
) -> dict[tuple[str, int], Figure]:
    """Figures per (indicator code, year) of a plan, regional or of one organisation.

    ``as_of``: only what was approved (reports accepted, records registered)
    by that moment, with the values it had then. ``now``: the moment progress
    is judged at (defaults to ``as_of``; neither means the years are judged
    as finished). A total whose source is ``sum_of`` is the sum of its rows'
    figures (typed values of it are ignored), so the order's identities such
    as 4 = Σ4.x hold on any data. Runs at most eleven queries.
    """
    # Every indicator is computed (a sum needs its rows); ``codes`` only limits the answer.
    wanted_codes = None if codes is None else set(codes)
    found = _figures([plan], years=years, organization=organization, as_of=as_of, now=now)
    return {
        (indicator.code, year): figure
        for (indicator, year), figure in found.items()
        if wanted_codes is None or indicator.code in wanted_codes
    }


def plans_indicator_figures(
    plans: Iterable[Plan], *, years: Iterable[int], now: dt.datetime | None = None
) -> dict[int, list[Figure]]:
    """Regional figures of several plans at once (plan id -> its figures of
    ``years``, in indicator order): the same computation as
    :func:`indicator_figures`, in the same number of queries however many plans."""
    result: dict[int, list[Figure]] = {p.pk: [] for p in plans}
    if not result:
        return result
    for (indicator, _year), figure in _figures(
        list(plans), years=years, organization=None, as_of=None, now=now
    ).items():
        result[indicator.indicator_set.plan_id].append(figure)
    return result


def _figures(
    plans: list[Plan],
    *,
    years: Iterable[int],
    organization: Organization | None,
    as_of: dt.datetime | None,
    now: dt.datetime | None,
) -> dict[tuple[Indicator, int], Figure]:
    """Figures per (indicator, year) of every indicator of ``plans`` (``indicator_figures``)."""
    years = sorted(set(years))
    moment = now or as_of
    query = (
        Indicator.objects.filter(indicator_set__plan__in=plans)
        .select_related("season", "source", "indicator_set")
        .prefetch_related("targets", "source__activities", "source__categories")
        .order_by("indicator_set__plan_id", "order")
    )
    indicators = list(query)
    ids = [i.pk for i in indicators]

    manual = _manual_totals(indicators, _approved_values(ids, years, organization, as_of))

    sources: dict[str, list[IndicatorSource]] = defaultdict(list)
    for indicator in indicators:
        source = active_source(indicator)
        if source is not None:
            sources[source.kind].append(source)
    derived: dict[tuple[int, int], Value] = {}
    Kind = IndicatorSource.Kind
    listed: dict[tuple[int, int], int] = {}
    if sources[Kind.EVENT_REPORTS]:
        derived |= _derived_events(sources[Kind.EVENT_REPORTS], years, organization, as_of, listed)
    if sources[Kind.PARTNER_AGREEMENTS]:
        derived |= _derived_agreements(plans, sources[Kind.PARTNER_AGREEMENTS], years, organization, as_of, moment)
    if sources[Kind.PROGRAMMES]:
        derived |= _derived_programmes(plans, sources[Kind.PROGRAMMES], years, organization, as_of)
    if sources[Kind.COHORTS]:
        derived |= _derived_cohorts(plans, sources[Kind.COHORTS], years, organization, as_of)

    sums = _sum_totals(indicators, years, derived, manual)
    thresholds = _thresholds()
    figures: dict[tuple[Indicator, int], Figure] = {}
    for indicator in indicators:
        targets = {t.year: t.value for t in indicator.targets.all()}
        season = getattr(indicator, "season", None)
        weights = season.monthly_weights if season is not None else None
        is_sum = indicator.pk in sums
        for year in years:
            target = targets.get(year) if organization is None else None
            if is_sum:
                part_derived, part_manual = _plain(sums[indicator.pk].get(year)), None
            else:
                part_derived = _plain(derived.get((indicator.pk, year)))
                part_manual = _plain(manual.get((indicator.pk, year)))
            actual = _add(part_derived, part_manual)
            share = expected_share(year, moment, weights)
            final = year_is_over(year, moment)
            start = 0
            if indicator.aggregation == Indicator.Aggregation.STOCK:
                start = targets.get(year - 1) or 0
            percent = deviation = None
            if _is_number(target) and _is_number(actual):
                deviation = actual - target
                percent = round(actual * 100 / target, 1) if target else None
            figures[(indicator, year)] = Figure(
                code=indicator.code,
                year=year,
                target=target,
                actual=actual,
                derived=part_derived,
                manual=part_manual,
                percent=percent,
                deviation=deviation,
                status=figure_status(
                    target=target, actual=actual, share=share, start=start, thresholds=thresholds, final=final
                ),
                expected_share=round(share, 4),
                listed=listed.get((indicator.pk, year)),
                final=final,
            )
    return figures


def active_source(indicator: Indicator) -> IndicatorSource | None:
    """The indicator's active derived source (prefetched with ``select_related("source")``), if any."""
    try:
        source = indicator.source
    except IndicatorSource.DoesNotExist:
        return None
    return source if source.is_active else None


def is_derived_total(indicator: Indicator) -> bool:
    """Whether the indicator is a total the order defines as a sum of rows (never typed)."""
    source = active_source(indicator)
    return source is not None and source.is_sum


def _sum_totals(
    indicators: list[Indicator],
    years: list[int],
    derived: dict[tuple[int, int], Value],
    manual: dict[tuple[int, int], Value],
) -> dict[int, dict[int, Value]]:
    """{indicator id: {year: value}} of the ``sum_of`` indicators, rows first (a row may be a sum too).

    A sum is None in a year where none of its rows has a value. The loader and
    the admin refuse cycles; one that slipped in counts its repeated row as
    nothing rather than looping.
    """
    by_code = {i.code: i for i in indicators}
    rows = {i.pk: cast(IndicatorSource, active_source(i)).row_codes for i in indicators if is_derived_total(i)}
    done: dict[int, dict[int, Value]] = {}

    def value(indicator: Indicator, year: int, path: frozenset[int]) -> Value:
        if indicator.pk not in rows:
            return _add(_plain(derived.get((indicator.pk, year))), _plain(manual.get((indicator.pk, year))))
        if indicator.pk in path:
            return None
        total: Value = None
        for code in rows[indicator.pk]:
            row = by_code.get(code)
            if row is not None:
                total = _add(total, value(row, year, path | {indicator.pk}))
        return total

    for indicator in indicators:
        if indicator.pk in rows:
            done[indicator.pk] = {year: value(indicator, year, frozenset()) for year in years}
    return done


def _manual_totals(
    indicators: list[Indicator], values: dict[tuple[int, int, int], dict[str, Value]]
) -> dict[tuple[int, int], Value]:
    """Regional (or one organisation's) manual part: organisations' year figures added up."""
    aggregation = {i.pk: i.aggregation for i in indicators}
    totals: dict[tuple[int, int], Value] = {}
    for (indicator_id, year, _org), periods in values.items():
        one = _organization_year_value(aggregation[indicator_id], periods)
        totals[(indicator_id, year)] = _add(totals.get((indicator_id, year)), one)
    return totals


# --- drill-down -----------------------------------------------------------------------------------


def indicator_records(
    indicator: Indicator,
    year: int,
    *,
    organization: Organization | None = None,
    as_of: dt.datetime | None = None,
    sources: dict[str, IndicatorSource | None] | None = None,
) -> dict[str, QuerySet[Any]]:
    """The records behind an indicator's figure: {"actuals": …, "<source kind>": …}.

    Uses the same filters as :func:`indicator_figures`, so the listed
    records add up to the figure (stock: distinct partners of the list).
    ``sources``: the plan's active sources by code
    (``indicators.derivations.sources_by_code``), when the caller has them.
    """
    actuals = Actual.objects.filter(indicator=indicator, year=year, status=Actual.Status.APPROVED).select_related(
        "organization"
    )
    if organization is not None:
        actuals = actuals.filter(organization=organization)
    if sources is not None:
        source = sources.get(indicator.code)
    else:
        source = IndicatorSource.objects.filter(indicator=indicator, is_active=True).first()
    if source is not None and source.is_sum:
        # A sum's figure comes from its rows (each row's page has its records); typed values do not count.
        return {"actuals": actuals.none()}
    records: dict[str, QuerySet[Any]] = {"actuals": actuals}
    if source is None:
        return records
    query = source_records(source, year, organization=organization, as_of=as_of)
    records[str(source.kind)] = query
    return records


def _activity_ids(source: IndicatorSource) -> list[int]:
    """The activities a source counts, as a list of ids (read once, or from a prefetch):
    filtered by a subquery instead, SQLite walked every event of the activities
    before the year (a region's count of indicator 6's reports 16 -> 3 ms)."""
    return [a.pk for a in source.activities.all()]


def source_records(
    source: IndicatorSource,
    year: int,
    *,
    organization: Organization | None = None,
    as_of: dt.datetime | None = None,
    categories: Any = None,
) -> QuerySet[Any]:
    """The records of one (non-sum) source in a year, in its scope.

    ``categories`` (programmes, cohorts) overrides the source's own categories.
    """
    Kind = IndicatorSource.Kind
    if (
        categories is None
        and source.pk
        and source.kind in (Kind.PROGRAMMES, Kind.COHORTS)
        and source.categories.exists()
    ):
        categories = source.categories.all()
    if source.kind == Kind.EVENT_REPORTS:
        query = (
            _event_report_model()
            .objects.filter(
                status="accepted",
                event__activity__in=_activity_ids(source),
                event__cancelled_at__isnull=True,
            )
            .filter(event_year_q(year, prefix="event__"))
            .select_related("event", "event__organizer", "event__activity")
        )
        query = _scoped(query, source, "event__organizer")
        if organization is not None:
            query = query.filter(event__organizer=organization)
        if as_of is not None:
            query = query.filter(accepted_at__lte=as_of)
    elif source.kind == Kind.PARTNER_AGREEMENTS:
        day = _reference_date(year, as_of)
        query = (
            PartnerAgreement.objects.filter(valid_from__lte=day)
            .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=day))
            .select_related("partner", "organization")
        )
        query = _scoped(query, source, "organization")
        if activity_ids := _activity_ids(source):
            query = query.filter(activity__in=activity_ids)
        if organization is not None:
            query = query.filter(organization=organization)
        if as_of is not None:
            query = query.filter(created_at__lte=as_of)
    elif source.kind == Kind.PROGRAMMES:
        query = EducationalProgramme.objects.filter(approved_on__year=year).select_related("category", "developer")
        query = _scoped(query, source, "developer")
        if categories is not None:
            query = query.filter(category__in=categories)
        if organization is not None:
            query = query.filter(developer=organization)
        if as_of is not None:
            query = query.filter(created_at__lte=as_of, approved_on__lte=timezone.localtime(as_of).date())
    elif source.kind == Kind.COHORTS:
        query = ProgrammeCohort.objects.filter(year=year).select_related(
            "programme", "programme__category", "programme__developer"
        )
        query = _scoped(query, source, "programme__developer")
        if categories is not None:
            query = query.filter(programme__category__in=categories)
        if organization is not None:
            query = query.filter(programme__developer=organization)
        if as_of is not None:
            query = query.filter(created_at__lte=as_of)
    else:
        raise ValueError(f"a sum has no records of its own: {source}")
    return query


def visible_indicator_records(
    user: Any,
    indicator: Indicator,
    year: int,
    *,
    organization: Organization | None = None,
    as_of: dt.datetime | None = None,
    sources: dict[str, IndicatorSource | None] | None = None,
) -> dict[str, QuerySet[Any]]:
    """:func:`indicator_records` limited to what ``user`` may see: the one read
    path of the records behind a figure (the indicator page and the API alike).

    Each kind goes through its scoped queryset in ``indicators.permissions`` /
    ``roadmap.accounts.permissions``; a kind without one is shown to nobody.
    """
    from indicators import permissions
    from roadmap.accounts.permissions import visible_event_reports

    scope: dict[str, Callable[[Any, QuerySet[Any]], QuerySet[Any]]] = {
        "actuals": permissions.visible_actuals,
        IndicatorSource.Kind.EVENT_REPORTS.value: visible_event_reports,
        IndicatorSource.Kind.PARTNER_AGREEMENTS.value: permissions.visible_agreements,
        IndicatorSource.Kind.PROGRAMMES.value: permissions.visible_programmes,
        IndicatorSource.Kind.COHORTS.value: permissions.visible_cohorts,
    }
    records = indicator_records(indicator, year, organization=organization, as_of=as_of, sources=sources)
    return {kind: scope[kind](user, query) if kind in scope else query.none() for kind, query in records.items()}


# --- validation rules ------------------------------------------------------------------------------


@dataclass(frozen=True)
class RuleBreach:
    rule: ValidationRule
    year: int
    left: Number
    right: Number

    @property
    def operator(self) -> str:
        return self.rule.operator

    def as_dict(self) -> dict[str, Any]:
        return {
            "rule": self.rule.expression,
            "year": self.year,
            "left": self.left,
            "right": self.right,
            "operator": self.rule.operator,
            "key": self.rule.key,
            "name": self.rule.name,
            "importance": self.rule.importance,
        }


def _side(codes: list[str], year: int, values: dict[tuple[str, int], Value], missing: str) -> Number | None:
    """The sum of one side, or None when the rule is to be skipped for it."""
    found = [values.get((code, year)) for code in codes]
    numbers = [v for v in found if isinstance(v, (int, float, Decimal)) and not isinstance(v, bool)]
    if missing == ValidationRule.Missing.SKIP_IF_ANY and len(numbers) < len(codes):
        return None
    if missing == ValidationRule.Missing.SKIP_IF_ALL and not numbers:
        return None
    return _plain(sum(Decimal(str(v)) for v in numbers))


def rule_holds(operator: str, left: Number, right: Number) -> bool:
    if operator == ValidationRule.Operator.EQUAL:
        return left == right
    if operator == ValidationRule.Operator.LESS_OR_EQUAL:
        return left <= right
    return left >= right


def broken_rules(
    plan: Plan,
    *,
    years: Iterable[int],
    source: str,
    organization: Organization | None = None,
    as_of: dt.datetime | None = None,
    figures: dict[tuple[str, int], Figure] | None = None,
    rules: list[ValidationRule] | None = None,
) -> list[RuleBreach]:
    """Every active rule of the plan that fails, per year, with both sides.

    ``source="plan"`` checks the targets, ``source="actual"`` the actual
    figures (approved and derived, as of ``as_of``; ``figures`` already
    computed by the caller for these years are used as they are; ``rules``
    the plan's active rules, when the caller has read them already).
    """
    years = sorted(set(years))
    if rules is None:
        rules = list(ValidationRule.objects.filter(indicator_set__plan=plan, is_active=True))
    if not rules:
        return []
    if source == "plan":
        values: dict[tuple[str, int], Value] = {
            (code, year): _plain(number)
            for code, year, number in Indicator.objects.filter(
                indicator_set__plan=plan, targets__year__in=years, targets__value_number__isnull=False
            ).values_list("code", "targets__year", "targets__value_number")
        }
    elif source == "actual":
        if figures is None:
            figures = indicator_figures(plan, years=years, organization=organization, as_of=as_of)
        values = {key: figure.actual for key, figure in figures.items()}
    else:
        raise ValueError(f"unknown source {source!r}")
    breaches: list[RuleBreach] = []
    for rule in rules:
        for year in years:
            left = _side(rule.left_codes, year, values, rule.missing)
            right = _side(rule.right_codes, year, values, rule.missing)
            if left is None or right is None:
                continue
            if not rule_holds(rule.operator, left, right):
                breaches.append(RuleBreach(rule=rule, year=year, left=left, right=right))
    return breaches


# --- lists -------------------------------------------------------------------------------------------


def actuals_visible_to(user: Any) -> QuerySet[Actual]:
    """``indicators.permissions.visible_actuals`` with what the lists show."""
    from indicators.permissions import visible_actuals

    return visible_actuals(user, Actual.objects.select_related("indicator", "organization"))


def actual_history(actual: Actual) -> QuerySet[ActualChange]:
    return actual.changes.select_related("user").order_by("at", "id")

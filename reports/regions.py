"""The federal view: every region side by side for one year.

Per region: events held, reports due, on time, late and missing (the events'
own selector, ``roadmap.events.selectors.timeliness_figures`` grouped by the
organiser's region), and the share of its plan's indicators achieved that year
(``indicators.selectors.plans_indicator_figures``: the regional figures of each
region's plan, all plans computed together). A fixed number of queries however
many regions there are.

Organisations of no region count as the default region's
(``settings.COPP_DEFAULT_REGION``), as they do in the regional staff's scope.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.conf import settings

from copp.db_router import replica_reads
from indicators.selectors import Figure, FigureStatus, plans_indicator_figures
from roadmap.events.selectors import TimelinessRow, timeliness_figures
from roadmap.models import Plan, Region
from roadmap.plans.selectors import plan_for_year

COUNTED = ("held", "due", "on_time", "late", "missing", "not_yet_due", "accepted")


@dataclass
class RegionLine:
    region: Region
    plan: Plan | None  # the region's plan holding the year (None: it has none)
    events: TimelinessRow
    indicators: int = 0  # indicators of the plan with a target in the year
    achieved: int = 0  # of them, achieved

    @property
    def achieved_pct(self) -> float | None:
        return round(100.0 * self.achieved / self.indicators, 1) if self.indicators else None


@dataclass
class RegionComparison:
    year: int
    moment: dt.datetime
    lines: list[RegionLine] = field(default_factory=list)
    total: TimelinessRow = field(default_factory=lambda: TimelinessRow(key=None, label="Итого"))


def _merge(into: TimelinessRow, row: TimelinessRow) -> None:
    for name in COUNTED:
        setattr(into, name, getattr(into, name) + getattr(row, name))
    into.delays = sorted([*into.delays, *row.delays])


def _achieved(figures: list[Figure], year: int) -> tuple[int, int]:
    with_target = [f for f in figures if f.year == year and f.status is not None]
    return len(with_target), sum(1 for f in with_target if f.status == FigureStatus.ACHIEVED)


@replica_reads()
def region_comparison(*, year: int, now: dt.datetime) -> RegionComparison:
    """Every region's figures of ``year`` (events by their year, as everywhere), at ``now``.

    Read from the read replica when there is one (``copp.db_router``): federal
    figures are aggregates of every region, never a user's own latest write."""
    regions = list(Region.objects.order_by("order", "name"))
    timeliness = timeliness_figures(now=now, by="region", year=year)
    rows = {row.key: row for row in timeliness.rows}
    default = next((r for r in regions if r.key == settings.COPP_DEFAULT_REGION), None)
    plans = list(Plan.objects.filter(region__isnull=False, first_year__lte=year, last_year__gte=year))
    chosen = {r.pk: plan_for_year(year, plans=[p for p in plans if p.region_id == r.pk]) for r in regions}
    figures = plans_indicator_figures([p for p in chosen.values() if p is not None], years=[year], now=now)
    result = RegionComparison(year=year, moment=timeliness.moment)
    for region in regions:
        events = TimelinessRow(key=region.pk, label=region.name)
        if region.pk in rows:
            _merge(events, rows[region.pk])
        if region == default and None in rows:
            _merge(events, rows[None])
        plan = chosen[region.pk]
        line = RegionLine(region=region, plan=plan, events=events)
        if plan is not None:
            line.indicators, line.achieved = _achieved(figures.get(plan.pk, []), year)
        result.lines.append(line)
        _merge(result.total, events)
    return result


def comparison_years(today: dt.date) -> list[int]:
    """The years a comparison may be asked for: those of every plan (at least this year)."""
    spans = Plan.objects.values_list("first_year", "last_year")
    years = {y for first, last in spans for y in range(first, last + 1)} or {today.year}
    return sorted(years)


__all__ = ["COUNTED", "RegionComparison", "RegionLine", "comparison_years", "region_comparison"]

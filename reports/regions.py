"""The federal view: every region side by side for one year.

Per region: events held, reports due, on time, late and missing (the events'
own selector, ``roadmap.events.selectors.timeliness_figures`` grouped by the
organiser's region), and the share of its plan's indicators achieved that year
(``indicators.selectors.plans_indicator_figures``: the regional figures of each
region's plan, all plans computed together). A fixed number of queries however
many regions there are.

Organisations of no region count as the default region's
(``settings.COPP_DEFAULT_REGION``), as they do in the regional staff's scope.

The computation reads every region's rollups and every region's plan's
indicator figures: seconds at a national rollout (3,000,000 events). So the
page and the API serve it from a **snapshot** kept in the cache per year, as
the dashboard is (``reports.dashboard.snapshot``): fresh while the data stamp
is unchanged and it is younger than ``SNAPSHOT_MAX_AGE``; a stale one is
served at once, marked with its time, while it is recomputed in the
background; only the first view of a year waits for it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from celery import shared_task
from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from copp.db_router import replica_reads
from indicators.selectors import Figure, FigureStatus, plans_indicator_figures
from reports import background
from reports.dashboard.snapshot import SNAPSHOT_KEEP_SECONDS, SNAPSHOT_MAX_AGE, current_stamp
from roadmap.events.event_year import EVENT_YEAR_FIELD
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
    """Add the counts of ``row`` (the comparison shows no delays: they are not carried)."""
    for name in COUNTED:
        setattr(into, name, getattr(into, name) + getattr(row, name))


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


# ---------------------------------------------------------------------------
# The snapshot
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ComparisonSnapshot:
    """The comparison of one year, the data stamp it was computed from, and when."""

    comparison: RegionComparison
    stamp: str
    computed_at: dt.datetime

    def is_fresh(self, *, stamp: str, now: dt.datetime) -> bool:
        return self.stamp == stamp and now - self.computed_at < SNAPSHOT_MAX_AGE


def snapshot_key(year: int) -> str:
    return f"regions:comparison:{EVENT_YEAR_FIELD}:{year}"


def _lock_key(year: int) -> str:
    return f"regions:comparison:refreshing:{year}"


def cached_comparison(year: int) -> ComparisonSnapshot | None:
    found = cache.get(snapshot_key(year))
    return found if isinstance(found, ComparisonSnapshot) else None


def build_comparison(*, year: int, now: dt.datetime, stamp: str | None = None) -> ComparisonSnapshot:
    """Compute and store the comparison of ``year`` as of ``now``. The stamp is read
    before the figures (a write landing meanwhile leaves it stale, not wrongly fresh);
    a newer snapshot in the cache is not replaced by an older one."""
    with replica_reads():
        stamp = stamp or current_stamp()
        snapshot = ComparisonSnapshot(comparison=region_comparison(year=year, now=now), stamp=stamp, computed_at=now)
    stored = cached_comparison(year)
    if stored is None or stored.computed_at <= now:
        cache.set(snapshot_key(year), snapshot, SNAPSHOT_KEEP_SECONDS)
    return snapshot


def comparison_snapshot(*, year: int, now: dt.datetime, mode: str | None = None) -> tuple[ComparisonSnapshot, bool]:
    """The comparison to show now, and whether it is fresh (see the module's docstring).
    ``mode`` as ``settings.DASHBOARD_REFRESH``: "inline" recomputes a stale one here."""
    mode = mode or settings.DASHBOARD_REFRESH
    snapshot = cached_comparison(year)
    if snapshot is None:
        return build_comparison(year=year, now=now), True
    stamp = current_stamp()
    if snapshot.is_fresh(stamp=stamp, now=now):
        return snapshot, True
    if mode == "inline":
        return build_comparison(year=year, now=now, stamp=stamp), True
    background.request(_lock_key(year), lambda: _start_refresh(year, mode))
    return snapshot, False


def _start_refresh(year: int, mode: str) -> None:
    background.start(
        _lock_key(year),
        mode=mode,
        task=lambda: refresh_region_comparison.delay(year),
        work=lambda: refresh_comparison(year, now=timezone.now()),
        name="region-comparison-refresh",
    )


def refresh_comparison(year: int, *, now: dt.datetime) -> ComparisonSnapshot:
    """Recompute the comparison of ``year`` (the background job), then free the lock."""
    try:
        return build_comparison(year=year, now=now)
    finally:
        background.release(_lock_key(year))


@shared_task(name="reports.refresh_region_comparison", acks_late=True)
def refresh_region_comparison(year: int) -> str:
    """Recompute the federal comparison of ``year`` (the stale one is served meanwhile);
    registered through ``reports.tasks``."""
    return refresh_comparison(year, now=timezone.now()).computed_at.isoformat()


__all__ = [
    "COUNTED",
    "ComparisonSnapshot",
    "RegionComparison",
    "RegionLine",
    "build_comparison",
    "cached_comparison",
    "comparison_snapshot",
    "comparison_years",
    "refresh_comparison",
    "refresh_region_comparison",
    "region_comparison",
]

"""What the ministry's dashboard shows, gathered from the apps' selectors.

Nothing is computed here: statuses, figures and timeliness come from the
selectors the reports and the API use, so a number on the dashboard is the
same number everywhere. This module only arranges them for the template, in
a fixed number of queries.

Those selectors aggregate every event of the year (about a second at 30,000
events), while the dashboard is opened many times a day and the figures move
only when someone writes. So the dashboard is served from a **snapshot**: the
rendered body, kept in the cache per plan and year together with the moment
it was computed for and a stamp of the data it read (the newest history rows
of actual values, targets and registries, and the newest writes to the plan's
events and to the events of the viewer's region, ``data_stamp``). A snapshot is fresh while the stamp
is unchanged and it is less than :data:`SNAPSHOT_MAX_AGE` old (which bounds
how long a time-dependent state, a report turning overdue at midnight, can
lag). A stale snapshot is still served at once, marked with its time, and
recomputed in the background (``settings.DASHBOARD_REFRESH``); the page
swaps in the new one when it is ready. Only the very first view of a plan
and year, with nothing to show yet, waits for the computation. Every
ministry, ЦОПП and administrator account sees all organisations, so one
snapshot serves them all.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, Q
from django.template.loader import render_to_string
from django.utils import timezone

from copp.db_router import replica_reads
from copp.web import PlanYear
from indicators.memo import data_stamp as figures_data_stamp
from indicators.selectors import indicator_figures, indicators_of
from reports import background
from roadmap.accounts.permissions import OrganizationScope
from roadmap.events.event_year import EVENT_YEAR_FIELD, event_year_q
from roadmap.events.selectors import (
    TimelinessFigures,
    TimelinessRow,
    events_list,
    timeliness_figures,
    timeliness_figures_many,
)
from roadmap.events.status import ReportStatus
from roadmap.models import Plan
from roadmap.plans.activity_status import ACTIVITY_STATUS_CSS, activity_status
from roadmap.plans.control_points import ControlPoint, control_points_of, points_in_year
from roadmap.plans.selectors import activities_of

EVERYTHING = OrganizationScope(everything=True)


@dataclass
class ActivityLine:
    activity: Any
    windows: list[Any]
    status: str
    status_css: str
    figures: TimelinessRow | None
    points: list[ControlPoint] = field(default_factory=list)

    @property
    def overdue_points(self) -> list[ControlPoint]:
        return [p for p in self.points if p.overdue]


@dataclass
class IndicatorLine:
    indicator: Any
    figure: Any
    series: dict[str, list[Any]]

    @property
    def by_year(self) -> list[tuple[int, Any, Any]]:
        """(year, target, actual) of each year of the plan."""
        return list(zip(self.series["years"], self.series["target"], self.series["actual"], strict=True))


def activity_lines(
    py: PlanYear, now: dt.datetime, scope: OrganizationScope | None = None, *, figures: TimelinessFigures | None = None
) -> list[ActivityLine]:
    """The plan's activities in the year; ``figures``: their timeliness by activity when already computed."""
    today = timezone.localdate(now)
    if figures is None:
        figures = timeliness_figures(now=now, by="activity", plan=py.plan, year=py.year, scope=scope)
    by_activity = {row.key: row for row in figures.rows}
    activities = list(activities_of(py.plan))
    all_points = control_points_of(activities, today=today, year=py.year)
    lines = []
    for activity in activities:
        windows = [w for w in activity.windows.all() if w.start.year <= py.year <= w.end.year]
        row = by_activity.get(activity.pk)
        points = points_in_year(all_points.get(activity.pk, []), py.year)
        status = activity_status(
            windows=[(w.start, w.end) for w in windows],
            held=row.held if row else 0,
            missing=row.missing if row else 0,
            today=today,
            points=points,
        )
        css = ACTIVITY_STATUS_CSS.get(status, "no_data")
        lines.append(ActivityLine(activity, windows, status, css, row, points))
    return lines


def indicator_lines(py: PlanYear, now: dt.datetime) -> list[IndicatorLine]:
    figures = indicator_figures(py.plan, years=py.years, now=now)
    lines = []
    for indicator in indicators_of(py.plan):
        series = {
            "years": py.years,
            "target": [_chart_value(figures.get((indicator.code, y)), "target") for y in py.years],
            "actual": [_chart_value(figures.get((indicator.code, y)), "actual") for y in py.years],
        }
        lines.append(IndicatorLine(indicator, figures.get((indicator.code, py.year)), series))
    return lines


def _chart_value(figure: Any, name: str) -> Any:
    """A figure's value for the series: a number, a yes/no (shown as a badge), or None."""
    return getattr(figure, name, None) if figure else None


TIMELINESS_ROWS = 15


def data_stamp(plan: Plan | None = None, scope: OrganizationScope | None = None) -> tuple[Any, ...]:
    """Changes whenever anything the figures read is written through the services
    (``indicators.memo.data_stamp``: the newest history rows, read off primary key
    indexes). Bulk loads that bypass history are caught by the newest event id and,
    at worst, by ``SNAPSHOT_MAX_AGE``.

    A dashboard's (``plan`` and ``scope``): its events are stamped by the writes to
    the plan's events and to the events of the scope's region (every event, for a
    scope of everything: the all-time overdue count reads every plan's), so a write
    in another region leaves the snapshot fresh."""
    return figures_data_stamp(plan, scope=scope)


class Dashboard:
    """The dashboard's parts, each computed on first use while the body is rendered.

    The dashboard is only for accounts that see every organisation, so its
    figures do not depend on who opens it (one snapshot serves them all).
    """

    def __init__(self, *, py: PlanYear, now: dt.datetime, scope: OrganizationScope = EVERYTHING) -> None:
        self.py = py
        self.now = now
        self.scope = scope  # whose events count (a regional ministry's: its region's)
        self.figures_scope = None if scope.everything else scope  # the rollups filter on it in SQL

    @cached_property
    def _timeliness(self) -> dict[str, TimelinessFigures]:
        """Timeliness of the plan and year by organisation, municipality and
        activity: the late reports' delays read once for the three."""
        return timeliness_figures_many(
            now=self.now,
            groupings=("organization", "municipality", "activity"),
            plan=self.py.plan,
            year=self.py.year,
            scope=self.figures_scope,
        )

    @cached_property
    def activities(self) -> list[ActivityLine]:
        return activity_lines(self.py, self.now, self.figures_scope, figures=self._timeliness["activity"])

    @cached_property
    def overdue_points(self) -> list[ActivityLine]:
        """Activities of the plan and year with a control point passed and nothing recorded."""
        return [line for line in self.activities if line.overdue_points]

    @cached_property
    def indicators(self) -> list[IndicatorLine]:
        return indicator_lines(self.py, self.now)

    @cached_property
    def checks(self) -> list[Any]:
        """The plan's rules broken in the year (plan and fact), as sentences, then records that fit no row."""
        from indicators.checks import plan_breaches, unassigned_checks

        figures = {(line.indicator.code, self.py.year): line.figure for line in self.indicators if line.figure}
        return [
            *plan_breaches(self.py.plan, years=[self.py.year], figures=figures),
            *unassigned_checks(self.py.plan, years=[self.py.year]),
        ]

    @cached_property
    def charts(self) -> list[dict[str, Any]]:
        """Plan-against-fact bars of the number indicators (yes/no ones are badges, not 0/1 bars)."""
        return [{"id": line.indicator.pk, **line.series} for line in self.indicators if not line.indicator.is_boolean]

    @cached_property
    def checks_count(self) -> int:
        return len(self.checks)

    def _events(self, status: str, *, scoped: bool = True) -> Any:
        """Events in ``status`` now: of the chosen plan and year (``scoped``), or of all time."""
        if not scoped:
            found = events_list(user=None, now=self.now, report_status=status, everything=True)
        else:
            found = events_list(
                user=None, now=self.now, report_status=status, plan=self.py.plan, year=self.py.year, everything=True
            )
        return self.scope.events(found)

    @cached_property
    def overdue(self) -> list[Any]:
        """The oldest overdue reports of the chosen plan and year (the list says so).

        The ten are chosen first and their rows read after: chosen with every
        related row joined, PostgreSQL joined all of a region's overdue events
        (10,000 at national) before keeping ten (120 ms instead of 40)."""
        found = self._events(ReportStatus.OVERDUE)
        ids = list(found.order_by("due_at", "id").values_list("id", flat=True)[:10])
        rows = {event.pk: event for event in found.filter(pk__in=ids)}
        return [rows[pk] for pk in ids if pk in rows]

    @cached_property
    def _overdue_counts(self) -> dict[str, int]:
        """Overdue now: of the chosen plan and year, and of all time (every plan), in one query."""
        scope = Q(activity__plan=self.py.plan) & event_year_q(self.py.year)
        return self._events(ReportStatus.OVERDUE, scoped=False).aggregate(
            scoped=Count("id", filter=scope), all_time=Count("id")
        )

    @cached_property
    def overdue_count(self) -> int:
        return self._overdue_counts["scoped"]

    @cached_property
    def overdue_all_time_count(self) -> int:
        """Overdue now across every plan and year, shown labelled as such."""
        return self._overdue_counts["all_time"]

    @cached_property
    def returned_count(self) -> int:
        return self._events(ReportStatus.RETURNED).count()

    @property
    def _by_organization(self) -> TimelinessFigures:
        return self._timeliness["organization"]

    @property
    def _by_municipality(self) -> TimelinessFigures:
        return self._timeliness["municipality"]

    @property
    def total(self) -> TimelinessRow:
        return self._by_organization.total

    @property
    def by_organization(self) -> list[TimelinessRow]:
        return worst_first(self._by_organization.rows)[:TIMELINESS_ROWS]

    @property
    def organizations_count(self) -> int:
        return len(self._by_organization.rows)

    @property
    def by_municipality(self) -> list[TimelinessRow]:
        return worst_first(self._by_municipality.rows)[:TIMELINESS_ROWS]

    @property
    def municipalities_count(self) -> int:
        return len(self._by_municipality.rows)


def worst_first(rows: list[TimelinessRow]) -> list[TimelinessRow]:
    """Groups with the most missing, then late reports first (what needs a call today)."""
    return sorted(rows, key=lambda r: (-r.missing, -r.late, r.label))


# ---------------------------------------------------------------------------
# The snapshot
# ---------------------------------------------------------------------------

SNAPSHOT_MAX_AGE = dt.timedelta(seconds=60)
SNAPSHOT_KEEP_SECONDS = 7 * 24 * 3600  # a stale snapshot is still worth showing
BODY_TEMPLATE = "roadmap/_dashboard_body.html"


@dataclass(frozen=True)
class Snapshot:
    """The rendered dashboard body of one plan and year, and what it was computed from."""

    plan_id: int
    year: int
    stamp: str
    computed_at: dt.datetime
    html: str

    def is_fresh(self, *, stamp: str, now: dt.datetime) -> bool:
        return self.stamp == stamp and now - self.computed_at < SNAPSHOT_MAX_AGE


def current_stamp(plan: Plan | None = None, scope: OrganizationScope | None = None) -> str:
    return repr(data_stamp(plan, scope))


def snapshot_key(plan_id: int, year: int, scope_key: str = "all") -> str:
    # The year rule is part of the key: a snapshot computed under another
    # rule (kept in a shared cache over a deploy) is never served as fresh.
    # One snapshot per scope: a region's staff see their region's figures.
    tail = "" if scope_key == "all" else f":{scope_key}"
    return f"dashboard:snapshot:{EVENT_YEAR_FIELD}:{plan_id}:{year}{tail}"


def _lock_key(plan_id: int, year: int, scope_key: str = "all") -> str:
    tail = "" if scope_key == "all" else f":{scope_key}"
    return f"dashboard:refreshing:{plan_id}:{year}{tail}"


def build_snapshot(
    py: PlanYear, *, now: dt.datetime, stamp: str | None = None, scope: OrganizationScope = EVERYTHING
) -> Snapshot:
    """Compute and store the snapshot of ``py`` as of ``now``.

    The stamp is read *before* the figures, so a write that lands while they
    are computed leaves the snapshot stale rather than wrongly fresh (a caller
    that has just read it passes it in). A newer snapshot already in the cache
    is not overwritten by an older one.
    """
    stamp = stamp or current_stamp(py.plan, scope)
    html = render_to_string(BODY_TEMPLATE, {"py": py, "dash": Dashboard(py=py, now=now, scope=scope)})
    snapshot = Snapshot(plan_id=py.plan.pk, year=py.year, stamp=stamp, computed_at=now, html=html)
    key = snapshot_key(py.plan.pk, py.year, scope.key)
    stored = cache.get(key)
    if not isinstance(stored, Snapshot) or stored.computed_at <= now:
        cache.set(key, snapshot, SNAPSHOT_KEEP_SECONDS)
    return snapshot


def cached_snapshot(plan_id: int, year: int, scope_key: str = "all") -> Snapshot | None:
    snapshot = cache.get(snapshot_key(plan_id, year, scope_key))
    return snapshot if isinstance(snapshot, Snapshot) else None


def dashboard_snapshot(
    py: PlanYear, *, now: dt.datetime, mode: str | None = None, scope: OrganizationScope = EVERYTHING
) -> tuple[Snapshot, bool]:
    """The snapshot to show now, and whether it is fresh.

    Fresh: served as is. Stale: served as is while a refresh is started in
    the background (at most one per plan and year at a time), unless
    ``mode`` is "inline", which recomputes it here. Missing: computed here.
    """
    mode = mode or settings.DASHBOARD_REFRESH
    snapshot = cached_snapshot(py.plan.pk, py.year, scope.key)
    if snapshot is None:
        return build_snapshot(py, now=now, scope=scope), True
    stamp = current_stamp(py.plan, scope)
    if snapshot.is_fresh(stamp=stamp, now=now):
        return snapshot, True
    if mode == "inline":
        return build_snapshot(py, now=now, stamp=stamp, scope=scope), True
    request_refresh(py.plan.pk, py.year, mode=mode, scope_key=scope.key)
    return snapshot, False


def request_refresh(plan_id: int, year: int, *, mode: str, scope_key: str = "all") -> bool:
    """Start a background refresh unless one is already running; True if started."""
    return background.request(
        _lock_key(plan_id, year, scope_key), lambda: _start_refresh(plan_id, year, mode, scope_key)
    )


def _start_refresh(plan_id: int, year: int, mode: str, scope_key: str = "all") -> None:
    """Hand the refresh to Celery or a daemon thread (``reports.background``)."""

    def task() -> None:
        from reports.dashboard.tasks import refresh_dashboard

        refresh_dashboard.delay(plan_id, year, scope_key)

    background.start(
        _lock_key(plan_id, year, scope_key),
        mode=mode,
        task=task,
        work=lambda: refresh_snapshot(plan_id, year, now=timezone.now(), scope_key=scope_key),
        name="dashboard-refresh",
    )


def refresh_snapshot(plan_id: int, year: int, *, now: dt.datetime, scope_key: str = "all") -> Snapshot:
    """Recompute the snapshot of a plan, year and scope (the background job), then free the lock.

    It reads from the read replica when there is one (copp.db_router), the
    stamp included: a lagging replica gives an older stamp, so the snapshot
    is seen as stale and refreshed again rather than wrongly fresh. The first
    view of a plan and year and the "inline" mode compute on default. The
    plan's row is read from default: a plan created a moment ago is found.
    """
    try:
        plan = Plan.objects.get(pk=plan_id)
        scope = OrganizationScope.from_key(scope_key)
        with replica_reads():
            return build_snapshot(PlanYear(plan=plan, year=year), now=now, scope=scope)
    finally:
        background.release(_lock_key(plan_id, year, scope_key))


def dashboard_context(*, py: PlanYear, now: dt.datetime, scope: OrganizationScope = EVERYTHING) -> dict[str, Any]:
    snapshot, fresh = dashboard_snapshot(py, now=now, scope=scope)
    return {"py": py, "snapshot": snapshot, "fresh": fresh}

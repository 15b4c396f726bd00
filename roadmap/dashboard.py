"""What the ministry's dashboard shows, gathered from the apps' selectors.

Nothing is computed here: statuses, figures and timeliness come from the
selectors the reports and the API use, so a number on the dashboard is the
same number everywhere. This module only arranges them for the template, in
a fixed number of queries.

Those selectors aggregate every event of the year (about a second at 30,000
events), while the dashboard is opened many times a day and the figures move
only when someone writes. So the arranged figures are cached under a key made
of the plan, the year, the minute they are computed for, and a stamp of the
data they read (the newest history rows of events, reports and actual values):
any write through the services changes the stamp, and the minute bounds how long a time-dependent
state (a report turning overdue at midnight) can lag. Every ministry, ЦОПП
and administrator account sees all organisations, so one cached copy serves
them all.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from django.db.models import Max
from django.utils import timezone

from indicators.models import ActualChange
from indicators.selectors import indicator_figures, indicators_of
from roadmap.activity_status import ActivityStatus, activity_status
from roadmap.event_selectors import TimelinessRow, events_list, timeliness_figures
from roadmap.models import Event, EventReport
from roadmap.report_status import ReportStatus
from roadmap.selectors import activities_of
from roadmap.web import PlanYear

ACTIVITY_STATUS_CSS = {
    ActivityStatus.NOT_PLANNED: "no_data",
    ActivityStatus.NOT_STARTED: "not_started",
    ActivityStatus.IN_PROGRESS: "in_progress",
    ActivityStatus.DONE: "done",
    ActivityStatus.FAILED: "failed",
}


@dataclass
class ActivityLine:
    activity: Any
    windows: list[Any]
    status: str
    status_css: str
    figures: TimelinessRow | None


@dataclass
class IndicatorLine:
    indicator: Any
    figure: Any
    series: dict[str, list[Any]]


def activity_lines(py: PlanYear, now: dt.datetime) -> list[ActivityLine]:
    today = timezone.localdate(now)
    by_activity = {row.key: row for row in timeliness_figures(now=now, by="activity", plan=py.plan, year=py.year).rows}
    lines = []
    for activity in activities_of(py.plan):
        windows = [w for w in activity.windows.all() if w.start.year <= py.year <= w.end.year]
        row = by_activity.get(activity.pk)
        status = activity_status(
            windows=[(w.start, w.end) for w in windows],
            held=row.held if row else 0,
            missing=row.missing if row else 0,
            today=today,
        )
        lines.append(ActivityLine(activity, windows, status, ACTIVITY_STATUS_CSS.get(status, "no_data"), row))
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
    value = getattr(figure, name, None) if figure else None
    if isinstance(value, bool):
        return 1 if value else 0
    return value


CACHE_SECONDS = 300
TIMELINESS_ROWS = 15


def data_stamp() -> tuple[Any, ...]:
    """Changes whenever an event, a report or an actual value is written through the
    services: each such write adds a history row (simple_history for events and
    reports, ``ActualChange`` for values), and the newest id of each is read from
    its primary key index, so the stamp costs next to nothing at any data size.
    Bulk loads that bypass history are caught by the newest event id and, at
    worst, by the minute in the cache key."""
    return (
        Event.history.aggregate(m=Max("history_id"))["m"],
        EventReport.history.aggregate(m=Max("history_id"))["m"],
        ActualChange.objects.aggregate(m=Max("id"))["m"],
        Event.objects.aggregate(m=Max("id"))["m"],
    )


class Dashboard:
    """The dashboard's parts, each computed on first use; the template caches the
    rendered page body under :attr:`cache_key`, so a cached page reads nothing."""

    def __init__(self, *, user: Any, py: PlanYear, now: dt.datetime) -> None:
        self.user = user
        self.py = py
        self.now = now.replace(second=0, microsecond=0)

    @cached_property
    def cache_key(self) -> str:
        return f"{self.py.plan.pk}:{self.py.year}:{self.now.isoformat()}:{hash(data_stamp())}"

    @cached_property
    def activities(self) -> list[ActivityLine]:
        return activity_lines(self.py, self.now)

    @cached_property
    def indicators(self) -> list[IndicatorLine]:
        return indicator_lines(self.py, self.now)

    @cached_property
    def charts(self) -> list[dict[str, Any]]:
        return [{"id": line.indicator.pk, **line.series} for line in self.indicators]

    def _events(self, status: str) -> Any:
        return events_list(user=self.user, now=self.now, report_status=status, plan=self.py.plan)

    @cached_property
    def overdue(self) -> list[Any]:
        return list(self._events(ReportStatus.OVERDUE).order_by("due_at", "id")[:10])

    @cached_property
    def overdue_count(self) -> int:
        return self._events(ReportStatus.OVERDUE).count()

    @cached_property
    def returned_count(self) -> int:
        return self._events(ReportStatus.RETURNED).count()

    @cached_property
    def _by_organization(self) -> Any:
        return timeliness_figures(now=self.now, by="organization", plan=self.py.plan, year=self.py.year)

    @cached_property
    def _by_municipality(self) -> Any:
        return timeliness_figures(now=self.now, by="municipality", plan=self.py.plan, year=self.py.year)

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


def dashboard_context(*, user: Any, py: PlanYear, now: dt.datetime) -> dict[str, Any]:
    return {"py": py, "dash": Dashboard(user=user, py=py, now=now), "cache_seconds": CACHE_SECONDS}

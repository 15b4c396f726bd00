"""What the ministry's dashboard shows, gathered from the apps' selectors.

Nothing is computed here: statuses, figures and timeliness come from the
selectors the reports and the API use, so a number on the dashboard is the
same number everywhere. This module only arranges them for the template, in
a fixed number of queries.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from indicators.selectors import indicator_figures, indicators_of
from reports.builders.roadmap import ActivityStatus, activity_status
from roadmap.event_selectors import TimelinessRow, events_list, timeliness_figures
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


def dashboard_context(*, user: Any, py: PlanYear, now: dt.datetime) -> dict[str, Any]:
    overdue = events_list(user=user, now=now, report_status=ReportStatus.OVERDUE, plan=py.plan).order_by("due_at", "id")
    returned = events_list(user=user, now=now, report_status=ReportStatus.RETURNED, plan=py.plan)
    indicators = indicator_lines(py, now)
    by_organization = timeliness_figures(now=now, by="organization", plan=py.plan, year=py.year)
    return {
        "py": py,
        "now": now,
        "activities": activity_lines(py, now),
        "indicators": indicators,
        "charts": [{"id": line.indicator.pk, **line.series} for line in indicators],
        "overdue": list(overdue[:10]),
        "overdue_count": overdue.count(),
        "returned_count": returned.count(),
        "total": by_organization.total,
        "by_organization": by_organization.rows,
        "by_municipality": timeliness_figures(now=now, by="municipality", plan=py.plan, year=py.year).rows,
    }

"""The overview pages' lists as their pages select them (timeliness, «my tasks»).

The pages and their Excel exports (``reports.exports``) both call these, so
what is exported is exactly what is shown: one path per rule.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, cast

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy

from copp.web import PlanYear, plan_year_of, requested_plan
from reports.dashboard.snapshot import worst_first
from roadmap.accounts.permissions import organization_scope
from roadmap.events import selectors as event_selectors
from roadmap.events.memo import current_timeliness
from roadmap.events.status import ReportStatus, status_q
from roadmap.models import Event, Plan

OPEN_STATUSES = (ReportStatus.OVERDUE, ReportStatus.DUE_TODAY, ReportStatus.AWAITING, ReportStatus.RETURNED)

TIMELINESS_GROUPS = {
    "organization": ("organizer", gettext_lazy("Organisation")),
    "municipality": ("municipality", gettext_lazy("Municipality")),
}


@dataclass(frozen=True)
class TimelinessTable:
    py: PlanYear
    by: str
    rows: list[event_selectors.TimelinessRow]  # worst first
    total: event_selectors.TimelinessRow
    param: str  # the event list's filter of a group
    first: Any  # the header of the group column


def timeliness_table(data: Mapping[str, Any], *, user: Any, now: dt.datetime) -> TimelinessTable:
    """Report timeliness of every organisation or municipality ``user`` sees of
    ``?plan=&year=``, grouped ``?by=`` (an unknown grouping is by organisation), worst first."""
    py = plan_year_of(data, user=user)
    requested = data.get("by", "")
    by = cast("event_selectors.GroupBy", requested if requested in TIMELINESS_GROUPS else "organization")
    figures = current_timeliness(now=now, by=by, plan=py.plan, year=py.year, scope=organization_scope(user))
    param, first = TIMELINESS_GROUPS[by]
    return TimelinessTable(py, by, worst_first(figures.rows), figures.total, param, first)


def tasks_plan(data: Mapping[str, Any]) -> Plan | None:
    """The plan of «my tasks»: every plan by default (a report of an archived plan's event is still due)."""
    plan: Plan | None = requested_plan(data.get("plan"), default=None)
    return plan


def tasks_to_report(user: Any, *, plan: Plan | None, now: dt.datetime) -> QuerySet[Event]:
    """The events of the user's organisation whose report is to be filed or fixed, by deadline."""
    mine = event_selectors.events_list(user=user, now=now, organization_id=user.organization_id, plan=plan)
    open_q = Q()
    for status in OPEN_STATUSES:
        open_q |= status_q(status, now)
    # A task names its activity and plan and reads its report; not the organiser
    # (the user's own) nor the municipality the event lists join.
    return mine.filter(open_q).select_related(None).select_related("activity__plan", "report").order_by("due_at", "id")

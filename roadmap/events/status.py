"""The report status of an event: one pure rule, mirrored by a queryset annotation.

``report_status`` decides the state from plain values and ``now``; the
``status_q`` / ``annotate_report_status`` pair expresses exactly the same
decision as SQL conditions, so that ``?report_status=overdue`` is an indexed
query and never a loop over rows. ``roadmap/tests/test_report_status.py``
checks both against each other on a grid of moments around every boundary.

The boundaries (``due_at`` is 23:59:59 Moscow time of the due day):

* ``planned``   -- the event's last day has not begun yet (Moscow date);
* ``awaiting``  -- the last day has begun, the due day has not;
* ``due_today`` -- the due day, up to and including the second 23:59:59;
* ``overdue``   -- from 00:00:00 after the due day. The deadline is the whole
  second 23:59:59, so a report at 23:59:59.999 is on time and one at
  00:00:00 is late (``late_from``);
* with a report: ``on_time`` / ``late`` (frozen at submission), ``accepted``,
  ``returned``; a cancelled event is ``cancelled`` whatever else holds.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from enum import StrEnum

from django.db.models import Case, CharField, Q, QuerySet, Value, When

from roadmap.plans.deadlines import MOSCOW


class ReportStatus(StrEnum):
    PLANNED = "planned"
    AWAITING = "awaiting"
    DUE_TODAY = "due_today"
    OVERDUE = "overdue"
    ON_TIME = "on_time"
    LATE = "late"
    ACCEPTED = "accepted"
    RETURNED = "returned"
    CANCELLED = "cancelled"


REPORT_STATUS_LABELS: dict[str, str] = {
    ReportStatus.PLANNED: "Запланировано",
    ReportStatus.AWAITING: "Ожидается отчёт",
    ReportStatus.DUE_TODAY: "Отчёт сегодня",
    ReportStatus.OVERDUE: "Отчёт просрочен",
    ReportStatus.ON_TIME: "Отчёт в срок",
    ReportStatus.LATE: "Отчёт с опозданием",
    ReportStatus.ACCEPTED: "Отчёт принят",
    ReportStatus.RETURNED: "Отчёт возвращён",
    ReportStatus.CANCELLED: "Отменено",
}

# due_at is the *start* of the last permitted second.
DEADLINE_SECOND = timedelta(seconds=1)
DAY = timedelta(days=1)


def late_from(due_at: datetime) -> datetime:
    """The first moment at which a report is late (00:00:00 after the due day)."""
    return due_at + DEADLINE_SECOND


def is_on_time(submitted_at: datetime, due_at: datetime) -> bool:
    """A report is on time while the deadline's last second has not passed."""
    return submitted_at < late_from(due_at)


def moscow_date(moment: datetime) -> date:
    return moment.astimezone(MOSCOW).date()


# What a report says of its event, whatever the moment: the statuses of a
# reported event, mirrored on the event as ``Event.report_outcome``.
REPORT_OUTCOMES = (ReportStatus.ON_TIME, ReportStatus.LATE, ReportStatus.ACCEPTED, ReportStatus.RETURNED)
NO_OUTCOME = ""  # no report (yet)


def report_outcome(report_state: str | None, on_time: bool | None) -> str:
    """The outcome of a report with status ``report_state`` (None: no report)."""
    if report_state is None:
        return NO_OUTCOME
    if report_state == "accepted":
        return ReportStatus.ACCEPTED.value
    if report_state == "returned":
        return ReportStatus.RETURNED.value
    return (ReportStatus.ON_TIME if on_time else ReportStatus.LATE).value


def report_status(
    *,
    now: datetime,
    end_date: date,
    due_at: datetime,
    cancelled: bool = False,
    report_state: str | None = None,
    on_time: bool | None = None,
) -> ReportStatus:
    """The report status of one event at ``now``.

    ``report_state`` is the report's own status (submitted / accepted /
    returned) or None when no report exists.
    """
    if cancelled:
        return ReportStatus.CANCELLED
    if report_state is not None:
        return ReportStatus(report_outcome(report_state, on_time))
    if end_date > moscow_date(now):
        return ReportStatus.PLANNED
    if now >= late_from(due_at):
        return ReportStatus.OVERDUE
    if now >= late_from(due_at) - DAY:
        return ReportStatus.DUE_TODAY
    return ReportStatus.AWAITING


def status_q(status: str, now: datetime, prefix: str = "") -> Q:
    """SQL conditions for events in ``status`` at ``now`` (mirror of report_status).

    ``prefix`` lets other models filter through a relation (e.g. ``"event__"``).
    A report's part is read from the event's own ``report_outcome`` (its mirror
    of the report), so no status joins the reports: "overdue" in a region is a
    range of the (region, report_outcome, due_at) index.
    Raises ValueError for an unknown status.
    """
    p = prefix
    open_ = Q(**{f"{p}cancelled_at__isnull": True})
    today = moscow_date(now)
    # now >= due_at + 1s  <=>  due_at <= now - 1s
    overdue_cut = now - DEADLINE_SECOND
    due_today_cut = overdue_cut + DAY
    status = ReportStatus(status)
    if status is ReportStatus.CANCELLED:
        return ~open_
    if status in REPORT_OUTCOMES:
        return open_ & Q(**{f"{p}report_outcome": status.value})
    pending = open_ & Q(**{f"{p}report_outcome": NO_OUTCOME})
    if status is ReportStatus.PLANNED:
        return pending & Q(**{f"{p}end_date__gt": today})
    held = pending & Q(**{f"{p}end_date__lte": today})
    if status is ReportStatus.OVERDUE:
        return held & Q(**{f"{p}due_at__lte": overdue_cut})
    if status is ReportStatus.DUE_TODAY:
        return held & Q(**{f"{p}due_at__gt": overdue_cut, f"{p}due_at__lte": due_today_cut})
    return held & Q(**{f"{p}due_at__gt": due_today_cut})


def annotate_report_status(qs: QuerySet, now: datetime, name: str = "report_status") -> QuerySet:
    """Add ``report_status`` to an Event queryset, computed in the database."""
    whens = [When(status_q(s, now), then=Value(s.value)) for s in ReportStatus]
    return qs.annotate(**{name: Case(*whens, default=Value(""), output_field=CharField())})

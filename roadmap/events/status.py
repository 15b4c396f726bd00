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

from django.db.models import Case, CharField, Exists, OuterRef, Q, QuerySet, Value, When

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
    if report_state == "accepted":
        return ReportStatus.ACCEPTED
    if report_state == "returned":
        return ReportStatus.RETURNED
    if report_state is not None:
        return ReportStatus.ON_TIME if on_time else ReportStatus.LATE
    if end_date > moscow_date(now):
        return ReportStatus.PLANNED
    if now >= late_from(due_at):
        return ReportStatus.OVERDUE
    if now >= late_from(due_at) - DAY:
        return ReportStatus.DUE_TODAY
    return ReportStatus.AWAITING


def status_q(status: str, now: datetime, prefix: str = "", *, joined: bool = False) -> Q:
    """SQL conditions for events in ``status`` at ``now`` (mirror of report_status).

    ``prefix`` lets other models filter through a relation (e.g. ``"event__"``).
    "No report yet" is a ``NOT EXISTS`` on the report's unique event index, which
    PostgreSQL plans as an anti-join and can stop early under ``LIMIT``; with
    ``joined`` it reads the report row already LEFT JOINed instead (for the
    per-row annotation, where the join is there anyway).
    Raises ValueError for an unknown status.
    """
    p = prefix
    open_ = Q(**{f"{p}cancelled_at__isnull": True})
    if joined:
        no_report = Q(**{f"{p}report__isnull": True})
    else:
        from roadmap.models import EventReport

        no_report = ~Q(Exists(EventReport.objects.filter(event=OuterRef(f"{p}pk"))))
    today = moscow_date(now)
    # now >= due_at + 1s  <=>  due_at <= now - 1s
    overdue_cut = now - DEADLINE_SECOND
    due_today_cut = overdue_cut + DAY
    status = ReportStatus(status)
    if status is ReportStatus.CANCELLED:
        return ~open_
    if status is ReportStatus.ACCEPTED:
        return open_ & Q(**{f"{p}report__status": "accepted"})
    if status is ReportStatus.RETURNED:
        return open_ & Q(**{f"{p}report__status": "returned"})
    if status is ReportStatus.ON_TIME:
        return open_ & Q(**{f"{p}report__status": "submitted", f"{p}report__on_time": True})
    if status is ReportStatus.LATE:
        return open_ & Q(**{f"{p}report__status": "submitted", f"{p}report__on_time": False})
    pending = open_ & no_report
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
    whens = [When(status_q(s, now, joined=True), then=Value(s.value)) for s in ReportStatus]
    return qs.annotate(**{name: Case(*whens, default=Value(""), output_field=CharField())})

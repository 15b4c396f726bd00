"""Reads behind the reports: events and their reports as they were at a moment.

A report built "as of" a past date must show what was known then, so every
read here takes ``moment`` and, when ``historical`` is set, reads the rows
kept by django-simple-history (``Event.history.as_of``, ``EventReport.history``)
instead of the live tables. Statuses come from the one rule of the roadmap
app (``roadmap.events.status``), never from a copy of it.
"""

from __future__ import annotations

import datetime as dt
import mimetypes
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q

from copp.files import OwnedFile
from reports.models import ImportJob, ReportFile
from roadmap.events.event_year import event_year_q
from roadmap.events.status import late_from, moscow_date
from roadmap.models import REPORT_FIGURE_FIELDS, Event, EventReport, EvidenceFile, Plan

EVENT_FIELDS = (
    "id",
    "title",
    "activity_id",
    "organizer_id",
    "municipality_id",
    "start_date",
    "end_date",
    "due_at",
    "cancelled_at",
)
REPORT_LINE_FIELDS = (
    "status",
    "submitted_at",
    "on_time",
    *REPORT_FIGURE_FIELDS,
)


class Timeliness:
    """How an event stands against the reporting rule at a moment (report wording)."""

    ON_TIME = "в срок"
    LATE = "с опозданием"
    MISSING = "не представлен"
    PENDING = "ожидается"
    CANCELLED = "отменено"


@dataclass(frozen=True, slots=True)
class EventLine:
    id: int
    title: str
    activity_id: int
    organizer_id: int
    municipality_id: int | None
    start_date: dt.date
    end_date: dt.date
    due_at: dt.datetime
    cancelled: bool
    report_status: str | None
    submitted_at: dt.datetime | None
    on_time: bool | None
    participants_total: int | None
    participants_pupils_6_11: int | None
    participants_students: int | None
    participants_adults: int | None
    participants_50_plus: int | None
    schools_count: int | None

    @property
    def held(self) -> bool:
        return not self.cancelled

    def timeliness(self, moment: dt.datetime) -> str:
        if self.cancelled:
            return Timeliness.CANCELLED
        if self.report_status is not None:
            return Timeliness.ON_TIME if self.on_time else Timeliness.LATE
        if moment >= late_from(self.due_at):
            return Timeliness.MISSING
        return Timeliness.PENDING

    def delay_days(self, moment: dt.datetime) -> int | None:
        """Whole days past the due day: submitted (or, if missing, ``moment``)."""
        state = self.timeliness(moment)
        if state == Timeliness.LATE and self.submitted_at is not None:
            return (moscow_date(self.submitted_at) - moscow_date(self.due_at)).days
        if state == Timeliness.MISSING:
            return (moscow_date(moment) - moscow_date(self.due_at)).days
        return None


def _line(event: dict[str, Any], report: dict[str, Any] | None) -> EventLine:
    report = report or {}
    return EventLine(
        id=event["id"],
        title=event["title"],
        activity_id=event["activity_id"],
        organizer_id=event["organizer_id"],
        municipality_id=event["municipality_id"],
        start_date=event["start_date"],
        end_date=event["end_date"],
        due_at=event["due_at"],
        cancelled=event["cancelled_at"] is not None,
        report_status=report.get("status"),
        submitted_at=report.get("submitted_at"),
        on_time=report.get("on_time"),
        participants_total=report.get("participants_total"),
        participants_pupils_6_11=report.get("participants_pupils_6_11"),
        participants_students=report.get("participants_students"),
        participants_adults=report.get("participants_adults"),
        participants_50_plus=report.get("participants_50_plus"),
        schools_count=report.get("schools_count"),
    )


def _period_filter(year: int | None, start: dt.date | None, end: dt.date | None) -> Q:
    q = Q()
    if year is not None:
        q &= event_year_q(year)
    if start is not None:
        q &= Q(end_date__gte=start)
    if end is not None:
        q &= Q(end_date__lte=end)
    return q


def event_lines(
    plan: Plan,
    *,
    moment: dt.datetime,
    historical: bool,
    year: int | None = None,
    start: dt.date | None = None,
    end: dt.date | None = None,
    activity_ids: Iterable[int] | None = None,
    chunk_size: int = 2000,
) -> Iterator[EventLine]:
    """Events of a plan in the period, with their reports: ``year`` is the
    event's year (its last day, ``roadmap.events.event_year``), ``start``/``end``
    bound its last day.

    Live reads are one query (events LEFT JOIN reports, streamed); historical
    reads are two (the events' and the reports' latest history rows before
    ``moment``). Ordered by last day, then id.
    """
    where = Q(activity__plan=plan) & _period_filter(year, start, end)
    if activity_ids is not None:
        where &= Q(activity_id__in=list(activity_ids))
    order = ("end_date", "start_date", "id")
    if not historical:
        fields = [*EVENT_FIELDS, *(f"report__{f}" for f in REPORT_LINE_FIELDS)]
        qs = Event.objects.filter(where).order_by(*order).values_list(*fields)
        n = len(EVENT_FIELDS)
        for values in qs.iterator(chunk_size=chunk_size):
            event = dict(zip(EVENT_FIELDS, values[:n], strict=True))
            report = dict(zip(REPORT_LINE_FIELDS, values[n:], strict=True))
            yield _line(event, report if report["status"] is not None else None)
        return
    events = list(Event.history.as_of(moment).filter(where).order_by(*order).values(*EVENT_FIELDS))
    ids = [e["id"] for e in events]
    reports: dict[int, dict[str, Any]] = {}
    for i in range(0, len(ids), chunk_size):
        chunk = ids[i : i + chunk_size]
        for row in EventReport.history.as_of(moment).filter(event_id__in=chunk).values("event_id", *REPORT_LINE_FIELDS):
            reports[row["event_id"]] = row
    for event in events:
        yield _line(event, reports.get(event["id"]))


def count_events(
    plan: Plan, *, year: int | None = None, start: dt.date | None = None, end: dt.date | None = None
) -> int:
    return Event.objects.filter(Q(activity__plan=plan) & _period_filter(year, start, end)).count()


def evidence_counts(event_ids: list[int], *, moment: dt.datetime) -> dict[int, int]:
    """Evidence files uploaded by ``moment``, per event."""
    counts: dict[int, int] = {}
    for i in range(0, len(event_ids), 2000):
        rows = (
            EvidenceFile.objects.filter(report__event_id__in=event_ids[i : i + 2000], uploaded_at__lte=moment)
            .values("report__event_id")
            .annotate(n=Count("id"))
        )
        for row in rows:
            counts[row["report__event_id"]] = row["n"]
    return counts


# Rows of the reports page's and the imports page's lists (and of their exports).
REPORT_FILES_SHOWN = 50
IMPORT_JOBS_SHOWN = 20


def report_files_for(user: object, *, limit: int = REPORT_FILES_SHOWN) -> list[ReportFile]:
    """Report files a user may see, newest first (the reports page's list)."""
    from reports.permissions import visible_report_files

    return list(visible_report_files(user).select_related("plan", "requested_by")[:limit])


def import_jobs_for(user: object, *, limit: int = 50) -> list[ImportJob]:
    from reports.permissions import visible_import_jobs

    return list(visible_import_jobs(user)[:limit])


def report_file_of(user: object, name: str) -> OwnedFile | None:
    """A built report stored as ``name`` if ``user`` may see it (the ``/files/`` view's finder)."""
    from reports.permissions import visible_report_files

    report = visible_report_files(user, ReportFile.objects.filter(file=name)).first()
    if report is None:
        return None
    return OwnedFile(report.file, report.filename, mimetypes.guess_type(report.filename)[0])


def import_file_of(user: object, name: str) -> OwnedFile | None:
    """An uploaded import file stored as ``name`` if ``user`` may see its job (the ``/files/`` view's finder)."""
    from reports.permissions import visible_import_jobs

    job = visible_import_jobs(user, ImportJob.objects.filter(file=name)).first()
    if job is None:
        return None
    return OwnedFile(job.file, job.original_name or name.rsplit("/", 1)[-1])

"""Reads about events, reports, timeliness and the notification inbox.

Everything that depends on time takes ``now``; report states come from
``roadmap.events.status`` so lists, filters and figures agree.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any, Literal

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.db.models import Count, F, Q, QuerySet
from django.db.models.functions import TruncMonth

from copp.files import OwnedFile
from roadmap.accounts.permissions import visible_events, visible_evidence, visible_notifications
from roadmap.events.event_year import event_year_q
from roadmap.events.status import (
    DEADLINE_SECOND,
    ReportStatus,
    annotate_report_status,
    late_from,
    moscow_date,
    report_status,
    status_q,
)
from roadmap.models import (
    Activity,
    Event,
    EventReport,
    EvidenceFile,
    Municipality,
    Notification,
    Organization,
    Plan,
)
from roadmap.plans.deadlines import MOSCOW

# ---------------------------------------------------------------------------
# Events
# ---------------------------------------------------------------------------


def events_list(
    *,
    user: Any,
    now: datetime,
    report_status: str | None = None,
    plan: Plan | None = None,
    year: int | None = None,
    organization_id: int | None = None,
    activity_number: int | None = None,
    municipality_id: int | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
    everything: bool = False,
) -> QuerySet[Event]:
    """Visible events with ``report_status`` annotated; filtering happens in SQL.

    ``date_from`` / ``date_to`` select events that overlap the period;
    ``year`` the events counted in that year (``roadmap.events.event_year``).
    ``everything`` skips the visibility rule, for jobs with no user behind
    them (the dashboard snapshot, whose page only all-seeing users open).
    Raises ValueError for an unknown ``report_status``.
    """
    qs = (Event.objects.all() if everything else visible_events(user)).select_related(
        "activity__plan", "activity__section", "organizer", "municipality", "coordinator", "report"
    )
    if report_status:
        qs = qs.filter(status_q(report_status, now))
    if plan is not None:
        qs = qs.filter(activity__plan=plan)
    if year is not None:
        qs = qs.filter(event_year_q(year))
    if organization_id is not None:
        qs = qs.filter(organizer_id=organization_id)
    if activity_number is not None:
        qs = qs.filter(activity__number=activity_number)
    if municipality_id is not None:
        qs = qs.filter(municipality_id=municipality_id)
    if date_from is not None:
        qs = qs.filter(end_date__gte=date_from)
    if date_to is not None:
        qs = qs.filter(start_date__lte=date_to)
    return annotate_report_status(qs, now).order_by("-end_date", "-id")


def event_report_status(event: Event, now: datetime) -> ReportStatus:
    """The status of one loaded event (uses ``event.report`` when present)."""
    report = getattr(event, "report", None) if _has_report_cached(event) else _report_or_none(event)
    return report_status(
        now=now,
        end_date=event.end_date,
        due_at=event.due_at,
        cancelled=event.cancelled_at is not None,
        report_state=report.status if report else None,
        on_time=report.on_time if report else None,
    )


def _has_report_cached(event: Event) -> bool:
    return Event.report.is_cached(event)


def _report_or_none(event: Event) -> EventReport | None:
    try:
        return event.report
    except EventReport.DoesNotExist:
        return None


def event_report_as_of(*, event_id: int, as_of: datetime) -> Any | None:
    """The report of an event as it stood at ``as_of`` (a historical record), or None."""
    return (
        EventReport.history.filter(event_id=event_id, history_date__lte=as_of)
        .order_by("-history_date", "-history_id")
        .exclude(history_type="-")
        .first()
    )


# ---------------------------------------------------------------------------
# Timeliness
# ---------------------------------------------------------------------------

GroupBy = Literal["organization", "activity", "municipality", "month", "region", "total"]


@dataclass
class TimelinessRow:
    """Figures of one group. ``due`` counts the events that actually required a
    report by the moment: held, not cancelled, and either reported or past the
    deadline. ``on_time + late + missing == due``, so no share exceeds 100 %."""

    key: Any
    label: str
    held: int = 0
    due: int = 0
    on_time: int = 0
    late: int = 0
    missing: int = 0
    not_yet_due: int = 0
    accepted: int = 0
    delays: list[timedelta] = field(default_factory=list, repr=False)

    @property
    def median_delay(self) -> timedelta | None:
        """Median time by which late reports missed their deadline."""
        # Timedeltas add and halve, which is all median() needs; its stub asks for numbers.
        return statistics.median(self.delays) if self.delays else None  # type: ignore[type-var]

    def share(self, part: int) -> float | None:
        return round(100.0 * part / self.due, 1) if self.due else None

    @property
    def on_time_pct(self) -> float | None:
        return self.share(self.on_time)

    @property
    def late_pct(self) -> float | None:
        return self.share(self.late)

    @property
    def missing_pct(self) -> float | None:
        return self.share(self.missing)


@dataclass
class TimelinessFigures:
    by: str
    moment: datetime
    rows: list[TimelinessRow]
    total: TimelinessRow


def _moment(now: datetime, as_of: date | datetime | None) -> datetime:
    if as_of is None:
        return now
    if isinstance(as_of, datetime):
        return min(now, as_of)
    end_of_day = datetime.combine(as_of + timedelta(days=1), time(0), tzinfo=MOSCOW) - timedelta(microseconds=1)
    return min(now, end_of_day)


_GROUPS: dict[str, tuple[Any, tuple[str, ...]]] = {
    "organization": (F("organizer_id"), ("organizer__short_name",)),
    "activity": (F("activity_id"), ("activity__number", "activity__name")),
    "municipality": (F("municipality_id"), ("municipality__name",)),
    "month": (TruncMonth("end_date"), ()),
    "region": (F("organizer__region_id"), ("organizer__region__name",)),
    "total": (None, ()),
}


def _label(by: str, key: Any, values: dict[str, Any]) -> str:
    if by == "organization":
        return values.get("organizer__short_name") or "—"
    if by == "activity":
        return f"{values.get('activity__number')}. {values.get('activity__name')}" if key else "—"
    if by == "municipality":
        return values.get("municipality__name") or "Не указан"
    if by == "month":
        return f"{key:%m.%Y}" if key else "—"
    if by == "region":
        return values.get("organizer__region__name") or "—"
    return "Итого"


def timeliness_figures(
    *,
    now: datetime,
    by: GroupBy = "organization",
    plan: Plan | None = None,
    year: int | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
    as_of: date | datetime | None = None,
    organization_ids: set[int] | list[int] | None = None,
    activity: Activity | None = None,
    municipality: Municipality | None = None,
    organization: Organization | None = None,
    region_id: int | None = None,
    events: QuerySet[Event] | None = None,
) -> TimelinessFigures:
    """Report timeliness per organisation, activity, municipality, month (of the
    last day) or region (of the organiser).

    ``events`` is the base to count (a user's scoped ``visible_events``, so the
    figures hold what the user may see, filtered in SQL); ``region_id`` keeps
    one region's organisers.

    Counted at ``moment`` = ``now`` or the end of ``as_of`` (a Moscow day, or
    an exact moment) when earlier: only events held by then (last day on or
    before that day) and not cancelled by then, only reports submitted by
    then. ``year`` is the event's year (its last day, ``roadmap.events.event_year``,
    as in the indicators); ``date_from``/``date_to`` bound the last day.
    ``on_time``/``late`` use the verdict frozen at submission. Runs two
    queries whatever the number of events.
    """
    if by not in _GROUPS:
        raise ValueError(f"unknown grouping {by!r}")
    moment = _moment(now, as_of)
    qs = (Event.objects.all() if events is None else events).filter(
        Q(cancelled_at__isnull=True) | Q(cancelled_at__gt=moment)
    )
    qs = qs.filter(end_date__lte=moscow_date(moment))
    if plan is not None:
        qs = qs.filter(activity__plan=plan)
    if year is not None:
        qs = qs.filter(event_year_q(year))
    if date_from is not None:
        qs = qs.filter(end_date__gte=date_from)
    if date_to is not None:
        qs = qs.filter(end_date__lte=date_to)
    if organization_ids is not None:
        qs = qs.filter(organizer_id__in=list(organization_ids))
    if organization is not None:
        qs = qs.filter(organizer=organization)
    if region_id is not None:
        qs = qs.filter(organizer__region_id=region_id)
    if activity is not None:
        qs = qs.filter(activity=activity)
    if municipality is not None:
        qs = qs.filter(municipality=municipality)

    submitted = Q(report__submitted_at__lte=moment)
    past_deadline = Q(due_at__lte=moment - DEADLINE_SECOND)
    on_time_q = submitted & Q(report__on_time=True)
    late_q = submitted & Q(report__on_time=False)
    key_expr, label_fields = _GROUPS[by]
    annotations = {
        "held": Count("id"),
        "due": Count("id", filter=submitted | past_deadline),
        "on_time": Count("id", filter=on_time_q),
        "late": Count("id", filter=late_q),
        "missing": Count("id", filter=~submitted & past_deadline),
        "accepted": Count("id", filter=Q(report__accepted_at__lte=moment)),
    }
    if key_expr is None:
        grouped = [qs.aggregate(**annotations) | {"k": None}]
        delay_rows = [
            (None, s, d) for s, d in qs.filter(late_q).values_list("report__submitted_at", "report__due_at_submission")
        ]
    else:
        grouped = list(qs.annotate(k=key_expr).values("k", *label_fields).annotate(**annotations).order_by("k"))
        delay_rows = list(
            qs.filter(late_q).annotate(k=key_expr).values_list("k", "report__submitted_at", "report__due_at_submission")
        )

    delays: dict[Any, list[timedelta]] = defaultdict(list)
    for key, submitted_at, due_at in delay_rows:
        delays[key].append(submitted_at - late_from(due_at))

    rows: list[TimelinessRow] = []
    total = TimelinessRow(key=None, label="Итого")
    for values in grouped:
        key = values["k"]
        row = TimelinessRow(
            key=key,
            label=_label(by, key, values),
            held=values["held"],
            due=values["due"],
            on_time=values["on_time"],
            late=values["late"],
            missing=values["missing"],
            not_yet_due=values["held"] - values["due"],
            accepted=values["accepted"],
            delays=sorted(delays.get(key, [])),
        )
        rows.append(row)
        for name in ("held", "due", "on_time", "late", "missing", "not_yet_due", "accepted"):
            setattr(total, name, getattr(total, name) + getattr(row, name))
        total.delays.extend(row.delays)
    total.delays.sort()
    if by != "total":
        rows.sort(key=lambda r: (r.key is None, r.label if by != "month" else str(r.key)))
    return TimelinessFigures(by=by, moment=moment, rows=rows, total=total)


# ---------------------------------------------------------------------------
# Daily digest
# ---------------------------------------------------------------------------


@dataclass
class DailyDigest:
    day: date
    held_count: int
    held: list[Event]
    reports_in_count: int
    reports_in: list[EventReport]
    overdue_count: int
    overdue: list[Event]


def daily_digest(*, day: date, now: datetime, limit: int = 30) -> DailyDigest:
    """Yesterday's events, reports that came in that day, and reports late right now."""
    day_start = datetime.combine(day, time(0), tzinfo=MOSCOW)
    day_end = day_start + timedelta(days=1)
    held = Event.objects.filter(cancelled_at__isnull=True, start_date__lte=day, end_date__gte=day)
    reports = EventReport.objects.filter(submitted_at__gte=day_start, submitted_at__lt=day_end)
    overdue = Event.objects.filter(status_q(ReportStatus.OVERDUE, now))
    return DailyDigest(
        day=day,
        held_count=held.count(),
        held=list(held.select_related("organizer").order_by("organizer__short_name", "id")[:limit]),
        reports_in_count=reports.count(),
        reports_in=list(reports.select_related("event__organizer").order_by("submitted_at")[:limit]),
        overdue_count=overdue.count(),
        overdue=list(overdue.select_related("organizer").order_by("due_at", "id")[:limit]),
    )


# ---------------------------------------------------------------------------
# Inbox
# ---------------------------------------------------------------------------


def inbox(user: Any, *, unread_only: bool = False) -> QuerySet[Notification]:
    """A user's in-app notifications, newest first."""
    qs = visible_notifications(user).select_related("event")
    if unread_only:
        qs = qs.filter(read_at__isnull=True)
    return qs.order_by("-created_at", "-id")


def unread_count(user: Any) -> int:
    return visible_notifications(user).filter(read_at__isnull=True).count()


def evidence_file_of(user: AbstractBaseUser | AnonymousUser, name: str) -> OwnedFile | None:
    """The evidence stored as ``name`` if ``user`` may see it (the ``/files/`` view's finder)."""
    evidence = visible_evidence(user, EvidenceFile.objects.filter(file=name)).first()
    return OwnedFile(evidence.file, evidence.original_name) if evidence is not None else None

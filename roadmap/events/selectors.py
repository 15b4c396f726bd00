"""Reads about events, reports, timeliness and the notification inbox.

Everything that depends on time takes ``now``; report states come from
``roadmap.events.status`` so lists, filters and figures agree.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import partial
from typing import Any, Literal, TypedDict, Unpack

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import BigIntegerField, Count, F, Func, Max, Q, QuerySet, Sum
from django.db.models.functions import Coalesce, TruncMonth
from django.db.models.sql.compiler import SQLCompiler

from copp.files import OwnedFile
from roadmap.accounts.permissions import OrganizationScope, visible_events, visible_evidence, visible_notifications
from roadmap.events.event_year import event_year_q
from roadmap.events.status import (
    DEADLINE_SECOND,
    ReportStatus,
    annotate_report_status,
    moscow_date,
    report_status,
    status_q,
)
from roadmap.models import (
    Activity,
    Event,
    EventReport,
    EventRollup,
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
    annotated: bool = True,
) -> QuerySet[Event]:
    """Visible events with ``report_status`` annotated; filtering happens in SQL.

    ``annotated=False``: the same rows, unordered, with nothing a row shows (no
    status, no related rows): what a list's COUNT(*) needs. The status is
    computed over a join to the reports, which counting 30,000 events paid for
    on every first page.

    ``date_from`` / ``date_to`` select events that overlap the period;
    ``year`` the events counted in that year (``roadmap.events.event_year``).
    ``everything`` skips the visibility rule, for jobs with no user behind
    them (the dashboard snapshot, whose page only all-seeing users open).
    Raises ValueError for an unknown ``report_status``.
    """
    # What the lists show (a row's activity, plan, organiser, municipality and
    # report); nothing more: 50 rows of seven related models were a third of
    # an API page's time.
    qs = Event.objects.all() if everything else visible_events(user)
    if annotated:
        qs = qs.select_related("activity__plan", "organizer", "municipality", "report")
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
    if not annotated:
        return qs
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


def timeliness_moment(now: datetime, as_of: date | datetime | None) -> datetime:
    """The moment timeliness figures are counted at: ``now``, or the end of ``as_of``
    (a Moscow day, or an exact moment) when that is earlier."""
    if as_of is None:
        return now
    if isinstance(as_of, datetime):
        return min(now, as_of)
    end_of_day = datetime.combine(as_of + timedelta(days=1), time(0), tzinfo=MOSCOW) - timedelta(microseconds=1)
    return min(now, end_of_day)


# A group's key: an organisation, activity or municipality id, a month's first day, or None.
_GroupKey = int | date | None
# One grouped row of counts and label columns, as ``QuerySet.values`` gives it.
_Values = dict[str, Any]
_DelayRow = tuple[_GroupKey, timedelta]  # (group key, submitted at minus due at submission)

_GROUPS: dict[str, tuple[F | TruncMonth | None, tuple[str, ...]]] = {
    "organization": (F("organizer_id"), ("organizer__short_name",)),
    "activity": (F("activity_id"), ("activity__number", "activity__name")),
    "municipality": (F("municipality_id"), ("municipality__name",)),
    "month": (TruncMonth("end_date"), ()),
    "region": (F("organizer__region_id"), ("organizer__region__name",)),
    "total": (None, ()),
}


def _label(by: str, key: _GroupKey, values: _Values) -> str:
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


@dataclass(frozen=True)
class _TimelinessQuery:
    """The filters of a timeliness question (see ``timeliness_figures``)."""

    plan: Plan | None = None
    year: int | None = None
    date_from: date | None = None
    date_to: date | None = None
    organization_ids: set[int] | list[int] | None = None
    activity: Activity | None = None
    municipality: Municipality | None = None
    organization: Organization | None = None
    region_id: int | None = None
    scope: OrganizationScope | None = None
    base: QuerySet[Event] | None = None  # only the direct computation can count an arbitrary queryset

    def events(self, moment: datetime) -> QuerySet[Event]:
        """The events counted at ``moment``: held by then, not cancelled by then."""
        qs = (Event.objects.all() if self.base is None else self.base).filter(
            Q(cancelled_at__isnull=True) | Q(cancelled_at__gt=moment)
        )
        qs = qs.filter(end_date__lte=moscow_date(moment))
        if self.plan is not None:
            qs = qs.filter(activity__plan=self.plan)
        if self.year is not None:
            qs = qs.filter(event_year_q(self.year))
        if self.date_from is not None:
            qs = qs.filter(end_date__gte=self.date_from)
        if self.date_to is not None:
            qs = qs.filter(end_date__lte=self.date_to)
        if self.organization_ids is not None:
            qs = qs.filter(organizer_id__in=list(self.organization_ids))
        if self.organization is not None:
            qs = qs.filter(organizer=self.organization)
        if self.activity is not None:
            qs = qs.filter(activity=self.activity)
        if self.municipality is not None:
            qs = qs.filter(municipality=self.municipality)
        if self.region_id is not None:
            qs = qs.filter(region_id=self.region_id)  # the region the event counts in (Event.region)
        if self.scope is not None and (condition := self.scope.event_q()) is not None:
            qs = qs.filter(condition)
        return qs

    def rollups(self, moment: datetime) -> QuerySet[EventRollup]:
        """The rollup rows of the same events (the day is the event's last day)."""
        qs = EventRollup.objects.filter(day__lte=moscow_date(moment))
        if self.plan is not None:
            qs = qs.filter(plan=self.plan)
        if self.year is not None:
            qs = qs.filter(day__year=self.year)
        if self.date_from is not None:
            qs = qs.filter(day__gte=self.date_from)
        if self.date_to is not None:
            qs = qs.filter(day__lte=self.date_to)
        if self.organization_ids is not None:
            qs = qs.filter(organization_id__in=list(self.organization_ids))
        if self.organization is not None:
            qs = qs.filter(organization=self.organization)
        if self.activity is not None:
            qs = qs.filter(activity=self.activity)
        if self.municipality is not None:
            qs = qs.filter(municipality_key=self.municipality.pk)
        if self.region_id is not None:
            qs = qs.filter(region_id=self.region_id)  # the region the events count in, as events() reads it
        if self.scope is not None and (condition := self.scope.event_q(owner="organization_id")) is not None:
            qs = qs.filter(condition)
        return qs


class TimelinessFilters(TypedDict, total=False):
    """Which events the timeliness figures count, and as of when (:func:`timeliness_figures_many`)."""

    plan: Plan | None
    year: int | None
    date_from: date | None
    date_to: date | None
    as_of: date | datetime | None
    organization_ids: set[int] | list[int] | None
    activity: Activity | None
    municipality: Municipality | None
    organization: Organization | None
    region_id: int | None
    scope: OrganizationScope | None
    events: QuerySet[Event] | None
    direct: bool


def timeliness_figures(
    *, now: datetime, by: GroupBy = "organization", **filters: Unpack[TimelinessFilters]
) -> TimelinessFigures:
    """Report timeliness per organisation, activity, municipality, month (of the
    last day) or region (of the organiser): :func:`timeliness_figures_many`
    for one grouping."""
    return timeliness_figures_many(now=now, groupings=(by,), **filters)[by]


def timeliness_figures_many(
    *, now: datetime, groupings: Sequence[GroupBy], **filters: Unpack[TimelinessFilters]
) -> dict[str, TimelinessFigures]:
    """Report timeliness of the same events under several groupings: {grouping: figures}.

    Groupings: per organisation, activity, municipality, month (of the last
    day), region (of the organiser) or one total.

    ``scope`` keeps the organisers a user may see (``organization_scope``),
    filtered in SQL on the rollups as on the events. ``events`` is a base
    queryset to count instead of every event; only the direct computation can
    count an arbitrary queryset, so prefer ``scope``. ``region_id`` keeps
    one region's organisers.

    Counted at ``moment`` = ``now`` or the end of ``as_of`` (a Moscow day, or
    an exact moment) when earlier: only events held by then (last day on or
    before that day) and not cancelled by then, only reports submitted by
    then. ``year`` is the event's year (its last day, ``roadmap.events.event_year``,
    as in the indicators); ``date_from``/``date_to`` bound the last day.
    ``on_time``/``late`` use the verdict frozen at submission.

    The counts come from the maintained rollups (``roadmap.events.rollups``):
    held, on time, late and accepted are sums, and "missing" is the held
    events without a report in the keys whose due moment has passed by
    ``moment``. The rollups hold the records as they are now, so they answer
    for a moment at or after every cancellation, submission and acceptance
    counted in the rows asked about (their ``latest``): that is every query
    about now. A moment before one of them (an ``as_of`` in the past with
    reports filed or events cancelled since) needs history the counters do
    not keep, and is answered by the direct computation instead, with the same
    results (``direct=True`` asks for it: ``timeliness_figures_direct``).
    The delays of late reports (for the medians) are read from the late
    reports themselves, in one query for every grouping asked for: one query
    per grouping whatever the number of events, plus that one.
    """
    for by in groupings:
        if by not in _GROUPS:
            raise ValueError(f"unknown grouping {by!r}")
    moment = timeliness_moment(now, filters.get("as_of"))
    direct = filters.get("direct", False)
    query = _TimelinessQuery(
        plan=filters.get("plan"),
        year=filters.get("year"),
        date_from=filters.get("date_from"),
        date_to=filters.get("date_to"),
        organization_ids=filters.get("organization_ids"),
        activity=filters.get("activity"),
        municipality=filters.get("municipality"),
        organization=filters.get("organization"),
        region_id=filters.get("region_id"),
        scope=filters.get("scope"),
        base=filters.get("events"),
    )
    grouped = None if direct else {by: _grouped_from_rollups(by, query, moment) for by in groupings}
    if grouped is None or any(rows is None for rows in grouped.values()):
        return _timeliness_direct(groupings, query, moment)
    delays = _delay_rows(groupings, query.events(moment), moment)
    return {by: _figures(by, moment, rows, delays[by]) for by, rows in grouped.items() if rows is not None}


# The same figures computed from the events and reports themselves (every
# event of the period on each call): the reference the rollups are tested
# against, and the answer for moments the rollups cannot give.
timeliness_figures_direct = partial(timeliness_figures, direct=True)


def _timeliness_direct(
    groupings: Sequence[str], query: _TimelinessQuery, moment: datetime
) -> dict[str, TimelinessFigures]:
    qs = query.events(moment)
    delays = _delay_rows(groupings, qs, moment)
    return {by: _figures(by, moment, _grouped_directly(by, qs, moment), delays[by]) for by in groupings}


def _grouped_directly(by: str, qs: QuerySet[Event], moment: datetime) -> list[_Values]:
    submitted = Q(report__submitted_at__lte=moment)
    past_deadline = Q(due_at__lte=moment - DEADLINE_SECOND)
    key_expr, label_fields = _GROUPS[by]
    annotations = {
        "held": Count("id"),
        "due": Count("id", filter=submitted | past_deadline),
        "on_time": Count("id", filter=submitted & Q(report__on_time=True)),
        "late": Count("id", filter=submitted & Q(report__on_time=False)),
        "missing": Count("id", filter=~submitted & past_deadline),
        "accepted": Count("id", filter=Q(report__accepted_at__lte=moment)),
    }
    if key_expr is None:
        return [qs.aggregate(**annotations) | {"k": None}]
    return list(qs.annotate(k=key_expr).values("k", *label_fields).annotate(**annotations).order_by("k"))


# The rollup's grouping key, and its label columns by the events' names for them (``_GROUPS``).
_ROLLUP_GROUPS: dict[str, tuple[F | None, dict[str, str]]] = {
    "organization": (F("organization_id"), {"organization__short_name": "organizer__short_name"}),
    "activity": (F("activity_id"), {"activity__number": "activity__number", "activity__name": "activity__name"}),
    "municipality": (F("municipality_id"), {"municipality__name": "municipality__name"}),
    "month": (F("day"), {}),  # grouped by day, then by month here (_by_month)
    "region": (F("organization__region_id"), {"organization__region__name": "organizer__region__name"}),
    "total": (None, {}),
}


def _grouped_from_rollups(by: str, query: _TimelinessQuery, moment: datetime) -> list[_Values] | None:
    """The grouped counts from the rollups, or None when they cannot answer for ``moment``."""
    not_reported = F("held") - F("on_time") - F("late")
    # Named apart from the columns: an annotation called "held" would shadow F("held").
    annotations = {
        "n_held": Coalesce(Sum("held"), 0),
        "n_on_time": Coalesce(Sum("on_time"), 0),
        "n_late": Coalesce(Sum("late"), 0),
        "n_missing": Coalesce(Sum(not_reported, filter=Q(due_at__lte=moment - DEADLINE_SECOND)), 0),
        "n_accepted": Coalesce(Sum("accepted"), 0),
        "n_latest": Max("latest"),
    }
    if query.base is not None:
        return None  # an arbitrary queryset of events is not something the rollups can filter
    qs = query.rollups(moment)
    key_expr, labels = _ROLLUP_GROUPS[by]
    if key_expr is None:
        grouped = [qs.aggregate(**annotations) | {"k": None}]
    else:
        grouped = list(qs.annotate(k=key_expr).values("k", *labels).annotate(**annotations).order_by("k"))
    if by == "month":
        grouped = _by_month(grouped)
    if any(r["n_latest"] is not None and r["n_latest"] > moment for r in grouped):
        return None  # a fact counted in these rows is newer than the moment asked about
    for r in grouped:
        for name in ("held", "on_time", "late", "missing", "accepted"):
            r[name] = int(r.pop(f"n_{name}"))
        r["due"] = r["on_time"] + r["late"] + r["missing"]
        for column, name in labels.items():
            r[name] = r.pop(column)
    if key_expr is None:
        return grouped
    # A key may hold only cancelled events (or none any more): a group is there when it held some.
    return [r for r in grouped if r["held"]]


_ROLLUP_COUNTERS = ("n_held", "n_on_time", "n_late", "n_missing", "n_accepted")


def _by_month(days: list[_Values]) -> list[_Values]:
    """Rollup sums by day folded into months. The database groups by the day
    (the index's order); truncating each of a region's 27,000 rows to its month
    there was a function call per row, and on SQLite a Python one."""
    months: dict[date, _Values] = {}
    for day in days:
        key = day["k"].replace(day=1)
        month = months.setdefault(key, dict.fromkeys(_ROLLUP_COUNTERS, 0) | {"k": key, "n_latest": None})
        for name in _ROLLUP_COUNTERS:
            month[name] += day[name]
        if day["n_latest"] is not None and (month["n_latest"] is None or day["n_latest"] > month["n_latest"]):
            month["n_latest"] = day["n_latest"]
    return [months[key] for key in sorted(months)]


_Params = list[str | int]  # a compiled expression's parameters


class MicrosecondsBetween(Func):
    """``later - earlier`` of two moments in whole microseconds, by the database's
    own functions: Django's interval of two moments is, on SQLite, a Python
    function per row, and converting intervals costs more than integers."""

    output_field = BigIntegerField()
    arity = 2

    def _operands(self, compiler: SQLCompiler, connection: BaseDatabaseWrapper) -> tuple[str, _Params, str, _Params]:
        (later, later_params), (earlier, earlier_params) = (compiler.compile(e) for e in self.get_source_expressions())
        return later, list(later_params), earlier, list(earlier_params)

    def as_sqlite(
        self, compiler: SQLCompiler, connection: BaseDatabaseWrapper, **extra_context: object
    ) -> tuple[str, _Params]:
        # A moment is stored as 'YYYY-MM-DD HH:MM:SS[.ffffff]' (UTC): the whole seconds by
        # strftime of the first 19 characters (given the fraction, strftime rounds to the
        # millisecond: .999999 would be the next second), the microseconds read from the
        # text (none written: 0). strftime's format is a parameter: a literal percent sign
        # is a placeholder to the driver.
        later, lp, earlier, ep = self._operands(compiler, connection)
        sql = (
            f"((strftime(%s, substr({later}, 1, 19)) - strftime(%s, substr({earlier}, 1, 19))) * 1000000"
            f" + CAST(substr({later}, 21) AS INTEGER) - CAST(substr({earlier}, 21) AS INTEGER))"
        )
        return sql, ["%s", *lp, "%s", *ep, *lp, *ep]

    def as_postgresql(
        self, compiler: SQLCompiler, connection: BaseDatabaseWrapper, **extra_context: object
    ) -> tuple[str, _Params]:
        later, lp, earlier, ep = self._operands(compiler, connection)
        return f"(EXTRACT(EPOCH FROM ({later} - {earlier})) * 1000000)::bigint", [*lp, *ep]

    def as_sql(
        self,
        compiler: SQLCompiler,
        connection: BaseDatabaseWrapper,
        function: str | None = None,
        template: str | None = None,
        arg_joiner: str | None = None,
        **extra_context: object,
    ) -> tuple[str, _Params]:
        raise NotImplementedError(
            f"MicrosecondsBetween on {connection.vendor}: the project runs on SQLite or PostgreSQL"
        )


def _delay_rows(groupings: Sequence[str], qs: QuerySet[Event], moment: datetime) -> dict[str, list[_DelayRow]]:
    """Per grouping: (group key, submitted at minus due at submission) of the
    late reports counted at ``moment``, read in one query for every grouping.

    The difference is taken by the database, in microseconds: one integer per
    report to convert instead of two timestamps (the conversions were most of
    the time of the timeliness API: 20,000 late reports in a region)."""
    late_q = Q(report__submitted_at__lte=moment, report__on_time=False)
    # The month is cut from the last day here: a date converts faster than the database's truncated timestamp.
    keys = {
        f"k_{by}": F("end_date") if by == "month" else key for by in groupings if (key := _GROUPS[by][0]) is not None
    }
    after_due = MicrosecondsBetween("report__submitted_at", "report__due_at_submission")
    rows = qs.filter(late_q).annotate(**keys, after_due=after_due).order_by().values_list(*keys, "after_due")
    found: dict[str, list[_DelayRow]] = {by: [] for by in groupings}
    for row in rows:
        *values, microseconds = row
        after = timedelta(microseconds=microseconds)
        by_key = dict(zip(keys, values, strict=True))
        if "k_month" in by_key:
            by_key["k_month"] = by_key["k_month"].replace(day=1)
        for by in groupings:
            found[by].append((by_key.get(f"k_{by}"), after))
    return found


def _figures(by: str, moment: datetime, grouped: list[_Values], delay_rows: list[_DelayRow]) -> TimelinessFigures:
    delays: dict[_GroupKey, list[timedelta]] = defaultdict(list)
    for key, after_due in delay_rows:
        delays[key].append(after_due - DEADLINE_SECOND)  # the delay counts from late_from(due at submission)

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

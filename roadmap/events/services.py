"""Writes of the roadmap app: events, their reports and evidence.

Every service checks the caller's right through ``roadmap.accounts.permissions`` (so
the API, the web UI, the admin and imports obey the same rules), takes
``now`` when the rule depends on time, and raises:

* ``django.core.exceptions.PermissionDenied`` -- the user may not do this;
* ``django.core.exceptions.ValidationError`` -- bad input, with messages by field;
* ``Conflict`` -- the write collides with another one (a second report);
  ``StaleVersion``, a kind of it, when the caller's ``expected_version`` is
  out of date (the message says «изменено другим пользователем»).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any, TypeVar

import filetype
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from roadmap.accounts import permissions
from roadmap.errors import Conflict, StaleVersion
from roadmap.events import participants as people_lists
from roadmap.events.evidence import evidence_refusal
from roadmap.events.limits import MAX_EVIDENCE_FILES, MAX_PARTICIPANTS
from roadmap.events.rollups import event_ids_written, rollups_kept
from roadmap.events.status import is_on_time, moscow_date
from roadmap.models import (
    REPORT_FIGURE_FIELDS,
    Activity,
    Event,
    EventReport,
    EvidenceFile,
    Municipality,
    Organization,
    Plan,
    User,
    counted_region_id,
)
from roadmap.plans.deadlines import report_due_at
from roadmap.plans.selectors import (
    ddmmyyyy,
    out_of_plans_message,
    plan_for_dates,
    plan_holds,
    plan_years_text,
    plans_ordered,
)

REPORT_EXISTS_MESSAGE = "Отчёт по этому мероприятию уже подан."


# ---------------------------------------------------------------------------
# Due moments
# ---------------------------------------------------------------------------


def event_due_at(*, plan: Plan, end_date: date) -> datetime:
    """The report due moment of an event ending on ``end_date`` under ``plan``'s rule."""
    return report_due_at(end_date, days=plan.report_due_days, calendar=plan.report_due_calendar)


def resubmission_due_at(*, plan: Plan, returned_at: datetime) -> datetime:
    """A returned report is due again under the same rule, counted from the day of return."""
    return report_due_at(moscow_date(returned_at), days=plan.report_due_days, calendar=plan.report_due_calendar)


@dataclass(frozen=True)
class DueMomentsMoved:
    """How many open events and returned reports got a new due moment."""

    events: int
    returned_reports: int


RULE_CHANGE_REASON = "Изменено правило срока отчёта"


def events_recompute_due_at(*, plan: Plan, now: datetime, user: User | None = None) -> DueMomentsMoved:
    """Store, under the plan's current reporting rule, the due moment of every
    open event of ``plan`` (not cancelled, no report yet) and the correction
    due moment of every returned report of the plan.

    Called whenever the rule may have changed (the plan's admin, a plan
    reload). A filed report keeps its event's due moment and its frozen
    verdict: that is what it was judged against. Overdue, unreported events
    are recomputed too, so a longer rule can take an event out of "overdue".
    Each moved row gets a version bump and a history row stamped ``now``
    with the reason; running it again moves nothing.
    """
    user = user if user is not None and user.pk else None
    with transaction.atomic():
        events = list(
            Event.objects.select_for_update(of=("self",))
            .filter(activity__plan=plan, cancelled_at__isnull=True, report__isnull=True)
            .order_by("pk")
        )
        due_by_day: dict[date, datetime] = {}
        moved_events = []
        for event in events:
            if event.end_date not in due_by_day:
                due_by_day[event.end_date] = event_due_at(plan=plan, end_date=event.end_date)
            if event.due_at != due_by_day[event.end_date]:
                event.due_at, event.version, event.updated_at = due_by_day[event.end_date], event.version + 1, now
                moved_events.append(event)
        reports = list(
            EventReport.objects.select_for_update(of=("self",))
            .filter(
                event__activity__plan=plan,
                status=EventReport.Status.RETURNED,
                returned_at__isnull=False,
                resubmission_due_at__isnull=False,
            )
            .order_by("pk")
        )
        moved_reports = []
        for report in reports:
            assert report.returned_at is not None  # the query takes returned reports with returned_at set
            due = resubmission_due_at(plan=plan, returned_at=report.returned_at)
            if report.resubmission_due_at != due:
                report.resubmission_due_at, report.version, report.updated_at = due, report.version + 1, now
                moved_reports.append(report)
        with rollups_kept(e.pk for e in moved_events):  # a new due moment is a new rollup key
            if moved_events:
                bulk_update_with_history(
                    moved_events,
                    Event,
                    ["due_at", "version", "updated_at"],
                    batch_size=500,
                    default_user=user,
                    default_change_reason=RULE_CHANGE_REASON,
                    default_date=now,
                )
        if moved_reports:
            bulk_update_with_history(
                moved_reports,
                EventReport,
                ["resubmission_due_at", "version", "updated_at"],
                batch_size=500,
                default_user=user,
                default_change_reason=RULE_CHANGE_REASON,
                default_date=now,
            )
            # No counter moves (the events are not locked again), but what is kept of them is recomputed.
            event_ids_written(r.event_id for r in moved_reports)
    return DueMomentsMoved(events=len(moved_events), returned_reports=len(moved_reports))


# ---------------------------------------------------------------------------
# Events
# ---------------------------------------------------------------------------

EVENT_OPTIONAL_FIELDS = (
    "start_time",
    "end_time",
    "place",
    "municipality",
    "format",
    "audience",
    "planned_participants",
    "coordinator",
    "responsible_email",
)
EVENT_EDITABLE_FIELDS = ("title", "start_date", "end_date", "activity", *EVENT_OPTIONAL_FIELDS)


def plan_written_recompute(*, plan: Plan, result: Any, now: datetime) -> None:
    """After a plan data file is (re)loaded: open events follow the plan's rule as it now stands
    (registered with ``roadmap.plans.sections.register_plan_written``; counts go to the load result)."""
    moved = events_recompute_due_at(plan=plan, now=now)
    if moved.events:
        result.counts["event due moment:recomputed"] += moved.events
    if moved.returned_reports:
        result.counts["correction due moment:recomputed"] += moved.returned_reports


def _too_many() -> str:
    return _("Not more than %(max)s.") % {"max": f"{MAX_PARTICIPANTS:,}".replace(",", "\u00a0")}


def event_plan_errors(
    *, activity: Activity, start_date: date, end_date: date, plans: list[Plan] | None = None
) -> dict[str, list[str]]:
    """Refusals of an event's dates against the plans, by field (empty when they fit).

    An event belongs to the plan whose period holds its dates, and its
    activity is one of that plan's. A day outside every plan is a typo
    ("0540-01-07") or a plan not loaded, and the message names the periods
    there are; a day of another plan means the activity was taken from the
    wrong plan. When two periods overlap (an order signed in December for
    the next years) the plan whose years hold the day owns it
    (``plan_for_dates``). Every door (form, API, import, admin) goes through here.
    ``plans`` saves a query per row in bulk imports.
    """
    plans = plans_ordered(plans)
    plan = next((p for p in plans if p.pk == activity.plan_id), activity.plan)
    day = ddmmyyyy(start_date)
    owner = plan_for_dates(start_date, end_date, plans=plans)
    if owner is None:
        return {"start_date": [out_of_plans_message(start_date, plans)]}
    if owner.pk != plan.pk and not _owns_as_well(plan, owner, start_date):
        return {
            "start_date": [
                _(
                    "%(day)s belongs to the roadmap %(owner)s, but activity No %(number)s is of the roadmap "
                    "%(plan)s: choose the activity from the roadmap %(owner)s."
                )
                % {
                    "day": day,
                    "owner": plan_years_text(owner),
                    "plan": plan_years_text(plan),
                    "number": activity.number,
                }
            ]
        }
    if end_date is not None and not plan_holds(plan, end_date):
        first_day, last_day = plan.period
        return {
            "end_date": [
                _("An event cannot run past the period of its roadmap (%(first)s–%(last)s).")
                % {"first": f"{first_day:%d.%m.%Y}", "last": f"{last_day:%d.%m.%Y}"}
            ]
        }
    return {}


def _owns_as_well(plan: Plan, owner: Plan, day: date) -> bool:
    """Whether ``plan`` has as good a claim on ``day`` as ``owner``: it holds the
    day, and in its years when ``owner`` does (two plans over the same years)."""

    def in_years(p: Plan) -> bool:
        return p.first_year <= day.year <= p.last_year

    return plan_holds(plan, day) and in_years(plan) >= in_years(owner)


RegionLookup = dict[str, dict[int, int | None]]  # "organizer"/"municipality" -> {id: region id}


def _region_of(event: Event, name: str, lookup: RegionLookup | None) -> int | None:
    """The region of the event's organiser or municipality (``name``): from
    ``lookup`` (a bulk import reads them all at once), from the loaded object,
    or with one query."""
    pk = getattr(event, f"{name}_id")
    if pk is None:
        return None
    if lookup is not None and pk in lookup[name]:
        return lookup[name][pk]
    field = Event._meta.get_field(name)
    if field.is_cached(event):  # type: ignore[union-attr]
        return getattr(event, name).region_id  # type: ignore[no-any-return]
    model = Organization if name == "organizer" else Municipality
    found: int | None = model.objects.filter(pk=pk).values_list("region_id", flat=True).first()
    return found


def _region_errors(event: Event, lookup: RegionLookup | None) -> dict[str, list[str]]:
    """An event stays inside its organiser's region: its municipality and its plan
    (when they belong to a region) are that region's."""
    home = _region_of(event, "organizer", lookup)
    if home is None:
        return {}
    errors: dict[str, list[str]] = {}
    place = _region_of(event, "municipality", lookup)
    if place is not None and place != home:
        errors["municipality"] = [
            "Муниципальное образование другого региона: выберите муниципалитет региона организатора."
        ]
    plan_region = event.activity.plan.region_id
    if plan_region is not None and plan_region != home:
        errors["activity"] = ["Мероприятие дорожной карты другого региона: организатор из другого региона."]
    return errors


def _validate_event(event: Event, *, plans: list[Plan] | None = None, regions: RegionLookup | None = None) -> None:
    errors: dict[str, list[str]] = {}
    if not (event.title or "").strip():
        errors.setdefault("title", []).append("Укажите название мероприятия.")
    if event.end_date < event.start_date:
        errors.setdefault("end_date", []).append("Последний день не может быть раньше первого.")
    if event.start_time and event.end_time and event.start_date == event.end_date and event.end_time < event.start_time:
        errors.setdefault("end_time", []).append("Время окончания раньше времени начала.")
    if event.planned_participants is not None and event.planned_participants < 0:
        errors.setdefault("planned_participants", []).append("Число участников не может быть отрицательным.")
    elif event.planned_participants is not None and event.planned_participants > MAX_PARTICIPANTS:
        errors.setdefault("planned_participants", []).append(_too_many())
    if event.format not in Event.Format.values:
        errors.setdefault("format", []).append("Неизвестный формат мероприятия.")
    for name, messages in event_plan_errors(
        activity=event.activity, start_date=event.start_date, end_date=event.end_date, plans=plans
    ).items():
        if name not in errors:
            errors.setdefault(name, []).extend(messages)
    if (
        event.coordinator_id
        and event.coordinator
        and event.coordinator.organization_id
        not in (
            None,
            event.organizer_id,
        )
    ):
        errors.setdefault("coordinator", []).append("Координатор должен быть из организации-организатора.")
    for name, messages in _region_errors(event, regions).items():
        errors.setdefault(name, []).extend(messages)
    if errors:
        raise ValidationError(errors)


def event_create(
    *,
    user: User | None,
    activity: Activity,
    organizer: Organization,
    title: str,
    start_date: date,
    end_date: date | None = None,
    start_time: time | None = None,
    end_time: time | None = None,
    place: str = "",
    municipality: Municipality | None = None,
    format: str = Event.Format.IN_PERSON,
    audience: str = "",
    planned_participants: int | None = None,
    coordinator: User | None = None,
    responsible_email: str = "",
) -> Event:
    """Register an event (past or planned) and store its report due moment.

    ``user=None`` is the system itself (data loaders, the admin's own checks
    having been done); any other caller must be allowed to act for the organiser.
    The municipality defaults to the organiser's.
    """
    if user is not None and not permissions.can_register_event(user, organizer.pk):
        raise PermissionDenied("Нельзя регистрировать мероприятия другой организации.")
    event = Event(
        activity=activity,
        organizer=organizer,
        title=(title or "").strip(),
        start_date=start_date,
        end_date=end_date or start_date,
        start_time=start_time,
        end_time=end_time,
        place=place or "",
        municipality=municipality or organizer.municipality,
        format=format or Event.Format.IN_PERSON,
        audience=audience or "",
        planned_participants=planned_participants,
        coordinator=coordinator,
        responsible_email=(responsible_email or "").strip(),
        created_by=user if user is not None and user.pk else None,
    )
    _validate_event(event)
    event.due_at = event_due_at(plan=activity.plan, end_date=event.end_date)
    with rollups_kept() as kept:
        event.save()
        kept.created([event.pk])
    return event


def event_update(*, user: User | None, event: Event, expected_version: int | None = None, **changes: Any) -> Event:
    """Edit or move an event; a new last day recomputes the stored due moment.

    The dates of an event that already has a report cannot change: the report
    (and whether it was on time) is about those dates. ``expected_version``
    enables optimistic locking: when someone else saved the event meanwhile,
    ``Conflict`` is raised and nothing changes.
    """
    if user is not None and not permissions.can_change_event(user, event):
        raise PermissionDenied("Нельзя изменять мероприятия другой организации.")
    unknown = set(changes) - set(EVENT_EDITABLE_FIELDS)
    if unknown:
        raise ValidationError({name: ["Это поле нельзя изменить."] for name in sorted(unknown)})
    if event.cancelled_at is not None:
        raise ValidationError({"event": ["Мероприятие отменено."]})
    old_dates = (event.start_date, event.end_date)
    for name, value in changes.items():
        setattr(event, name, value)
    if "title" in changes:
        event.title = (event.title or "").strip()
    if "responsible_email" in changes:
        event.responsible_email = (event.responsible_email or "").strip()
    if "organizer" in changes and user is not None and not permissions.can_change_event(user, event):
        raise PermissionDenied("Нельзя передать мероприятие другой организации.")
    _validate_event(event)
    if (event.start_date, event.end_date) != old_dates:
        _refuse_moving_reported(event, old_dates, has_report=EventReport.objects.filter(event=event).exists())
    event.due_at = event_due_at(plan=event.activity.plan, end_date=event.end_date)
    try:
        with rollups_kept([event.pk]):
            if _lock_event(event).cancelled_at is not None:  # cancelled since it was loaded
                raise ValidationError({"event": ["Мероприятие отменено."]})
            return _save_versioned(event, expected_version, [*changes, "due_at"])
    except Conflict:
        event.refresh_from_db()
        raise


def _refuse_moving_reported(event: Event, old_dates: tuple[date, date], *, has_report: bool) -> None:
    """Refuse new dates for an event that has a report: the report, its
    deadline and its frozen on-time verdict are about the old dates."""
    if not has_report:
        return
    name = "start_date" if event.start_date != old_dates[0] else "end_date"
    raise ValidationError(
        {
            name: [
                "По мероприятию уже подан отчёт: даты изменить нельзя — отчёт и его своевременность относятся к этим датам."
            ]
        }
    )


Versioned = TypeVar("Versioned", Event, EventReport)


def _save_versioned(obj: Versioned, expected_version: int | None, fields: list[str]) -> Versioned:
    """Save ``fields`` only if the row still has ``expected_version`` (or any, if None)."""
    model = type(obj)
    with transaction.atomic():
        # Take the row lock first so history and the version bump stay consistent.
        locked = model.objects.select_for_update().filter(pk=obj.pk).values_list("version", flat=True).first()
        if locked is None:
            raise Conflict("Запись удалена.")
        if expected_version is not None and locked != expected_version:
            raise StaleVersion()
        obj.version = locked + 1
        obj.save(update_fields=sorted({*fields, "version", "updated_at"}))
    return obj


def _lock_event(event: Event) -> Event:
    """Lock the event's row for the rest of the transaction and return its stored state.

    Submitting a report and cancelling the event both take this lock and then
    re-check each other's effect, so whichever comes second sees the first:
    an event is never both cancelled and reported.
    """
    locked = Event.objects.select_for_update().filter(pk=event.pk).first()
    if locked is None:
        raise Conflict("Мероприятие удалено.")
    return locked


def event_cancel(
    *, user: User | None, event: Event, reason: str, now: datetime, expected_version: int | None = None
) -> Event:
    """Cancel an event that will not take place; it then needs no report.

    An event with a report (even one filed a moment ago by someone else)
    cannot be cancelled; the check runs under the event's row lock.
    """
    if user is not None and not permissions.can_change_event(user, event):
        raise PermissionDenied("Нельзя отменять мероприятия другой организации.")
    if not (reason or "").strip():
        raise ValidationError({"cancel_reason": ["Укажите причину отмены."]})
    with rollups_kept([event.pk]):
        locked = _lock_event(event)
        if locked.cancelled_at is not None:
            raise Conflict("Мероприятие уже отменено.")
        if expected_version is not None and locked.version != expected_version:
            raise StaleVersion()
        if EventReport.objects.filter(event_id=event.pk).exists():
            raise ValidationError({"event": ["По мероприятию уже есть отчёт: отменить его нельзя."]})
        Event.objects.filter(pk=event.pk).update(
            cancelled_at=now, cancel_reason=reason.strip(), version=F("version") + 1
        )
        event.refresh_from_db()
        event.save(update_fields=["updated_at"])  # records the change in history
    return event


# ---------------------------------------------------------------------------
# Reports
# ---------------------------------------------------------------------------

REPORT_BREAKDOWN_FIELDS = REPORT_FIGURE_FIELDS[1:5]
REPORT_TEXT_FIELDS = ("summary", "partners", "links")
REPORT_FIELDS = (*REPORT_TEXT_FIELDS, *REPORT_FIGURE_FIELDS)


@dataclass(frozen=True)
class ReportData:
    summary: str
    participants_total: int
    participants_pupils_6_11: int | None = None
    participants_students: int | None = None
    participants_adults: int | None = None
    participants_50_plus: int | None = None
    schools_count: int | None = None
    partners: str = ""
    links: str = ""
    # The participant list (``roadmap.events.participants.clean_people``): None keeps
    # the stored one (none for a new report); an empty tuple removes it.
    participants: tuple[people_lists.Person, ...] | None = None


def _clean_report(data: ReportData) -> ReportData:
    errors: dict[str, list[str]] = {}
    if not (data.summary or "").strip():
        errors["summary"] = ["Опишите, как прошло мероприятие."]
    for name in REPORT_FIGURE_FIELDS:
        value = getattr(data, name)
        if value is None:
            if name == "participants_total":
                errors[name] = ["Укажите общее число участников."]
            continue
        if isinstance(value, bool) or not isinstance(value, int):
            errors[name] = ["Введите целое число."]
        elif value < 0:
            errors[name] = ["Число не может быть отрицательным."]
        elif value > MAX_PARTICIPANTS:
            errors[name] = [_too_many()]
    total = data.participants_total
    if isinstance(total, int) and "participants_total" not in errors:
        for name in REPORT_BREAKDOWN_FIELDS:
            value = getattr(data, name)
            if isinstance(value, int) and name not in errors and value > total:
                errors[name] = ["Больше общего числа участников."]
    if not errors:
        errors.update(_check_partition(data))
    if not errors and data.participants is not None:
        errors.update(people_lists.list_errors(data, data.participants))
    if errors:
        raise ValidationError(errors)
    return ReportData(
        **{
            **{n: getattr(data, n) for n in REPORT_FIGURE_FIELDS},
            "summary": data.summary.strip(),
            "partners": (data.partners or "").strip(),
            "links": (data.links or "").strip(),
            "participants": data.participants,
        }
    )


# The breakdowns partition the total: pupils of grades 6–11, students and
# adults are disjoint groups of the participants (others, e.g. younger
# pupils, may make up the rest), and the 50+ are some of the adults.
PARTITION_PARTS = ("participants_pupils_6_11", "participants_students", "participants_adults")


def _check_partition(data: ReportData) -> dict[str, list[str]]:
    """Errors by field when the breakdowns add up to more than they split.

    ``<=`` and not ``=``: a report may leave a group out (None) or count
    participants outside the three groups, so the parts may fall short of
    the total but never exceed it. Every field in a broken sum is named.
    """
    errors: dict[str, list[str]] = {}
    parts = {n: getattr(data, n) for n in PARTITION_PARTS if getattr(data, n) is not None}
    if sum(parts.values()) > data.participants_total:
        message = (
            f"Школьники, студенты и взрослые вместе ({' + '.join(str(v) for v in parts.values())} = "
            f"{sum(parts.values())}) — больше общего числа участников ({data.participants_total})."
        )
        for name in (*parts, "participants_total"):
            errors[name] = [message]
    adults, seniors = data.participants_adults, data.participants_50_plus
    if seniors is not None and adults is not None and seniors > adults:
        message = f"Участников 50+ ({seniors}) больше, чем взрослых ({adults}): они входят в число взрослых."
        errors.setdefault("participants_adults", []).append(message)
        errors.setdefault("participants_50_plus", []).append(message)
    return errors


def _check_reportable(event: Event, now: datetime) -> None:
    if event.cancelled_at is not None:
        raise ValidationError({"event": ["Мероприятие отменено: отчёт не нужен."]})
    if event.end_date > moscow_date(now):
        raise ValidationError({"event": ["Мероприятие ещё не прошло: отчёт подаётся после последнего дня."]})


def event_report_submit(*, user: User | None, event: Event, data: ReportData, now: datetime) -> EventReport:
    """File the report on an event; whether it is on time is decided here, once.

    Only one report per event: a second one (even a concurrent one) raises
    ``Conflict``; a returned report is corrected with
    ``event_report_resubmit`` instead. The event's row is locked while the
    report is written, so a concurrent cancellation or move is seen (see
    ``_lock_event``): the verdict uses the due moment stored at that instant.
    """
    if user is not None and not permissions.can_report_event(user, event):
        raise PermissionDenied("Отчёт подаёт координатор организации-организатора.")
    _check_reportable(event, now)  # early, for a clear answer; repeated under the lock
    clean = _clean_report(data)
    try:
        with rollups_kept([event.pk]):
            locked = _lock_event(event)
            _check_reportable(locked, now)
            if EventReport.objects.filter(event_id=event.pk).exists():
                raise Conflict(REPORT_EXISTS_MESSAGE)
            report = EventReport(
                event=event,
                submitted_at=now,
                submitted_by=user if user is not None and user.pk else None,
                due_at_submission=locked.due_at,
                on_time=is_on_time(now, locked.due_at),
                status=EventReport.Status.SUBMITTED,
                **{n: getattr(clean, n) for n in REPORT_FIELDS},
            )
            report.save()
            if clean.participants:
                people_lists.report_participants_set(report, clean.participants)
    except IntegrityError as exc:
        # The unique event_id is the last line of defence should the lock be bypassed.
        raise Conflict(REPORT_EXISTS_MESSAGE) from exc
    return report


def event_report_resubmit(
    *,
    user: User | None,
    report: EventReport,
    data: ReportData,
    now: datetime,
    expected_version: int | None = None,
) -> EventReport:
    """Correct a report that was returned (or not yet reviewed).

    The original ``submitted_at`` and ``on_time`` stay as frozen; the
    correction is recorded in ``resubmitted_at`` and in the report's history.
    """
    if user is not None and not permissions.can_report_event(user, report.event):
        raise PermissionDenied("Отчёт подаёт координатор организации-организатора.")
    clean = _clean_report(data)
    if clean.participants is None:  # the stored list must still fit the corrected figures
        stale = people_lists.list_errors(clean, people_lists.stored_people(report))
        if stale:
            raise ValidationError(stale)
    for name in REPORT_FIELDS:
        setattr(report, name, getattr(clean, name))
    report.status = EventReport.Status.SUBMITTED
    report.resubmitted_at = now
    report.resubmission_due_at = None
    fields = [*REPORT_FIELDS, "status", "resubmitted_at", "resubmission_due_at"]
    with transaction.atomic():
        report = _transition(report, expected_version, fields, allowed=("submitted", "returned"))
        if clean.participants is not None:
            people_lists.report_participants_set(report, clean.participants)
    return report


def _transition(
    report: EventReport, expected_version: int | None, fields: list[str], *, allowed: tuple[str, ...]
) -> EventReport:
    try:
        # The event's row first (rollups_kept locks it), then the report's: the order every writer keeps.
        with rollups_kept([report.event_id]):
            return _transition_locked(report, expected_version, fields, allowed)
    except Conflict:
        # Forget the refused in-memory changes so the caller sees the stored state.
        report.refresh_from_db()
        raise


def _transition_locked(
    report: EventReport, expected_version: int | None, fields: list[str], allowed: tuple[str, ...]
) -> EventReport:
    with transaction.atomic():
        row = EventReport.objects.select_for_update().filter(pk=report.pk).values_list("status", "version").first()
        if row is None:
            raise Conflict("Отчёт удалён.")
        status, version = row
        if expected_version is not None and version != expected_version:
            raise StaleVersion()
        if status not in allowed:
            raise Conflict(f"Действие недоступно: отчёт в статусе «{EventReport.Status(status).label}».")
        report.version = version + 1
        report.save(update_fields=sorted({*fields, "version", "updated_at"}))
    return report


def event_report_accept(
    *, user: User | None, report: EventReport, now: datetime, expected_version: int | None = None
) -> EventReport:
    """Accept a submitted report: from now on its figures count."""
    if user is not None and not permissions.can_review_report(user, report):
        raise PermissionDenied("Принимать отчёты могут сотрудники ЦОПП и министерства.")
    report.status = EventReport.Status.ACCEPTED
    report.accepted_at = now
    report.accepted_by = user if user is not None and user.pk else None
    return _transition(report, expected_version, ["status", "accepted_at", "accepted_by"], allowed=("submitted",))


def event_report_return(
    *,
    user: User | None,
    report: EventReport,
    reason: str,
    now: datetime,
    expected_version: int | None = None,
) -> EventReport:
    """Return a submitted report for correction; it is due again within the plan's
    rule (one day by default) of the day of return, and the coordinators are told."""
    if user is not None and not permissions.can_review_report(user, report):
        raise PermissionDenied("Возвращать отчёты могут сотрудники ЦОПП и министерства.")
    if not (reason or "").strip():
        raise ValidationError({"return_reason": ["Укажите, что нужно исправить."]})
    report.status = EventReport.Status.RETURNED
    report.returned_at = now
    report.returned_by = user if user is not None and user.pk else None
    report.return_reason = reason.strip()
    report.return_count = (report.return_count or 0) + 1
    report.resubmission_due_at = resubmission_due_at(plan=report.event.activity.plan, returned_at=now)
    fields = ["status", "returned_at", "returned_by", "return_reason", "return_count", "resubmission_due_at"]
    with transaction.atomic():
        _transition(report, expected_version, fields, allowed=("submitted",))
        for hook in _REPORT_RETURNED:
            hook(report=report, now=now)
    return report


# Who is told at once when a report is returned: the chase registers its notice
# (roadmap.chase.notifications.notify_report_returned) in RoadmapConfig.ready(), so the
# events never import the chase. A hook runs inside the return's transaction.
_REPORT_RETURNED: list[Callable[..., Any]] = []


def register_report_returned(hook: Callable[..., Any]) -> None:
    """Call ``hook(report=..., now=...)`` whenever a report is returned for correction."""
    if hook not in _REPORT_RETURNED:
        _REPORT_RETURNED.append(hook)


# ---------------------------------------------------------------------------
# Evidence
# ---------------------------------------------------------------------------

# MIME types accepted as evidence, detected from the file's content (not its name).
EVIDENCE_TYPES = {
    "image/jpeg": {"jpg", "jpeg"},
    "image/png": {"png"},
    "image/webp": {"webp"},
    "image/heic": {"heic"},
    "application/pdf": {"pdf"},
    "application/msword": {"doc"},
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": {"docx"},
    "application/vnd.ms-excel": {"xls"},
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {"xlsx"},
    "application/vnd.oasis.opendocument.text": {"odt"},
    "application/vnd.oasis.opendocument.spreadsheet": {"ods"},
}


def evidence_max_bytes() -> int:
    return int(getattr(settings, "EVIDENCE_MAX_BYTES", 20 * 1024 * 1024))


@dataclass(frozen=True)
class EvidenceUpload:
    """One file of an upload and the document type chosen for it."""

    upload: UploadedFile
    kind: str = EvidenceFile.Kind.OTHER


@dataclass(frozen=True)
class _CheckedFile:
    upload: UploadedFile
    kind: str
    name: str
    mime: str
    size: int


def _evidence_checked(item: EvidenceUpload) -> _CheckedFile:
    """The file's stored name and sniffed type, or a ValidationError naming why it is refused."""
    upload, kind = item.upload, item.kind
    if kind not in EvidenceFile.Kind.values:
        raise ValidationError({"kind": ["Неизвестный вид документа."]})
    size = upload.size or 0
    if size == 0:
        raise ValidationError({"file": ["Файл пуст."]})
    if size > evidence_max_bytes():
        limit = evidence_max_bytes() // (1024 * 1024)
        raise ValidationError({"file": [f"Файл больше {limit} МБ."]})
    head = upload.read(8192)
    upload.seek(0)
    guess = filetype.guess(head)
    mime = guess.mime if guess else ""
    if mime not in EVIDENCE_TYPES:
        raise ValidationError(
            {"file": ["Допустимы фотографии (JPEG, PNG, WebP, HEIC), PDF и документы Word/Excel/OpenDocument."]}
        )
    # The first bytes only name the type; the whole file must be what they say.
    refusal = evidence_refusal(upload.read(), mime)
    upload.seek(0)
    if refusal:
        raise ValidationError({"file": [refusal]})
    name = (upload.name or "file").rsplit("/", 1)[-1][:200]
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if ext not in EVIDENCE_TYPES[mime]:
        name = f"{name}.{min(EVIDENCE_TYPES[mime])}"
    return _CheckedFile(upload=upload, kind=kind, name=name, mime=mime, size=size)


def evidence_refusals(uploads: Sequence[EvidenceUpload]) -> list[str]:
    """Why each refused file of an upload is refused, one sentence per file naming it.

    Empty when every file may be attached. The forms call it before anything
    is written, so a report and its files are filed together or not at all.
    """
    if len(uploads) > MAX_EVIDENCE_FILES:
        return [
            ngettext(
                "At most %(limit)d file can be attached at once.",
                "At most %(limit)d files can be attached at once.",
                MAX_EVIDENCE_FILES,
            )
            % {"limit": MAX_EVIDENCE_FILES}
        ]
    refusals = []
    for item in uploads:
        try:
            _evidence_checked(item)
        except ValidationError as exc:
            refusals.append(
                _("File “%(name)s” was not accepted: %(error)s")
                % {"name": item.upload.name, "error": "; ".join(exc.messages)}
            )
    return refusals


def evidence_add(
    *, user: User | None, report: EventReport, upload: UploadedFile, kind: str = EvidenceFile.Kind.OTHER
) -> EvidenceFile:
    """Attach a file to a report after checking its size and real type."""
    if user is not None and not permissions.can_report_event(user, report.event):
        raise PermissionDenied("Прикладывать файлы может координатор организации-организатора.")
    if report.status == EventReport.Status.ACCEPTED:
        raise Conflict("Отчёт уже принят: файлы к нему не добавляются.")
    checked = _evidence_checked(EvidenceUpload(upload, kind))
    return _evidence_store(user=user, report=report, files=[checked])[0]


def evidence_add_many(
    *, user: User | None, report: EventReport, uploads: Sequence[EvidenceUpload]
) -> list[EvidenceFile]:
    """Attach several files, each with its own document type: all of them or none.

    Every file is checked before any is stored; if one is refused, the
    ValidationError lists each refused file by name with its reason and
    nothing is attached.
    """
    if user is not None and not permissions.can_report_event(user, report.event):
        raise PermissionDenied("Прикладывать файлы может координатор организации-организатора.")
    if report.status == EventReport.Status.ACCEPTED:
        raise Conflict("Отчёт уже принят: файлы к нему не добавляются.")
    refusals = evidence_refusals(uploads)
    if refusals:
        raise ValidationError(refusals)
    return _evidence_store(user=user, report=report, files=[_evidence_checked(item) for item in uploads])


def _evidence_store(*, user: User | None, report: EventReport, files: list[_CheckedFile]) -> list[EvidenceFile]:
    """Write checked files and their rows in one transaction, under the report's lock.

    The lock orders the upload against an acceptance (files are added to a
    report that is not accepted, or not at all). Files already written to the
    storage are removed again if the transaction does not commit.
    """
    written: list[EvidenceFile] = []
    try:
        with transaction.atomic():
            locked = EventReport.objects.select_for_update().filter(pk=report.pk).first()
            if locked is None:
                raise Conflict("Отчёт удалён.")
            if locked.status == EventReport.Status.ACCEPTED:
                raise Conflict("Отчёт уже принят: файлы к нему не добавляются.")
            for checked in files:
                evidence = EvidenceFile(
                    report=locked,
                    original_name=checked.name,
                    kind=checked.kind,
                    size=checked.size,
                    content_type=checked.mime,
                    uploaded_by=_actor(user),
                )
                evidence._history_user = _actor(user)  # type: ignore[attr-defined]  # django-simple-history
                evidence.file.save(checked.name, checked.upload, save=False)
                written.append(evidence)
                evidence.save()
            event_ids_written([locked.event_id])  # an activity's control points read the evidence
    except BaseException:
        for evidence in written:
            evidence.file.storage.delete(evidence.file.name)
        raise
    return written


def evidence_delete(*, user: User | None, evidence: EvidenceFile) -> None:
    """Delete an evidence file of a report that is not accepted yet.

    The report row is locked, so an acceptance either comes first (and the
    file stays) or after. The deletion is kept in the file's history (which
    file, who, when); the stored file leaves the storage only once the
    transaction commits, so a rolled-back deletion loses nothing. A file
    someone has just deleted is a conflict, not an error.
    """
    with transaction.atomic():
        report = EventReport.objects.select_for_update().filter(pk=evidence.report_id).first()
        if report is None:
            raise Conflict("Отчёт удалён.")
        if user is not None and not permissions.can_delete_evidence(user, report):
            raise PermissionDenied("Удалять файлы может координатор организации-организатора.")
        if report.status == EventReport.Status.ACCEPTED:
            raise Conflict("Отчёт уже принят: файлы к нему не удаляются.")
        current = EvidenceFile.objects.filter(pk=evidence.pk, report=report).first()
        if current is None:
            raise Conflict(_("The file has already been deleted."))
        storage, name = current.file.storage, current.file.name
        current._history_user = _actor(user)  # type: ignore[attr-defined]  # django-simple-history
        current.delete()
        event_ids_written([report.event_id])
        transaction.on_commit(lambda: storage.delete(name))


# ---------------------------------------------------------------------------
# Bulk writes (spreadsheet imports)
# ---------------------------------------------------------------------------
# The same rules as the single-object services above, through the same
# helpers, for a whole file at once: a fixed number of queries per call,
# whatever the number of rows. ``commit=False`` only checks (the dry run);
# ``commit=True`` checks again against locked rows and writes, but only when
# no row has an error: the caller runs it in a transaction.


@dataclass
class RowProblem:
    row: int
    field: str  # a model field ("" for the whole row)
    message: str


@dataclass
class BulkOutcome:
    """What a bulk import would do (or did): problems by row, and each row's action."""

    problems: list[RowProblem] = field(default_factory=list)
    # row -> ("created" | "updated" | "unchanged", changed fields)
    actions: dict[int, tuple[str, list[str]]] = field(default_factory=dict)

    def refuse(self, row: int, exc: ValidationError | str, default_field: str = "") -> None:
        if isinstance(exc, str):
            self.problems.append(RowProblem(row, default_field, exc))
            return
        if hasattr(exc, "error_dict"):
            for name, errors in exc.message_dict.items():
                for message in errors:
                    self.problems.append(RowProblem(row, "" if name == "__all__" else name, message))
        else:
            for message in exc.messages:
                self.problems.append(RowProblem(row, default_field, message))


def _actor(user: User | None) -> User | None:
    return user if user is not None and user.pk else None


@dataclass
class EventRow:
    """One event of a file: a new one, or ``event`` (matched by the caller) to update."""

    row: int
    activity: Activity  # with its plan loaded
    organizer_id: int
    title: str
    start_date: date
    end_date: date
    municipality_id: int | None = None
    place: str = ""
    format: str = Event.Format.IN_PERSON
    planned_participants: int | None = None
    responsible_email: str = ""
    event: Event | None = None


EVENT_IMPORT_FIELDS = (
    "title",
    "end_date",
    "municipality_id",
    "place",
    "format",
    "planned_participants",
    "responsible_email",
)


def events_import(*, user: User | None, rows: list[EventRow], now: datetime, commit: bool) -> BulkOutcome:
    """Register or update many events with ``event_create``/``event_update``'s rules.

    Rights per row (``can_register_event`` / ``can_change_event``), the same
    validation (``_validate_event``), the organiser's municipality by default,
    a cancelled event is not edited, a reported event is not moved, the due
    moment is stored, each update bumps the version and is in the history.
    """
    outcome = BulkOutcome()
    ids = [r.event.pk for r in rows if r.event is not None]
    current = Event.objects.filter(pk__in=ids).select_related("activity__plan")
    if commit:
        current = current.select_for_update()
    fresh = {e.pk: e for e in current}
    reported = set(EventReport.objects.filter(event_id__in=ids).values_list("event_id", flat=True)) if ids else set()
    org_ids = {r.organizer_id for r in rows}
    orgs = Organization.objects.filter(pk__in=org_ids).values_list("id", "municipality_id", "region_id")
    org_rows = list(orgs) if org_ids else []
    home = {pk: municipality for pk, municipality, _ in org_rows}
    muni_ids = {r.municipality_id for r in rows if r.municipality_id} | {m for m in home.values() if m}
    regions: RegionLookup = {
        "organizer": {pk: region for pk, _, region in org_rows},
        "municipality": dict(Municipality.objects.filter(pk__in=muni_ids).values_list("id", "region_id"))
        if muni_ids
        else {},
    }
    default_region = counted_region_id(None)  # where events of an organiser of no region count
    new: list[Event] = []
    changed: list[Event] = []
    changed_fields: set[str] = set()
    plans = plans_ordered()  # once, not a query per row
    for r in rows:
        values = {
            "title": (r.title or "").strip(),
            "end_date": r.end_date or r.start_date,
            "municipality_id": r.municipality_id or home.get(r.organizer_id),
            "place": r.place or "",
            "format": r.format or Event.Format.IN_PERSON,
            "planned_participants": r.planned_participants,
            "responsible_email": (r.responsible_email or "").strip(),
        }
        if r.event is None:
            if user is not None and not permissions.can_register_event(user, r.organizer_id):
                outcome.refuse(r.row, "Нельзя регистрировать мероприятия другой организации.", "organizer")
                continue
            event = Event(
                activity=r.activity,
                organizer_id=r.organizer_id,
                region_id=regions["organizer"].get(r.organizer_id) or default_region,  # as Event.save would
                start_date=r.start_date,
                created_by=_actor(user),
                **values,
            )
            try:
                _validate_event(event, plans=plans, regions=regions)
            except ValidationError as exc:
                outcome.refuse(r.row, exc)
                continue
            event.due_at = event_due_at(plan=r.activity.plan, end_date=event.end_date)
            new.append(event)
            outcome.actions[r.row] = ("created", [])
            continue
        found = fresh.get(r.event.pk)
        if found is None:
            outcome.refuse(r.row, "Мероприятие удалено.", "event")
            continue
        event = found
        if user is not None and not permissions.can_change_event(user, event):
            outcome.refuse(r.row, "Нельзя изменять мероприятия другой организации.", "organizer")
            continue
        if event.cancelled_at is not None:
            outcome.refuse(r.row, "Мероприятие отменено.", "event")
            continue
        names = [n for n in EVENT_IMPORT_FIELDS if getattr(event, n) != values[n]]
        if not names:
            outcome.actions[r.row] = ("unchanged", [])
            continue
        old_dates = (event.start_date, event.end_date)
        for name in names:
            setattr(event, name, values[name])
        try:
            _validate_event(event, plans=plans, regions=regions)
            _refuse_moving_reported(event, old_dates, has_report=event.pk in reported)
        except ValidationError as exc:
            outcome.refuse(r.row, exc)
            continue
        event.due_at = event_due_at(plan=event.activity.plan, end_date=event.end_date)
        event.version += 1
        event.updated_at = now
        changed.append(event)
        changed_fields.update(names)
        outcome.actions[r.row] = ("updated", names)
    if commit and not outcome.problems:
        with rollups_kept(e.pk for e in changed) as kept:
            bulk_create_with_history(new, Event, batch_size=500, default_user=_actor(user))
            kept.created(e.pk for e in new)
            if changed:
                fields = sorted(changed_fields | {"due_at", "version", "updated_at"})
                bulk_update_with_history(changed, Event, fields, batch_size=500, default_user=_actor(user))
    return outcome


@dataclass
class ReportRow:
    """The figures of one event's report; ``summary`` None keeps the one filed."""

    row: int
    event_id: int
    figures: dict[str, int | None]
    summary: str | None = None


def event_reports_import(
    *, user: User | None, rows: list[ReportRow], now: datetime, commit: bool, plan: Plan | None = None
) -> BulkOutcome:
    """File or correct many event reports with ``event_report_submit``/``_resubmit``'s rules.

    An event the user may not report on gets the very same answer as an id
    that does not exist (no existence oracle); only for the user's own events
    are "cancelled" and "not over yet" told. A new report is filed as by
    ``event_report_submit`` (on time or not, frozen now); a correction is a
    resubmission: a returned report goes back to "submitted" (so the chase
    stops), an accepted one is refused.
    """
    outcome = BulkOutcome()
    ids = {r.event_id for r in rows}
    # An event id names one event whatever its plan: reports of an archived
    # plan's events are filed the same way (``plan`` narrows when given).
    found = Event.objects.filter(pk__in=ids)
    if plan is not None:
        found = found.filter(activity__plan=plan)
    if commit:  # the events' rows before the reports' (the order every writer keeps)
        found = found.select_for_update(of=("self",)).order_by("pk")
    events = {e.pk: e for e in found} if ids else {}
    reports_qs = EventReport.objects.filter(event_id__in=list(events))
    if commit:
        reports_qs = reports_qs.select_for_update()
    reports = {r.event_id: r for r in reports_qs} if events else {}
    listed = people_lists.stored_lists(list(reports.values()))
    today = moscow_date(now)
    new: list[EventReport] = []
    changed: list[EventReport] = []
    changed_fields: set[str] = set()
    for r in rows:
        event = events.get(r.event_id)
        if event is None or (user is not None and not permissions.can_report_event(user, event)):
            outcome.refuse(r.row, f"Мероприятие с кодом {r.event_id} не найдено.", "event")
            continue
        report = reports.get(event.pk)
        if report is None:
            if event.cancelled_at is not None:
                outcome.refuse(r.row, "Мероприятие отменено: отчёт не нужен.", "event")
                continue
            if event.end_date > today:
                outcome.refuse(r.row, "Мероприятие ещё не прошло: отчёт подаётся после последнего дня.", "event")
                continue
            data = ReportData(summary=r.summary or "", **r.figures)  # type: ignore[arg-type]
        else:
            if report.status not in (EventReport.Status.SUBMITTED, EventReport.Status.RETURNED):
                outcome.refuse(
                    r.row, f"Отчёт в статусе «{EventReport.Status(report.status).label}»: изменить его нельзя.", "event"
                )
                continue
            data = ReportData(
                summary=r.summary or report.summary,
                partners=report.partners,
                links=report.links,
                **r.figures,  # type: ignore[arg-type]
            )
        try:
            clean = _clean_report(data)
            if report is not None and report.pk in listed:  # the stored list must fit the new figures
                stale = people_lists.list_errors(clean, listed[report.pk])
                if stale:
                    raise ValidationError(stale)
        except ValidationError as exc:
            outcome.refuse(r.row, exc)
            continue
        values = {n: getattr(clean, n) for n in REPORT_FIELDS}
        if report is None:
            new.append(
                EventReport(
                    event=event,
                    submitted_at=now,
                    submitted_by=_actor(user),
                    due_at_submission=event.due_at,
                    on_time=is_on_time(now, event.due_at),
                    status=EventReport.Status.SUBMITTED,
                    **values,
                )
            )
            outcome.actions[r.row] = ("created", [])
            continue
        names = [n for n in REPORT_FIELDS if getattr(report, n) != values[n]]
        if report.status == EventReport.Status.RETURNED:
            names.append("status")  # sending it again is the correction, even with the same figures
        if not names:
            outcome.actions[r.row] = ("unchanged", [])
            continue
        for name, value in values.items():
            setattr(report, name, value)
        report.status = EventReport.Status.SUBMITTED
        report.resubmitted_at = now
        report.resubmission_due_at = None
        report.version += 1
        report.updated_at = now
        changed.append(report)
        changed_fields.update(names)
        outcome.actions[r.row] = ("updated", names)
    if commit and not outcome.problems:
        with rollups_kept([r.event_id for r in (*new, *changed)]):
            bulk_create_with_history(new, EventReport, batch_size=500, default_user=_actor(user))
            if changed:
                fields = sorted(
                    (changed_fields - {"status"})
                    | {"status", "resubmitted_at", "resubmission_due_at", "version", "updated_at"}
                )
                bulk_update_with_history(changed, EventReport, fields, batch_size=500, default_user=_actor(user))
    return outcome

"""Writes of the roadmap app: events, their reports and evidence.

Every service checks the caller's right through ``roadmap.permissions`` (so
the API, the web UI, the admin and imports obey the same rules), takes
``now`` when the rule depends on time, and raises:

* ``django.core.exceptions.PermissionDenied`` -- the user may not do this;
* ``django.core.exceptions.ValidationError`` -- bad input, with messages by field;
* ``ConflictError`` -- the write collides with another one (a second report,
  an edit of a stale version).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

import filetype
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils.translation import gettext as _

from roadmap import permissions
from roadmap.deadlines import report_due_at
from roadmap.limits import MAX_PARTICIPANTS
from roadmap.models import (
    Activity,
    Event,
    EventReport,
    EvidenceFile,
    Municipality,
    Organization,
    Plan,
    User,
)
from roadmap.report_status import is_on_time, moscow_date


class ConflictError(Exception):
    """The write collides with the current state (HTTP 409)."""


# ---------------------------------------------------------------------------
# Due moments
# ---------------------------------------------------------------------------


def event_due_at(*, plan: Plan, end_date: date) -> datetime:
    """The report due moment of an event ending on ``end_date`` under ``plan``'s rule."""
    return report_due_at(end_date, days=plan.report_due_days, calendar=plan.report_due_calendar)


def resubmission_due_at(*, plan: Plan, returned_at: datetime) -> datetime:
    """A returned report is due again under the same rule, counted from the day of return."""
    return report_due_at(
        moscow_date(returned_at), days=plan.report_due_days, calendar=plan.report_due_calendar
    )


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


def _too_many() -> str:
    return _("Не больше %(max)s.") % {"max": f"{MAX_PARTICIPANTS:,}".replace(",", "\u00a0")}


def _validate_event(event: Event) -> None:
    errors: dict[str, list[str]] = {}
    if not (event.title or "").strip():
        errors.setdefault("title", []).append("Укажите название мероприятия.")
    if event.end_date < event.start_date:
        errors.setdefault("end_date", []).append("Последний день не может быть раньше первого.")
    if (
        event.start_time
        and event.end_time
        and event.start_date == event.end_date
        and event.end_time < event.start_time
    ):
        errors.setdefault("end_time", []).append("Время окончания раньше времени начала.")
    if event.planned_participants is not None and event.planned_participants < 0:
        errors.setdefault("planned_participants", []).append("Число участников не может быть отрицательным.")
    elif event.planned_participants is not None and event.planned_participants > MAX_PARTICIPANTS:
        errors.setdefault("planned_participants", []).append(_too_many())
    if event.format not in Event.Format.values:
        errors.setdefault("format", []).append("Неизвестный формат мероприятия.")
    # An event belongs to the plan whose period holds its dates: a date outside
    # it is a typo ("0540-01-07") or an event of another plan.
    plan = event.activity.plan
    first_day, last_day = plan.period
    for name in ("start_date", "end_date"):
        day = getattr(event, name)
        if not first_day <= day <= last_day and name not in errors:
            errors.setdefault(name, []).append(
                _("Дата вне периода дорожной карты (%(first)s–%(last)s).")
                % {"first": f"{first_day:%d.%m.%Y}", "last": f"{last_day:%d.%m.%Y}"}
            )
    if event.coordinator_id and event.coordinator and event.coordinator.organization_id not in (
        None,
        event.organizer_id,
    ):
        errors.setdefault("coordinator", []).append("Координатор должен быть из организации-организатора.")
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
    event.save()
    return event


def event_update(
    *, user: User | None, event: Event, expected_version: int | None = None, **changes: Any
) -> Event:
    """Edit or move an event; a new last day recomputes the stored due moment.

    A report already filed keeps its frozen ``on_time``: moving the event
    never rewrites history. ``expected_version`` enables optimistic locking:
    when someone else saved the event meanwhile, ``ConflictError`` is raised
    and nothing changes.
    """
    if user is not None and not permissions.can_change_event(user, event):
        raise PermissionDenied("Нельзя изменять мероприятия другой организации.")
    unknown = set(changes) - set(EVENT_EDITABLE_FIELDS)
    if unknown:
        raise ValidationError({name: ["Это поле нельзя изменить."] for name in sorted(unknown)})
    if event.cancelled_at is not None:
        raise ValidationError({"event": ["Мероприятие отменено."]})
    for name, value in changes.items():
        setattr(event, name, value)
    if "title" in changes:
        event.title = (event.title or "").strip()
    if "responsible_email" in changes:
        event.responsible_email = (event.responsible_email or "").strip()
    if "organizer" in changes and user is not None and not permissions.can_change_event(user, event):
        raise PermissionDenied("Нельзя передать мероприятие другой организации.")
    _validate_event(event)
    event.due_at = event_due_at(plan=event.activity.plan, end_date=event.end_date)
    try:
        return _save_versioned(event, expected_version, [*changes, "due_at"])
    except ConflictError:
        event.refresh_from_db()
        raise


def _save_versioned(obj: Event | EventReport, expected_version: int | None, fields: list[str]) -> Any:
    """Save ``fields`` only if the row still has ``expected_version`` (or any, if None)."""
    model = type(obj)
    with transaction.atomic():
        # Take the row lock first so history and the version bump stay consistent.
        locked = model.objects.select_for_update().filter(pk=obj.pk).values_list("version", flat=True).first()
        if locked is None or (expected_version is not None and locked != expected_version):
            raise ConflictError(
                "Запись уже изменил другой пользователь. Обновите страницу и повторите изменения."
            )
        obj.version = locked + 1
        obj.save(update_fields=sorted({*fields, "version", "updated_at"}))
    return obj


def event_cancel(*, user: User | None, event: Event, reason: str, now: datetime) -> Event:
    """Cancel an event that will not take place; it then needs no report."""
    if user is not None and not permissions.can_change_event(user, event):
        raise PermissionDenied("Нельзя отменять мероприятия другой организации.")
    if not (reason or "").strip():
        raise ValidationError({"cancel_reason": ["Укажите причину отмены."]})
    if EventReport.objects.filter(event=event).exists():
        raise ValidationError({"event": ["По мероприятию уже есть отчёт: отменить его нельзя."]})
    with transaction.atomic():
        updated = Event.objects.filter(pk=event.pk, cancelled_at__isnull=True).update(
            cancelled_at=now, cancel_reason=reason.strip(), version=F("version") + 1
        )
        if not updated:
            raise ConflictError("Мероприятие уже отменено.")
        event.refresh_from_db()
        event.save(update_fields=["updated_at"])  # records the change in history
    return event


# ---------------------------------------------------------------------------
# Reports
# ---------------------------------------------------------------------------

REPORT_COUNT_FIELDS = (
    "participants_total",
    "participants_pupils_6_11",
    "participants_students",
    "participants_adults",
    "participants_50_plus",
    "schools_count",
)
REPORT_BREAKDOWN_FIELDS = REPORT_COUNT_FIELDS[1:5]
REPORT_TEXT_FIELDS = ("summary", "partners", "links")
REPORT_FIELDS = (*REPORT_TEXT_FIELDS, *REPORT_COUNT_FIELDS)


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


def _clean_report(data: ReportData) -> ReportData:
    errors: dict[str, list[str]] = {}
    if not (data.summary or "").strip():
        errors["summary"] = ["Опишите, как прошло мероприятие."]
    for name in REPORT_COUNT_FIELDS:
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
    if errors:
        raise ValidationError(errors)
    return ReportData(
        **{
            **{n: getattr(data, n) for n in REPORT_COUNT_FIELDS},
            "summary": data.summary.strip(),
            "partners": (data.partners or "").strip(),
            "links": (data.links or "").strip(),
        }
    )


def event_report_submit(*, user: User | None, event: Event, data: ReportData, now: datetime) -> EventReport:
    """File the report on an event; whether it is on time is decided here, once.

    Only one report per event: a second one (even a concurrent one) raises
    ``ConflictError``; a returned report is corrected with
    ``event_report_resubmit`` instead.
    """
    if user is not None and not permissions.can_report_event(user, event):
        raise PermissionDenied("Отчёт подаёт координатор организации-организатора.")
    if event.cancelled_at is not None:
        raise ValidationError({"event": ["Мероприятие отменено: отчёт не нужен."]})
    if event.end_date > moscow_date(now):
        raise ValidationError({"event": ["Мероприятие ещё не прошло: отчёт подаётся после последнего дня."]})
    clean = _clean_report(data)
    if EventReport.objects.filter(event=event).exists():
        raise ConflictError("Отчёт по этому мероприятию уже подан.")
    report = EventReport(
        event=event,
        submitted_at=now,
        submitted_by=user if user is not None and user.pk else None,
        due_at_submission=event.due_at,
        on_time=is_on_time(now, event.due_at),
        status=EventReport.Status.SUBMITTED,
        **{n: getattr(clean, n) for n in REPORT_FIELDS},
    )
    try:
        with transaction.atomic():
            report.save()
    except IntegrityError as exc:
        # Two submissions raced past the check above; the unique event_id decides.
        raise ConflictError("Отчёт по этому мероприятию уже подан.") from exc
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
    for name in REPORT_FIELDS:
        setattr(report, name, getattr(clean, name))
    report.status = EventReport.Status.SUBMITTED
    report.resubmitted_at = now
    report.resubmission_due_at = None
    fields = [*REPORT_FIELDS, "status", "resubmitted_at", "resubmission_due_at"]
    return _transition(report, expected_version, fields, allowed=("submitted", "returned"))


def _transition(
    report: EventReport, expected_version: int | None, fields: list[str], *, allowed: tuple[str, ...]
) -> EventReport:
    try:
        return _transition_locked(report, expected_version, fields, allowed)
    except ConflictError:
        # Forget the refused in-memory changes so the caller sees the stored state.
        report.refresh_from_db()
        raise


def _transition_locked(
    report: EventReport, expected_version: int | None, fields: list[str], allowed: tuple[str, ...]
) -> EventReport:
    with transaction.atomic():
        row = (
            EventReport.objects.select_for_update()
            .filter(pk=report.pk)
            .values_list("status", "version")
            .first()
        )
        if row is None:
            raise ConflictError("Отчёт удалён.")
        status, version = row
        if expected_version is not None and version != expected_version:
            raise ConflictError("Отчёт уже изменил другой пользователь. Обновите страницу.")
        if status not in allowed:
            raise ConflictError(f"Действие недоступно: отчёт в статусе «{EventReport.Status(status).label}».")
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
        from roadmap.notifications import notify_report_returned

        notify_report_returned(report=report, now=now)
    return report


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


def evidence_add(
    *, user: User | None, report: EventReport, upload: UploadedFile, kind: str = EvidenceFile.Kind.OTHER
) -> EvidenceFile:
    """Attach a file to a report after checking its size and real type."""
    if user is not None and not permissions.can_report_event(user, report.event):
        raise PermissionDenied("Прикладывать файлы может координатор организации-организатора.")
    if report.status == EventReport.Status.ACCEPTED:
        raise ConflictError("Отчёт уже принят: файлы к нему не добавляются.")
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
    name = (upload.name or "file").rsplit("/", 1)[-1][:200]
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if ext not in EVIDENCE_TYPES[mime]:
        name = f"{name}.{min(EVIDENCE_TYPES[mime])}"
    evidence = EvidenceFile(
        report=report,
        original_name=name,
        kind=kind,
        size=size,
        content_type=mime,
        uploaded_by=user if user is not None and user.pk else None,
    )
    evidence.file.save(name, upload, save=False)
    evidence.save()
    return evidence


def evidence_delete(*, user: User | None, evidence: EvidenceFile) -> None:
    if user is not None and not permissions.can_report_event(user, evidence.report.event):
        raise PermissionDenied("Удалять файлы может координатор организации-организатора.")
    if evidence.report.status == EventReport.Status.ACCEPTED:
        raise ConflictError("Отчёт уже принят: файлы к нему не удаляются.")
    evidence.file.delete(save=False)
    evidence.delete()

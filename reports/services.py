"""Writes of the reports app: report files and spreadsheet imports."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import IO, Any

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.mail import EmailMessage
from django.db import transaction
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext as _

from copp.db_router import replica_reads
from reports.builders import build_to, builder_class
from reports.exports import LIST_EXPORTS, list_export_table, list_export_write
from reports.import_templates import import_template as build_import_template
from reports.importing import (
    CellError,
    Errors,
    Item,
    check_duplicates,
    classify,
    counts_of,
    from_json,
    match_header,
    rows_from_sheet,
    to_json,
)
from reports.importing import (
    ImportRefused as ImportRefused,  # re-exported: the pages and the command catch it from here
)
from reports.models import REPORT_KINDS, ImportJob, ImportKind, ReportFile, ReportKind, ReportSettings
from reports.permissions import can_confirm_import, can_request_report
from reports.resources import resource_for
from reports.xlsx_reader import FileRefused, StopReading, read_sheet, too_big_message
from roadmap.accounts.roles import GROUP_NAMES, Role
from roadmap.models import Plan, User
from roadmap.plans.selectors import current_plan, plan_for_year

log = logging.getLogger(__name__)
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# --- report files ----------------------------------------------------------------


def report_file_request(
    *,
    user: Any,
    kind: str,
    year: int,
    as_of: dt.date | None = None,
    plan: Plan | None = None,
    schedule_name: str = "",
    now: dt.datetime | None = None,
) -> ReportFile:
    """Record a request for a report and hand its build to Celery.

    Without a broker (no REDIS_URL) the task runs eagerly once the
    transaction commits, so the returned row may already be finished.
    """
    if user is not None and not can_request_report(user):
        raise PermissionDenied("Формировать отчёты могут сотрудники министерства, ЦОПП и администраторы.")
    if kind not in REPORT_KINDS:
        raise ValidationError({"kind": f"Неизвестный отчёт «{kind}»."})
    plan = plan or current_plan()
    if plan is None:
        raise ValidationError("План не загружен.")
    if year not in plan.years:
        raise ValidationError({"year": f"Год должен быть в пределах плана: {plan.first_year}–{plan.last_year}."})
    today = timezone.localdate(now or timezone.now())
    if as_of is not None and as_of > today:
        raise ValidationError({"as_of": "Дата «по состоянию на» не может быть в будущем."})
    # A build of the same report whose worker died no longer looks "in progress".
    report_files_fail_stuck(now=now or timezone.now())
    report = ReportFile.objects.create(
        kind=kind,
        plan=plan,
        year=year,
        as_of=as_of,
        requested_by=user if getattr(user, "pk", None) else None,
        schedule_name=schedule_name,
    )
    from reports.tasks import build_report_file

    transaction.on_commit(lambda: build_report_file.delay(report.pk))
    return report


def report_file_build(*, report: ReportFile, now: dt.datetime) -> ReportFile:
    """Build a requested report into its stored file, recording progress.

    Both endings are conditional on the row still being ``running``: a build
    swept as stuck (``report_files_fail_stuck``) stays failed even if its
    worker turns out to have been only slow, and its file is not kept.
    """
    claimed = ReportFile.objects.filter(pk=report.pk, status=ReportFile.Status.QUEUED).update(
        status=ReportFile.Status.RUNNING, started_at=now
    )
    if not claimed:  # another worker has it, or it is finished
        report.refresh_from_db()
        return report
    running = ReportFile.objects.filter(pk=report.pk, status=ReportFile.Status.RUNNING)
    buffer = io.BytesIO()
    try:
        total, render = _renderer(report, now)
        running.update(rows_total=total)

        def progress(done: int) -> None:
            running.update(rows_done=done, rows_total=max(total, done))

        rows = render(buffer, progress)
    except Exception as exc:
        log.exception("report %s failed", report.pk)
        running.update(
            status=ReportFile.Status.FAILED, error=f"{exc.__class__.__name__}: {exc}", finished_at=timezone.now()
        )
        report.refresh_from_db()
        return report
    report.refresh_from_db()
    if report.status != ReportFile.Status.RUNNING:
        return report
    report.file.save(report.filename, ContentFile(buffer.getvalue()), save=False)
    finished = running.update(
        file=report.file.name,
        size=buffer.tell(),
        rows_done=rows,
        rows_total=max(report.rows_total, rows),
        status=ReportFile.Status.DONE,
        finished_at=timezone.now(),
    )
    if not finished:  # swept as stuck while the file was being stored
        report.file.delete(save=False)
    report.refresh_from_db()
    return report


Render = Callable[[IO[bytes], Callable[[int], None]], int]


def _renderer(report: ReportFile, now: dt.datetime) -> tuple[int, Render]:
    """Rows expected and the function that writes the file of ``report``.

    A list export selects its rows again, as its page would for its
    requester now: the same filters, the same visibility, the same order. It
    reads from default, never from the read replica: it is the list its
    requester has just seen, with their latest writes.
    """
    if report.kind == ReportKind.LIST_EXPORT:
        if report.requested_by is None or not report.requested_by.is_active:
            raise PermissionDenied(_("The user who asked for this export can no longer sign in."))
        data = QueryDict(report.list_query)
        table = list_export_table(report.list_name, data, user=report.requested_by, now=now)
        return table.count, lambda out, progress: list_export_write(table, out, now=now, on_progress=progress)
    # A report's figures are aggregates built in the background: they read from the
    # read replica when there is one (copp.db_router). The build's own writes (its
    # progress, status and file) go to default, as every write does.
    with replica_reads():
        builder = builder_class(report.kind)(plan=report.plan, year=report.year, as_of=report.as_of, now=now)
        estimated = builder.estimated_rows()

    def render(out: IO[bytes], progress: Callable[[int], None]) -> int:
        with replica_reads():
            return build_to(builder, out, on_progress=progress)

    return estimated, render


def list_export_request(*, user: User, name: str, query: str, title: str, plan: Plan, now: dt.datetime) -> ReportFile:
    """Record a long list export and hand its build to Celery (as a report is).

    ``query`` is the page's query string; the rows are selected when the file
    is built, for ``user``. The file is seen by ``user`` alone.
    """
    if name not in LIST_EXPORTS:
        raise ValidationError({"list_name": _("Unknown list “%(name)s”.") % {"name": name}})
    report_files_fail_stuck(now=now)
    with transaction.atomic():
        # The link is a GET: opening it twice (or two tabs at once) must not queue
        # the same build twice. The requester's row serialises their requests.
        User.objects.select_for_update().filter(pk=user.pk).exists()
        pending = ReportFile.objects.filter(
            kind=ReportKind.LIST_EXPORT,
            requested_by=user,
            list_name=name,
            list_query=query,
            status__in=[ReportFile.Status.QUEUED, ReportFile.Status.RUNNING],
        ).first()
        if pending is not None:
            return pending
        report = _list_export_create(user=user, name=name, query=query, title=title, plan=plan, now=now)
    from reports.tasks import build_report_file

    transaction.on_commit(lambda: build_report_file.delay(report.pk))
    return report


def _list_export_create(*, user: User, name: str, query: str, title: str, plan: Plan, now: dt.datetime) -> ReportFile:
    return ReportFile.objects.create(
        kind=ReportKind.LIST_EXPORT,
        plan=plan,
        year=timezone.localdate(now).year,
        requested_by=user,
        list_name=name,
        list_query=query,
        title=title[:200],
    )


STUCK_BUILD_MESSAGE = (
    "Формирование прервано: отчёт не был готов за отведённое время (обработчик остановился). Сформируйте отчёт заново."
)


def report_build_limit() -> dt.timedelta:
    """How long a build may run before it counts as stuck.

    Defaults to a bit above Celery's hard time limit: by then a live worker
    has been killed by Celery, so a build still "running" has no worker left.
    """
    default = int(getattr(settings, "CELERY_TASK_TIME_LIMIT", 30 * 60)) + 5 * 60
    return dt.timedelta(seconds=int(getattr(settings, "REPORT_BUILD_STUCK_AFTER", default)))


def report_files_fail_stuck(*, now: dt.datetime, ids: list[int] | None = None) -> int:
    """Mark builds running for ``report_build_limit()`` or longer as failed; returns how many.

    Run by a periodic task, and lazily by the report page and by a new
    request, so nobody waits on a build that will never finish. Queued builds
    are left alone: a long queue is not a dead worker.
    """
    stuck = ReportFile.objects.filter(status=ReportFile.Status.RUNNING, started_at__lte=now - report_build_limit())
    if ids is not None:
        stuck = stuck.filter(id__in=ids)
    return stuck.update(status=ReportFile.Status.FAILED, error=STUCK_BUILD_MESSAGE, finished_at=now)


def report_file_rebuild(*, user: Any, report: ReportFile, now: dt.datetime) -> ReportFile:
    """Request a fresh build of a failed report (same report, plan, year and date)."""
    report_files_fail_stuck(now=now, ids=[report.pk])
    report.refresh_from_db()
    if report.status != ReportFile.Status.FAILED:
        raise ValidationError("Заново можно сформировать только отчёт, который не удалось сформировать.")
    if report.kind == ReportKind.LIST_EXPORT:
        if report.requested_by_id != getattr(user, "pk", None):
            raise PermissionDenied
        return list_export_request(
            user=user, name=report.list_name, query=report.list_query, title=report.title, plan=report.plan, now=now
        )
    return report_file_request(
        user=user, kind=report.kind, year=report.year, as_of=report.as_of, plan=report.plan, now=now
    )


def ministry_recipients(plan: Plan) -> list[str]:
    """The ministry's contacts: the plan's contact, ministry staff, extra addresses."""
    emails = [plan.contact_email] if plan.contact_email else []
    emails += list(
        User.objects.filter(groups__name=GROUP_NAMES[Role.MINISTRY], is_active=True)
        .exclude(email="")
        .values_list("email", flat=True)
    )
    settings_row = ReportSettings.objects.filter(plan=plan).first()
    if settings_row:
        emails += settings_row.recipient_list
    seen: dict[str, None] = {}
    for email in emails:
        seen.setdefault(email.strip().lower(), None)
    return list(seen)


def report_file_email(*, report: ReportFile, recipients: list[str], now: dt.datetime) -> ReportFile:
    """Send a finished report to recipients once (a conditional update claims it)."""
    if report.status != ReportFile.Status.DONE or not recipients:
        return report
    claimed = ReportFile.objects.filter(pk=report.pk, emailed_at__isnull=True).update(
        emailed_at=now, emailed_to="\n".join(recipients)
    )
    if not claimed:
        return report
    subject = f"ЦОПП: {report}"
    body = (
        f"Во вложении — отчёт «{report}».\n"
        f"Сформирован {timezone.localtime(report.finished_at or now):%d.%m.%Y %H:%M}.\n"
        "Письмо отправлено автоматически по расписанию."
    )
    message = EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, recipients)
    with report.file.open("rb") as fh:
        message.attach(report.filename, fh.read(), XLSX_TYPE)
    try:
        message.send()
    except Exception:
        # Release the claim so the next run retries.
        ReportFile.objects.filter(pk=report.pk).update(emailed_at=None, emailed_to="")
        raise
    report.refresh_from_db()
    return report


def scheduled_report_run(
    *, kinds: list[str], now: dt.datetime, period: str = "month", schedule_name: str = ""
) -> list[ReportFile]:
    """Build the scheduled reports and e-mail them to the ministry's contacts.

    ``period`` "month": as of the last day of the previous month, for that
    month's year (the run on 1 January reports on December). "year": the
    previous year as of 31 December.
    """
    today = timezone.localdate(now)
    as_of = today.replace(day=1) - dt.timedelta(days=1)
    if period == "year":
        as_of = dt.date(today.year - 1, 12, 31) if today.month == 1 else dt.date(today.year, 12, 31)
        as_of = min(as_of, today)
    # The plan of the reported year: the run on 1 January 2026 reports on
    # December 2025, under the plan that ended then.
    plan = plan_for_year(as_of.year) or current_plan(today)
    if plan is None:
        return []
    year = min(max(as_of.year, plan.first_year), plan.last_year)
    recipients = ministry_recipients(plan)
    built = []
    for kind in kinds:
        report = ReportFile.objects.create(kind=kind, plan=plan, year=year, as_of=as_of, schedule_name=schedule_name)
        report = report_file_build(report=report, now=now)
        report_file_email(report=report, recipients=recipients, now=now)
        built.append(report)
    return built


# --- imports ---------------------------------------------------------------------


@dataclass
class ImportPreview:
    """The outcome of a dry run: what would happen, and every problem."""

    job: ImportJob
    kind: str
    errors: list[CellError]
    counts: dict[str, int] = field(default_factory=dict)
    notes: list[CellError] = field(default_factory=list)  # cells read leniently (numbers typed as text)
    rows: list[dict[str, Any]] = field(default_factory=list)  # the first rows, for the preview table

    @property
    def is_clean(self) -> bool:
        return not self.errors

    @property
    def error_count(self) -> int:
        return len(self.errors)


PREVIEW_ROWS = 50


def _validate(
    kind: str, rows: list[tuple[int, dict[str, Any]]], *, user: Any, errors: Errors, now: dt.datetime
) -> tuple[Any, list[Item]]:
    resource = resource_for(kind, now=now)
    items = resource.resolve(rows, user=user, errors=errors)
    items = check_duplicates(items, errors, resource.describe)
    classify(items, resource.existing(items))
    resource.check_existing(items, errors)
    return resource, items


def _read(data: bytes, kind: str, errors: Errors, notes: Errors) -> list[tuple[int, dict[str, Any]]]:
    resource = resource_for(kind)

    def check_header(header: list[Any], row: int) -> None:
        # Unknown or missing columns refuse the file before its rows are read.
        from reports.xlsx_reader import Sheet

        if match_header(Sheet(header=header, header_row=row), resource.columns, errors) is None:
            raise StopReading

    try:
        sheet = read_sheet(data, on_header=check_header)
    except FileRefused as exc:
        errors.add(0, "", exc.message)
        return []
    except StopReading:
        return []
    rows = rows_from_sheet(sheet, resource.columns, errors, notes)
    if not rows and not errors:
        errors.add(0, "", _("the file has no data rows under the header"))
    return rows


def _upload_size(file: IO[bytes] | bytes) -> int | None:
    """The size of an upload without reading it (None when it cannot be told)."""
    if isinstance(file, bytes):
        return len(file)
    size = getattr(file, "size", None)
    if isinstance(size, int):
        return size
    try:
        position = file.tell()
        end = file.seek(0, io.SEEK_END)
        file.seek(position)
    except (AttributeError, OSError, ValueError):
        return None
    return end - position


def import_dry_run(
    *, user: Any, kind: str, file: IO[bytes] | bytes, name: str = "", now: dt.datetime | None = None
) -> ImportPreview:
    """Check a spreadsheet completely and say what importing it would do.

    Nothing but the ImportJob row (with the file, errors and validated rows)
    is written. Errors name their row and column.
    """
    if kind not in ImportKind.values or kind not in _kinds():
        raise ValidationError({"kind": f"Неизвестный вид загрузки «{kind}»."})
    resource = resource_for(kind)
    if not resource.may_import(user):
        raise PermissionDenied("У вас нет прав на эту загрузку.")
    name = name or getattr(file, "name", "") or "import.xlsx"
    errors = Errors()
    notes = Errors()
    items: list[Item] = []
    rows: list[tuple[int, dict[str, Any]]] = []
    size = _upload_size(file)
    if size is not None and size > _max_bytes():
        # Refused unread: the message states the true size, not what was read.
        data = b""
        errors.add(0, "", too_big_message(size))
    else:
        data = file if isinstance(file, bytes) else file.read(_max_bytes() + 1)
        rows = _read(data, kind, errors, notes)
        if rows or not errors:
            _, items = _validate(kind, rows, user=user, errors=errors, now=now or timezone.now())
    errors.sort(key=lambda e: (e.row, e.column))
    job = ImportJob(
        kind=kind,
        user=user,
        original_name=str(name)[-255:],
        sha256=hashlib.sha256(data).hexdigest() if data else "",
        status=ImportJob.Status.REFUSED if errors else ImportJob.Status.READY,
        errors=[e.as_dict() for e in errors],
        notes=[n.as_dict() for n in notes],
        payload=[] if errors else to_json(rows),
        counts={} if errors else counts_of(items),
    )
    if not errors:
        # Only a file that may be confirmed is kept; a refused one is never stored.
        job.file.save(f"{kind}.xlsx", ContentFile(data), save=False)
    job.save()
    by_row = {n: v for n, v in rows}
    preview = [
        {"row": i.row, "action": i.action, "changed": i.changed, "values": by_row.get(i.row, {})}
        for i in items[:PREVIEW_ROWS]
    ]
    return ImportPreview(
        job=job, kind=kind, errors=list(errors), counts=dict(job.counts), rows=preview, notes=list(notes)
    )


class ImportFailed(ImportRefused):
    """The confirm broke on something other than the data; nothing was written."""


def _close_job(job: ImportJob, status: str, errors: list[CellError]) -> None:
    """End a job that will never be confirmed: record why and delete its stored file."""
    ImportJob.objects.filter(pk=job.pk, status=ImportJob.Status.READY).update(
        status=status, errors=[e.as_dict() for e in errors], payload=[]
    )
    name = ImportJob.objects.filter(pk=job.pk).values_list("file", flat=True).first()
    if name:
        job.file.storage.delete(name)
        ImportJob.objects.filter(pk=job.pk).update(file="")
    job.refresh_from_db()


def _forget_file(job: ImportJob) -> None:
    if job.file.name:
        job.file.storage.delete(job.file.name)
        ImportJob.objects.filter(pk=job.pk).update(file="")


def import_confirm(*, user: Any, job: ImportJob | int, now: dt.datetime | None = None) -> ImportJob:
    """Write a checked, clean import in one transaction, or refuse it whole.

    The rows are validated again against the database as it is now (someone
    may have changed it since the dry run); any error refuses everything. A
    job that fails here, for its data or for any other reason, is closed
    (refused or failed, with the message) and its file deleted: it never
    stays "ready".
    """
    if not isinstance(job, ImportJob):
        job = ImportJob.objects.get(pk=job)
    now = now or timezone.now()
    if not can_confirm_import(user, job):
        raise PermissionDenied(_("Only the person who checked the import can confirm it."))
    errors = Errors()
    try:
        with transaction.atomic():
            locked = ImportJob.objects.select_for_update().get(pk=job.pk)
            if locked.status != ImportJob.Status.READY:
                raise _NotReady
            resource, items = _validate(locked.kind, from_json(locked.payload), user=user, errors=errors, now=now)
            if errors:
                raise ImportRefused(list(errors))
            resource.write(items, user=user, now=now)
            locked.status = ImportJob.Status.CONFIRMED
            locked.counts = counts_of(items)
            locked.confirmed_at = now
            locked.payload = []
            locked.save(update_fields=["status", "counts", "confirmed_at", "payload"])
        if not resource.keeps_file:  # e.g. names of people: not kept once loaded
            _forget_file(locked)
    except _NotReady:
        raise ImportRefused(
            [
                CellError(
                    0, "", _("this import cannot be confirmed: it failed the check, is already done or was cancelled")
                )
            ]
        ) from None
    except ImportRefused as exc:
        _close_job(job, ImportJob.Status.REFUSED, exc.errors)
        raise
    except Exception as exc:
        log.exception("import %s failed on confirm", job.pk)
        problem = CellError(
            0,
            "",
            _("the import failed because of a server error (%(error)s); no data was changed. Check the file again.")
            % {"error": exc.__class__.__name__},
        )
        _close_job(job, ImportJob.Status.FAILED, [problem])
        raise ImportFailed([problem]) from exc
    return locked


class _NotReady(Exception):
    pass


def import_discard(*, user: Any, job: ImportJob) -> ImportJob:
    """Drop a checked import that will not be confirmed; its stored file is deleted."""
    if not can_confirm_import(user, job):
        raise PermissionDenied(_("Only the person who checked the import can cancel it."))
    if job.status != ImportJob.Status.READY:
        raise ImportRefused([CellError(0, "", _("only an import that was checked but not yet done can be cancelled"))])
    _close_job(job, ImportJob.Status.DISCARDED, [])
    return job


def _max_bytes() -> int:
    from reports.xlsx_reader import MAX_UPLOAD_BYTES, limit

    return limit("REPORTS_IMPORT_MAX_BYTES", MAX_UPLOAD_BYTES)


def _kinds() -> list[str]:
    from reports.resources import RESOURCES

    return list(RESOURCES)


def import_template(*, kind: str, user: User | AnonymousUser | None = None) -> bytes:
    """An xlsx template of an import, with the drop-down lists of this user (``reports.import_templates``)."""
    return build_import_template(kind=kind, user=user)

"""«Export to Excel» of the list pages: the list on screen, as a spreadsheet.

Each list page has an entry in ``LIST_EXPORTS``: its name in the URL
(``/exports/<name>/?<the page's query string>``), the page it comes from, and
a function that selects the rows *through the page's own code* (the filter
set, the visibility rule, the order of ``roadmap.events.lists``,
``indicators.lists``, ``reports.dashboard.lists``) and says how to print them.
Nothing here filters or scopes rows by itself: what is exported is what the
page shows, every page of it.

The file is written by the shared writer (``reports.writer``: dd.mm.yyyy,
Moscow time, text never a formula). A short list is answered at once; a long
one (more than ``settings.LIST_EXPORT_BACKGROUND_ROWS`` rows) becomes a
``ReportFile`` of kind ``list_export`` built by Celery
(``reports.services.list_export_request``), seen only by the one who asked.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django.utils.translation import gettext as _

from copp.pages import in_page_order
from copp.templatetags.ui import FINAL_LABELS, duration_ru, in_year, status_label
from copp.web import plan_year_of
from indicators.lists import actual_list_filter, indicator_list_rows
from reports.dashboard.lists import tasks_plan, tasks_to_report, timeliness_table
from reports.models import ReportFile
from reports.permissions import can_import, can_request_report
from reports.selectors import IMPORT_JOBS_SHOWN, import_jobs_for, report_files_for
from reports.writer import Column, ColumnType, ReportLayout, Row, RowKind, XlsxWriter
from roadmap.accounts.roles import sees_everything
from roadmap.events import selectors as event_selectors
from roadmap.events.lists import activity_list_filter, event_list_filter
from roadmap.models import Event, EventReport, Plan
from roadmap.plans.selectors import current_plan, plan_years_text

# Rows fetched per query when a list is read (a queryset's iterator).
CHUNK = 2000
DEFAULT_BACKGROUND_ROWS = 5000


def background_rows() -> int:
    """More rows than this are exported in the background."""
    return int(getattr(settings, "LIST_EXPORT_BACKGROUND_ROWS", DEFAULT_BACKGROUND_ROWS))


class FiltersRefused(Exception):
    """The page's filter form refuses the query string: nothing is exported.

    ``errors`` are the form's own messages, «Field: message».
    """

    def __init__(self, errors: list[str]) -> None:
        super().__init__("; ".join(errors))
        self.errors = errors


@dataclass
class ListTable:
    """One list ready to write: its title, columns, rows (read lazily) and size."""

    title: str
    columns: list[Column]
    rows: Callable[[], Iterable[Sequence[Any] | Row]]
    count: int
    notes: list[str] = field(default_factory=list)
    plan: Plan | None = None


Build = Callable[[Mapping[str, Any], Any, dt.datetime], ListTable]


@dataclass(frozen=True)
class ListExport:
    name: str
    page: str  # the URL name of the list page
    build: Build


def _checked(filterset: Any) -> list[str]:
    """The filters applied, as «label: value» notes; a refused form raises FiltersRefused."""
    form = filterset.form
    if filterset.is_bound and not form.is_valid():
        errors = [
            f"{form.fields[name].label}: {message}" if name in form.fields else str(message)
            for name, messages in form.errors.items()
            for message in messages
        ]
        raise FiltersRefused(errors)
    notes = []
    for name, bound in form.fields.items():
        value = form.cleaned_data.get(name) if filterset.is_bound else None
        if value in (None, "", [], ()):
            continue
        choices = dict(getattr(bound, "choices", None) or [])
        values = value if isinstance(value, list | tuple) else [value]
        shown = ", ".join(str(choices.get(v, choices.get(str(v), v))) for v in values)
        notes.append(f"{bound.label}: {shown}")
    return [_("Filters: %(filters)s") % {"filters": "; ".join(notes)}] if notes else []


def _report_of(event: Event) -> EventReport | None:
    try:
        return event.report
    except EventReport.DoesNotExist:
        return None


# --- the lists -----------------------------------------------------------------


def events_export(data: Mapping[str, Any], user: Any, now: dt.datetime) -> ListTable:
    filterset = event_list_filter(data, user=user, now=now)
    notes = _checked(filterset)
    qs = in_page_order(filterset.qs)

    def rows() -> Iterator[Sequence[Any]]:
        for e in qs.iterator(chunk_size=CHUNK):
            report = _report_of(e)
            yield (
                e.title,
                plan_years_text(e.activity.plan),
                e.activity.number,
                e.activity.name,
                e.start_date,
                e.end_date,
                e.organizer.short_name,
                str(e.municipality) if e.municipality_id else None,
                e.get_format_display(),
                e.due_at,
                status_label(e.report_status),  # type: ignore[attr-defined]  # annotated by events_list
                report.submitted_at if report else None,
                report.participants_total if report else None,
            )

    columns = [
        Column(_("Event"), 40),
        Column(_("Roadmap"), 11, ColumnType.CODE),
        Column(_("Activity no."), 9, ColumnType.CODE),
        Column(_("Activity"), 40),
        Column(_("First day"), 12, ColumnType.DATE),
        Column(_("Last day"), 12, ColumnType.DATE),
        Column(_("Organiser"), 24),
        Column(_("Municipality"), 20),
        Column(_("Format"), 12),
        Column(_("Report due"), 16, ColumnType.DATETIME),
        Column(_("Status"), 18, ColumnType.STATUS),
        Column(_("Report submitted"), 16, ColumnType.DATETIME),
        Column(_("Participants"), 10, ColumnType.INT),
    ]
    return ListTable(_("Events"), columns, rows, qs.count(), notes, plan=current_plan())


def activities_export(data: Mapping[str, Any], user: Any, now: dt.datetime) -> ListTable:
    py = plan_year_of(data)
    filterset = activity_list_filter(data, plan=py.plan)
    notes = _checked(filterset)
    qs = in_page_order(filterset.qs.distinct())

    def rows() -> Iterator[Sequence[Any]]:
        for a in qs.iterator(chunk_size=CHUNK):
            windows = in_year(a.windows, py.year)
            yield (
                a.number,
                a.name,
                a.section.title,
                "\n".join(f"{w.start:%d.%m.%Y}–{w.end:%d.%m.%Y}" for w in windows) or _("not in this year"),
                ", ".join(r.organization.short_name for r in a.responsibilities.all()),
            )

    columns = [
        Column("№", 6, ColumnType.INT),
        Column(_("Activity"), 50),
        Column(_("Section"), 30),
        Column(_("Deadlines in %(y)s") % {"y": py.year}, 24),
        Column(_("Responsible parties"), 30),
    ]
    title = _("Roadmap activities, %(years)s") % {"years": plan_years_text(py.plan)}
    return ListTable(title, columns, rows, qs.count(), notes, plan=py.plan)


def indicators_export(data: Mapping[str, Any], user: Any, now: dt.datetime) -> ListTable:
    py = plan_year_of(data)
    found = indicator_list_rows(py.plan, py.year, now=now)

    def status_of(figure: Any) -> str:
        status = getattr(figure, "status", None)
        if not status:
            return ""
        if getattr(figure, "final", False) and str(status) in FINAL_LABELS:
            return str(FINAL_LABELS[str(status)])
        return status_label(status)

    def rows() -> Iterator[Row]:
        for indicator, figure, checks in found:
            yield Row(
                (
                    indicator.printed_code or indicator.code,
                    indicator.name,
                    indicator.unit,
                    getattr(figure, "target", None),
                    getattr(figure, "actual", None),
                    figure.percent / 100 if figure is not None and figure.percent is not None else None,
                    status_of(figure),
                    "\n".join(c.sentence for c in checks),
                ),
                indent=1 if indicator.parent_id else 0,
            )

    columns = [
        Column(_("Code"), 7, ColumnType.CODE),
        Column(_("Indicator"), 50),
        Column(_("Unit"), 12),
        Column(_("Plan"), 11, ColumnType.NUMBER),
        Column(_("Actual"), 11, ColumnType.NUMBER),
        Column("%", 8, ColumnType.PERCENT),
        Column(_("Status"), 16, ColumnType.STATUS),
        Column(_("Broken rules"), 40),
    ]
    title = _("Target indicators %(y)s") % {"y": py.year}
    return ListTable(title, columns, rows, len(found), plan=py.plan)


def actuals_export(data: Mapping[str, Any], user: Any, now: dt.datetime) -> ListTable:
    py = plan_year_of(data)
    filterset = actual_list_filter(data, user=user, plan=py.plan)
    notes = _checked(filterset)
    qs = in_page_order(filterset.qs)

    def rows() -> Iterator[Sequence[Any]]:
        for a in qs.iterator(chunk_size=CHUNK):
            yield (
                a.indicator.code,
                a.indicator.name,
                a.year,
                a.period,
                a.organization.short_name,
                a.value_bool if a.value_bool is not None else a.value_number,
                a.get_status_display(),
                a.updated_at,
            )

    columns = [
        Column(_("Code"), 7, ColumnType.CODE),
        Column(_("Indicator"), 45),
        Column(_("Year"), 7, ColumnType.CODE),
        Column(_("Period"), 8, ColumnType.CODE),
        Column(_("Organisation"), 26),
        Column(_("Value"), 11, ColumnType.NUMBER),
        Column(_("Status"), 16, ColumnType.STATUS),
        Column(_("Edited"), 16, ColumnType.DATETIME),
    ]
    title = _("Indicator values, %(years)s") % {"years": plan_years_text(py.plan)}
    return ListTable(title, columns, rows, qs.count(), notes, plan=py.plan)


def timeliness_export(data: Mapping[str, Any], user: Any, now: dt.datetime) -> ListTable:
    if not sees_everything(user):
        raise PermissionDenied
    table = timeliness_table(data, user=user, now=now)

    def share(value: float | None) -> float | None:
        return None if value is None else value / 100

    def line(r: event_selectors.TimelinessRow, kind: RowKind = RowKind.DATA) -> Row:
        delay = r.median_delay
        return Row(
            (
                r.label,
                r.held,
                r.due,
                r.on_time,
                r.late,
                r.missing,
                share(r.on_time_pct),
                duration_ru(delay) if delay else None,
            ),
            kind=kind,
        )

    def rows() -> Iterator[Row]:
        for r in table.rows:
            yield line(r)
        yield line(table.total, RowKind.TOTAL)

    columns = [
        Column(str(table.first), 30),
        Column(_("Held"), 9, ColumnType.INT),
        Column(_("Report required"), 9, ColumnType.INT),
        Column(_("On time"), 9, ColumnType.INT),
        Column(_("Late"), 9, ColumnType.INT),
        Column(_("No report"), 9, ColumnType.INT),
        Column(_("Share on time"), 9, ColumnType.PERCENT),
        Column(_("Median delay"), 14),
    ]
    title = _("Report timeliness, %(y)s") % {"y": table.py.year}
    return ListTable(title, columns, rows, len(table.rows) + 1, plan=table.py.plan)


def tasks_export(data: Mapping[str, Any], user: Any, now: dt.datetime) -> ListTable:
    plan = tasks_plan(data)
    qs = tasks_to_report(user, plan=plan, now=now)

    def rows() -> Iterator[Sequence[Any]]:
        for e in qs.iterator(chunk_size=CHUNK):
            yield (
                e.title,
                e.activity.number,
                e.start_date,
                e.end_date,
                e.due_at,
                status_label(e.report_status),  # type: ignore[attr-defined]  # annotated by events_list
            )

    columns = [
        Column(_("Event"), 45),
        Column(_("Activity no."), 9, ColumnType.CODE),
        Column(_("First day"), 12, ColumnType.DATE),
        Column(_("Last day"), 12, ColumnType.DATE),
        Column(_("Report due"), 16, ColumnType.DATETIME),
        Column(_("Status"), 18, ColumnType.STATUS),
    ]
    return ListTable(_("Reports to file"), columns, rows, qs.count(), plan=plan or current_plan())


def inbox_export(data: Mapping[str, Any], user: Any, now: dt.datetime) -> ListTable:
    qs = event_selectors.inbox(user, unread_only=data.get("unread") == "1")

    def rows() -> Iterator[Sequence[Any]]:
        for n in qs.iterator(chunk_size=CHUNK):
            yield (n.created_at, n.get_kind_display(), n.subject, n.event.title if n.event else None, n.read_at, n.body)

    columns = [
        Column(_("Received"), 16, ColumnType.DATETIME),
        Column(_("Kind"), 22),
        Column(_("Subject"), 40),
        Column(_("Event"), 30),
        Column(_("Read"), 16, ColumnType.DATETIME),
        Column(_("Text"), 50),
    ]
    return ListTable(_("Notifications"), columns, rows, qs.count(), plan=current_plan())


def reports_export(data: Mapping[str, Any], user: Any, now: dt.datetime) -> ListTable:
    if not can_request_report(user):
        raise PermissionDenied
    files = report_files_for(user)

    def rows() -> Iterator[Sequence[Any]]:
        for f in files:
            yield (
                str(f),
                plan_years_text(f.plan),
                f.created_at,
                f.requested_by.get_full_name() or f.requested_by.username if f.requested_by else f.schedule_name,
                f.get_status_display(),
                f.rows_done if f.status == ReportFile.Status.DONE else None,
            )

    columns = [
        Column(_("Report"), 40),
        Column(_("Roadmap"), 11, ColumnType.CODE),
        Column(_("Requested"), 16, ColumnType.DATETIME),
        Column(_("Requested by"), 24),
        Column(_("Status"), 16, ColumnType.STATUS),
        Column(_("Rows in the report"), 9, ColumnType.INT),
    ]
    return ListTable(_("Built reports"), columns, rows, len(files), plan=current_plan())


def imports_export(data: Mapping[str, Any], user: Any, now: dt.datetime) -> ListTable:
    if not can_import(user):
        raise PermissionDenied
    jobs = import_jobs_for(user, limit=IMPORT_JOBS_SHOWN)

    def rows() -> Iterator[Sequence[Any]]:
        for j in jobs:
            yield (
                j.get_kind_display(),
                j.original_name,
                j.created_at,
                j.user.get_full_name() or j.user.username,
                j.get_status_display(),
                len(j.errors) if j.errors else None,
                j.confirmed_at,
            )

    columns = [
        Column(_("What was imported"), 24),
        Column(_("File"), 30),
        Column(_("Checked"), 16, ColumnType.DATETIME),
        Column(_("Uploaded by"), 24),
        Column(_("Status"), 20, ColumnType.STATUS),
        Column(_("Errors found"), 9, ColumnType.INT),
        Column(_("Imported"), 16, ColumnType.DATETIME),
    ]
    return ListTable(_("My imports"), columns, rows, len(jobs), plan=current_plan())


LIST_EXPORTS: dict[str, ListExport] = {
    e.name: e
    for e in (
        ListExport("events", "event_list", events_export),
        ListExport("activities", "activity_list", activities_export),
        ListExport("indicators", "indicator_list", indicators_export),
        ListExport("actuals", "actual_list", actuals_export),
        ListExport("timeliness", "timeliness", timeliness_export),
        ListExport("tasks", "tasks", tasks_export),
        ListExport("inbox", "inbox", inbox_export),
        ListExport("reports", "report_list", reports_export),
        ListExport("imports", "import_start", imports_export),
    )
}


def list_export_table(name: str, data: Mapping[str, Any], *, user: Any, now: dt.datetime) -> ListTable:
    """The list ``name`` as its page selects it for ``user`` from the query ``data``.

    Raises KeyError for an unknown list, and whatever the page raises for the
    same query: Http404 (an unknown plan), PermissionDenied, FiltersRefused.
    """
    if not getattr(user, "is_authenticated", False):
        raise PermissionDenied
    return LIST_EXPORTS[name].build(data, user, now)


def list_export_filename(title: str, now: dt.datetime) -> str:
    """«События 03.12.2026.xlsx»: the list's title and the Moscow day."""
    safe = "".join(ch for ch in title if ch not in '\\/:*?"<>|').strip()
    return f"{safe} {timezone.localtime(now):%d.%m.%Y}.xlsx"


def list_export_write(
    table: ListTable, out: str | IO[bytes], *, now: dt.datetime, on_progress: Callable[[int], None] | None = None
) -> int:
    """Write ``table`` with the shared writer; return the data rows written."""
    layout = ReportLayout(
        sheet_title=table.title,
        title=table.title,
        columns=table.columns,
        generated_at=now,
        notes=table.notes,
        freeze_columns=1,
        signed=False,
    )
    rows = (r if isinstance(r, Row) else Row(r) for r in table.rows())
    return XlsxWriter(layout).write(rows, out, on_progress=on_progress)

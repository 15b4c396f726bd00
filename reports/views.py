"""HTML pages of the reports: request a report and watch it build, download, import, export a list."""

from __future__ import annotations

import io

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from copp.files import serve_file
from copp.forms import apply_errors
from copp.web import plan_year
from reports import permissions, regions, services
from reports.exports import (
    LIST_EXPORTS,
    FiltersRefused,
    background_rows,
    list_export_filename,
    list_export_table,
    list_export_write,
)
from reports.forms import ImportForm, ReportRequestForm
from reports.models import ImportKind, ReportFile, ReportKind
from reports.regions import comparison_years
from reports.selectors import IMPORT_JOBS_SHOWN, import_jobs_for, report_files_for
from roadmap.accounts.signed_in import signed_in_user


@login_required
def report_list(request: HttpRequest) -> HttpResponse:
    if not permissions.can_request_report(request.user):
        raise PermissionDenied
    py = plan_year(request)  # ?plan=<key>: an archived plan's reports build too
    plan = py.plan
    form = ReportRequestForm(request.POST or None, plan=plan, year=py.year)
    if request.method == "POST" and form.is_valid():
        try:
            report = services.report_file_request(user=request.user, plan=plan, now=timezone.now(), **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            return redirect("report_detail", report.pk)
    return render(
        request, "reports/report_list.html", {"py": py, "form": form, "files": report_files_for(request.user)}
    )


@login_required
def report_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One requested report; the progress part is polled by htmx until it is finished."""
    query = ReportFile.objects.select_related("plan", "requested_by")
    report = get_object_or_404(permissions.visible_report_files(request.user, query), pk=pk)
    if services.report_files_fail_stuck(now=timezone.now(), ids=[report.pk]):
        report.refresh_from_db()
    template = "reports/_progress.html" if request.headers.get("HX-Request") else "reports/report_detail.html"
    export = LIST_EXPORTS.get(report.list_name) if report.kind == ReportKind.LIST_EXPORT else None
    back = f"{reverse(export.page)}?{report.list_query}" if export else None
    return render(request, template, {"report": report, "list_page": back})


@login_required
@require_GET
def list_export(request: HttpRequest, name: str) -> HttpResponse:
    """The list page ``name`` as a spreadsheet: the same query string, the same rows.

    A long list is built in the background and the progress page opens; a
    query the page's filters refuse goes back to the page with their errors.
    """
    export = LIST_EXPORTS.get(name)
    if export is None:
        raise Http404
    now = timezone.now()
    try:
        table = list_export_table(name, request.GET, user=request.user, now=now)
    except FiltersRefused as exc:
        messages.error(request, _("The list was not exported. Correct the filters: %(errors)s") % {"errors": exc})
        return redirect(f"{reverse(export.page)}?{request.GET.urlencode()}")
    if table.count > background_rows() and table.plan is not None:
        report = services.list_export_request(
            user=signed_in_user(request),
            name=name,
            query=request.GET.urlencode(),
            title=table.title,
            plan=table.plan,
            now=now,
        )
        return redirect("report_detail", report.pk)
    buffer = io.BytesIO()
    list_export_write(table, buffer, now=now)
    response = HttpResponse(buffer.getvalue(), content_type=services.XLSX_TYPE)
    response["Content-Disposition"] = content_disposition_header(True, list_export_filename(table.title, now)) or ""
    return response


@login_required
@require_POST
def report_rebuild(request: HttpRequest, pk: int) -> HttpResponse:
    """Build a failed report again (a fresh request with the same parameters)."""
    query = ReportFile.objects.select_related("plan")
    report = get_object_or_404(permissions.visible_report_files(request.user, query), pk=pk)
    try:
        fresh = services.report_file_rebuild(user=request.user, report=report, now=timezone.now())
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("report_detail", report.pk)
    return redirect("report_detail", fresh.pk)


@login_required
def report_download(request: HttpRequest, pk: int) -> HttpResponseBase:
    report = get_object_or_404(permissions.visible_report_files(request.user), pk=pk, status=ReportFile.Status.DONE)
    if not report.file:
        raise Http404
    return serve_file(report.file, filename=report.filename, content_type=services.XLSX_TYPE)


@login_required
def import_start(request: HttpRequest) -> HttpResponse:
    kinds = permissions.importable_kinds(request.user)
    if not kinds:
        raise PermissionDenied
    form = ImportForm(request.POST or None, request.FILES or None, kinds=kinds)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            preview = services.import_dry_run(
                user=request.user, kind=form.cleaned_data["kind"], file=upload, name=upload.name
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        except PermissionDenied as exc:  # rights changed since the page was shown
            form.add_error("kind", str(exc))
        else:
            return redirect("import_detail", preview.job.pk)
    templates = [(value, label) for value, label in ImportKind.choices if value in kinds]
    context = {"form": form, "jobs": import_jobs_for(request.user, limit=IMPORT_JOBS_SHOWN), "kinds": templates}
    return render(request, "reports/import_start.html", context)


@login_required
def import_detail(request: HttpRequest, pk: int) -> HttpResponse:
    job = get_object_or_404(permissions.visible_import_jobs(request.user), pk=pk)
    if request.method == "POST":
        try:
            if "discard" in request.POST:
                services.import_discard(user=request.user, job=job)
                messages.success(request, _("The import is cancelled and the file deleted."))
            else:
                services.import_confirm(user=request.user, job=job, now=timezone.now())
                messages.success(request, _("The data has been imported."))
        except services.ImportRefused as exc:
            messages.error(request, _("The import was rejected, no data was changed: %(e)s") % {"e": exc})
        return redirect("import_detail", job.pk)
    return render(
        request,
        "reports/import_detail.html",
        {"job": job, "can_confirm": permissions.can_confirm_import(request.user, job)},
    )


@login_required
def import_template(request: HttpRequest, kind: str) -> HttpResponse:
    if kind not in permissions.importable_kinds(request.user):
        raise Http404
    response = HttpResponse(services.import_template(kind=kind, user=request.user), content_type=services.XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="template_{kind}.xlsx"'
    return response


def comparison_year(raw: str | None, years: list[int], today: int) -> int:
    """``?year=`` of the comparison: a plan year; absent, this year (clamped into the plans' years).

    Raises ``ValueError`` for a value that is not one of ``years``."""
    if not raw:
        return min(max(today, years[0]), years[-1])
    year = int(raw)  # ValueError for text
    if year not in years:
        raise ValueError(year)
    return year


@login_required
@require_GET
def region_comparison(request: HttpRequest) -> HttpResponse:
    """Every region side by side (the federal level and administrators; others 403)."""
    if not permissions.can_compare_regions(request.user):
        raise PermissionDenied
    day = timezone.localdate()
    years = comparison_years(day)
    try:
        year = comparison_year(request.GET.get("year"), years, day.year)
    except ValueError:
        return HttpResponse(_("Choose one of the plans' years."), status=400, content_type="text/plain; charset=utf-8")
    snapshot, fresh = regions.comparison_snapshot(year=year, now=timezone.now())
    context = {"comparison": snapshot.comparison, "snapshot": snapshot, "fresh": fresh, "years": years}
    return render(request, "reports/region_comparison.html", context)

"""Admin of the reports app: stored report files, imports, schedules' settings."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from reports.models import ImportJob, ImportKind, ReportFile, ReportSettings
from reports.permissions import visible_import_jobs, visible_report_files
from reports.services import (
    ImportRefused,
    import_confirm,
    import_dry_run,
    import_template,
    report_file_request,
)


@admin.register(ReportFile)
class ReportFileAdmin(admin.ModelAdmin):
    list_display = ["__str__", "status", "percent", "created_at", "requested_by", "schedule_name", "download"]
    list_filter = ["kind", "status", "year", "schedule_name"]
    readonly_fields = [f.name for f in ReportFile._meta.fields]
    actions = ["rebuild"]
    date_hierarchy = "created_at"

    def get_queryset(self, request: HttpRequest) -> QuerySet[ReportFile]:
        return visible_report_files(request.user, super().get_queryset(request))

    @admin.display(description=_("file"))
    def download(self, obj: ReportFile) -> str:
        if obj.status != ReportFile.Status.DONE or not obj.file:
            return ""
        return format_html('<a href="{}">{}</a>', obj.file.url, obj.filename)

    @admin.display(description="%")
    def percent(self, obj: ReportFile) -> int:
        return obj.percent

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.action(description=_("Build again"))
    def rebuild(self, request: HttpRequest, queryset: Any) -> None:
        for report in queryset:
            report_file_request(
                user=request.user, kind=report.kind, year=report.year, as_of=report.as_of, plan=report.plan
            )
        self.message_user(request, _("Queued."), messages.SUCCESS)


ADMIN_IMPORT_KINDS = ("organizations", "events", "event_reports", "actuals", "agreements", "programmes")


class ImportUploadForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("What is loaded"),
        choices=[(kind, ImportKind(kind).label) for kind in ADMIN_IMPORT_KINDS],
    )
    file = forms.FileField(label=_("Excel file (.xlsx)"))


@admin.register(ImportJob)
class ImportJobAdmin(admin.ModelAdmin):
    list_display = ["__str__", "kind", "status", "user", "created_at", "confirmed_at", "counts"]
    list_filter = ["kind", "status"]
    readonly_fields = [f.name for f in ImportJob._meta.fields if f.name != "payload"]
    exclude = ["payload"]
    change_list_template = "admin/reports/importjob_changelist.html"

    def get_queryset(self, request: HttpRequest) -> QuerySet[ImportJob]:
        return visible_import_jobs(request.user, super().get_queryset(request))

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def get_urls(self) -> list:
        urls = [
            path("upload/", self.admin_site.admin_view(self.upload_view), name="reports_importjob_upload"),
            path("<int:pk>/confirm/", self.admin_site.admin_view(self.confirm_view), name="reports_importjob_confirm"),
            path(
                "template/<str:kind>/",
                self.admin_site.admin_view(self.template_view),
                name="reports_importjob_template",
            ),
        ]
        return urls + super().get_urls()

    def upload_view(self, request: HttpRequest) -> HttpResponse:
        form = ImportUploadForm(request.POST or None, request.FILES or None)
        preview = None
        if request.method == "POST" and form.is_valid():
            try:
                preview = import_dry_run(
                    user=request.user, kind=form.cleaned_data["kind"], file=form.cleaned_data["file"]
                )
            except PermissionDenied as exc:
                messages.error(request, str(exc))
        context = {
            **self.admin_site.each_context(request),
            "form": form,
            "preview": preview,
            "title": _("Load from Excel"),
            "opts": self.model._meta,
            "kinds": [(kind, ImportKind(kind).label) for kind in ADMIN_IMPORT_KINDS],
        }
        return TemplateResponse(request, "admin/reports/import_upload.html", context)

    def confirm_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        job = get_object_or_404(self.get_queryset(request), pk=pk)
        if request.method != "POST":
            return redirect("admin:reports_importjob_upload")
        try:
            job = import_confirm(user=request.user, job=job, now=timezone.now())
        except ImportRefused as exc:
            for error in exc.errors[:20]:
                messages.error(request, str(error))
            return redirect("admin:reports_importjob_upload")
        except PermissionDenied as exc:
            messages.error(request, str(exc))
            return redirect("admin:reports_importjob_upload")
        c = job.counts
        messages.success(
            request,
            _("Loaded: %(created)s created, %(updated)s updated, %(unchanged)s unchanged.")
            % {"created": c["created"], "updated": c["updated"], "unchanged": c["unchanged"]},
        )
        return redirect(reverse("admin:reports_importjob_change", args=[job.pk]))

    def template_view(self, request: HttpRequest, kind: str) -> HttpResponse:
        response = HttpResponse(
            import_template(kind=kind, user=request.user),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = f'attachment; filename="template_{kind}.xlsx"'
        return response


@admin.register(ReportSettings)
class ReportSettingsAdmin(admin.ModelAdmin):
    list_display = ["plan"]
    filter_horizontal = ["monitoring_activities"]

"""Stored report files and import jobs.

A :class:`ReportFile` is created when someone asks for a report; a Celery task
builds it and records its progress on the row, so the reports page can poll
it, and the finished file stays listed for download. An :class:`ImportJob`
keeps an uploaded spreadsheet, the outcome of its dry run (errors by row and
column) and, once confirmed, the counts written.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ReportKind(models.TextChoices):
    ROADMAP = "roadmap", _("Roadmap implementation")
    INDICATORS = "indicators", _("Target indicators")
    TIMELINESS = "timeliness", _("Timeliness of event reports")
    MUNICIPALITIES = "municipalities", _("Monitoring by municipality")
    # A list page exported to Excel in the background (reports.exports); only its requester sees it.
    LIST_EXPORT = "list_export", _("List exported from a page")


# The reports one requests, schedules and builds from the command line (not the list exports).
REPORT_CHOICES = [(k.value, k.label) for k in ReportKind if k is not ReportKind.LIST_EXPORT]
REPORT_KINDS = [value for value, _label in REPORT_CHOICES]


class ReportFile(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Being built")
        DONE = "done", _("Built")
        FAILED = "failed", _("Build failed")

    kind = models.CharField(_("report"), max_length=20, choices=ReportKind.choices)
    plan = models.ForeignKey(
        "roadmap.Plan", verbose_name=_("plan"), on_delete=models.CASCADE, related_name="report_files"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    as_of = models.DateField(_("data as of"), null=True, blank=True, help_text=_("Empty: as of the build."))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    # Progress is rows written / rows expected; the page shows ``percent``.
    rows_done = models.PositiveIntegerField(_("rows written"), default=0)
    rows_total = models.PositiveIntegerField(_("rows expected"), default=0)
    file = models.FileField(_("file"), upload_to="reports/%Y/%m/", blank=True)
    size = models.PositiveBigIntegerField(_("size, bytes"), default=0)
    error = models.TextField(_("error"), blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="report_files",
    )
    schedule_name = models.CharField(
        _("schedule"), max_length=200, blank=True, help_text=_("Set for scheduled builds.")
    )
    # A list export: which list (reports.exports.LIST_EXPORTS), the page's query string, its title.
    list_name = models.CharField(_("list"), max_length=40, blank=True)
    list_query = models.TextField(_("filters (query string)"), blank=True)
    title = models.CharField(_("title"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("requested at"), auto_now_add=True, db_index=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    emailed_at = models.DateTimeField(_("e-mailed at"), null=True, blank=True)
    emailed_to = models.TextField(_("e-mailed to"), blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("report file")
        verbose_name_plural = _("report files")
        indexes = [models.Index(fields=["status", "created_at"])]

    def __str__(self) -> str:
        if self.kind == ReportKind.LIST_EXPORT:
            return self.title or self.get_kind_display()
        as_of = f" на {self.as_of:%d.%m.%Y}" if self.as_of else ""
        return f"{self.get_kind_display()} за {self.year}{as_of}"

    @property
    def percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        if not self.rows_total:
            return 0
        return min(99, int(100 * self.rows_done / self.rows_total))

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)

    @property
    def filename(self) -> str:
        if self.kind == ReportKind.LIST_EXPORT:
            day = timezone.localtime(self.created_at) if self.created_at else timezone.localtime()
            return f"{self.title or self.list_name} {day:%d.%m.%Y}.xlsx"
        as_of = f"_на_{self.as_of:%d.%m.%Y}" if self.as_of else ""
        return f"{self.kind}_{self.year}{as_of}.xlsx"


class ImportKind(models.TextChoices):
    ORGANIZATIONS = "organizations", _("Organizations")
    EVENTS = "events", _("Roadmap events")
    EVENT_REPORTS = "event_reports", _("Event report figures")
    ACTUALS = "actuals", _("Actual indicator values")
    AGREEMENTS = "agreements", _("Partner agreements")
    PROGRAMMES = "programmes", _("Education programmes")
    EVENT_PARTICIPANTS = "event_participants", _("Event participant lists")


class ImportJob(models.Model):
    class Status(models.TextChoices):
        REFUSED = "refused", _("Refused: the file has errors")
        READY = "ready", _("Checked, ready to import")
        CONFIRMED = "confirmed", _("Imported")
        FAILED = "failed", _("Not imported: failed while writing")
        DISCARDED = "discarded", _("Discarded")

    kind = models.CharField(_("import"), max_length=20, choices=ImportKind.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="import_jobs"
    )
    file = models.FileField(_("file"), upload_to="imports/%Y/%m/", blank=True)
    original_name = models.CharField(_("file name"), max_length=255, blank=True)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices)
    # [{"row": 5, "column": "Код", "message": "..."}]; row 0 = the whole file.
    errors = models.JSONField(_("errors"), default=list, blank=True)
    # Same shape: what the check read leniently, e.g. a number typed as text.
    notes = models.JSONField(_("notes"), default=list, blank=True)
    # The validated rows of a clean dry run; confirm re-checks them against
    # the database as it is then, without parsing the file again.
    payload = models.JSONField(_("validated rows"), default=list, blank=True)
    counts = models.JSONField(_("counts"), default=dict, blank=True)
    created_at = models.DateTimeField(_("checked at"), auto_now_add=True)
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("import")
        verbose_name_plural = _("imports")

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.original_name or self.pk}"


class ReportSettings(models.Model):
    """Per-plan choices of the reports, edited in the admin (a plan is data)."""

    plan = models.OneToOneField(
        "roadmap.Plan", on_delete=models.CASCADE, related_name="report_settings", verbose_name=_("plan")
    )
    monitoring_activities = models.ManyToManyField(
        "roadmap.Activity",
        verbose_name=_("activities of the municipality monitoring"),
        blank=True,
        related_name="+",
        help_text=_("Events of these activities are counted per municipality; none chosen: all events."),
    )
    recipients = models.TextField(
        _("recipients of scheduled reports"),
        blank=True,
        help_text=_("E-mail addresses, one per line, in addition to the plan's ministry contact and ministry staff."),
    )

    class Meta:
        verbose_name = _("report settings")
        verbose_name_plural = _("report settings")

    def __str__(self) -> str:
        return str(self.plan)

    @property
    def recipient_list(self) -> list[str]:
        return [line.strip() for line in self.recipients.splitlines() if line.strip()]

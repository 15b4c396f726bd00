"""Admin of events, reports and notifications (imported by roadmap/admin.py)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from roadmap.models import Event, EventReport, EvidenceFile, Notification
from roadmap.notifications import notification_resend
from roadmap.permissions import visible_event_reports, visible_events, visible_evidence
from roadmap.services import event_due_at


class EvidenceInline(admin.TabularInline):
    model = EvidenceFile
    extra = 0
    fields = ("file", "original_name", "kind", "size", "content_type", "uploaded_by", "uploaded_at")
    readonly_fields = ("original_name", "size", "content_type", "uploaded_by", "uploaded_at")

    def get_queryset(self, request: HttpRequest) -> QuerySet[EvidenceFile]:
        return visible_evidence(request.user, super().get_queryset(request))


@admin.register(Event)
class EventAdmin(SimpleHistoryAdmin):
    list_display = ("title", "activity", "organizer", "start_date", "end_date", "due_at", "cancelled_at")
    list_filter = ("activity__plan", "format", "organizer__kind", "municipality")
    search_fields = ("title", "organizer__short_name", "responsible_email")
    date_hierarchy = "end_date"
    list_select_related = ("activity", "organizer")
    autocomplete_fields = ("organizer", "municipality", "coordinator")
    readonly_fields = ("due_at", "created_at", "updated_at", "version", "created_by")

    def get_queryset(self, request: HttpRequest) -> QuerySet[Event]:
        return visible_events(request.user, super().get_queryset(request))

    def save_model(self, request: HttpRequest, obj: Event, form: Any, change: bool) -> None:
        # The due moment always follows the plan's rule; it is never typed in.
        obj.due_at = event_due_at(plan=obj.activity.plan, end_date=obj.end_date)
        if change:
            obj.version += 1
        super().save_model(request, obj, form, change)


@admin.register(EventReport)
class EventReportAdmin(SimpleHistoryAdmin):
    list_display = ("event", "status", "submitted_at", "on_time", "participants_total", "accepted_at")
    list_filter = ("status", "on_time", "event__activity__plan")
    search_fields = ("event__title", "event__organizer__short_name", "summary")
    list_select_related = ("event",)
    raw_id_fields = ("event",)
    readonly_fields = (
        "submitted_at",
        "submitted_by",
        "on_time",
        "due_at_submission",
        "accepted_at",
        "accepted_by",
        "returned_at",
        "returned_by",
        "return_count",
        "resubmission_due_at",
        "resubmitted_at",
        "version",
    )
    inlines = (EvidenceInline,)

    def get_queryset(self, request: HttpRequest) -> QuerySet[EventReport]:
        return visible_event_reports(request.user, super().get_queryset(request))


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    """Failed and stuck notices are visible here and can be sent again."""

    list_display = ("created_at", "kind", "recipient", "status", "attempts", "next_attempt_at", "sent_at", "event")
    list_filter = ("status", "kind")
    search_fields = ("recipient", "subject", "last_error")
    date_hierarchy = "created_at"
    raw_id_fields = ("event", "user")
    readonly_fields = tuple(f.name for f in Notification._meta.fields)
    actions = ("resend",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.action(description=_("Send again (failed, given up or stuck notices)"))
    def resend(self, request: HttpRequest, queryset: QuerySet[Notification]) -> None:
        count = notification_resend(notification_ids=queryset.values_list("id", flat=True), now=timezone.now())
        self.message_user(request, f"Поставлено на повторную отправку: {count}", messages.SUCCESS)

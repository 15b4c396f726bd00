"""Admin of events, reports and notifications (imported by roadmap/admin.py)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from roadmap.accounts.admin_doors import ScopedByOrganizationAdminMixin, ServiceOnlyAdminMixin
from roadmap.accounts.permissions import visible_event_reports, visible_events, visible_evidence
from roadmap.chase.notifications import notification_resend, notifications_in_doubt
from roadmap.models import Event, EventReport, EvidenceFile, Notification


class EvidenceInline(ServiceOnlyAdminMixin, admin.TabularInline):
    """Evidence is added on the event's page, where its content is checked (roadmap.events.services.evidence_add)."""

    model = EvidenceFile
    extra = 0
    fields = ("file", "original_name", "kind", "size", "content_type", "uploaded_by", "uploaded_at")
    readonly_fields = fields

    def get_queryset(self, request: HttpRequest) -> QuerySet[EvidenceFile]:
        return visible_evidence(request.user, super().get_queryset(request))


def _event_page(event_id: int) -> str:
    return format_html(
        '<a href="{}">{}</a>',
        reverse("event_detail", args=[event_id]),
        "Страница мероприятия: изменение, отмена, отчёт, проверка (или API / загрузка из Excel)",
    )


@admin.register(Event)
class EventAdmin(ScopedByOrganizationAdminMixin, ServiceOnlyAdminMixin, SimpleHistoryAdmin):
    """Read here; registered, moved and cancelled through roadmap.events.services (web page, API, import).

    Those services own the deadline (``due_at``), the version, the plan's
    period and the permission of the organiser; a generic admin form kept none of them.
    """

    organization_path = "organizer"
    visible = staticmethod(visible_events)
    list_display = ("title", "activity", "organizer", "start_date", "end_date", "due_at", "cancelled_at")
    list_filter = ("activity__plan", "format", "organizer__kind", "municipality")
    search_fields = ("title", "organizer__short_name", "responsible_email")
    date_hierarchy = "end_date"
    list_select_related = ("activity", "organizer")
    readonly_fields = ("where_to_change",)

    @admin.display(description=_("Где изменить"))
    def where_to_change(self, obj: Event) -> str:
        return _event_page(obj.pk)

    def view_on_site(self, obj: Event) -> str:
        return reverse("event_detail", args=[obj.pk])


@admin.register(EventReport)
class EventReportAdmin(ScopedByOrganizationAdminMixin, ServiceOnlyAdminMixin, SimpleHistoryAdmin):
    """Read here; filed, corrected, accepted and returned through roadmap.events.services (web page, API, import)."""

    organization_path = "event__organizer"
    visible = staticmethod(visible_event_reports)
    list_display = ("event", "status", "submitted_at", "on_time", "participants_total", "accepted_at")
    list_filter = ("status", "on_time", "event__activity__plan")
    search_fields = ("event__title", "event__organizer__short_name", "summary")
    list_select_related = ("event",)
    readonly_fields = ("where_to_change",)
    inlines = (EvidenceInline,)

    @admin.display(description=_("Где изменить"))
    def where_to_change(self, obj: EventReport) -> str:
        return _event_page(obj.event_id)

    def view_on_site(self, obj: EventReport) -> str:
        return reverse("event_detail", args=[obj.event_id])


class InDoubtFilter(admin.SimpleListFilter):
    """Notices a worker died while sending: the message may or may not have left."""

    title = _("отправка под вопросом")
    parameter_name = "in_doubt"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        count = notifications_in_doubt(now=timezone.now()).count()
        return [("yes", f"Под вопросом ({count})")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Notification]) -> QuerySet[Notification]:
        if self.value() == "yes":
            return queryset.filter(id__in=notifications_in_doubt(now=timezone.now()).values("id"))
        return queryset


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    """Failed and in-doubt notices are visible here and can be sent again."""

    list_display = (
        "created_at", "kind", "recipient", "status", "attempts", "next_attempt_at", "sending_since", "sent_at", "event"
    )
    list_filter = (InDoubtFilter, "status", "kind")
    search_fields = ("recipient", "subject", "last_error")
    date_hierarchy = "created_at"
    raw_id_fields = ("event", "user")
    readonly_fields = tuple(f.name for f in Notification._meta.fields)
    actions = ("resend",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def changelist_view(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> Any:
        if request.method == "GET":
            count = notifications_in_doubt(now=timezone.now()).count()
            if count:
                self.message_user(
                    request,
                    f"Под вопросом: {count} — отправка прервалась (работник остановлен), письмо могло "
                    "уйти или нет. Проверьте и отправьте повторно действием «Отправить снова».",
                    messages.WARNING,
                )
        return super().changelist_view(request, extra_context)

    @admin.action(description=_("Send again (failed, given up or stuck notices)"))
    def resend(self, request: HttpRequest, queryset: QuerySet[Notification]) -> None:
        count = notification_resend(notification_ids=queryset.values_list("id", flat=True), now=timezone.now())
        self.message_user(request, f"Поставлено на повторную отправку: {count}", messages.SUCCESS)

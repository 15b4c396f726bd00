"""Admin of events and reports (imported by roadmap/admin.py; notifications: roadmap/chase/admin.py)."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from roadmap.accounts.admin_doors import ScopedByOrganizationAdminMixin, ServiceOnlyAdminMixin
from roadmap.accounts.permissions import visible_event_reports, visible_events, visible_evidence
from roadmap.models import Event, EventReport, EvidenceFile


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
        _("The event's page: change, cancel, report, review (or the API, or a load from Excel)"),
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
    # Related-only: the sidebar names only what the user's scoped rows hold (not another region's).
    list_filter = ("activity__plan", "format", "organizer__kind", ("municipality", admin.RelatedOnlyFieldListFilter))
    search_fields = ("title", "organizer__short_name", "responsible_email")
    date_hierarchy = "end_date"
    list_select_related = ("activity", "organizer")
    readonly_fields = ("where_to_change",)

    @admin.display(description=_("Where to change"))
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

    @admin.display(description=_("Where to change"))
    def where_to_change(self, obj: EventReport) -> str:
        return _event_page(obj.event_id)

    def view_on_site(self, obj: EventReport) -> str:
        return reverse("event_detail", args=[obj.event_id])

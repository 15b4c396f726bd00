from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from import_export.admin import ExportMixin, ImportExportModelAdmin

from roadmap.accounts.permissions import in_users_region
from roadmap.accounts.signed_in import signed_in_user
from roadmap.events.services import events_recompute_due_at
from roadmap.models import (
    Activity,
    DeadlineWindow,
    Municipality,
    Notification,
    Organization,
    Plan,
    Region,
    Responsibility,
    Section,
    User,
)
from roadmap.plans.plan_copy_admin import copy_plan
from roadmap.plans.plan_current import plan_mark_current
from roadmap.plans.resources import ActivityResource, OrganizationResource

admin.site.site_header = _("COPP: roadmap and target indicators")
admin.site.site_title = _("COPP")
admin.site.index_title = _("Administration")


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["name", "key", "order"]
    search_fields = ["name", "key"]


@admin.register(Municipality)
class MunicipalityAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "region", "order"]
    list_filter = ["kind", "region"]
    search_fields = ["name"]
    list_select_related = ["region"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Municipality]:
        return in_users_region(request.user, super().get_queryset(request))


@admin.register(Organization)
class OrganizationAdmin(ImportExportModelAdmin):
    """Reference data: imported here (django-import-export) with the model's own validation."""

    resource_classes = [OrganizationResource]
    list_display = ["short_name", "kind", "region", "municipality", "is_group", "is_active"]
    list_filter = ["kind", "region", "is_group", "is_active", "municipality"]
    search_fields = ["short_name", "name", "inn", "key"]
    list_select_related = ["municipality", "region"]
    autocomplete_fields = ["group"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Organization]:
        """Staff see their region's organisations (the autocompletes of other admin pages read this too)."""
        return in_users_region(request.user, super().get_queryset(request))


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    fieldsets = [
        *(BaseUserAdmin.fieldsets or ()),
        (_("Organisation"), {"fields": ["organization", "patronymic", "phone"]}),
        (_("Notices"), {"fields": ["email_notices_off"]}),
    ]
    list_display = ["username", "last_name", "first_name", "email", "organization", "is_staff", "is_active"]
    list_filter = [*BaseUserAdmin.list_filter, "organization__kind"]
    list_select_related = ["organization"]
    autocomplete_fields = ["organization"]

    def formfield_for_dbfield(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "email_notices_off":
            # Ticks, not raw JSON; the model's validator still checks what is saved.
            return forms.MultipleChoiceField(
                label=capfirst(db_field.verbose_name),
                help_text=db_field.help_text,
                choices=Notification.Kind.choices,
                required=False,
                widget=forms.CheckboxSelectMultiple,
            )
        return super().formfield_for_dbfield(db_field, request, **kwargs)


# Fields of the plan whose change moves the report due moment of its open events.
RULE_FIELDS = {"report_due_days", "report_due_calendar"}


class SectionInline(admin.TabularInline):
    model = Section
    extra = 0


@admin.register(Plan)
class PlanAdmin(admin.ModelAdmin):
    list_display = [
        "__str__",
        "region",
        "issuer",
        "first_year",
        "last_year",
        "is_current",
        "report_due_days",
        "report_due_calendar",
    ]
    list_filter = ["is_current", "region"]
    search_fields = ["number", "title"]
    inlines = [SectionInline]
    actions = [copy_plan, "mark_current", "unmark_current"]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "key",
                    "region",
                    "number",
                    "date",
                    "issuer",
                    "title",
                    "roadmap_title",
                    "first_year",
                    "last_year",
                    "is_current",
                ]
            },
        ),
        (_("Reporting rule"), {"fields": ["report_due_days", "report_due_calendar", "escalation_days"]}),
        (_("Contacts"), {"fields": ["signed_by", "contact", "contact_email"]}),
        (
            _("Signature under the reports"),
            {"fields": ["signature_head", "signature_head_position", "signature_executor", "signature_phone"]},
        ),
    ]

    @admin.action(description=_("Show this plan by default (mark it current)"))
    def mark_current(self, request: HttpRequest, queryset: Any) -> None:
        if queryset.count() != 1:
            self.message_user(request, _("Choose exactly one plan."), level=messages.ERROR)
            return
        plan_mark_current(plan=queryset.get())
        self.message_user(request, _("The plan is marked current."))

    @admin.action(description=_("Let the dates choose the current plan (clear the mark)"))
    def unmark_current(self, request: HttpRequest, queryset: Any) -> None:
        plan_mark_current(plan=None)
        self.message_user(request, _("No plan is marked: the plan whose years hold today is current."))

    def save_model(self, request: HttpRequest, obj: Plan, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        if change and RULE_FIELDS & set(form.changed_data):
            # The admin's change-form view is one transaction: the rule and the
            # events it moves are saved together or not at all.
            moved = events_recompute_due_at(plan=obj, now=timezone.now(), user=signed_in_user(request))
            self.message_user(
                request,
                _("Report due moments recomputed: %(events)s open events, %(reports)s returned reports.")
                % {"events": moved.events, "reports": moved.returned_reports},
            )


class ActivityInline(admin.TabularInline):
    model = Activity
    extra = 0
    fields = ["number", "name", "deadline_text"]
    show_change_link = True


@admin.register(Section)
class SectionAdmin(admin.ModelAdmin):
    list_display = ["title", "plan", "order"]
    list_filter = ["plan"]
    inlines = [ActivityInline]


class DeadlineWindowInline(admin.TabularInline):
    model = DeadlineWindow
    extra = 0


class ResponsibilityInline(admin.TabularInline):
    model = Responsibility
    extra = 0
    autocomplete_fields = ["organization"]


@admin.register(Activity)
class ActivityAdmin(ExportMixin, admin.ModelAdmin):
    """Activities come with the plan's data file (``load_order`` parses their deadlines); exported here, not imported."""

    resource_classes = [ActivityResource]
    list_display = ["number", "name", "section", "deadline_text", "deadline_recognized"]
    list_display_links = ["number", "name"]
    list_filter = ["plan", "section", "deadline_recognized", "responsibilities__organization"]
    search_fields = ["name", "expected_result", "evidence_document", "deadline_text"]
    list_select_related = ["section"]
    ordering = ["plan", "number"]
    inlines = [DeadlineWindowInline, ResponsibilityInline]


# Events and reports: roadmap/events/admin.py; notifications: roadmap/chase/admin.py
import roadmap.chase.admin  # noqa: E402
import roadmap.events.admin  # noqa: E402, F401

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from import_export.admin import ImportExportModelAdmin
from simple_history.admin import SimpleHistoryAdmin

from indicators.models import (
    Actual,
    ActualChange,
    EducationalProgramme,
    Indicator,
    IndicatorSeason,
    IndicatorSet,
    IndicatorSource,
    PartnerAgreement,
    ProgrammeCategory,
    ProgrammeCohort,
    Target,
    ValidationRule,
)
from indicators.permissions import (
    can_edit_registry_record,
    visible_actuals,
    visible_agreements,
    visible_cohorts,
    visible_programmes,
)
from indicators.resources import (
    EducationalProgrammeResource,
    IndicatorResource,
    PartnerAgreementResource,
    ProgrammeCohortResource,
    TargetResource,
)
from indicators.services import actuals_bulk_approve


@admin.register(IndicatorSet)
class IndicatorSetAdmin(admin.ModelAdmin):
    list_display = ["title", "plan"]


class TargetInline(admin.TabularInline):
    model = Target
    extra = 0
    fields = ["year", "value_number", "value_bool"]


@admin.register(Indicator)
class IndicatorAdmin(ImportExportModelAdmin):
    resource_classes = [IndicatorResource]
    list_display = ["code", "name", "unit", "value_type", "aggregation", "parent"]
    list_display_links = ["code", "name"]
    list_filter = ["indicator_set", "value_type", "aggregation"]
    search_fields = ["code", "name"]
    list_select_related = ["parent"]
    ordering = ["indicator_set", "order"]
    inlines = [TargetInline]


@admin.register(Target)
class TargetAdmin(ImportExportModelAdmin, SimpleHistoryAdmin):
    resource_classes = [TargetResource]
    list_display = ["indicator", "year", "value_number", "value_bool"]
    list_filter = ["year", "indicator__indicator_set"]
    search_fields = ["indicator__code", "indicator__name"]
    list_select_related = ["indicator"]


# --- configuration ------------------------------------------------------------------


class IndicatorSeasonInline(admin.StackedInline):
    model = IndicatorSeason
    extra = 0


class IndicatorSourceInline(admin.StackedInline):
    model = IndicatorSource
    extra = 0
    filter_horizontal = ["activities", "categories"]


IndicatorAdmin.inlines = [TargetInline, IndicatorSourceInline, IndicatorSeasonInline]


class ValidationRuleForm(forms.ModelForm):
    class Meta:
        model = ValidationRule
        fields = ["indicator_set", "key", "name", "left", "operator", "right", "importance", "missing", "is_active", "order"]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        indicator_set = data.get("indicator_set")
        if indicator_set is None:
            return data
        types = dict(Indicator.objects.filter(indicator_set=indicator_set).values_list("code", "value_type"))
        for side in ("left", "right"):
            for code in ValidationRule.parse_side(data.get(side) or ""):
                if code not in types:
                    self.add_error(side, _("Unknown indicator code “%(code)s”.") % {"code": code})
                elif types[code] != Indicator.ValueType.NUMBER:
                    self.add_error(side, _("“%(code)s” is a yes/no indicator; rules add up numbers.") % {"code": code})
        return data


@admin.register(ValidationRule)
class ValidationRuleAdmin(admin.ModelAdmin):
    form = ValidationRuleForm
    list_display = ["key", "expression", "name", "importance", "missing", "is_active"]
    list_filter = ["indicator_set", "importance", "is_active"]
    search_fields = ["key", "name", "left", "right"]


@admin.register(IndicatorSource)
class IndicatorSourceAdmin(admin.ModelAdmin):
    list_display = ["indicator", "kind", "event_field", "is_active"]
    list_filter = ["kind", "is_active", "indicator__indicator_set"]
    filter_horizontal = ["activities", "categories"]
    list_select_related = ["indicator"]


@admin.register(ProgrammeCategory)
class ProgrammeCategoryAdmin(admin.ModelAdmin):
    list_display = ["key", "name", "indicator_set"]
    list_filter = ["indicator_set"]


# --- registries ---------------------------------------------------------------------


class RegistryAdmin(ImportExportModelAdmin, SimpleHistoryAdmin):
    """Registries: the holder organisation decides who may write (indicators.permissions)."""

    holder_path = "organization"
    visible = staticmethod(visible_agreements)  # the registry's scoped queryset (indicators.permissions)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        # The one scoping point of the admin: lists, change pages and exports.
        return self.visible(request.user, super().get_queryset(request))

    def _holder_id(self, obj: Any) -> int | None:
        value = obj
        for part in self.holder_path.split("__"):
            value = getattr(value, part, None)
        return getattr(value, "pk", None)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or can_edit_registry_record(request.user, self._holder_id(obj)))

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        allowed = super().has_delete_permission(request, obj)
        return allowed and (obj is None or can_edit_registry_record(request.user, self._holder_id(obj)))

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        if not can_edit_registry_record(request.user, self._holder_id(obj)):
            raise PermissionDenied
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(PartnerAgreement)
class PartnerAgreementAdmin(RegistryAdmin):
    resource_classes = [PartnerAgreementResource]
    list_display = ["number", "date", "partner", "organization", "valid_from", "valid_to", "activity"]
    list_filter = ["organization", "valid_to"]
    search_fields = ["number", "subject", "partner__short_name", "partner__name"]
    list_select_related = ["partner", "organization", "activity"]
    autocomplete_fields = ["partner", "organization"]
    date_hierarchy = "date"
    readonly_fields = ["created_at", "created_by"]


@admin.register(EducationalProgramme)
class EducationalProgrammeAdmin(RegistryAdmin):
    resource_classes = [EducationalProgrammeResource]
    holder_path = "developer"
    visible = staticmethod(visible_programmes)
    list_display = ["name", "category", "developer", "approved_on", "hours", "form"]
    list_filter = ["category", "form", "developer"]
    search_fields = ["name"]
    list_select_related = ["category", "developer"]
    autocomplete_fields = ["developer"]
    date_hierarchy = "approved_on"
    readonly_fields = ["created_at", "created_by"]


@admin.register(ProgrammeCohort)
class ProgrammeCohortAdmin(RegistryAdmin):
    resource_classes = [ProgrammeCohortResource]
    holder_path = "programme__developer"
    visible = staticmethod(visible_cohorts)
    list_display = ["programme", "year", "group", "completed"]
    list_filter = ["year", "programme__category"]
    search_fields = ["programme__name", "group"]
    list_select_related = ["programme"]
    autocomplete_fields = ["programme"]
    readonly_fields = ["created_at", "created_by"]


# --- actual values --------------------------------------------------------------------


class ActualChangeInline(admin.TabularInline):
    model = ActualChange
    extra = 0
    can_delete = False
    fields = ["at", "action", "user", "old_value", "new_value", "old_status", "new_status", "reason"]
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Actual)
class ActualAdmin(admin.ModelAdmin):
    """Actual values are read here; every change goes through the services (audit, locking)."""

    list_display = ["indicator", "year", "period", "organization", "display_value", "status", "updated_at"]
    list_filter = ["status", "year", "indicator__indicator_set", "indicator"]
    search_fields = ["indicator__code", "organization__short_name"]
    list_select_related = ["indicator", "organization"]
    inlines = [ActualChangeInline]
    actions = ["approve_selected"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Actual]:
        return visible_actuals(request.user, super().get_queryset(request))

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [f.name for f in Actual._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.action(description=gettext_lazy("Approve the selected submitted values"))
    def approve_selected(self, request: HttpRequest, queryset: QuerySet[Actual]) -> None:
        try:
            result = actuals_bulk_approve(
                actual_ids=list(queryset.values_list("pk", flat=True)), user=request.user, now=timezone.now()
            )
        except PermissionDenied as exc:
            self.message_user(request, str(exc), messages.ERROR)
            return
        self.message_user(request, _("Approved: %(n)s.") % {"n": len(result.approved)}, messages.SUCCESS)
        for actual_id, message in result.refused.items():
            self.message_user(request, f"#{actual_id}: {message}", messages.WARNING)

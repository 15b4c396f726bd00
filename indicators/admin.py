from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from import_export.admin import ExportMixin
from simple_history.admin import SimpleHistoryAdmin

from indicators import registries, targets
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
from roadmap.accounts.admin_doors import ScopedByOrganizationAdminMixin, ServiceOnlyAdminMixin
from roadmap.plans.periods import period_label


@admin.register(IndicatorSet)
class IndicatorSetAdmin(admin.ModelAdmin):
    list_display = ["title", "plan"]


class TargetInline(admin.TabularInline):
    """Shown with the indicator; corrected on the target's own page, which records who, when and why."""

    model = Target
    extra = 0
    fields = ("year", "value_number", "value_bool")
    readonly_fields = fields
    show_change_link = True
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Indicator)
class IndicatorAdmin(ExportMixin, admin.ModelAdmin):
    """Indicators come with the plan's data file (``load_order``); configured here, exported, not imported."""

    resource_classes = [IndicatorResource]
    list_display = ["code", "name", "unit", "value_type", "aggregation", "parent"]
    list_display_links = ["code", "name"]
    list_filter = ["indicator_set", "value_type", "aggregation"]
    search_fields = ["code", "name"]
    list_select_related = ["parent"]
    ordering = ["indicator_set", "order"]
    inlines = [TargetInline]


class TargetForm(forms.ModelForm):
    reason = forms.CharField(
        label=gettext_lazy("Reason for the change"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy("Required for any change of a target; kept in the history."),
    )
    confirm_breaches = forms.BooleanField(
        label=gettext_lazy("Save despite the broken rule"),
        required=False,
        help_text=gettext_lazy(
            "Needed only when the new value breaks a rule of the order (for example, 4 = 4.1 + … + 4.7)."
        ),
    )

    class Meta:
        model = Target
        fields = ["indicator", "year", "value_number", "value_bool"]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        assert data is not None  # ModelForm.clean() returns cleaned_data
        indicator = data.get("indicator") or getattr(self.instance, "indicator", None)
        year = data.get("year", self.instance.year)
        if indicator is None or year is None:
            return data
        errors = targets.target_errors(
            indicator=indicator, year=year, value_number=data.get("value_number"), value_bool=data.get("value_bool")
        )
        if not errors:
            errors |= targets.target_breach_errors(
                indicator=indicator,
                year=year,
                value_number=data.get("value_number"),
                confirm_breaches=bool(data.get("confirm_breaches")),
            )
        if not (data.get("reason") or "").strip():
            errors["reason"] = [_("Give the reason for changing the target.")]
        for name, messages_ in errors.items():
            self.add_error(name if name in self.fields else None, messages_)
        return data


@admin.register(Target)
class TargetAdmin(ExportMixin, SimpleHistoryAdmin):
    """Targets are corrected by administrators through indicators.targets (history with the reason)."""

    form = TargetForm
    resource_classes = [TargetResource]
    list_display = ["indicator", "year", "value_number", "value_bool"]
    list_filter = ["year", "indicator__indicator_set"]
    search_fields = ["indicator__code", "indicator__name"]
    list_select_related = ["indicator"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return ["indicator", "year"] if obj is not None and obj.pk else []

    def save_model(self, request: HttpRequest, obj: Target, form: Any, change: bool) -> None:
        saved = targets.target_set(
            user=request.user,
            indicator=obj.indicator,
            year=obj.year,
            value_number=form.cleaned_data.get("value_number"),
            value_bool=form.cleaned_data.get("value_bool"),
            reason=form.cleaned_data.get("reason", ""),
            confirm_breaches=bool(form.cleaned_data.get("confirm_breaches")),
        )
        obj.pk = saved.pk

    def delete_model(self, request: HttpRequest, obj: Target) -> None:
        targets.target_delete(user=request.user, target=obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Target]) -> None:
        for target in queryset:
            targets.target_delete(user=request.user, target=target)


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
        fields = [
            "indicator_set",
            "key",
            "name",
            "left",
            "operator",
            "right",
            "importance",
            "missing",
            "is_active",
            "order",
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        assert data is not None  # ModelForm.clean() returns cleaned_data
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
    list_display = ["key", "rule", "name", "importance", "missing", "is_active"]
    list_filter = ["indicator_set", "importance", "is_active"]
    search_fields = ["key", "name", "left", "right"]

    @admin.display(description=gettext_lazy("rule"))
    def rule(self, obj: ValidationRule) -> str:
        return obj.expression


@admin.register(IndicatorSource)
class IndicatorSourceAdmin(admin.ModelAdmin):
    list_display = ["indicator", "kind", "rows", "scope", "event_field", "is_active"]
    list_filter = ["kind", "scope", "is_active", "indicator__indicator_set"]
    filter_horizontal = ["activities", "categories"]
    list_select_related = ["indicator"]


@admin.register(ProgrammeCategory)
class ProgrammeCategoryAdmin(admin.ModelAdmin):
    list_display = ["key", "name", "indicator_set"]
    list_filter = ["indicator_set"]


# --- registries ---------------------------------------------------------------------


class RegistryAdminForm(forms.ModelForm):
    """The registry services' rules as form errors, so the page shows them by field."""

    def _post_clean(self) -> None:
        super()._post_clean()  # type: ignore[misc]  # django-stubs' BaseModelForm lacks _post_clean
        for name, messages_ in registries.registry_errors(self.instance).items():
            field = name if name in self.fields else None
            if field is None or field not in self.errors:
                self.add_error(field, messages_)


class RegistryAdmin(ScopedByOrganizationAdminMixin, ExportMixin, SimpleHistoryAdmin):
    """Registries: every add, change and delete goes through indicators.registries.

    The holder organisation decides who may write (indicators.permissions);
    the Excel import of agreements and programmes is the reports' import
    (bulk registry services), not django-import-export.
    """

    form = RegistryAdminForm
    organization_path = "organization"
    create_service: Any = None
    update_service: Any = None
    delete_service: Any = None
    record_arg = ""
    visible: Callable[[Any, QuerySet[Any]], QuerySet[Any]] = staticmethod(visible_agreements)

    def _holder_id(self, obj: Any) -> int | None:
        value = obj
        for part in self.organization_path.split("__"):
            value = getattr(value, part, None)
        return getattr(value, "pk", None)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or can_edit_registry_record(request.user, self._holder_id(obj)))

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        allowed = super().has_delete_permission(request, obj)
        return allowed and (obj is None or can_edit_registry_record(request.user, self._holder_id(obj)))

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        # The whole form, not only changed_data: a history "revert" form starts from the old version.
        values = {name: value for name, value in form.cleaned_data.items() if name in registries.writable_fields(obj)}
        if change:
            saved = type(self).update_service(user=request.user, **{self.record_arg: obj}, **values)
        else:
            saved = type(self).create_service(user=request.user, **values)
        obj.pk = saved.pk
        obj._state.adding = False

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        type(self).delete_service(user=request.user, **{self.record_arg: obj})

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        for obj in queryset:
            try:
                type(self).delete_service(user=request.user, **{self.record_arg: obj})
            except (registries.ProtectedRecord, PermissionDenied, ValidationError) as exc:
                self.message_user(request, str(getattr(exc, "message", exc)), messages.ERROR)


@admin.register(PartnerAgreement)
class PartnerAgreementAdmin(RegistryAdmin):
    resource_classes = [PartnerAgreementResource]
    create_service = staticmethod(registries.agreement_create)
    update_service = staticmethod(registries.agreement_update)
    delete_service = staticmethod(registries.agreement_delete)
    record_arg = "agreement"
    list_display = ["number", "date", "partner", "organization", "valid_from", "valid_to", "activity"]
    list_filter = [("organization", admin.RelatedOnlyFieldListFilter), "valid_to"]
    search_fields = ["number", "subject", "partner__short_name", "partner__name"]
    list_select_related = ["partner", "organization", "activity"]
    autocomplete_fields = ["partner", "organization"]
    date_hierarchy = "date"
    readonly_fields = ["created_at", "created_by"]


@admin.register(EducationalProgramme)
class EducationalProgrammeAdmin(RegistryAdmin):
    resource_classes = [EducationalProgrammeResource]
    organization_path = "developer"
    create_service = staticmethod(registries.programme_create)
    update_service = staticmethod(registries.programme_update)
    delete_service = staticmethod(registries.programme_delete)
    record_arg = "programme"
    visible = staticmethod(visible_programmes)
    list_display = ["name", "category", "developer", "approved_on", "hours", "form"]
    list_filter = ["category", "form", ("developer", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["name"]
    list_select_related = ["category", "developer"]
    autocomplete_fields = ["developer"]
    date_hierarchy = "approved_on"
    readonly_fields = ["created_at", "created_by"]


@admin.register(ProgrammeCohort)
class ProgrammeCohortAdmin(RegistryAdmin):
    resource_classes = [ProgrammeCohortResource]
    organization_path = "programme__developer"
    create_service = staticmethod(registries.cohort_create)
    update_service = staticmethod(registries.cohort_update)
    delete_service = staticmethod(registries.cohort_delete)
    record_arg = "cohort"
    visible = staticmethod(visible_cohorts)
    list_display = ["programme", "year", "group", "completed"]
    list_filter = ["year", "programme__category"]
    search_fields = ["programme__name", "group"]
    list_select_related = ["programme"]
    autocomplete_fields = ["programme"]
    readonly_fields = ["created_at", "created_by"]


# --- actual values --------------------------------------------------------------------


class ActualChangeInline(ServiceOnlyAdminMixin, admin.TabularInline):
    model = ActualChange
    extra = 0
    can_delete = False
    fields = ("at", "action", "user", "old_value", "new_value", "old_status", "new_status", "reason")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Actual)
class ActualAdmin(ScopedByOrganizationAdminMixin, ServiceOnlyAdminMixin, admin.ModelAdmin):
    """Actual values are read here; every change goes through indicators.services (version, audit, review).

    Values are entered and reviewed on the indicator pages, the API and the
    Excel import; the one action here (approve) calls the same service.
    """

    visible = staticmethod(visible_actuals)

    list_display = ["indicator", "period_in_words", "organization", "value", "status", "updated_at"]
    list_filter = ["status", "year", "indicator__indicator_set", "indicator"]
    search_fields = ["indicator__code", "organization__short_name"]
    list_select_related = ["indicator", "organization"]
    inlines = [ActualChangeInline]
    actions = ["approve_selected"]

    @admin.display(description=gettext_lazy("period"), ordering="year")
    def period_in_words(self, obj: Actual) -> str:
        return period_label(obj.period, obj.year)

    @admin.display(description=gettext_lazy("value"))
    def value(self, obj: Actual) -> str:
        return obj.display_value

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

"""Forms of the indicator pages: an actual value, a reason, the list's filters."""

from __future__ import annotations

from typing import Any, cast

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from copp.forms import BootstrapMixin, SearchChoiceField, SearchChoiceFilter, ShortLabelSelect, StyledFilterSet
from indicators.models import Actual, Indicator
from roadmap.plans.periods import period_choices

YES = {"да", "yes", "true", "1", "д", "y"}
NO = {"нет", "no", "false", "0", "н", "n"}


class ActualForm(BootstrapMixin, forms.Form):
    indicator = forms.ModelChoiceField(
        label=_("Indicator"), queryset=Indicator.objects.none(), widget=ShortLabelSelect(limit=100)
    )
    organization = SearchChoiceField(label=_("Organisation"), queryset=None, kind="actual-organization")
    year = forms.TypedChoiceField(label=_("Year"), coerce=int, choices=())
    period = forms.ChoiceField(label=_("Period"), choices=period_choices, required=False)
    value = forms.CharField(
        label=_("Value"), max_length=20, help_text=_("A whole non-negative number; for yes/no indicators, yes or no.")
    )
    evidence = forms.CharField(
        label=_("Evidence"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("A document or link that supports the value."),
    )
    reason = forms.CharField(
        label=_("Reason for the change"), required=False, help_text=_("Required if the value has been approved before.")
    )
    confirm_breaches = forms.BooleanField(
        label=_("Save despite the broken rule"),
        required=False,
        help_text=_("Needed only if the new value makes the actual break a rule of the order."),
    )
    version = forms.IntegerField(widget=forms.HiddenInput(), required=False)

    def __init__(self, *args: Any, plan: Any, organizations: Any, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        indicator_field = cast("forms.ModelChoiceField[Indicator]", self.fields["indicator"])
        indicator_field.queryset = Indicator.objects.filter(indicator_set__plan=plan).order_by("order")
        indicator_field.label_from_instance = lambda i: f"{i.code}. {i.name}"  # type: ignore[method-assign, assignment]  # a per-instance label function; mypy sees a method
        cast(SearchChoiceField, self.fields["organization"]).queryset = organizations
        if organizations.count() == 1:
            self.fields["organization"].initial = organizations.first()
            self.fields["organization"].widget = forms.HiddenInput()
        cast(forms.TypedChoiceField, self.fields["year"]).choices = [(y, y) for y in plan.years]
        if editing:
            for name in ("indicator", "organization", "year", "period"):
                del self.fields[name]
        else:
            del self.fields["reason"]
            del self.fields["confirm_breaches"]

    def clean_value(self) -> Any:
        """Yes/no indicators take a boolean; numbers go to the service as typed."""
        raw = self.cleaned_data["value"].strip()
        indicator = self.cleaned_data.get("indicator") or self.initial.get("indicator_obj")
        if indicator is not None and indicator.is_boolean:
            if raw.lower() in YES:
                return True
            if raw.lower() in NO:
                return False
            raise forms.ValidationError(_("Enter “yes” or “no”."))
        return raw


class ActualFilter(StyledFilterSet):
    indicator = django_filters.ModelChoiceFilter(
        label=_("Indicator"), queryset=Indicator.objects.none(), empty_label=_("All")
    )
    year = django_filters.NumberFilter(label=_("Year"))
    status = django_filters.ChoiceFilter(label=_("Status"), choices=Actual.Status.choices, empty_label=_("Any"))
    organization = SearchChoiceFilter(
        label=_("Organisation"), queryset=None, empty_label=_("All"), kind="actual-list-organization"
    )
    ordering = django_filters.OrderingFilter(
        label=_("Sort"),
        fields=(
            ("indicator__order", "indicator"),
            ("year", "year"),
            ("updated_at", "updated"),
            ("organization__short_name", "organization"),
        ),
        field_labels={
            "indicator__order": _("by indicator"),
            "year": _("by year"),
            "updated_at": _("by last change"),
            "organization__short_name": _("by organisation"),
        },
        empty_label=None,
    )

    class Meta:
        model = Actual
        fields: tuple[str, ...] = ()

    def __init__(self, *args: Any, plan: Any, organizations: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.filters["indicator"].queryset = Indicator.objects.filter(indicator_set__plan=plan).order_by("order")
        if organizations is None:
            del self.filters["organization"]
        else:
            self.filters["organization"].queryset = organizations

    def filter_queryset(self, queryset: Any) -> Any:
        """Without a chosen sort, the order's order: indicator, year, period."""
        queryset = super().filter_queryset(queryset)
        return queryset if queryset.query.order_by else queryset.order_by("indicator__order", "year", "period")

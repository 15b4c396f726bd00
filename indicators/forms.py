"""Forms of the indicator pages: an actual value, a reason, the list's filters."""

from __future__ import annotations

from typing import Any

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from copp.forms import BootstrapMixin, StyledFilterSet
from indicators.models import Actual, Indicator

YES = {"да", "yes", "true", "1", "д", "y"}
NO = {"нет", "no", "false", "0", "н", "n"}

PERIOD_CHOICES = [("", _("весь год")), *[(f"q{q}", _("%(q)s квартал") % {"q": q}) for q in range(1, 5)]] + [
    (f"m{m:02d}", f"{m:02d}") for m in range(1, 13)
]


class ActualForm(BootstrapMixin, forms.Form):
    indicator = forms.ModelChoiceField(label=_("Показатель"), queryset=Indicator.objects.none())
    organization = forms.ModelChoiceField(label=_("Организация"), queryset=None)  # type: ignore[arg-type]
    year = forms.TypedChoiceField(label=_("Год"), coerce=int, choices=())
    period = forms.ChoiceField(label=_("Период"), choices=PERIOD_CHOICES, required=False)
    value = forms.CharField(
        label=_("Значение"), max_length=20, help_text=_("Целое неотрицательное число; для показателей «да/нет» — да или нет.")
    )
    evidence = forms.CharField(
        label=_("Подтверждение"), required=False, widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Документ или ссылка, подтверждающие значение."),
    )
    reason = forms.CharField(label=_("Причина изменения"), required=False, help_text=_("Обязательна, если значение уже утверждалось."))
    confirm_breaches = forms.BooleanField(
        label=_("Сохранить, несмотря на нарушение правила"), required=False,
        help_text=_("Нужно, только если с новым значением факт нарушит правило приказа."),
    )
    version = forms.IntegerField(widget=forms.HiddenInput(), required=False)

    def __init__(self, *args: Any, plan: Any, organizations: Any, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["indicator"].queryset = Indicator.objects.filter(indicator_set__plan=plan).order_by("order")
        self.fields["indicator"].label_from_instance = lambda i: f"{i.code}. {i.name[:100]}"
        self.fields["organization"].queryset = organizations
        if organizations.count() == 1:
            self.fields["organization"].initial = organizations.first()
            self.fields["organization"].widget = forms.HiddenInput()
        self.fields["year"].choices = [(y, y) for y in plan.years]
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
            raise forms.ValidationError(_("Введите «да» или «нет»."))
        return raw


class ActualFilter(StyledFilterSet):
    indicator = django_filters.ModelChoiceFilter(label=_("Показатель"), queryset=Indicator.objects.none(), empty_label=_("Все"))
    year = django_filters.NumberFilter(label=_("Год"))
    status = django_filters.ChoiceFilter(label=_("Статус"), choices=Actual.Status.choices, empty_label=_("Любой"))
    organization = django_filters.ModelChoiceFilter(label=_("Организация"), queryset=None, empty_label=_("Все"))
    ordering = django_filters.OrderingFilter(
        label=_("Сортировка"),
        fields=(("indicator__order", "indicator"), ("year", "year"), ("updated_at", "updated"), ("organization__short_name", "organization")),
        field_labels={"indicator__order": _("по показателю"), "year": _("по году"), "updated_at": _("по изменению"), "organization__short_name": _("по организации")},
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

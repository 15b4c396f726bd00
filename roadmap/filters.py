"""Filter forms of the roadmap's HTML lists (django-filter)."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from roadmap.models import Activity, Organization, Plan, Section


class StyledFilterSet(django_filters.FilterSet):
    """A FilterSet whose form carries Bootstrap's classes."""

    @property
    def form(self) -> Any:
        form = super().form
        if not getattr(form, "_styled", False):
            for field in form.fields.values():
                is_select = hasattr(field, "choices")
                field.widget.attrs.setdefault("class", "form-select" if is_select else "form-control")
            form._styled = True
        return form


class ActivityFilter(StyledFilterSet):
    q = django_filters.CharFilter(label=_("Поиск"), method="search")
    section = django_filters.ModelChoiceFilter(label=_("Раздел"), queryset=Section.objects.none(), empty_label=_("Все разделы"))
    organization = django_filters.ModelChoiceFilter(
        label=_("Ответственный"),
        queryset=Organization.objects.none(),
        field_name="responsibilities__organization",
        empty_label=_("Все организации"),
    )
    ordering = django_filters.OrderingFilter(
        label=_("Сортировка"),
        fields=(("number", "number"), ("name", "name"), ("section__order", "section")),
        field_labels={"number": _("по номеру"), "name": _("по названию"), "section__order": _("по разделу")},
        empty_label=None,
    )

    class Meta:
        model = Activity
        fields: tuple[str, ...] = ()

    def __init__(self, *args: Any, plan: Plan, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.filters["section"].queryset = Section.objects.filter(plan=plan).order_by("order")
        self.filters["organization"].queryset = Organization.objects.filter(responsibilities__activity__plan=plan).distinct().order_by("short_name")

    def search(self, queryset: QuerySet[Activity], name: str, value: str) -> QuerySet[Activity]:
        value = value.strip()
        if not value:
            return queryset
        query = Q(name__icontains=value) | Q(expected_result__icontains=value) | Q(responsible_text__icontains=value)
        if value.isdigit():
            query |= Q(number=int(value))
        return queryset.filter(query)

"""Filter forms of the roadmap's HTML lists (django-filter)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import django_filters
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from copp.forms import StyledFilterSet
from roadmap.events.event_year import EVENT_YEAR_FIELD
from roadmap.events.status import (
    DEADLINE_SECOND,
    REPORT_STATUS_LABELS,
    moscow_date,
    status_q,
)
from roadmap.models import Activity, Event, Municipality, Organization, Plan, Section
from roadmap.plans.selectors import is_archive, plan_years_text, plans_ordered


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


class EventFilter(StyledFilterSet):
    """Filters of the event list; ``timeliness`` mirrors the columns of
    ``timeliness_figures`` so every number on the dashboard opens the very
    events it counts."""

    TIMELINESS = (
        ("held", _("проведены")),
        ("due", _("отчёт требовался")),
        ("on_time", _("отчёт в срок")),
        ("late", _("отчёт с опозданием")),
        ("missing", _("отчёта нет, срок прошёл")),
    )

    q = django_filters.CharFilter(label=_("Поиск"), method="search")
    plan = django_filters.ChoiceFilter(
        label=_("Дорожная карта"), choices=(), field_name="activity__plan__key", empty_label=_("Все")
    )
    report_status = django_filters.ChoiceFilter(label=_("Статус отчёта"), choices=(), method="by_status", empty_label=_("Любой"))
    timeliness = django_filters.ChoiceFilter(label=_("Своевременность"), choices=TIMELINESS, method="by_timeliness", empty_label=_("Все"))
    organizer = django_filters.ModelChoiceFilter(label=_("Организатор"), queryset=Organization.objects.none(), empty_label=_("Все организации"))
    activity = django_filters.NumberFilter(label=_("№ мероприятия"), field_name="activity__number")
    municipality = django_filters.ModelChoiceFilter(label=_("Муниципалитет"), queryset=None, empty_label=_("Все"))
    year = django_filters.NumberFilter(label=_("Год"), field_name=EVENT_YEAR_FIELD, lookup_expr="year")
    ordering = django_filters.OrderingFilter(
        label=_("Сортировка"),
        fields=(("end_date", "end_date"), ("due_at", "due_at"), ("title", "title"), ("organizer__short_name", "organizer")),
        field_labels={
            "end_date": _("по дате"),
            "-end_date": _("по дате, сначала новые"),
            "due_at": _("по сроку отчёта"),
            "-due_at": _("по сроку отчёта, сначала поздние"),
            "title": _("по названию"),
            "-title": _("по названию (Я–А)"),
            "organizer__short_name": _("по организатору"),
            "-organizer__short_name": _("по организатору (Я–А)"),
        },
        empty_label=None,
    )

    class Meta:
        model = Event
        fields: tuple[str, ...] = ()

    def __init__(self, *args: Any, now: dt.datetime, organizers: QuerySet[Organization] | None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.now = now
        today = moscow_date(now)
        self.filters["plan"].extra["choices"] = [
            (p.key, f"{plan_years_text(p)} · {_('архив')}" if is_archive(p, today) else plan_years_text(p))
            for p in plans_ordered()
        ]
        self.filters["report_status"].extra["choices"] = list(REPORT_STATUS_LABELS.items())
        if organizers is None:
            del self.filters["organizer"]
        else:
            self.filters["organizer"].queryset = organizers
        self.filters["municipality"].queryset = Municipality.objects.all()

    def search(self, queryset: QuerySet[Event], name: str, value: str) -> QuerySet[Event]:
        value = value.strip()
        return queryset.filter(Q(title__icontains=value) | Q(place__icontains=value)) if value else queryset

    def by_status(self, queryset: QuerySet[Event], name: str, value: str) -> QuerySet[Event]:
        return queryset.filter(status_q(value, self.now)) if value else queryset

    def by_timeliness(self, queryset: QuerySet[Event], name: str, value: str) -> QuerySet[Event]:
        if not value:
            return queryset
        held = Q(cancelled_at__isnull=True, end_date__lte=moscow_date(self.now))
        submitted = Q(report__isnull=False)
        past_deadline = Q(due_at__lte=self.now - DEADLINE_SECOND)
        conditions = {
            "held": held,
            "due": held & (submitted | past_deadline),
            "on_time": held & Q(report__on_time=True),
            "late": held & Q(report__on_time=False),
            "missing": held & Q(report__isnull=True) & past_deadline,
        }
        return queryset.filter(conditions[value])

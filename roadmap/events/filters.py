"""Filter forms of the roadmap's HTML lists (django-filter)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import django_filters
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from copp.forms import SearchChoiceFilter, StyledFilterSet
from roadmap.events.choices import municipality_choices
from roadmap.events.event_year import EVENT_YEAR_FIELD
from roadmap.events.status import (
    DEADLINE_SECOND,
    NO_OUTCOME,
    REPORT_STATUS_LABELS,
    moscow_date,
    status_q,
)
from roadmap.models import Activity, Event, Municipality, Organization, Plan, Section
from roadmap.plans.selectors import is_archive, plan_years_text, plans_ordered


class ActivityFilter(StyledFilterSet):
    q = django_filters.CharFilter(label=_("Text search"), method="search")
    section = django_filters.ModelChoiceFilter(
        label=_("Section"), queryset=Section.objects.none(), empty_label=_("All sections")
    )
    organization = django_filters.ModelChoiceFilter(
        label=_("Responsible"),
        queryset=Organization.objects.none(),
        field_name="responsibilities__organization",
        empty_label=_("All organisations"),
    )
    ordering = django_filters.OrderingFilter(
        label=_("Sort"),
        fields=(("number", "number"), ("name", "name"), ("section__order", "section")),
        field_labels={"number": _("by number"), "name": _("by title"), "section__order": _("by section")},
        empty_label=None,
    )

    class Meta:
        model = Activity
        fields: tuple[str, ...] = ()

    def __init__(self, *args: Any, plan: Plan, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.filters["section"].queryset = Section.objects.filter(plan=plan).order_by("order")
        self.filters["organization"].queryset = (
            Organization.objects.filter(responsibilities__activity__plan=plan).distinct().order_by("short_name")
        )

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
        ("held", _("held")),
        ("due", _("report required")),
        ("on_time", _("report on time")),
        ("late", _("report late")),
        ("missing", _("no report, deadline passed")),
    )

    q = django_filters.CharFilter(label=_("Text search"), method="search")
    plan = django_filters.ChoiceFilter(
        label=_("Roadmap"), choices=(), field_name="activity__plan__key", empty_label=_("All")
    )
    report_status = django_filters.ChoiceFilter(
        label=_("Report status"), choices=(), method="by_status", empty_label=_("Any")
    )
    timeliness = django_filters.ChoiceFilter(
        label=_("Timeliness"), choices=TIMELINESS, method="by_timeliness", empty_label=_("All")
    )
    organizer = SearchChoiceFilter(
        label=_("Organiser"),
        queryset=Organization.objects.none(),
        empty_label=_("All organisations"),
        kind="event-list-organizer",
    )
    activity = django_filters.NumberFilter(label=_("Activity no."), field_name="activity__number")
    municipality = SearchChoiceFilter(label=_("Municipality"), queryset=None, empty_label=_("All"), kind="municipality")
    year = django_filters.NumberFilter(label=_("Year"), field_name=EVENT_YEAR_FIELD, lookup_expr="year")
    ordering = django_filters.OrderingFilter(
        label=_("Sort"),
        fields=(
            ("end_date", "end_date"),
            ("due_at", "due_at"),
            ("title", "title"),
            ("organizer__short_name", "organizer"),
        ),
        field_labels={
            "end_date": _("by date"),
            "-end_date": _("by date, newest first"),
            "due_at": _("by report deadline"),
            "-due_at": _("by report deadline, latest first"),
            "title": _("by title"),
            "-title": _("by title (Z–A)"),
            "organizer__short_name": _("by organiser"),
            "-organizer__short_name": _("by organiser (Z–A)"),
        },
        empty_label=None,
    )

    class Meta:
        model = Event
        fields: tuple[str, ...] = ()

    def __init__(
        self,
        *args: Any,
        now: dt.datetime,
        organizers: QuerySet[Organization] | None,
        municipalities: QuerySet[Municipality] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.now = now
        today = moscow_date(now)
        self.filters["plan"].extra["choices"] = [
            (p.key, f"{plan_years_text(p)} · {_('archive')}" if is_archive(p, today) else plan_years_text(p))
            for p in plans_ordered()
        ]
        self.filters["report_status"].extra["choices"] = list(REPORT_STATUS_LABELS.items())
        if organizers is None:
            del self.filters["organizer"]
        else:
            self.filters["organizer"].queryset = organizers
        self.filters["municipality"].queryset = municipality_choices() if municipalities is None else municipalities

    def search(self, queryset: QuerySet[Event], name: str, value: str) -> QuerySet[Event]:
        value = value.strip()
        return queryset.filter(Q(title__icontains=value) | Q(place__icontains=value)) if value else queryset

    def by_status(self, queryset: QuerySet[Event], name: str, value: str) -> QuerySet[Event]:
        return queryset.filter(status_q(value, self.now)) if value else queryset

    def by_timeliness(self, queryset: QuerySet[Event], name: str, value: str) -> QuerySet[Event]:
        if not value:
            return queryset
        held = Q(cancelled_at__isnull=True, end_date__lte=moscow_date(self.now))
        # From the event's mirrors of its report (its own indexes): whether there is
        # one, and whether it was filed on time, whatever became of it since.
        unreported = Q(report_outcome=NO_OUTCOME)
        past_deadline = Q(due_at__lte=self.now - DEADLINE_SECOND)
        conditions = {
            "held": held,
            "due": held & (~unreported | past_deadline),
            # ``__in``: Django writes ``= True`` as the bare column ("NOT col" for False),
            # which SQLite cannot match with the (region, report_on_time, end_date) index.
            "on_time": held & Q(report_on_time__in=[True]),
            "late": held & Q(report_on_time__in=[False]),
            "missing": held & unreported & past_deadline,
        }
        return queryset.filter(conditions[value])

"""The roadmap's large choices searched as you type (``copp.choices``).

Each queryset function here is the one the form or filter gets its queryset
from, and the one ``/choices/<kind>/`` searches: what is offered is what is
accepted.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db.models import Case, Exists, IntegerField, OuterRef, QuerySet, Value, When
from django.utils import timezone
from django.utils.translation import gettext

from copp.choices import ChoiceKind, register_choice_kind
from roadmap.accounts.permissions import (
    event_organizer_choices,
    region_municipalities,
    sees_many_organizations,
    visible_organizations,
)
from roadmap.models import Activity, Event, Municipality, Organization, Plan
from roadmap.plans.selectors import current_plan, is_archive, plan_years_text, plans_ordered


def municipality_choices(user: Any = None) -> QuerySet[Municipality]:
    """The municipalities of the user's region (every one without a user), in
    the order's order: an event may be held anywhere in the region."""
    municipalities = Municipality.objects.all() if user is None else region_municipalities(user)
    return municipalities.order_by("order", "name")


def activity_choices(*, plans: Iterable[Plan], today: dt.date) -> QuerySet[Activity]:
    """The activities of ``plans``: the current plan's first, then the newest
    plans', each by number (the service checks the dates fall in the plan)."""
    plans = list(plans)
    current = current_plan(today, plans=plans)
    ordered = sorted(plans, key=lambda p: (p != current, -p.first_year))
    rank = Case(
        *(When(plan_id=p.pk, then=Value(i)) for i, p in enumerate(ordered)),
        default=Value(len(ordered)),
        output_field=IntegerField(),
    )
    return (
        Activity.objects.filter(plan__in=ordered)
        .select_related("plan")
        .alias(plan_rank=rank)
        .order_by("plan_rank", "number")
    )


def event_list_organizers(user: Any) -> QuerySet[Organization] | None:
    """The organiser filter of the event list, offered only to those who see
    every organisation: organisations that have events, found by a semi-join
    on the (organizer, end_date) index, not a DISTINCT over every event."""
    if not sees_many_organizations(user):
        return None
    return visible_organizations(
        user, Organization.objects.filter(Exists(Event.objects.filter(organizer=OuterRef("pk"))))
    ).order_by("short_name")


def _event_list_organizers_or_none(user: Any) -> QuerySet[Organization]:
    organizers = event_list_organizers(user)
    return Organization.objects.none() if organizers is None else organizers


def organization_detail(org: Organization) -> str:
    """The full name under the short one, when it says more."""
    return org.name if org.name and org.name != org.short_name else ""


def _activity_detail(activity: Activity) -> str:
    label = gettext("Roadmap %(years)s") % {"years": plan_years_text(activity.plan)}
    return f"{label} ({gettext('archive')})" if is_archive(activity.plan) else label


def register_choice_kinds() -> None:
    # The clock is read here, at the request's edge, as the form's view does.
    register_choice_kind("municipality", ChoiceKind(queryset=municipality_choices))
    register_choice_kind(
        "event-activity",
        ChoiceKind(
            queryset=lambda user: activity_choices(plans=plans_ordered(), today=timezone.localdate()),
            detail=_activity_detail,
            number_field="number",
        ),
    )
    register_choice_kind("event-organizer", ChoiceKind(queryset=event_organizer_choices, detail=organization_detail))
    register_choice_kind(
        "event-list-organizer",
        ChoiceKind(
            queryset=_event_list_organizers_or_none,
            detail=organization_detail,
        ),
    )

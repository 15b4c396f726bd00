"""The roadmap's HTML lists as their pages select them: filters, visibility, order.

The page and its Excel export (``reports.exports``) both call these, so what
is exported is exactly what is shown: one path per rule.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.db.models import Exists, OuterRef

from copp.web import requested_plan
from roadmap.accounts.permissions import region_municipalities, sees_many_organizations, visible_organizations
from roadmap.events import selectors as event_selectors
from roadmap.events.filters import ActivityFilter, EventFilter
from roadmap.models import Event, Organization, Plan
from roadmap.plans.selectors import activities_of


def event_list_filter(data: Mapping[str, Any], *, user: Any, now: dt.datetime) -> EventFilter:
    """The event list of ``user`` filtered by ``data`` (the page's query string).

    An unknown ``?plan=`` is a 404, not every plan. The organiser filter is
    offered only to those who see every organisation: organisations that have
    events, found by a semi-join on the (organizer, end_date) index, not a
    DISTINCT over every event.
    """
    requested_plan(data.get("plan"), default=None)
    organizers = (
        visible_organizations(
            user, Organization.objects.filter(Exists(Event.objects.filter(organizer=OuterRef("pk"))))
        ).order_by("short_name")
        if sees_many_organizations(user)
        else None
    )
    events = event_selectors.events_list(user=user, now=now)
    return EventFilter(
        data or None, queryset=events, now=now, organizers=organizers, municipalities=region_municipalities(user)
    )


def activity_list_filter(data: Mapping[str, Any], *, plan: Plan) -> ActivityFilter:
    """The activities of ``plan`` filtered by ``data``; ``.qs`` may repeat an activity
    (the responsible filter joins), so callers take ``.qs.distinct()``."""
    return ActivityFilter(data or None, queryset=activities_of(plan), plan=plan)

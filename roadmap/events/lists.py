"""The roadmap's HTML lists as their pages select them: filters, visibility, order.

The page and its Excel export (``reports.exports``) both call these, so what
is exported is exactly what is shown: one path per rule.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.db.models import QuerySet

from copp.web import requested_plan
from roadmap.events import selectors as event_selectors
from roadmap.events.choices import event_list_organizers, municipality_choices
from roadmap.events.filters import ActivityFilter, EventFilter
from roadmap.models import Event, Plan
from roadmap.plans.selectors import activities_of


def event_list_filter(data: Mapping[str, Any], *, user: Any, now: dt.datetime) -> EventFilter:
    """The event list of ``user`` filtered by ``data`` (the page's query string).

    An unknown ``?plan=`` is a 404, not every plan. The organiser filter is
    offered only to those who see every organisation (``event_list_organizers``).
    """
    requested_plan(data.get("plan"), default=None)
    organizers = event_list_organizers(user)
    events = event_selectors.events_list(user=user, now=now)
    return EventFilter(
        data or None, queryset=events, now=now, organizers=organizers, municipalities=municipality_choices(user)
    )


def event_list_counted(filterset: EventFilter, *, user: Any, now: dt.datetime) -> QuerySet[Event]:
    """The rows of ``filterset.qs`` to count: its filters over the events without the
    report status and related rows the page shows (``events_list(annotated=False)``)."""
    events = event_selectors.events_list(user=user, now=now, annotated=False)
    return filterset.filter_queryset(events) if filterset.is_bound else events


def activity_list_filter(data: Mapping[str, Any], *, plan: Plan) -> ActivityFilter:
    """The activities of ``plan`` filtered by ``data``; ``.qs`` may repeat an activity
    (the responsible filter joins), so callers take ``.qs.distinct()``."""
    return ActivityFilter(data or None, queryset=activities_of(plan), plan=plan)

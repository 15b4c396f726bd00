"""Control points of the roadmap: each deadline window's end.

An activity's deadline phrase becomes windows (``roadmap.plans.deadlines``); the
last day of each window is a *control point*. By that day something must be
recorded under the window: an event of the activity whose dates meet the
window. A control point that has passed with nothing recorded under it is
*overdue*. A point is *proven* when an event under it was held, its report
accepted and, when the activity names a document proving the result, a
file of evidence is attached to that report.

:func:`control_points` is pure (plain values in, plain values out);
:func:`control_points_of` loads what it needs for many activities in a
fixed number of queries. Both take ``today`` (the Moscow day) as a parameter.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _


class PointState(StrEnum):
    UPCOMING = "upcoming"  # the point has not come yet, nothing recorded
    RECORDED = "recorded"  # an event is recorded under it, not yet proven
    PROVEN = "proven"  # held, report accepted, evidence when the activity asks for it
    OVERDUE = "overdue"  # the point has passed with nothing recorded under it


POINT_LABELS = {
    PointState.UPCOMING: _("expected"),
    PointState.RECORDED: _("event registered, not confirmed"),
    PointState.PROVEN: _("confirmed"),
    PointState.OVERDUE: _("overdue: no events"),
}
POINT_CSS = {
    PointState.UPCOMING: "not_started",
    PointState.RECORDED: "in_progress",
    PointState.PROVEN: "done",
    PointState.OVERDUE: "failed",
}


@dataclass(frozen=True)
class EventFact:
    """What a control point needs to know about one (not cancelled) event."""

    start: dt.date
    end: dt.date
    accepted: bool = False
    evidence: int = 0


@dataclass(frozen=True)
class ControlPoint:
    start: dt.date  # the window's first day
    date: dt.date  # the window's last day: the control point
    events: int  # events recorded under the window
    held: int  # of them, held by today
    proven: bool
    state: PointState

    @property
    def overdue(self) -> bool:
        return self.state == PointState.OVERDUE

    @property
    def label(self) -> str:
        return str(POINT_LABELS[self.state])

    @property
    def css(self) -> str:
        return POINT_CSS[self.state]


def control_points(
    windows: Iterable[tuple[dt.date, dt.date]],
    events: Iterable[EventFact],
    *,
    today: dt.date,
    needs_evidence: bool = False,
) -> list[ControlPoint]:
    """The control points of one activity, in date order.

    An event counts under every window its dates meet. A point is overdue
    once its day is over (``today`` after it) with no event under it.
    """
    facts = list(events)
    points = []
    for start, end in sorted(windows):
        under = [e for e in facts if e.start <= end and e.end >= start]
        held = [e for e in under if e.end <= today]
        proven = any(e.accepted and (e.evidence > 0 or not needs_evidence) for e in held)
        if proven:
            state = PointState.PROVEN
        elif under:
            state = PointState.RECORDED
        elif today > end:
            state = PointState.OVERDUE
        else:
            state = PointState.UPCOMING
        points.append(ControlPoint(start, end, len(under), len(held), proven, state))
    return points


def points_in_year(points: Iterable[ControlPoint], year: int) -> list[ControlPoint]:
    """The control points whose window meets ``year``."""
    return [p for p in points if p.start.year <= year <= p.date.year]


def control_points_of(
    activities: Iterable[Any], *, today: dt.date, as_of: dt.datetime | None = None, year: int | None = None
) -> dict[int, list[ControlPoint]]:
    """Control points per activity id, in two queries whatever the number of
    activities, windows and events.

    ``as_of``: only what was recorded (events registered, reports accepted,
    evidence uploaded) by that moment. ``year``: only the points whose window
    meets that year (and only the events that can fall under them are read).
    """
    from roadmap.models import DeadlineWindow, Event

    activities = list(activities)
    ids = [a.pk for a in activities]
    window_rows = DeadlineWindow.objects.filter(activity_id__in=ids)
    if year is not None:
        window_rows = window_rows.filter(start__year__lte=year, end__year__gte=year)
    windows: dict[int, list[tuple[dt.date, dt.date]]] = defaultdict(list)
    for activity_id, start, end in window_rows.values_list("activity_id", "start", "end"):
        windows[activity_id].append((start, end))
    events = Event.objects.filter(activity_id__in=ids, cancelled_at__isnull=True)
    if year is not None:
        spans = [span for spans in windows.values() for span in spans]
        if not spans:
            return {a.pk: [] for a in activities}
        events = events.filter(end_date__gte=min(s for s, _ in spans), start_date__lte=max(e for _, e in spans))
    accepted = Q(report__status="accepted")
    evidence = Count("report__evidence", distinct=True)
    if as_of is not None:
        events = events.filter(created_at__lte=as_of)
        accepted &= Q(report__accepted_at__lte=as_of)
        evidence = Count("report__evidence", distinct=True, filter=Q(report__evidence__uploaded_at__lte=as_of))
    rows = events.values("id", "activity_id", "start_date", "end_date").annotate(
        evidence_count=evidence, accepted=Count("id", filter=accepted)
    )
    facts: dict[int, list[EventFact]] = defaultdict(list)
    for row in rows:
        facts[row["activity_id"]].append(
            EventFact(row["start_date"], row["end_date"], bool(row["accepted"]), row["evidence_count"])
        )
    return {
        a.pk: control_points(
            windows.get(a.pk, []),
            facts.get(a.pk, []),
            today=today,
            needs_evidence=bool((a.evidence_document or "").strip()),
        )
        for a in activities
    }

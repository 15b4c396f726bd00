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

from django.db.models import Count, Exists, F, OuterRef, Q
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
        points.append(_point(start, end, len(under), len(held), proven, today=today))
    return points


def _point(start: dt.date, end: dt.date, under: int, held: int, proven: bool, *, today: dt.date) -> ControlPoint:
    """The control point of one window from what is recorded under it."""
    if proven:
        state = PointState.PROVEN
    elif under:
        state = PointState.RECORDED
    elif today > end:
        state = PointState.OVERDUE
    else:
        state = PointState.UPCOMING
    return ControlPoint(start, end, under, held, proven, state)


def points_in_year(points: Iterable[ControlPoint], year: int) -> list[ControlPoint]:
    """The control points whose window meets ``year``."""
    return [p for p in points if p.start.year <= year <= p.date.year]


def control_points_of(
    activities: Iterable[Any], *, today: dt.date, as_of: dt.datetime | None = None, year: int | None = None
) -> dict[int, list[ControlPoint]]:
    """Control points per activity id, in two queries whatever the number of
    activities, windows and events (the same answer as :func:`control_points`).

    ``as_of``: only what was recorded (events registered, reports accepted,
    evidence uploaded) by that moment. ``year``: only the points whose window
    meets that year (and only the events that can fall under them are read).
    """
    from roadmap.models import DeadlineWindow, Event, EvidenceFile

    activities = list(activities)
    window_rows = DeadlineWindow.objects.filter(activity_id__in=[a.pk for a in activities])
    if year is not None:
        window_rows = window_rows.filter(start__year__lte=year, end__year__gte=year)
    # What is recorded under each window is counted by the database in one
    # join of the windows with their activities' events, grouped by window: no
    # row per event reaches Python. (Correlated counts, one per window, let
    # PostgreSQL walk the whole last-day index for each window when it
    # misjudged how many events a window's dates select: 300 ms for 24
    # windows over 30,000 events.)
    event = "activity__events__"
    under = Q(
        **{
            f"{event}cancelled_at__isnull": True,
            f"{event}start_date__lte": F("end"),
            f"{event}end_date__gte": F("start"),
        }
    )
    if as_of is not None:
        under &= Q(**{f"{event}created_at__lte": as_of})
    counts = (
        window_rows.order_by()
        .annotate(
            n_under=Count("activity__events", filter=under),
            n_held=Count("activity__events", filter=under & Q(**{f"{event}end_date__lte": today})),
        )
        .values_list("pk", "n_under", "n_held")
    )
    # Whether one held event under a window has its report accepted (and
    # evidence): existence checks that stop at the first such event.
    held = Event.objects.filter(
        activity_id=OuterRef("activity_id"),
        cancelled_at__isnull=True,
        start_date__lte=OuterRef("end"),
        end_date__gte=OuterRef("start"),
        end_date__lte=today,
        report__status="accepted",
    )
    if as_of is not None:
        held = held.filter(created_at__lte=as_of, report__accepted_at__lte=as_of)
    evidence = EvidenceFile.objects.filter(report__event=OuterRef("pk"))
    if as_of is not None:
        evidence = evidence.filter(uploaded_at__lte=as_of)
    counted = {pk: (n_under, n_held) for pk, n_under, n_held in counts}
    rows = [
        (activity_id, start, end, *counted.get(pk, (0, 0)), accepted, with_evidence)
        for pk, activity_id, start, end, accepted, with_evidence in window_rows.annotate(
            accepted=Exists(held), accepted_with_evidence=Exists(held.filter(Exists(evidence)))
        ).values_list("pk", "activity_id", "start", "end", "accepted", "accepted_with_evidence")
    ]
    found: dict[int, list[tuple[dt.date, dt.date, int, int, bool, bool]]] = defaultdict(list)
    for activity_id, *window in rows:
        found[activity_id].append(tuple(window))  # type: ignore[arg-type]
    points: dict[int, list[ControlPoint]] = {}
    for a in activities:
        needs_evidence = bool((a.evidence_document or "").strip())
        points[a.pk] = [
            _point(
                start, end, n_under or 0, n_held or 0, with_evidence if needs_evidence else any_accepted, today=today
            )
            for start, end, n_under, n_held, any_accepted, with_evidence in sorted(found.get(a.pk, []))
        ]
    return points

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

from django.db.models import Count, Exists, IntegerField, OuterRef, QuerySet, Subquery
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
    """Control points per activity id, in one query whatever the number of
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
    # What is recorded under each window is counted by the database, one
    # correlated subquery per figure served by the (activity, last day) index:
    # no row per event reaches Python, however many events an activity has.
    under = Event.objects.filter(
        activity_id=OuterRef("activity_id"),
        cancelled_at__isnull=True,
        start_date__lte=OuterRef("end"),
        end_date__gte=OuterRef("start"),
    )
    if as_of is not None:
        under = under.filter(created_at__lte=as_of)
    held = under.filter(end_date__lte=today)
    accepted = held.filter(report__status="accepted")
    if as_of is not None:
        accepted = accepted.filter(report__accepted_at__lte=as_of)
    evidence = EvidenceFile.objects.filter(report__event=OuterRef("pk"))
    if as_of is not None:
        evidence = evidence.filter(uploaded_at__lte=as_of)
    rows = window_rows.annotate(
        n_under=_count(under),
        n_held=_count(held),
        accepted=Exists(accepted),
        accepted_with_evidence=Exists(accepted.filter(Exists(evidence))),
    ).values_list("activity_id", "start", "end", "n_under", "n_held", "accepted", "accepted_with_evidence")
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


def _count(events: QuerySet[Any]) -> Subquery:
    """The number of ``events`` as a scalar subquery."""
    return Subquery(
        events.order_by().values("activity_id").annotate(n=Count("id")).values("n"), output_field=IntegerField()
    )

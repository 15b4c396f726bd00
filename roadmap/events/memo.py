"""Report timeliness and control points as of now, kept while nothing they read has changed.

:func:`~roadmap.events.selectors.timeliness_figures` sums a region's year of
rollups and reads every late report's delay (tens of milliseconds at a region
of 30,000 events), while the timeliness API and the dashboard's timeliness
table are asked the same question again and again between writes.
:func:`current_timeliness` answers from ``copp.memo``: kept per question
(grouping, plan, year, dates, the reader's scope) while nothing is written to
the events of the reader's region (``event_marks``: of every region, for a
reader who sees them all), for at most ``settings.FIGURES_MEMO_SECONDS``.

The clock changes these figures only at Moscow midnight: an event counts as held
from its last day on, and a report is missing from 00:00:00 after its due
day (every due moment is 23:59:59 Moscow time, ``roadmap.plans.deadlines``).
So figures as of now are kept until the next midnight at the latest, and
figures kept earlier the same day are exactly the figures as of now: they
are served with ``moment`` = now. Figures as of a past moment (``as_of``)
depend on the data alone.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from copp.memo import Scoped, Stamp, data_stamp, kept
from roadmap.accounts.permissions import OrganizationScope
from roadmap.events.event_year import EVENT_YEAR_FIELD
from roadmap.events.selectors import GroupBy, TimelinessFigures, TimelinessRow, timeliness_figures, timeliness_moment
from roadmap.models import Activity, EventWrite, Plan
from roadmap.plans.control_points import ControlPoint, control_points_of
from roadmap.plans.deadlines import MOSCOW


def event_marks(*, plan_id: int | None = None, scope: OrganizationScope | None = None) -> list[Scoped]:
    """What stamps figures of events (``copp.memo.data_stamp``'s ``scoped``): the newest
    write mark (``roadmap.models.EventWrite``, left by every write of events, reports
    and evidence, and by the rebuild after bulk loads) of the plan ``plan_id`` and of
    the region of a region ``scope``; of every event when neither narrows it (a scope
    of everything or of one organisation)."""
    marks: list[Scoped] = []
    if plan_id is not None:
        marks.append((EventWrite, "plan_id", plan_id))
    if scope is not None and scope.region:
        marks.append((EventWrite, "region_id", scope.region_id))
    return marks or [(EventWrite, None, None)]


def events_stamp(*, plan_id: int | None = None, scope: OrganizationScope | None = None) -> Stamp:
    """Moves with every write of the events of the plan and the region scope (``event_marks``):
    another plan's or region's events leave it."""
    return data_stamp([], scoped=event_marks(plan_id=plan_id, scope=scope))


def next_midnight(now: dt.datetime) -> dt.datetime:
    """The first Moscow midnight after ``now``."""
    day = now.astimezone(MOSCOW).date() + dt.timedelta(days=1)
    return dt.datetime.combine(day, dt.time(0), tzinfo=MOSCOW)


def _compact(row: TimelinessRow) -> TimelinessRow:
    """``row`` with its delays reduced to their median, the one figure they are read for
    (a country's late reports would otherwise be kept one by one)."""
    median = row.median_delay
    return replace(row, delays=[] if median is None else [median])


def current_timeliness(
    *,
    now: dt.datetime,
    by: GroupBy,
    scope: OrganizationScope,
    plan: Plan | None = None,
    year: int | None = None,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    as_of: dt.date | None = None,
) -> TimelinessFigures:
    """``timeliness_figures(now=now, by=by, scope=scope, plan=…, year=…, date_from=…,
    date_to=…, as_of=…)``, served from the memo (see the module's docstring). The rows'
    ``delays`` hold their median only."""
    moment = timeliness_moment(now, as_of)
    live = moment == now
    question = ":".join(
        str(part) for part in (by, plan.pk if plan is not None else "", year, date_from, date_to, as_of, scope.key)
    )
    # Figures as of now are one entry per question, whatever the second; a past moment is its own.
    key = f"memo:timeliness:{EVENT_YEAR_FIELD}:{question}:{'now' if live else moment.isoformat()}"

    def compute() -> TimelinessFigures:
        figures = timeliness_figures(
            now=now, by=by, scope=scope, plan=plan, year=year, date_from=date_from, date_to=date_to, as_of=as_of
        )
        return replace(figures, rows=[_compact(r) for r in figures.rows], total=_compact(figures.total))

    figures = kept(
        key,
        stamp=events_stamp(scope=scope),
        now=now,
        compute=compute,
        valid_until=next_midnight(now) if live else None,
    )
    return replace(figures, moment=now) if live else figures


def current_control_points(activity: Activity, *, today: dt.date, now: dt.datetime) -> list[ControlPoint]:
    """``control_points_of([activity], today=today)[activity.pk]``, kept while no event,
    report or evidence of the activity's plan is written (for at most ``settings.FIGURES_MEMO_SECONDS``: an
    administrator's change of the deadline windows shows within that). A new day is a
    new question: the points' states move with ``today``."""
    needs_evidence = bool((activity.evidence_document or "").strip())
    return kept(
        f"memo:control-points:{activity.pk}:{today.isoformat()}:{int(needs_evidence)}",
        stamp=events_stamp(plan_id=activity.plan_id),
        now=now,
        compute=lambda: control_points_of([activity], today=today)[activity.pk],
    )


__all__ = ["current_control_points", "current_timeliness", "event_marks", "events_stamp", "next_midnight"]

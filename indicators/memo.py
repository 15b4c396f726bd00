"""Indicator figures as of now, kept for a while when nothing they read has changed.

A plan's figures aggregate the region's year of events, reports, values and
records on each call (a few hundred milliseconds at a region of 30,000 events),
while the indicator pages and the figures API are read far more often than the
data changes. :func:`current_figures` keeps each computation in the cache
together with the **data stamp** it was computed under and serves it again
while the stamp is unchanged and it is younger than
``settings.FIGURES_MEMO_SECONDS`` (0 turns the memo off). The stamp moves with
every write the services make (each leaves a history row, read off the primary
key indexes, so reading it costs next to nothing at any size; of events and
reports, a write mark of each plan written, so one plan's figures stay kept
while another's events change: at national scale, another region writes
every few seconds); the age limit
bounds how long a time-driven change (a year judged as finished at midnight)
or a write that leaves no history row (an administrator's change of a source)
can lag. Figures "as of" a past moment are exact by definition and never kept.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db.models import Model

from copp.memo import Stamp, kept
from copp.memo import data_stamp as stamp_of
from indicators.models import (
    Actual,
    ActualChange,
    EducationalProgramme,
    PartnerAgreement,
    ProgrammeCohort,
    Target,
)
from indicators.selectors import Figure, indicator_figures
from roadmap.accounts.permissions import OrganizationScope
from roadmap.events.event_year import EVENT_YEAR_FIELD
from roadmap.events.memo import event_marks
from roadmap.models import Event, EventReport, Organization, Plan

FigureMap = dict[tuple[str, int], Figure]


def _stamped(*, events: bool) -> list[type[Model]]:
    """The tables whose newest primary key makes the stamp: the history of what
    figures read, and the values themselves (``events``: the events' and reports'
    history, and the events, too)."""
    histories = (Target, PartnerAgreement, EducationalProgramme, ProgrammeCohort)
    stamped = [*(model.history.model for model in histories), ActualChange, Actual]  # type: ignore[attr-defined]
    if events:
        stamped += [Event.history.model, EventReport.history.model, Event]  # type: ignore[attr-defined]
    return stamped


def data_stamp(plan: Plan | None = None, *, scope: OrganizationScope | None = None) -> Stamp:
    """The newest history row of everything figures read (events, reports, values,
    targets, agreements, programmes, cohorts) and the newest event and value ids
    (bulk loads that bypass history). Any write through a service changes it. One
    query of primary-key maxima (``copp.memo.data_stamp``).

    Of one ``plan``'s figures, the events and reports are stamped by the plan's own
    write marks (``roadmap.events.memo.event_marks``, left by every write of events
    and reports and by the rebuild after bulk loads): another plan's events and
    reports, another region's at national scale, leave them valid. With ``scope``,
    the events of its region too (every event's, for a scope of everything). Values,
    targets and the registries are stamped as for every plan."""
    if plan is None and scope is None:
        return stamp_of(_stamped(events=True))
    marks = event_marks(plan_id=plan.pk) if plan is not None else []
    if scope is not None:
        marks += event_marks(scope=scope)
    return stamp_of(_stamped(events=False), scoped=marks)


def _key(plan: Plan, years: list[int], organization: Organization | None) -> str:
    org = organization.pk if organization is not None else 0
    return f"memo:indicators:figures:{EVENT_YEAR_FIELD}:{plan.pk}:{org}:{','.join(map(str, years))}"


def current_figures(
    plan: Plan, *, years: Iterable[int], now: dt.datetime, organization: Organization | None = None
) -> FigureMap:
    """``indicator_figures(plan, years=…, organization=…, now=now)``, served from the
    cache while the data stamp is unchanged and the kept result is younger than
    ``settings.FIGURES_MEMO_SECONDS`` (see the module's docstring)."""
    years = sorted(set(years))
    return kept(
        _key(plan, years, organization),
        stamp=data_stamp(plan),
        now=now,
        compute=lambda: indicator_figures(plan, years=years, organization=organization, now=now),
    )


__all__ = ["current_figures", "data_stamp"]

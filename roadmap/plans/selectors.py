"""Reads of the roadmap app: which plan, and its activities.

Several plans live side by side (order No 2714 for 2023–2025, the next
roadmap for 2026–2028, ...). Every page, list and figure is for one plan;
which one is shown by default is :func:`current_plan`, and which plan an
event belongs to is :func:`plan_for_dates`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from roadmap.models import Activity, Plan, Responsibility


def plans_ordered(plans: Iterable[Plan] | None = None) -> list[Plan]:
    """Every plan (or the given ones), oldest first: by first year, then the order's date."""
    found = list(Plan.objects.all()) if plans is None else list(plans)
    return sorted(found, key=lambda p: (p.first_year, p.last_year, p.date, p.pk or 0))


def current_plan(
    today: dt.date | None = None, *, plans: Iterable[Plan] | None = None, region_id: int | None = None
) -> Plan | None:
    """The plan shown by default (to a user of region ``region_id``, when given).

    Of a region's own plans and the plans of no region (shared by every
    region), when there are any (else of every plan): the one an
    administrator marked current; else the one whose years hold ``today`` (the
    latest to start, should two overlap); else the most recent plan that has
    begun; else (every plan is still to come) the earliest. With only order
    No 2714 loaded, that is the order, also after 2025.
    """
    ordered = plans_ordered(plans)
    if region_id is not None:
        ordered = [p for p in ordered if p.region_id in (region_id, None)] or ordered
    if not ordered:
        return None
    marked = [p for p in ordered if p.is_current]
    if marked:
        return marked[-1]
    today = today or timezone.localdate()
    running = [p for p in ordered if p.first_year <= today.year <= p.last_year]
    if running:
        return running[-1]
    begun = [p for p in ordered if p.period[0] <= today]
    if begun:
        return begun[-1]
    return ordered[0]


def region_plans(plans: Iterable[Plan], region_id: int | None) -> list[Plan]:
    """The plans of a region and the plans of no region (oldest first) when there
    are any, else every plan (as in ``current_plan``)."""
    ordered = plans_ordered(plans)
    if region_id is None:
        return ordered
    return [p for p in ordered if p.region_id in (region_id, None)] or ordered


def is_archive(plan: Plan, today: dt.date | None = None) -> bool:
    """A plan whose last year is over: still readable, with its events, figures and reports."""
    today = today or timezone.localdate()
    return plan.last_year < today.year


def plan_for_key(key: str | None) -> Plan | None:
    """The plan with this key, or None: an unknown key is never another plan."""
    return Plan.objects.filter(key=key).first() if key else None


def plan_by_key(key: str | None) -> Plan | None:
    """The plan with this key; without a key, the current plan (None for an unknown key)."""
    return plan_for_key(key) if key else current_plan()


def plan_holds(plan: Plan, day: dt.date) -> bool:
    first_day, last_day = plan.period
    return first_day <= day <= last_day


def plan_for_dates(start: dt.date, end: dt.date | None = None, *, plans: Iterable[Plan] | None = None) -> Plan | None:
    """The plan an event of ``start``–``end`` belongs to: the one whose period holds its first day.

    A plan's period may begin before its first year (the order is signed in
    December), so two periods can overlap by a few days; the plan whose
    years hold the day wins, then the one that also holds ``end``.
    """
    holding = [p for p in plans_ordered(plans) if plan_holds(p, start)]
    if not holding:
        return None

    def preference(plan: Plan) -> tuple[bool, bool, int]:
        in_years = plan.first_year <= start.year <= plan.last_year
        holds_end = end is None or plan_holds(plan, end)
        return (in_years, holds_end, plan.first_year)

    return max(holding, key=preference)


def plan_for_year(year: int, *, plans: Iterable[Plan] | None = None) -> Plan | None:
    """The plan whose years hold ``year`` (the latest to start, should two overlap), or None."""
    holding = [p for p in plans_ordered(plans) if p.first_year <= year <= p.last_year]
    return holding[-1] if holding else None


def plan_years_text(plan: Plan) -> str:
    return f"{plan.first_year}–{plan.last_year}"


def plan_periods_text(plans: Iterable[Plan] | None = None) -> str:
    """«2023–2025, 2026–2028»: the years of every plan, oldest first."""
    return ", ".join(plan_years_text(p) for p in plans_ordered(plans))


def ddmmyyyy(day: dt.date) -> str:
    """dd.mm.yyyy with four digits of year even before 1000 (strftime gives «07.01.540»)."""
    return f"{day.day:02d}.{day.month:02d}.{day.year:04d}"


def out_of_plans_message(day: dt.date, plans: Iterable[Plan] | None = None) -> str:
    """«10.06.2022 — вне периода дорожных карт (2023–2025, 2026–2028)»."""
    ordered = plans_ordered(plans)
    if not ordered:
        return _("%(day)s: no roadmap is loaded") % {"day": ddmmyyyy(day)}
    if len(ordered) == 1:
        text = _("%(day)s is outside the period of the roadmap (%(periods)s)")
    else:
        text = _("%(day)s is outside the periods of the roadmaps (%(periods)s)")
    return text % {"day": ddmmyyyy(day), "periods": plan_periods_text(ordered)}


def activities_of(plan: Plan | None) -> QuerySet[Activity]:
    """Activities of a plan with their section, windows and responsible parties."""
    if plan is None:
        return Activity.objects.none()
    return (
        Activity.objects.filter(plan=plan)
        .select_related("section")
        .prefetch_related(
            "windows",
            Prefetch(
                "responsibilities",
                queryset=Responsibility.objects.select_related("organization").order_by("order"),
            ),
        )
        .order_by("number")
    )

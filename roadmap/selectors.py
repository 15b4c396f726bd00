"""Reads of the roadmap app."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from roadmap.models import Activity, Plan, Responsibility


def current_plan() -> Plan | None:
    return Plan.objects.filter(is_current=True).first() or Plan.objects.order_by("-first_year").first()


def plan_by_key(key: str | None) -> Plan | None:
    return Plan.objects.filter(key=key).first() if key else current_plan()


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

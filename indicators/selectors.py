"""Reads of the indicators app."""

from __future__ import annotations

from django.db.models import QuerySet

from indicators.models import Indicator
from roadmap.models import Plan


def indicators_of(plan: Plan | None) -> QuerySet[Indicator]:
    if plan is None:
        return Indicator.objects.none()
    return (
        Indicator.objects.filter(indicator_set__plan=plan)
        .select_related("parent")
        .prefetch_related("targets")
        .order_by("order")
    )

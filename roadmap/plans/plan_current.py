"""Marking a plan current: the one write behind ``load_order --current`` and the admin actions.

Which plan pages show by default is read by ``roadmap.plans.selectors.current_plan``:
the marked one, else the one whose years hold today. Marking is for an
administrator who wants another plan shown (a plan approved early, an
archive being checked); unmarking hands the choice back to the dates.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import Q

from roadmap.models import Plan


def plan_mark_current(*, plan: Plan | None) -> None:
    """Mark ``plan`` as the current one (``None``: no plan is marked).

    At most one plan per region is marked (a unique constraint); the previous
    mark of the plan's region is cleared first, in the same transaction. With
    ``None`` every mark is cleared.
    """
    with transaction.atomic():
        others = Plan.objects.filter(is_current=True)
        if plan is not None:
            same_region = Q(region__isnull=True) if plan.region_id is None else Q(region_id=plan.region_id)
            others = others.filter(same_region).exclude(pk=plan.pk)
        others.update(is_current=False)
        if plan is not None and not plan.is_current:
            Plan.objects.filter(pk=plan.pk).update(is_current=True)
            plan.is_current = True

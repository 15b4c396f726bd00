"""Marking a plan current: the one write behind ``load_order --current`` and the admin actions.

Which plan pages show by default is read by ``roadmap.plans.selectors.current_plan``:
the marked one, else the one whose years hold today. Marking is for an
administrator who wants another plan shown (a plan approved early, an
archive being checked); unmarking hands the choice back to the dates.
"""

from __future__ import annotations

from django.db import transaction

from roadmap.models import Plan


def plan_mark_current(*, plan: Plan | None) -> None:
    """Mark ``plan`` as the current one (``None``: no plan is marked).

    At most one plan is marked (a unique constraint); the previous mark is
    cleared first, in the same transaction.
    """
    with transaction.atomic():
        others = Plan.objects.filter(is_current=True)
        if plan is not None:
            others = others.exclude(pk=plan.pk)
        others.update(is_current=False)
        if plan is not None and not plan.is_current:
            Plan.objects.filter(pk=plan.pk).update(is_current=True)
            plan.is_current = True

"""Celery tasks of the indicators app: thin wrappers that take ids and call the core."""

from __future__ import annotations

import logging
from typing import Any

from celery import shared_task
from django.utils import timezone

from indicators.selectors import broken_rules
from roadmap.models import Plan

logger = logging.getLogger(__name__)


@shared_task
def indicator_rules_check(plan_id: int, source: str = "actual") -> list[dict[str, Any]]:
    """Check a plan's validation rules (against actuals by default) and log every broken one.

    Scheduled from the admin (django-celery-beat) for a nightly look; the
    consistency page and API compute the same list on demand.
    """
    plan = Plan.objects.filter(pk=plan_id).first()
    if plan is None:
        logger.warning("indicator_rules_check: no plan %s", plan_id)
        return []
    breaches = [b.as_dict() for b in broken_rules(plan, years=plan.years, source=source)]
    for breach in breaches:
        logger.warning(
            "plan %s, %s %s: rule %s broken (%s vs %s)",
            plan.key,
            source,
            breach["year"],
            breach["rule"],
            breach["left"],
            breach["right"],
        )
    logger.info("indicator_rules_check: plan %s, %s broken rule(s) at %s", plan.key, len(breaches), timezone.now())
    return breaches

"""Celery tasks of the events: the daily purge of participant lists' person keys, the nightly rollup check."""

from __future__ import annotations

import logging

from celery import shared_task
from django.utils import timezone

logger = logging.getLogger(__name__)


@shared_task(name="roadmap.participants_purge", acks_late=True)
def participants_purge() -> int:
    """Anonymise the person keys of plans past their retention (daily; a no-op most days)."""
    from roadmap.events.participants import participants_purge as purge
    from roadmap.plans.deadlines import MOSCOW

    return purge(today=timezone.now().astimezone(MOSCOW).date())


@shared_task(name="roadmap.rollups_check", acks_late=True)
def rollups_check() -> int:
    """Nightly: recompute the event rollups from the records, log and fix any difference;
    keep only each plan's and each region's newest write mark (``EventWrite``)."""
    from roadmap.events.rollups import event_writes_prune
    from roadmap.events.rollups import rollups_check as check

    result = check(fix=True)
    for line in result.described():
        logger.error("event rollup differed from the records, fixed: %s", line)
    event_writes_prune()
    return len(result.differences) + len(result.outcomes)

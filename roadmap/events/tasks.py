"""Celery tasks of the events: the daily purge of participant lists' person keys."""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone


@shared_task(name="roadmap.participants_purge", acks_late=True)
def participants_purge() -> int:
    """Anonymise the person keys of plans past their retention (daily; a no-op most days)."""
    from roadmap.events.participants import participants_purge as purge
    from roadmap.plans.deadlines import MOSCOW

    return purge(today=timezone.now().astimezone(MOSCOW).date())

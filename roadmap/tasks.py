"""Celery tasks of the roadmap app (Celery's autodiscovery imports ``roadmap.tasks``).

The tasks live with their concern: the chase in ``roadmap.chase.tasks``, the purge of
participant keys in ``roadmap.events.tasks``. Their names (``roadmap.chase_reports`` …)
are stored in django-celery-beat and never change.
"""

from __future__ import annotations

from roadmap.chase.tasks import chase_reports, deliver_notifications, enqueue_delivery, retry_notifications
from roadmap.events.tasks import participants_purge, rollups_check

__all__ = [
    "chase_reports",
    "deliver_notifications",
    "enqueue_delivery",
    "participants_purge",
    "retry_notifications",
    "rollups_check",
]

"""Celery task of the dashboard: recompute a snapshot after a write.

The task name stays ``roadmap.refresh_dashboard`` (the dashboard lived in the roadmap app):
a message queued before a deploy still finds its task.
"""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone


@shared_task(name="roadmap.refresh_dashboard", acks_late=True)
def refresh_dashboard(plan_id: int, year: int, scope_key: str = "all") -> str:
    """Recompute the dashboard snapshot of a plan, year and scope (``OrganizationScope.key``) after a write."""
    from reports.dashboard.snapshot import refresh_snapshot

    snapshot = refresh_snapshot(plan_id, year, now=timezone.now(), scope_key=scope_key)
    return snapshot.computed_at.isoformat()

"""Celery tasks of the chase: thin wrappers that read the clock and call a service.

Beat runs ``chase_reports`` (claims every notice due now and hands the claim to
``deliver_notifications``) and ``retry_notifications``. Both are safe to run
twice or concurrently and to be re-delivered: the claims live in the database.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from celery import shared_task
from django.utils import timezone

from roadmap.chase import notifications

logger = logging.getLogger(__name__)


def _now(iso: str | None) -> datetime:
    return datetime.fromisoformat(iso) if iso else timezone.now()


@shared_task(name="roadmap.chase_reports", acks_late=True)
def chase_reports(now: str | None = None) -> dict[str, Any]:
    """One chase pass: claim the notices due now, then deliver them in a separate task."""
    claim = notifications.chase_claim(now=_now(now))
    if claim.total:
        enqueue_delivery(claim.token)
    logger.info("chase claimed %s notices: %s", claim.total, dict(claim.claimed))
    return {"token": claim.token, "claimed": dict(claim.claimed)}


@shared_task(name="roadmap.deliver_notifications", acks_late=True)
def deliver_notifications(token: str | None = None, ids: list[int] | None = None) -> dict[str, int]:
    """Send the pending notices of a claim; a re-delivered task sends nothing twice."""
    result = notifications.notifications_deliver(now=timezone.now(), token=token, ids=ids)
    return {"sent": result.sent, "failed": result.failed}


@shared_task(name="roadmap.retry_notifications", acks_late=True)
def retry_notifications() -> dict[str, int]:
    """Retry failed sends whose backoff has passed (and deliveries a broker lost)."""
    result = notifications.notifications_retry(now=timezone.now())
    return {"sent": result.sent, "failed": result.failed}


def enqueue_delivery(token: str) -> None:
    """Queue delivery of a claim; without a broker the task runs right here (eager)."""
    deliver_notifications.delay(token=token)

"""Recompute a cached figure in the background, at most one computation per key at a time.

The dashboard snapshot and the federal comparison are both served from the
cache and recomputed after a write. How the recomputation runs is a setting
(``settings.DASHBOARD_REFRESH``): "celery" hands it to a worker, "thread" to
a daemon thread of the web process (the embedded default). A lock in the
cache keeps a second view from starting a second computation; a computation
that dies frees it after :data:`REFRESH_LOCK_SECONDS`.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

from django.core.cache import cache
from django.db import connections, transaction

REFRESH_LOCK_SECONDS = 5 * 60

logger = logging.getLogger(__name__)


def acquire(lock_key: str) -> bool:
    """Take the lock of ``lock_key``; False while another computation holds it."""
    return bool(cache.add(lock_key, True, REFRESH_LOCK_SECONDS))


def release(lock_key: str) -> None:
    cache.delete(lock_key)


def request(lock_key: str, start: Callable[[], None]) -> bool:
    """Call ``start`` after the current transaction commits, unless a computation of
    ``lock_key`` is already running; True if it was started."""
    if not acquire(lock_key):
        return False
    transaction.on_commit(start)
    return True


def start(lock_key: str, *, mode: str, task: Callable[[], Any], work: Callable[[], Any], name: str) -> None:
    """Run ``task`` (queues the Celery task) in "celery" mode, else ``work`` in a daemon
    thread. If that fails (a broker that is down), the lock is freed: the stale figures
    are still served and the next view tries again."""
    try:
        if mode == "celery":
            task()
        else:
            threading.Thread(target=_in_thread, args=(work, name), name=name, daemon=True).start()
    except Exception:
        logger.exception("could not start %s (%s)", name, lock_key)
        release(lock_key)


def _in_thread(work: Callable[[], Any], name: str) -> None:
    try:
        work()
    except Exception:  # a failed computation must not take the server down; the next view retries
        logger.exception("%s failed", name)
    finally:
        connections.close_all()  # this thread's own connections

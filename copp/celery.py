"""Celery application of the project.

Configured from Django settings under the ``CELERY_`` namespace. Without
``REDIS_URL`` the embedded default runs tasks eagerly in-process (see
``settings.CELERY_TASK_ALWAYS_EAGER``), so ``make run`` needs no broker.
"""

from __future__ import annotations

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "copp.settings")

app = Celery("copp")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

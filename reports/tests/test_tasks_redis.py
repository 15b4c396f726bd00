"""A report requested on the web is built by a real Celery worker over Redis."""

from __future__ import annotations

import time
from typing import Any

import pytest
from django.conf import settings

from reports.models import ReportFile

pytestmark = [
    pytest.mark.redis,
    pytest.mark.skipif(not settings.REDIS_URL, reason="REDIS_URL is not set: no broker for a real worker"),
]


@pytest.mark.django_db(transaction=True)
def test_a_worker_on_redis_builds_the_requested_report(make_user: Any, settings: Any, tmp_path: Any) -> None:
    from celery.contrib.testing.worker import start_worker

    from copp.celery import app
    from reports.services import report_file_request
    from roadmap.plans.loader import plan_load

    settings.MEDIA_ROOT = tmp_path
    assert not app.conf.task_always_eager
    plan_load()
    user = make_user("ministry")
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=30):
        report = report_file_request(user=user, kind="municipalities", year=2024)  # autocommit: enqueued at once
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            report.refresh_from_db()
            if report.is_finished:
                break
            time.sleep(0.2)
    assert report.status == ReportFile.Status.DONE, report.error
    assert report.file.size > 0

"""End to end on a real broker: beat's task on a Celery worker over Redis delivers a reminder."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from django.conf import settings
from django.core import mail

from roadmap.accounts.roles import Role
from roadmap.models import Notification
from roadmap.tests.event_factories import EventFactory, msk, plan_with
from roadmap.tests.factories import ActivityFactory, OrganizationFactory, UserFactory

pytestmark = [
    pytest.mark.redis,
    pytest.mark.skipif(not settings.REDIS_URL, reason="REDIS_URL is not set: no broker for a real worker"),
]


@pytest.mark.django_db(transaction=True)
def test_a_worker_on_redis_delivers_a_reminder_once() -> None:
    from celery.contrib.testing.worker import start_worker

    from copp.celery import app
    from roadmap.chase.tasks import chase_reports

    assert not app.conf.task_always_eager
    college = OrganizationFactory(head_email="")
    UserFactory(role=Role.COORDINATOR, organization=college, email="coord@college.example")
    EventFactory(
        activity=ActivityFactory(section__plan=plan_with()),
        organizer=college,
        start_date=dt.date(2026, 3, 10),
        responsible_email="resp@college.example",
    )
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=30):
        result = chase_reports.delay(now=msk(2026, 3, 10, 13, 0).isoformat())
        assert result.get(timeout=30)["claimed"] == {"due_tomorrow": 2}
        deadline = time.monotonic() + 30
        while Notification.objects.filter(status="sent").count() < 2 and time.monotonic() < deadline:
            time.sleep(0.2)
        # The same beat tick delivered twice (a re-delivery) claims nothing new.
        again = chase_reports.delay(now=msk(2026, 3, 10, 13, 0).isoformat())
        assert again.get(timeout=30)["claimed"] == {}
    assert Notification.objects.filter(status="sent", kind="due_tomorrow").count() == 2
    assert sorted(m.to[0] for m in mail.outbox) == ["coord@college.example", "resp@college.example"]

"""Delivery survives a worker killed mid-batch: each notice is marked as it leaves."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import ClassVar

import pytest
from django.core.mail.backends.base import BaseEmailBackend

from roadmap.accounts.roles import Role
from roadmap.chase.notifications import (
    chase_claim,
    notification_resend,
    notifications_deliver,
    notifications_in_doubt,
    notifications_retry,
)
from roadmap.chase.tasks import deliver_notifications
from roadmap.models import Notification
from roadmap.tests.event_factories import (
    EventFactory,
    eager_celery,  # noqa: F401 (fixture)
    msk,
    plan_with,
)
from roadmap.tests.factories import ActivityFactory, OrganizationFactory, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("eager_celery")]

NOW = msk(2026, 3, 12, 0, 30)  # every event below is overdue: 3 notices each


class WorkerKilled(BaseException):
    """What SIGKILL/SystemExit looks like from inside the loop: not an ``Exception``."""


class CrashingBackend(BaseEmailBackend):
    """Delivers messages until the ``crash_on``-th, then the worker "dies"."""

    crash_on: ClassVar[int | None] = None
    calls: ClassVar[int] = 0
    delivered: ClassVar[list[tuple[str, str]]] = []

    def send_messages(self, messages):  # type: ignore[no-untyped-def]
        for message in messages:
            type(self).calls += 1
            if self.crash_on is not None and self.calls == self.crash_on:
                raise WorkerKilled
            self.delivered.append((message.to[0], message.subject))
        return len(messages)


@pytest.fixture
def backend(settings) -> type[CrashingBackend]:
    settings.EMAIL_BACKEND = "roadmap.tests.test_chase_crash.CrashingBackend"
    CrashingBackend.crash_on = None
    CrashingBackend.calls = 0
    CrashingBackend.delivered = []
    return CrashingBackend


@pytest.fixture
def claimed(db) -> str:
    """Four overdue events of one college: 12 notices claimed, none sent."""
    plan = plan_with()
    activity = ActivityFactory(section__plan=plan)
    college = OrganizationFactory(head_email="director@college.example")
    UserFactory(role=Role.COORDINATOR, organization=college, email="coord@college.example")
    for _ in range(4):
        EventFactory(
            activity=activity,
            organizer=college,
            start_date=dt.date(2026, 3, 10),
            responsible_email="resp@college.example",
        )
    claim = chase_claim(now=NOW)
    assert claim.total == 12
    return claim.token


def statuses() -> Counter[str]:
    return Counter(Notification.objects.values_list("status", flat=True))


def test_it_marks_each_notice_sent_as_it_leaves_so_a_crash_leaves_one_in_doubt(backend, claimed) -> None:
    backend.crash_on = 5
    with pytest.raises(WorkerKilled):
        notifications_deliver(now=NOW, token=claimed)
    assert len(backend.delivered) == 4
    assert statuses() == {"sent": 4, "sending": 1, "pending": 7}
    sent = set(Notification.objects.filter(status="sent").values_list("email", "subject"))
    assert sent == set(backend.delivered)


def test_the_next_pass_sends_the_rest_exactly_once(backend, claimed) -> None:
    backend.crash_on = 5
    with pytest.raises(WorkerKilled):
        notifications_deliver(now=NOW, token=claimed)
    backend.crash_on = None
    # The retry pass does not touch a fresh claim (its task may still be coming) ...
    assert notifications_retry(now=NOW + dt.timedelta(minutes=9)).sent == 0
    # ... and picks up the lost rest once it is stale; the notice in doubt is not resent.
    assert notifications_retry(now=NOW + dt.timedelta(minutes=10)).sent == 7
    assert notifications_retry(now=NOW + dt.timedelta(minutes=30)).sent == 0
    assert statuses() == {"sent": 11, "sending": 1}
    assert len(backend.delivered) == 11
    assert len(set(backend.delivered)) == 11  # nobody got the same notice twice


def test_a_redelivered_task_sends_the_rest_at_once(backend, claimed) -> None:
    backend.crash_on = 3
    with pytest.raises(WorkerKilled):
        deliver_notifications(token=claimed)
    backend.crash_on = None
    assert deliver_notifications(token=claimed) == {"sent": 9, "failed": 0}
    assert deliver_notifications(token=claimed) == {"sent": 0, "failed": 0}
    assert statuses() == {"sent": 11, "sending": 1}
    assert len(set(backend.delivered)) == len(backend.delivered) == 11


def test_a_notice_is_in_doubt_only_past_the_time_limit(backend, claimed, settings) -> None:
    settings.ROADMAP_CHASE = {"sending_in_doubt_minutes": 15}
    backend.crash_on = 1
    with pytest.raises(WorkerKilled):
        notifications_deliver(now=NOW, token=claimed)
    stuck = Notification.objects.get(status="sending")
    claimed_at = stuck.sending_since
    assert NOW <= claimed_at < NOW + dt.timedelta(minutes=1)  # the pass's now, plus its running time
    assert list(notifications_in_doubt(now=claimed_at + dt.timedelta(minutes=14, seconds=59))) == []
    assert list(notifications_in_doubt(now=claimed_at + dt.timedelta(minutes=15))) == [stuck]
    # A notice being sent right now is not "stuck": resending it could send it twice.
    assert notification_resend(notification_ids=[stuck.pk], now=claimed_at + dt.timedelta(minutes=1)) == 0
    assert notification_resend(notification_ids=[stuck.pk], now=claimed_at + dt.timedelta(minutes=15)) == 1


def test_the_admin_lists_notices_in_doubt_and_resends_them(backend, claimed, client) -> None:
    backend.crash_on = 2
    with pytest.raises(WorkerKilled):
        notifications_deliver(now=NOW, token=claimed)
    backend.crash_on = None
    stuck = Notification.objects.get(status="sending")
    notifications_retry(now=NOW + dt.timedelta(minutes=10))
    client.force_login(UserFactory(role=Role.ADMIN))

    page = client.get("/admin/roadmap/notification/")
    assert page.status_code == 200
    assert "Под вопросом" in page.content.decode()  # the filter with the count, and a warning
    listed = client.get("/admin/roadmap/notification/?in_doubt=yes")
    assert list(listed.context["cl"].queryset) == [stuck]

    response = client.post(
        "/admin/roadmap/notification/?in_doubt=yes",
        {"action": "resend", "_selected_action": [stuck.pk]},
        follow=True,
    )
    assert response.status_code == 200
    stuck.refresh_from_db()
    assert stuck.status == "failed" and stuck.attempts == 0
    assert notifications_retry(now=dt.datetime.now(dt.UTC)).sent == 1
    assert statuses() == {"sent": 12}
    # the one in doubt was never delivered by the crashed pass, so every notice went out once
    assert len(set(backend.delivered)) == len(backend.delivered) == 12

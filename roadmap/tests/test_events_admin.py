"""Admin pages of events, reports and notifications; failed notices can be resent."""

from __future__ import annotations

import pytest

from roadmap.accounts.roles import Role
from roadmap.models import Notification
from roadmap.tests.event_factories import EventReportFactory, msk
from roadmap.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_it_shows_events_reports_and_failed_notices(client) -> None:
    report = EventReportFactory()
    failed = Notification.objects.create(
        event=report.event,
        kind="overdue",
        recipient="x@example.org",
        email="x@example.org",
        subject="S",
        body="B",
        status="failed",
        attempts=3,
        last_error="SMTP down",
        created_at=msk(2026, 3, 12),
    )
    client.force_login(UserFactory(role=Role.ADMIN))
    for url in (
        "/admin/roadmap/event/",
        f"/admin/roadmap/event/{report.event_id}/change/",
        "/admin/roadmap/eventreport/",
        f"/admin/roadmap/eventreport/{report.pk}/history/",
        "/admin/roadmap/notification/?status__exact=failed",
    ):
        assert client.get(url).status_code == 200, url
    response = client.post(
        "/admin/roadmap/notification/", {"action": "resend", "_selected_action": [failed.pk]}, follow=True
    )
    assert response.status_code == 200
    failed.refresh_from_db()
    assert failed.status == "failed" and failed.attempts == 0 and failed.next_attempt_at is not None

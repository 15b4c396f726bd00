"""The chase runs on schedule: beat entries exist, and the embedded scheduler makes passes."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command
from django_celery_beat.models import PeriodicTask

from roadmap.accounts.roles import Role
from roadmap.models import Notification
from roadmap.tests.event_factories import EventFactory, msk, plan_with
from roadmap.tests.factories import ActivityFactory, OrganizationFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_the_beat_schedule_is_created_by_migration() -> None:
    tasks = {t.task: t for t in PeriodicTask.objects.all()}
    assert tasks["roadmap.chase_reports"].enabled and tasks["roadmap.chase_reports"].interval.every == 5
    assert "roadmap.retry_notifications" in tasks


def test_the_embedded_scheduler_runs_a_pass(settings, time_machine) -> None:
    settings.REDIS_URL = ""
    time_machine.move_to(msk(2026, 3, 12, 0, 30), tick=False)
    college = OrganizationFactory(head_email="")
    UserFactory(role=Role.COORDINATOR, organization=college, email="coord@college.example")
    EventFactory(
        activity=ActivityFactory(section__plan=plan_with()), organizer=college, start_date=dt.date(2026, 3, 10)
    )
    out = StringIO()
    call_command("run_scheduler", "--once", stdout=out)
    assert "sent 1" in out.getvalue()
    assert Notification.objects.get().status == "sent"


def test_the_command_refuses_a_bad_moment() -> None:
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("chase_reports", "--now", "вчера")

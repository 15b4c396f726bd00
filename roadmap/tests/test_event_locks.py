"""Submitting a report and cancelling an event re-check each other under the
event's row lock: a caller holding an out-of-date copy of the event cannot
report a cancelled event, cancel a reported one, or judge a report against a
due moment that has since moved. (Threaded races: tests/test_races.py.)"""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from roadmap.accounts.roles import Role
from roadmap.events import services
from roadmap.models import Event, EventReport
from roadmap.tests.event_factories import eager_celery, msk, plan_with  # noqa: F401 (fixture)
from roadmap.tests.factories import ActivityFactory, OrganizationFactory, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("eager_celery")]

REPORT = services.ReportData(summary="Прошло", participants_total=30)


@pytest.fixture
def coordinator():
    return UserFactory(role=Role.COORDINATOR, organization=OrganizationFactory())


@pytest.fixture
def event(coordinator) -> Event:
    return services.event_create(
        user=coordinator,
        activity=ActivityFactory(section__plan=plan_with()),
        organizer=coordinator.organization,
        title="Профпроба",
        start_date=dt.date(2026, 3, 10),
    )


def test_it_refuses_a_report_on_an_event_cancelled_since_it_was_loaded(coordinator, event) -> None:
    loaded = Event.objects.get(pk=event.pk)
    services.event_cancel(user=coordinator, event=event, reason="Карантин", now=msk(2026, 3, 10, 9))
    with pytest.raises(ValidationError, match="отменено"):
        services.event_report_submit(user=coordinator, event=loaded, data=REPORT, now=msk(2026, 3, 11, 10))
    assert not EventReport.objects.exists()


def test_it_refuses_to_cancel_an_event_reported_since_it_was_loaded(coordinator, event) -> None:
    loaded = Event.objects.get(pk=event.pk)
    services.event_report_submit(user=coordinator, event=event, data=REPORT, now=msk(2026, 3, 11, 10))
    with pytest.raises(ValidationError, match="уже есть отчёт"):
        services.event_cancel(user=coordinator, event=loaded, reason="Карантин", now=msk(2026, 3, 11, 11))
    assert Event.objects.get(pk=event.pk).cancelled_at is None


def test_it_judges_a_report_against_the_due_moment_stored_when_it_is_filed(coordinator, event) -> None:
    loaded = Event.objects.get(pk=event.pk)  # due 11.03 23:59:59
    services.event_update(user=coordinator, event=event, end_date=dt.date(2026, 3, 12))  # now due 13.03 00:00
    report = services.event_report_submit(user=coordinator, event=loaded, data=REPORT, now=msk(2026, 3, 12, 20))
    assert report.on_time is True
    assert report.due_at_submission == msk(2026, 3, 13, 23, 59, 59)


def test_it_refuses_a_cancel_of_a_stale_version_and_says_so(coordinator, event) -> None:
    services.event_update(user=coordinator, event=Event.objects.get(pk=event.pk), title="Перенесено")
    with pytest.raises(services.StaleVersion, match="изменено другим пользователем"):
        services.event_cancel(user=coordinator, event=event, reason="Карантин", now=msk(2026, 3, 9), expected_version=1)
    assert Event.objects.get(pk=event.pk).cancelled_at is None
    cancelled = services.event_cancel(
        user=coordinator, event=event, reason="Карантин", now=msk(2026, 3, 9), expected_version=2
    )
    assert cancelled.cancelled_at is not None and cancelled.version == 3


def test_it_refuses_to_edit_an_event_cancelled_since_it_was_loaded(coordinator, event) -> None:
    loaded = Event.objects.get(pk=event.pk)
    services.event_cancel(user=coordinator, event=event, reason="Карантин", now=msk(2026, 3, 9))
    with pytest.raises(ValidationError, match="отменено"):
        services.event_update(user=coordinator, event=loaded, title="Новое")
    assert Event.objects.get(pk=event.pk).title == "Профпроба"

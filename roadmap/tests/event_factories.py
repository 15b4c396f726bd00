"""factory_boy factories and helpers for events, reports and notifications."""

from __future__ import annotations

import datetime as dt
from typing import Any

import factory
import pytest

from roadmap.events.rollups import rollups_kept
from roadmap.events.services import event_due_at
from roadmap.models import Event, EventReport, Plan
from roadmap.plans.deadlines import MOSCOW
from roadmap.tests.factories import ActivityFactory, OrganizationFactory, PlanFactory


def msk(*args: int) -> dt.datetime:
    """A Moscow-time moment: msk(2026, 3, 10, 12, 0)."""
    return dt.datetime(*args, tzinfo=MOSCOW)


class EventFactory(factory.django.DjangoModelFactory):
    """An event whose ``due_at`` follows its plan's rule, like the service stores it."""

    class Meta:
        model = Event

    activity = factory.SubFactory(ActivityFactory, section__plan__first_year=2025, section__plan__last_year=2027)
    organizer = factory.SubFactory(OrganizationFactory)
    title = factory.Sequence(lambda n: f"Профессиональная проба № {n}")
    start_date = dt.date(2026, 3, 10)
    end_date = factory.SelfAttribute("start_date")
    municipality = factory.SelfAttribute("organizer.municipality")
    due_at = factory.LazyAttribute(lambda o: event_due_at(plan=o.activity.plan, end_date=o.end_date))

    @classmethod
    def _create(cls, model_class: Any, *args: Any, **kwargs: Any) -> Any:
        """Saved past the services, so the rollups are kept here as the services keep them."""
        with rollups_kept() as kept:
            event = super()._create(model_class, *args, **kwargs)
            kept.created([event.pk])
        return event


class EventReportFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = EventReport

    event = factory.SubFactory(EventFactory)
    summary = "Прошло по плану"
    participants_total = 25
    submitted_at = factory.LazyAttribute(lambda o: o.event.due_at - dt.timedelta(hours=3))
    due_at_submission = factory.LazyAttribute(lambda o: o.event.due_at)
    on_time = factory.LazyAttribute(lambda o: o.submitted_at < o.event.due_at + dt.timedelta(seconds=1))

    @classmethod
    def _create(cls, model_class: Any, *args: Any, **kwargs: Any) -> Any:
        """Saved past the services, so the rollups are kept here as the services keep them."""
        with rollups_kept([kwargs["event"].pk]):
            return super()._create(model_class, *args, **kwargs)


def plan_with(**rule: Any) -> Plan:
    return PlanFactory(**({"first_year": 2025, "last_year": 2027} | rule))


@pytest.fixture
def eager_celery():
    """Run tasks in-process even when REDIS_URL points at a real broker."""
    from copp.celery import app

    saved = app.conf.task_always_eager
    app.conf.task_always_eager = True
    try:
        yield app
    finally:
        app.conf.task_always_eager = saved

"""factory_boy factories and small builders of the indicators app."""

from __future__ import annotations

import datetime as dt
from typing import Any

import factory
from django.utils import timezone

from indicators.models import (
    Actual,
    ActualChange,
    EducationalProgramme,
    PartnerAgreement,
    ProgrammeCategory,
    ProgrammeCohort,
)
from roadmap.events.rollups import rollups_kept
from roadmap.models import Event, EventReport, Organization
from roadmap.tests.factories import OrganizationFactory

NOW = dt.datetime(2024, 6, 15, 12, 0, tzinfo=dt.UTC)


class PartnerFactory(OrganizationFactory):
    kind = Organization.Kind.EMPLOYER
    short_name = factory.Sequence(lambda n: f"ООО «Партнёр {n}»")


class PartnerAgreementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PartnerAgreement

    partner = factory.SubFactory(PartnerFactory)
    organization = factory.SubFactory(OrganizationFactory, kind=Organization.Kind.COPP)
    number = factory.Sequence(lambda n: f"{n}/С")
    date = dt.date(2023, 3, 1)
    valid_from = dt.date(2023, 3, 1)
    valid_to = None
    subject = "О сотрудничестве в сфере опережающей профессиональной подготовки"


class EducationalProgrammeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = EducationalProgramme

    name = factory.Sequence(lambda n: f"Программа {n}")
    category = factory.LazyFunction(lambda: ProgrammeCategory.objects.order_by("order").first())
    developer = factory.SubFactory(OrganizationFactory, kind=Organization.Kind.COPP)
    approved_on = dt.date(2024, 3, 1)
    hours = 72


class ProgrammeCohortFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProgrammeCohort

    programme = factory.SubFactory(EducationalProgrammeFactory)
    year = 2024
    group = factory.Sequence(lambda n: f"группа {n}")
    completed = 20


def approved_actual(
    indicator: Any, organization: Organization, value: Any, *, year: int = 2024, period: str = "", at: dt.datetime = NOW
) -> Actual:
    """An approved value with its audit trail, written straight to the tables (fast, for selector tests)."""
    number, boolean = (None, value) if isinstance(value, bool) else (value, None)
    actual = Actual.objects.create(
        indicator=indicator,
        year=year,
        period=period,
        organization=organization,
        value_number=number,
        value_bool=boolean,
        status=Actual.Status.APPROVED,
        was_approved=True,
        created_at=at,
        updated_at=at,
        approved_at=at,
    )
    ActualChange.objects.create(actual=actual, action="approve", at=at, new_value=value, new_status="approved")
    return actual


def accepted_report(
    activity: Any,
    organizer: Organization,
    *,
    start: dt.date = dt.date(2024, 10, 1),
    total: int = 100,
    pupils: int | None = 60,
    status: str = EventReport.Status.ACCEPTED,
    cancelled: bool = False,
    accepted_at: dt.datetime | None = None,
) -> EventReport:
    due = timezone.make_aware(dt.datetime.combine(start + dt.timedelta(days=2), dt.time()))
    with rollups_kept() as kept:  # written past the services: the rollups kept as they keep them
        event = Event.objects.create(
            activity=activity,
            organizer=organizer,
            title=f"Мероприятие {activity.number}",
            start_date=start,
            end_date=start,
            due_at=due,
            cancelled_at=due if cancelled else None,
        )
        kept.created([event.pk])
        return EventReport.objects.create(
            event=event,
            summary="Проведено",
            participants_total=total,
            participants_pupils_6_11=pupils,
            status=status,
            submitted_at=due,
            on_time=True,
            due_at_submission=due,
            accepted_at=(accepted_at or due) if status == EventReport.Status.ACCEPTED else None,
        )

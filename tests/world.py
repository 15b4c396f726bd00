"""A populated tracker for the page tests: two organisations' events, reports,
evidence, actual values and notifications, growable to test query counts."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.core.files.base import ContentFile
from django.test import Client
from django.utils import timezone

from indicators.models import Actual, Indicator
from roadmap.events.rollups import rollups_kept
from roadmap.events.services import event_due_at
from roadmap.models import (
    Activity,
    Event,
    EventReport,
    EvidenceFile,
    Notification,
    Organization,
    Plan,
    User,
)
from roadmap.tests.factories import OrganizationFactory, UserFactory

SECRET = "СЕКРЕТ-Б"  # marks everything of organisation B that A's coordinator must never see
PNG = (  # a real 1×1 PNG: evidence must decode to the end
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00\x90wS\xde"
    b"\x00\x00\x00\x0cIDATx\xdac\xf8\xff\xff?\x00\x05\xfe\x02\xfe3\x12\x95\x14\x00\x00\x00\x00IEND\xaeB`\x82"
)


@dataclass
class World:
    plan: Plan
    org_a: Organization
    org_b: Organization
    ministry: User
    copp: User
    coord_a: User
    coord_b: User
    activity: Activity
    indicator: Indicator
    events_a: list[Event] = field(default_factory=list)
    events_b: list[Event] = field(default_factory=list)
    actuals_b: list[Actual] = field(default_factory=list)
    actual_a: Actual | None = None

    def grow(self, n: int) -> None:
        """Add ``n`` events (of every kind) per organisation, with reports, evidence,
        values and notices; also ``n`` further organisations with one event each."""
        for _ in range(n):
            self.events_a += _events(self, self.org_a, self.coord_a, "")
            self.events_b += _events(self, self.org_b, self.coord_b, SECRET)
            other = OrganizationFactory()
            _events(self, other, None, "")
        _actuals(self, n)


def held_event(activity: Activity, org: Organization, title: str, end: dt.date) -> Event:
    """A one-day event of ``activity`` written past the services (any day, any plan's
    activity), with the rollups kept as the services keep them."""
    with rollups_kept() as kept:
        event = Event.objects.create(
            activity=activity,
            organizer=org,
            title=title,
            start_date=end,
            end_date=end,
            municipality=org.municipality,
            due_at=event_due_at(plan=activity.plan, end_date=end),
        )
        kept.created([event.pk])
    return event


def _event(w: World, org: Organization, title: str, end: dt.date) -> Event:
    return held_event(w.activity, org, title, end)


def _report(event: Event, *, late: bool, status: str = "submitted", **extra: Any) -> EventReport:
    submitted = event.due_at + (dt.timedelta(hours=5) if late else -dt.timedelta(hours=5))
    with rollups_kept([event.pk]):
        return EventReport.objects.create(
            event=event,
            summary="Прошло по плану",
            participants_total=30,
            participants_pupils_6_11=20,
            status=status,
            submitted_at=submitted,
            due_at_submission=event.due_at,
            on_time=not late,
            **extra,
        )


def _events(w: World, org: Organization, coordinator: User | None, mark: str) -> list[Event]:
    today = timezone.localdate()
    last_year = dt.date(w.plan.last_year, 6, 10)
    tag = f"{mark} {org.pk}".strip()
    overdue = _event(w, org, f"{tag} просрочено", last_year)
    on_time = _event(w, org, f"{tag} в срок", last_year - dt.timedelta(days=3))
    late = _event(w, org, f"{tag} с опозданием", last_year - dt.timedelta(days=5))
    returned = _event(w, org, f"{tag} возвращено", last_year - dt.timedelta(days=7))
    planned = _event(w, org, f"{tag} запланировано", today + dt.timedelta(days=20))
    report = _report(on_time, late=False, status="accepted", accepted_at=on_time.due_at)
    _report(late, late=True)
    _report(
        returned,
        late=False,
        status="returned",
        return_reason=f"{tag} исправьте число участников",
        returned_at=returned.due_at,
        resubmission_due_at=returned.due_at + dt.timedelta(days=2),
    )
    evidence = EvidenceFile(
        report=report, original_name=f"{tag} фото.png", kind="photo", size=len(PNG), content_type="image/png"
    )
    evidence.file.save("photo.png", ContentFile(PNG), save=False)
    evidence.save()
    if coordinator is not None:
        Notification.objects.create(
            event=overdue,
            kind="overdue",
            recipient=f"user:{coordinator.pk}",
            user=coordinator,
            subject=f"{tag} отчёт просрочен",
            body="Подайте отчёт.",
            created_at=timezone.now(),
        )
    return [overdue, on_time, late, returned, planned]


def _actuals(w: World, n: int) -> None:
    numbers = list(
        Indicator.objects.filter(indicator_set__plan=w.plan, value_type="number")
        .exclude(source__kind="sum_of")
        .order_by("order")
    )  # totals are derived, never typed
    now = timezone.now()
    for org, mark in ((w.org_a, ""), (w.org_b, SECRET)):
        for k in range(n):
            indicator = numbers[(Actual.objects.filter(organization=org).count() // 3 + k) % len(numbers)]
            for status in ("draft", "submitted", "approved"):
                year = w.plan.first_year + ["draft", "submitted", "approved"].index(status)
                actual, _ = Actual.objects.get_or_create(
                    indicator=indicator,
                    year=year,
                    period="",
                    organization=org,
                    defaults={
                        "value_number": 7,
                        "status": status,
                        "evidence": f"{mark} {status}".strip(),
                        "created_at": now,
                        "updated_at": now,
                    },
                )
                if org == w.org_b and status != "approved":
                    w.actuals_b.append(actual)
                if org == w.org_a and status == "draft" and w.actual_a is None:
                    w.actual_a = actual


def build_world(plan: Plan) -> World:
    org_a = (
        Organization.objects.filter(kind="college", is_group=False, key__isnull=False).first() or OrganizationFactory()
    )
    org_b = OrganizationFactory(short_name="Колледж Б")
    w = World(
        plan=plan,
        org_a=org_a,
        org_b=org_b,
        ministry=UserFactory(role="ministry"),
        copp=UserFactory(role="copp"),
        coord_a=UserFactory(role="coordinator", organization=org_a),
        coord_b=UserFactory(role="coordinator", organization=org_b),
        activity=plan.activities.get(number=17),
        indicator=Indicator.objects.get(indicator_set__plan=plan, code="6"),
    )
    w.grow(1)
    return w


def logged_in(user: Any) -> Client:
    """A test client signed in as ``user``."""
    client = Client()
    client.force_login(user)
    return client


@dataclass
class Registries:
    """Organisation B's agreement, programme, cohort and an accepted event report,
    each counted by an indicator of the plan in its last year, all marked SECRET."""

    year: int
    report: EventReport
    agreement: Any
    programme: Any
    cohort: Any
    indicators: dict[str, Indicator]  # source kind -> the indicator that counts it


def add_registries(w: World) -> Registries:
    from indicators.models import (
        EducationalProgramme,
        IndicatorSource,
        PartnerAgreement,
        ProgrammeCategory,
        ProgrammeCohort,
    )
    from indicators.tests.factories import accepted_report

    def source(kind: str) -> IndicatorSource:
        return IndicatorSource.objects.filter(kind=kind, is_active=True).select_related("indicator").first()

    year = w.plan.last_year
    Kind = IndicatorSource.Kind
    reports, agreements, programmes = (
        source(Kind.EVENT_REPORTS),
        source(Kind.PARTNER_AGREEMENTS),
        source(Kind.PROGRAMMES),
    )
    # Colleges' records count here whatever the order's scope of these rows (ЦОПП only for 4.x, 5.x and 8).
    IndicatorSource.objects.filter(
        kind__in=[Kind.EVENT_REPORTS, Kind.PARTNER_AGREEMENTS, Kind.PROGRAMMES, Kind.COHORTS]
    ).update(scope="everyone")
    report = accepted_report(reports.activities.first(), w.org_b, start=dt.date(year, 3, 1))
    Event.objects.filter(pk=report.event_id).update(title=f"{SECRET} отчёт для показателя")
    agreement = PartnerAgreement.objects.create(
        partner=w.org_a,
        organization=w.org_b,
        activity=agreements.activities.first(),
        number=f"{SECRET}-1",
        date=dt.date(year, 1, 10),
        valid_from=dt.date(year, 1, 10),
        subject=f"{SECRET} соглашение",
    )
    category = programmes.categories.first() or ProgrammeCategory.objects.filter(indicator_set__plan=w.plan).first()
    programme = EducationalProgramme.objects.create(
        name=f"{SECRET} программа",
        category=category,
        developer=w.org_b,
        approved_on=dt.date(year, 2, 1),
        hours=72,
    )
    cohort = ProgrammeCohort.objects.create(programme=programme, year=year, group=f"{SECRET} группа", completed=12)
    counted = {s.kind: s.indicator for s in (reports, agreements, programmes, source(Kind.COHORTS))}
    return Registries(year, report, agreement, programme, cohort, counted)

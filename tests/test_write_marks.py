"""What is kept of events (a plan's figures, a region's timeliness and dashboard, an
activity's control points) is stamped by the writes to that plan's or region's events
(``roadmap.models.EventWrite``): another region's writes leave it kept, its own
writes (reports, cancellations, evidence, an organisation moving region) recompute it."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from copp.web import PlanYear
from reports.dashboard import snapshot as dashboard
from roadmap.accounts.permissions import organization_scope
from roadmap.events.memo import current_control_points, current_timeliness, events_stamp
from roadmap.events.services import ReportData, event_report_submit, evidence_add
from roadmap.models import Event, EventWrite, Organization, Region
from roadmap.tests.factories import ActivityFactory, OrganizationFactory, PlanFactory
from tests.world import PNG, World, held_event

pytestmark = pytest.mark.django_db


@pytest.fixture
def memo(settings: Any) -> int:
    settings.FIGURES_MEMO_SECONDS = 60
    return 60


def _elsewhere(world: World) -> Event:
    """A held event of another region's college under that region's own plan."""
    region = Region.objects.create(name="Регион Б", key="region-b", order=2)
    plan = PlanFactory(first_year=world.plan.first_year, last_year=world.plan.last_year, region=region)
    college = OrganizationFactory(short_name="Колледж региона Б", region=region)
    return held_event(ActivityFactory(section__plan=plan), college, "Событие региона Б", dt.date(plan.last_year, 3, 2))


def _report(event: Event) -> None:
    event_report_submit(
        user=None, event=event, data=ReportData(summary="Прошло", participants_total=5), now=timezone.now()
    )


def test_a_regions_timeliness_is_kept_while_another_region_writes(world: World, memo: int, monkeypatch: Any) -> None:
    from roadmap.events import memo as module

    computed: list[int] = []
    real = module.timeliness_figures

    def counting(**kwargs: Any) -> Any:
        computed.append(1)
        return real(**kwargs)

    monkeypatch.setattr(module, "timeliness_figures", counting)
    scope = organization_scope(world.ministry)
    assert scope.region, "the ministry of the order's region sees its region"
    other = _elsewhere(world)
    assert other.region_id != world.events_a[0].region_id
    now = timezone.now()

    def ask() -> None:
        current_timeliness(now=now, by="organization", scope=scope)

    ask()
    _report(other)
    ask()
    assert len(computed) == 1, "another region's report leaves the region's timeliness kept"
    _report(world.events_a[0])
    ask()
    assert len(computed) == 2, "a report of the region recomputes it"
    # Every event's stamp (a reader who sees every region) moves with either.
    everything = events_stamp()
    _report(held_event(other.activity, other.organizer, "Ещё одно событие региона Б", other.end_date))
    assert events_stamp() != everything


def test_a_regions_dashboard_stays_fresh_while_another_region_writes(world: World) -> None:
    scope = organization_scope(world.ministry)
    other = _elsewhere(world)
    py = PlanYear(plan=world.plan, year=world.plan.last_year)
    now = timezone.now()
    snapshot = dashboard.build_snapshot(py, now=now, scope=scope)
    _report(other)
    assert snapshot.is_fresh(stamp=dashboard.current_stamp(world.plan, scope), now=now)
    # The federal view (every region) goes stale with it.
    everything = dashboard.build_snapshot(py, now=now, scope=dashboard.EVERYTHING)
    _report(world.events_b[0])
    assert not snapshot.is_fresh(stamp=dashboard.current_stamp(world.plan, scope), now=now)
    assert not everything.is_fresh(stamp=dashboard.current_stamp(world.plan, dashboard.EVERYTHING), now=now)


def test_evidence_moves_the_stamp_of_its_events_plan(
    world: World, memo: int, settings: Any, tmp_path: Any, monkeypatch: Any
) -> None:
    settings.MEDIA_ROOT = tmp_path
    event = world.events_a[0]
    _report(event)
    event.refresh_from_db()
    from roadmap.events import memo as module

    computed: list[int] = []
    real = module.control_points_of

    def counting(*args: Any, **kwargs: Any) -> Any:
        computed.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(module, "control_points_of", counting)
    stamp = events_stamp(plan_id=world.plan.pk)
    today, now = timezone.localdate(), timezone.now()
    current_control_points(world.activity, today=today, now=now)
    current_control_points(world.activity, today=today, now=now)
    assert len(computed) == 1
    evidence_add(user=None, report=event.report, upload=SimpleUploadedFile("фото.png", PNG, "image/png"))
    assert events_stamp(plan_id=world.plan.pk) != stamp
    current_control_points(world.activity, today=today, now=now)
    assert len(computed) == 2, "evidence added: the activity's control points are recomputed"


def test_an_organisation_moving_region_moves_both_regions_stamps(world: World) -> None:
    other = _elsewhere(world)
    region_a = organization_scope(world.ministry)
    region_b = type(region_a)(region=True, region_id=other.region_id)
    stamps = (events_stamp(scope=region_a), events_stamp(scope=region_b))
    college = Organization.objects.get(pk=world.org_b.pk)
    college.region_id = other.region_id
    college.save()
    assert events_stamp(scope=region_a) != stamps[0] and events_stamp(scope=region_b) != stamps[1]
    assert EventWrite.objects.filter(region_id=other.region_id, plan__isnull=True).exists()

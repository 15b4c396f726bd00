"""The federal comparison of regions: the page and the API, who may open them,
figures equal to a direct computation, queries that do not grow with regions."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.cache import cache
from django.db import connection
from django.db.models import Q
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from indicators.selectors import FigureStatus, indicator_figures
from reports import regions
from reports.dashboard.snapshot import SNAPSHOT_MAX_AGE
from roadmap.events.selectors import timeliness_figures
from roadmap.events.services import ReportData, event_report_submit
from roadmap.models import Event, Plan, Region
from roadmap.plans.loader import DATA_DIR, plan_load
from roadmap.tests.factories import MunicipalityFactory, OrganizationFactory, PlanFactory
from tests.world import World, _events, logged_in

pytestmark = pytest.mark.django_db


def api(user: Any) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def region_b(world: World) -> Region:
    region = Region.objects.create(name="Регион Б", key="region-b", order=2)
    municipality = MunicipalityFactory(name="Город Б", region=region)
    world.org_b.region, world.org_b.municipality = region, municipality
    world.org_b.save()  # its events move with it (Event.region)
    world.org_b.refresh_from_db()
    return region


@pytest.fixture
def federal(make_user: Any) -> Any:
    return make_user("federal")


def _direct_events(year: int, where: Q) -> Any:
    return timeliness_figures(now=timezone.now(), by="total", year=year, events=Event.objects.filter(where)).total


def _direct_indicators(plan: Plan, year: int) -> tuple[int, int]:
    figures = [f for f in indicator_figures(plan, years=[year], now=timezone.now()).values() if f.status is not None]
    return len(figures), sum(1 for f in figures if f.status == FigureStatus.ACHIEVED)


def test_the_figures_equal_a_direct_computation(world: World, region_b: Region, federal: Any) -> None:
    year = world.plan.last_year
    example = plan_load(path=DATA_DIR / "plans" / "examples" / "tula_2026_2028_example.yaml")
    assert example.counts  # loaded
    Plan.objects.filter(key="tula-example-2026-2028").update(region=region_b)
    response = api(federal).get(f"/api/v1/regions/comparison/?year={year}")
    assert response.status_code == 200, response.content
    lines = {line["region"]["key"]: line for line in response.json()["regions"]}
    assert set(lines) == {"tula", "region-b"}

    tula = Region.objects.get(key="tula")
    for key, where in (
        ("tula", Q(organizer__region=tula) | Q(organizer__region__isnull=True)),
        ("region-b", Q(organizer__region=region_b)),
    ):
        direct = _direct_events(year, where)
        assert direct.held > 0, key
        got = lines[key]["events"]
        assert (got["held"], got["due"], got["on_time"], got["late"], got["missing"]) == (
            direct.held,
            direct.due,
            direct.on_time,
            direct.late,
            direct.missing,
        ), key
    assert lines["tula"]["plan"] == world.plan.key
    with_target, achieved = _direct_indicators(world.plan, year)
    assert with_target > 0
    assert (lines["tula"]["indicators"], lines["tula"]["achieved"]) == (with_target, achieved)
    assert lines["region-b"]["plan"] is None and lines["region-b"]["indicators"] == 0
    total = response.json()["total"]
    assert total["held"] == lines["tula"]["events"]["held"] + lines["region-b"]["events"]["held"]

    # The next year: region B's own plan counts, the Tula region has none.
    later = api(federal).get("/api/v1/regions/comparison/?year=2026").json()
    by_key = {line["region"]["key"]: line for line in later["regions"]}
    example_plan = Plan.objects.get(key="tula-example-2026-2028")
    assert by_key["region-b"]["plan"] == example_plan.key
    assert (by_key["region-b"]["indicators"], by_key["region-b"]["achieved"]) == _direct_indicators(example_plan, 2026)
    assert by_key["tula"]["plan"] is None

    page = logged_in(federal).get(f"/regions/?year={year}")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Регион Б" in html and "Тульская область" in html


def test_only_the_federal_level_and_administrators_open_it(world: World, region_b: Region, make_user: Any) -> None:
    year = world.plan.last_year
    for user in (world.ministry, world.copp, world.coord_a):
        assert logged_in(user).get("/regions/").status_code == 403
        assert api(user).get(f"/api/v1/regions/comparison/?year={year}").status_code == 403
        assert api(user).get("/api/v1/regions/").status_code == 403
    assert APIClient().get("/api/v1/regions/").status_code in (401, 403)
    assert logged_in(world.ministry).get("/regions/").status_code == 403
    anonymous = APIClient().get("/regions/")
    assert anonymous.status_code == 302 and "/login/" in anonymous["Location"]
    admin = make_user("admin")
    assert logged_in(admin).get("/regions/").status_code == 200
    regions = api(admin).get("/api/v1/regions/").json()
    assert [r["key"] for r in regions] == ["tula", "region-b"]


def test_a_bad_year_is_refused(world: World, federal: Any) -> None:
    for bad in ("abc", "1999", "2100"):
        assert api(federal).get(f"/api/v1/regions/comparison/?year={bad}").status_code == 400, bad
        assert logged_in(federal).get(f"/regions/?year={bad}").status_code == 400, bad
    assert api(federal).get("/api/v1/regions/comparison/").status_code == 200  # this year, clamped


def _add_regions(world: World, n: int, start: int) -> None:
    for k in range(start, start + n):
        region = Region.objects.create(name=f"Регион {k}", key=f"r{k}", order=k)
        PlanFactory(region=region, first_year=world.plan.first_year, last_year=world.plan.last_year)
        org = OrganizationFactory(region=region, municipality=MunicipalityFactory(region=region))
        _events(world, org, None, "")


def test_queries_do_not_grow_with_the_number_of_regions(world: World, federal: Any) -> None:
    year = world.plan.last_year
    client = api(federal)

    def count() -> int:
        cache.clear()  # the computation itself, not the snapshot of an earlier request
        with CaptureQueriesContext(connection) as queries:
            assert client.get(f"/api/v1/regions/comparison/?year={year}").status_code == 200
        return len(queries)

    _add_regions(world, 1, 10)
    count()  # the first request of a client does one-off work
    few = count()
    _add_regions(world, 4, 20)
    assert count() == few
    assert len(client.get(f"/api/v1/regions/comparison/?year={year}").json()["regions"]) == 6


def test_the_federal_user_reads_every_region_and_writes_nothing(world: World, region_b: Region, federal: Any) -> None:
    client = logged_in(federal)
    assert "Колледж Б" in client.get("/dashboard/timeliness/").content.decode()
    assert client.get("/events/new/").status_code == 403
    nav = client.get("/regions/").content.decode()
    assert 'href="/regions/"' in nav
    assert 'href="/regions/"' not in logged_in(world.ministry).get("/events/").content.decode()


def _file_report(world: World) -> None:
    event_report_submit(
        user=None, event=world.events_a[0], data=ReportData(summary="Прошло", participants_total=3), now=timezone.now()
    )


def test_the_comparison_is_served_from_a_snapshot_recomputed_in_the_background(
    world: World, federal: Any, settings: Any, django_capture_on_commit_callbacks: Any, eager_celery: None
) -> None:
    settings.DASHBOARD_REFRESH = "celery"
    year = world.plan.last_year
    client = api(federal)
    url = f"/api/v1/regions/comparison/?year={year}"
    first = client.get(url).json()
    assert first["fresh"] is True
    missing = first["total"]["missing"]
    assert missing > 0
    with CaptureQueriesContext(connection) as served:
        assert client.get(url).json() == first
    assert not any("roadmap_eventrollup" in q["sql"] for q in served.captured_queries), "served, not recomputed"

    _file_report(world)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        stale = client.get(url).json()
        again = client.get(url).json()  # a second viewer does not start a second computation
    assert stale["fresh"] is False and again["fresh"] is False
    assert stale["total"] == first["total"], "the old figures are served at once"
    assert len(callbacks) == 1
    page = logged_in(federal).get(f"/regions/?year={year}").content.decode()
    assert "пересчитываются" in page

    callbacks[0]()  # the worker (eager here) recomputes and frees the lock
    fresh = client.get(url).json()
    assert fresh["fresh"] is True
    assert fresh["total"]["missing"] == missing - 1
    assert fresh["total"] == _totals(_direct_events(year, Q()))
    assert "пересчитываются" not in logged_in(federal).get(f"/regions/?year={year}").content.decode()


def _totals(row: Any) -> dict[str, Any]:
    return {name: getattr(row, name) for name in (*regions.COUNTED[:6], "on_time_pct")}


def test_an_old_snapshot_is_recomputed_even_without_writes(world: World, settings: Any) -> None:
    """Reports turn overdue at midnight with no write: a snapshot older than the limit is stale."""
    year = world.plan.last_year
    now = timezone.now()
    built = regions.build_comparison(year=year, now=now)
    assert regions.comparison_snapshot(year=year, now=now + SNAPSHOT_MAX_AGE - dt.timedelta(seconds=1)) == (
        built,
        True,
    )
    later = now + SNAPSHOT_MAX_AGE
    snapshot, fresh = regions.comparison_snapshot(year=year, now=later, mode="inline")
    assert fresh and snapshot.computed_at == later
    regions.build_comparison(year=year, now=now)  # a slow computation finishing late
    assert regions.cached_comparison(year).computed_at == later, "an older result does not replace a newer one"


def test_a_broker_that_is_down_still_serves_the_comparison(
    world: World, federal: Any, settings: Any, monkeypatch: Any
) -> None:
    from reports import background

    def down(*args: Any, **kwargs: Any) -> None:
        raise ConnectionError("broker unreachable")

    monkeypatch.setattr(regions.refresh_region_comparison, "delay", down)
    monkeypatch.setattr(background.transaction, "on_commit", lambda fn: fn())
    settings.DASHBOARD_REFRESH = "celery"
    year = world.plan.last_year
    url = f"/api/v1/regions/comparison/?year={year}"
    first = api(federal).get(url).json()
    _file_report(world)
    stale = api(federal).get(url)
    assert stale.status_code == 200 and stale.json()["total"] == first["total"]
    assert cache.get(regions._lock_key(year)) is None, "the next view retries"

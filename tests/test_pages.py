"""Every HTML page: a constant number of SQL queries at two data sizes, and a
coordinator never sees or changes another organisation's events, reports,
drafts or notices."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from indicators.models import Actual
from reports.models import ReportFile
from roadmap.models import Event, EventReport
from tests.world import SECRET, World, logged_in

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


def _pages(w: World) -> dict[str, list[str]]:
    """URL of every page, per kind of user."""
    event = w.events_a[1]  # accepted report with evidence
    returned = w.events_a[3]
    report = ReportFile.objects.create(kind="roadmap", plan=w.plan, year=w.plan.last_year, status="done")
    year = w.plan.last_year
    common = [
        "/activities/",
        f"/activities/?year={year}&q=проф",
        f"/activities/{w.activity.pk}/",
        "/indicators/",
        f"/indicators/{w.indicator.pk}/?year={year}",
        "/events/",
        "/events/?report_status=overdue",
        f"/events/?timeliness=late&year={year}",
        f"/events/{event.pk}/",
        "/actuals/",
        "/inbox/",
        "/events/new/",
    ]
    return {
        "ministry": [
            *common,
            "/dashboard/",
            f"/dashboard/?year={year - 1}",
            "/reports/",
            f"/reports/{report.pk}/",
            "/actuals/?status=submitted",
            f"/actuals/{w.actuals_b[0].pk}/",
        ],
        "coord_a": [
            *common,
            "/tasks/",
            "/imports/",
            f"/events/{returned.pk}/report/",
            "/actuals/new/",
            f"/actuals/{w.actual_a.pk}/",
        ],
    }


def _count(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return len(queries.captured_queries)


@pytest.mark.parametrize("who", ["ministry", "coord_a"])
def test_it_runs_a_constant_number_of_queries_at_two_data_sizes(world: World, who: str) -> None:
    client = logged_in(getattr(world, who))
    pages = _pages(world)[who]
    small = {url: _count(client, url) for url in pages}
    world.grow(6)
    assert Event.objects.count() == 7 * 3 * 5  # seven times the events of the first count
    large = {url: _count(client, url) for url in pages}
    assert large == small


def test_it_keeps_the_dashboard_within_a_query_budget(world: World) -> None:
    client = logged_in(world.ministry)
    url = f"/dashboard/?year={world.plan.last_year}"
    # 35 before the «Проверки» panel, which adds a fixed ~10 (the rules, the targets, the sources, one count per total),
    # and one for the ministry's region (whose snapshot to serve)
    assert _count(client, url) <= 46
    assert _count(client, url) <= 12  # the figures come from the cache


def test_it_never_shows_a_coordinator_another_organisations_records(world: World) -> None:
    world.grow(2)
    client = logged_in(world.coord_a)
    for url in _pages(world)["coord_a"]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert SECRET not in response.content.decode(), url


def test_it_hides_another_organisations_event_report_and_evidence(world: World) -> None:
    client = logged_in(world.coord_a)
    theirs = world.events_b[1]
    evidence = theirs.report.evidence.first()
    for url in (f"/events/{theirs.pk}/", f"/events/{theirs.pk}/report/", f"/evidence/{evidence.pk}/"):
        assert client.get(url).status_code == 404, url


def test_it_refuses_every_write_on_another_organisations_event(world: World) -> None:
    client = logged_in(world.coord_a)
    overdue, returned, planned = world.events_b[0], world.events_b[3], world.events_b[4]
    before = EventReport.objects.count()
    client.post(f"/events/{overdue.pk}/report/", {"summary": "чужой", "participants_total": 5})
    client.post(f"/events/{returned.pk}/report/", {"summary": "чужой", "participants_total": 5})
    client.post(f"/events/{returned.pk}/accept/", {})
    client.post(f"/events/{planned.pk}/cancel/", {"reason": "чужое"})
    client.post(f"/events/{returned.pk}/evidence/", {"kind": "photo"})
    assert EventReport.objects.count() == before
    returned.report.refresh_from_db()
    planned.refresh_from_db()
    assert returned.report.summary == "Прошло по плану" and returned.report.status == "returned"
    assert planned.cancelled_at is None


def test_it_hides_and_protects_another_organisations_drafts(world: World) -> None:
    client = logged_in(world.coord_a)
    for actual in world.actuals_b:
        assert client.get(f"/actuals/{actual.pk}/").status_code == 404
        assert client.post(f"/actuals/{actual.pk}/", {"value": "999", "version": actual.version}).status_code == 404
        assert client.post(f"/actuals/{actual.pk}/submit/", {}).status_code == 404
    for actual in world.actuals_b:
        fresh = Actual.objects.get(pk=actual.pk)
        assert (fresh.value_number, fresh.status) == (actual.value_number, actual.status)


def test_it_does_not_let_a_coordinator_register_for_another_organisation(world: World) -> None:
    client = logged_in(world.coord_a)
    response = client.post(
        "/events/new/",
        {
            "activity": world.activity.pk,
            "organizer": world.org_b.pk,
            "title": "Чужое",
            "start_date": "2025-03-03",
            "format": "in_person",
        },
    )
    assert response.status_code == 200  # the form says the choice is not valid
    assert not Event.objects.filter(title="Чужое").exists()


def test_it_keeps_ministry_pages_from_coordinators(world: World) -> None:
    client = logged_in(world.coord_a)
    report = ReportFile.objects.create(kind="roadmap", plan=world.plan, year=2025, status="done")
    assert client.get("/dashboard/").status_code == 403
    assert client.get("/reports/").status_code == 403
    assert client.get(f"/reports/{report.pk}/").status_code == 404
    assert client.get(f"/reports/{report.pk}/download/").status_code == 404


def test_the_activity_page_reads_its_responsible_organisations_at_once(world: World) -> None:
    """However many responsible organisations an activity names, each with its
    municipality, the page reads them in the same number of queries."""
    from roadmap.models import Responsibility
    from roadmap.tests.factories import MunicipalityFactory, OrganizationFactory

    client = logged_in(world.ministry)
    url = f"/activities/{world.activity.pk}/"

    def name(n: int) -> None:
        for i in range(n):
            org = OrganizationFactory(municipality=MunicipalityFactory())
            Responsibility.objects.create(activity=world.activity, organization=org, order=100 + i)

    name(1)
    client.get(url)  # kept figures (the control points) are computed once
    one = _count(client, url)
    name(4)
    page = client.get(url).content.decode()
    assert _count(client, url) == one
    shown = Responsibility.objects.filter(activity=world.activity, organization__municipality__isnull=False)
    assert all(r.organization.municipality.name in page for r in shown)

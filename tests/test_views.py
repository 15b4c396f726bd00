"""The HTML views call the services and say what went wrong, by field."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from indicators.models import Actual
from reports.models import ReportFile
from roadmap.events.services import event_due_at
from roadmap.models import Event, EventReport, Notification
from tests.world import PNG, World, logged_in

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


def test_it_sends_each_role_to_its_home(world: World) -> None:
    assert logged_in(world.coord_a).get("/").url == "/tasks/"
    assert logged_in(world.ministry).get("/").url == "/dashboard/"
    assert logged_in(world.copp).get("/").url == "/dashboard/"
    from roadmap.tests.factories import UserFactory

    assert logged_in(UserFactory()).get("/").status_code == 403
    assert Client().get("/").url.startswith("/login/")


def test_it_registers_an_event_for_the_coordinators_organisation(world: World) -> None:
    client = logged_in(world.coord_a)
    day = dt.date(world.plan.last_year, 11, 3)  # an event belongs to the plan whose period holds it
    response = client.post(
        "/events/new/",
        {
            "activity": world.activity.pk,
            "organizer": world.org_a.pk,
            "title": "Проба «Повар»",
            "start_date": day.isoformat(),
            "format": "in_person",
        },
    )
    event = Event.objects.get(title="Проба «Повар»")
    assert response.url == f"/events/{event.pk}/"
    assert event.organizer == world.org_a and event.due_at == event_due_at(plan=world.plan, end_date=day)


def test_it_names_the_field_when_the_service_refuses_an_event(world: World) -> None:
    client = logged_in(world.coord_a)
    response = client.post(
        "/events/new/",
        {
            "activity": world.activity.pk,
            "organizer": world.org_a.pk,
            "title": "Неверные даты",
            "start_date": "10.03.2025",
            "end_date": "01.03.2025",
            "format": "in_person",
        },
    )
    assert response.status_code == 200
    assert "Последний день не может быть раньше первого." in response.context["form"].errors["end_date"]
    assert not Event.objects.filter(title="Неверные даты").exists()


def test_it_files_a_report_with_evidence_and_keeps_the_form_on_error(world: World) -> None:
    client = logged_in(world.coord_a)
    event = world.events_a[0]
    bad = client.post(f"/events/{event.pk}/report/", {"summary": "Прошло", "participants_total": "-1", "kind": "photo"})
    assert bad.status_code == 200 and "participants_total" in bad.context["form"].errors
    assert not EventReport.objects.filter(event=event).exists()
    upload = SimpleUploadedFile("фото.png", PNG, "image/png")
    response = client.post(
        f"/events/{event.pk}/report/",
        {"summary": "Прошло", "participants_total": "12", "kind": "photo", "files": [upload]},
    )
    assert response.status_code == 302
    report = EventReport.objects.get(event=event)
    assert report.participants_total == 12 and not report.on_time  # the event was long ago
    assert [e.original_name for e in report.evidence.all()] == ["фото.png"]


def test_it_answers_htmx_with_a_redirect_header(world: World) -> None:
    client = logged_in(world.coord_a)
    event = world.events_a[0]
    response = client.post(
        f"/events/{event.pk}/report/",
        {"summary": "Прошло", "participants_total": "5", "kind": "photo"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 204 and response["HX-Redirect"] == f"/events/{event.pk}/"


def test_it_refuses_a_file_of_the_wrong_type_but_keeps_the_report(world: World) -> None:
    client = logged_in(world.coord_a)
    event = world.events_a[0]
    upload = SimpleUploadedFile("virus.exe", b"MZ" + b"\x00" * 100, "application/octet-stream")
    client.post(
        f"/events/{event.pk}/report/",
        {"summary": "Прошло", "participants_total": "5", "kind": "other", "files": [upload]},
    )
    page = client.get(f"/events/{event.pk}/")
    assert "не принят" in page.content.decode()
    assert EventReport.objects.get(event=event).evidence.count() == 0


def test_it_lets_staff_return_a_report_with_a_reason_and_tells_the_coordinator(world: World) -> None:
    late = world.events_a[2]
    client = logged_in(world.ministry)
    client.post(f"/events/{late.pk}/return/", {"reason": "", "version": late.report.version})
    assert EventReport.objects.get(pk=late.report.pk).status == "submitted"
    client.post(f"/events/{late.pk}/return/", {"reason": "Добавьте фото", "version": late.report.version})
    report = EventReport.objects.get(pk=late.report.pk)
    assert report.status == "returned" and report.return_reason == "Добавьте фото"
    assert Notification.objects.filter(event=late, kind="returned", user=world.coord_a).exists()


def test_it_refuses_a_stale_review(world: World) -> None:
    late = world.events_a[2]
    client = logged_in(world.ministry)
    response = client.post(f"/events/{late.pk}/accept/", {"version": late.report.version - 1 or 99}, follow=True)
    assert "изменено другим пользователем" in response.content.decode()
    assert EventReport.objects.get(pk=late.report.pk).status == "submitted"


def test_it_runs_an_actual_value_from_draft_to_approval(world: World) -> None:
    coordinator, ministry = logged_in(world.coord_a), logged_in(world.ministry)
    response = coordinator.post(
        "/actuals/new/",
        {
            "indicator": world.indicator.pk,
            "organization": world.org_a.pk,
            "year": "2024",
            "period": "q1",
            "value": "40",
        },
    )
    actual = Actual.objects.get(indicator=world.indicator, organization=world.org_a, year=2024, period="q1")
    assert response.url == f"/actuals/{actual.pk}/" and actual.status == "draft"
    coordinator.post(f"/actuals/{actual.pk}/approve/", {"version": actual.version})
    assert Actual.objects.get(pk=actual.pk).status == "draft"  # a coordinator cannot approve
    coordinator.post(f"/actuals/{actual.pk}/submit/", {"version": actual.version})
    actual.refresh_from_db()
    ministry.post("/actuals/approve/", {"ids": [actual.pk]})
    assert Actual.objects.get(pk=actual.pk).status == "approved"


def test_it_says_what_is_wrong_with_a_value(world: World) -> None:
    coordinator = logged_in(world.coord_a)
    response = coordinator.post(
        "/actuals/new/",
        {"indicator": world.indicator.pk, "organization": world.org_a.pk, "year": "2024", "value": "-5"},
    )
    assert response.status_code == 200 and response.context["form"].errors["value"]
    yes_no = world.plan.indicator_set.indicators.get(code="1")
    response = coordinator.post(
        "/actuals/new/", {"indicator": yes_no.pk, "organization": world.org_a.pk, "year": "2024", "value": "12"}
    )
    assert response.context["form"].errors["value"] == ["Введите «да» или «нет»."]


def test_it_builds_a_requested_report_and_serves_it(
    world: World, django_capture_on_commit_callbacks: Any, eager_celery: None
) -> None:
    client = logged_in(world.ministry)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/reports/", {"kind": "timeliness", "year": str(world.plan.last_year)})
    report = ReportFile.objects.get()
    assert response.url == f"/reports/{report.pk}/"
    progress = client.get(f"/reports/{report.pk}/", HTTP_HX_REQUEST="true")
    assert "Скачать" in progress.content.decode()
    download = client.get(f"/reports/{report.pk}/download/")
    assert download["Content-Disposition"].startswith("attachment")


def test_it_refuses_a_report_for_a_year_outside_the_plan(world: World) -> None:
    response = logged_in(world.ministry).post("/reports/", {"kind": "roadmap", "year": "2031"})
    assert response.status_code == 200 and response.context["form"].errors["year"]


def test_it_marks_notifications_read(world: World) -> None:
    client = logged_in(world.coord_a)
    assert Notification.objects.filter(user=world.coord_a, read_at__isnull=True).count() == 1
    client.post("/inbox/", {})
    assert Notification.objects.filter(user=world.coord_a, read_at__isnull=True).count() == 0


def test_it_filters_events_so_that_every_dashboard_number_opens_its_events(world: World) -> None:
    from roadmap.events.selectors import timeliness_figures

    world.grow(2)
    client = logged_in(world.ministry)
    year = world.plan.last_year
    figures = timeliness_figures(now=timezone.now(), by="organization", plan=world.plan, year=year)
    for row in figures.rows:
        for column in ("held", "due", "on_time", "late", "missing"):
            page = client.get(f"/events/?year={year}&organizer={row.key}&timeliness={column}")
            assert page.context["page"].paginator.count == getattr(row, column), (row.label, column)

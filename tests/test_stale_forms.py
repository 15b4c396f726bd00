"""Web forms carry the version they were shown and never overwrite a newer
state: a stale form says «изменено другим пользователем», a second "file the
report" form says the report is already filed (the threaded races are in
tests/test_races.py)."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone

from indicators import services as actual_services
from indicators.models import Actual, ActualChange
from roadmap.events import services
from roadmap.models import Event, EventReport
from tests.world import World, logged_in

pytestmark = pytest.mark.django_db

STALE = "изменено другим пользователем"
REPORT = {"summary": "Прошло по плану", "participants_total": "30", "kind": "other"}


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = str(tmp_path)


def test_it_shows_the_version_in_the_report_forms(world: World) -> None:
    client = logged_in(world.coord_a)
    first = client.get(f"/events/{world.events_a[0].pk}/report/").content.decode()
    assert 'name="version"' in first  # empty: the form files the first report
    returned = world.events_a[3]
    fix = client.get(f"/events/{returned.pk}/report/").content.decode()
    assert f'name="version" value="{returned.report.version}"' in fix
    detail = client.get(f"/events/{world.events_a[4].pk}/").content.decode()
    assert f'name="version" value="{world.events_a[4].version}"' in detail  # the cancel form


def test_it_refuses_a_first_report_form_once_someone_has_filed_the_report(world: World) -> None:
    """Before: the form (opened with no report) turned into a correction and overwrote it."""
    event = world.events_a[0]
    services.event_report_submit(
        user=world.coord_a,
        event=event,
        data=services.ReportData(summary="Первый", participants_total=12),
        now=timezone.now(),
    )
    response = logged_in(world.coord_a).post(f"/events/{event.pk}/report/", REPORT | {"version": ""})
    assert response.status_code == 200
    assert "уже подан" in response.content.decode()
    report = EventReport.objects.get(event=event)
    assert (report.summary, report.participants_total, report.version) == ("Первый", 12, 1)


def test_it_refuses_a_stale_correction_of_a_returned_report(world: World) -> None:
    returned = world.events_a[3].report
    opened = returned.version
    services.event_report_resubmit(
        user=world.coord_a,
        report=returned,
        data=services.ReportData(summary="Исправлено коллегой", participants_total=31),
        now=timezone.now(),
        expected_version=opened,
    )
    response = logged_in(world.coord_a).post(f"/events/{returned.event_id}/report/", REPORT | {"version": opened})
    assert response.status_code == 200 and STALE in response.content.decode()
    returned.refresh_from_db()
    assert (returned.summary, returned.version) == ("Исправлено коллегой", opened + 1)


def test_it_corrects_a_returned_report_with_the_right_version(world: World) -> None:
    returned = world.events_a[3].report
    response = logged_in(world.coord_a).post(
        f"/events/{returned.event_id}/report/", REPORT | {"version": returned.version}
    )
    assert response.status_code == 302
    returned.refresh_from_db()
    assert (returned.status, returned.summary, returned.version) == ("submitted", "Прошло по плану", 2)


@pytest.mark.parametrize("version", ["", "stale"])
def test_it_refuses_a_review_without_the_current_version(world: World, version: str) -> None:
    late = world.events_a[2].report
    sent = "" if version == "" else str(late.version + 5)
    page = logged_in(world.ministry).post(f"/events/{late.event_id}/accept/", {"version": sent}, follow=True)
    assert STALE in page.content.decode()
    late.refresh_from_db()
    assert (late.status, late.version) == ("submitted", 1)


def test_it_cancels_an_event_only_from_a_form_of_its_current_version(world: World) -> None:
    planned = world.events_a[0]  # no report yet, dated inside the plan
    client = logged_in(world.coord_a)
    services.event_update(user=world.coord_a, event=Event.objects.get(pk=planned.pk), title="Перенесено")
    page = client.post(f"/events/{planned.pk}/cancel/", {"reason": "Карантин", "version": planned.version}, follow=True)
    assert STALE in page.content.decode()
    assert Event.objects.get(pk=planned.pk).cancelled_at is None
    assert Event.objects.get(pk=planned.pk).title == "Перенесено"
    current = Event.objects.get(pk=planned.pk).version
    client.post(f"/events/{planned.pk}/cancel/", {"reason": "Карантин", "version": current})
    assert Event.objects.get(pk=planned.pk).cancelled_at is not None


@pytest.mark.parametrize("action", ["submit", "approve", "return", "reopen"])
def test_it_refuses_a_value_action_without_a_version(world: World, action: str) -> None:
    actual = world.actual_a
    assert actual is not None
    changes = ActualChange.objects.count()
    user = world.coord_a if action == "submit" else world.ministry
    page = logged_in(user).post(f"/actuals/{actual.pk}/{action}/", {"reason": "Проверить"}, follow=True)
    assert STALE in page.content.decode()
    assert ActualChange.objects.count() == changes


def test_it_refuses_a_stale_approval_and_edit_of_a_value(world: World) -> None:
    actual = world.actual_a
    assert actual is not None
    seen = actual.version
    actual_services.actual_submit(actual=actual, user=world.coord_a, now=timezone.now(), version=seen)
    page = logged_in(world.ministry).post(f"/actuals/{actual.pk}/approve/", {"version": seen}, follow=True)
    assert STALE in page.content.decode()
    assert Actual.objects.get(pk=actual.pk).status == "submitted"
    actual_services.actual_return(
        actual=actual, user=world.ministry, now=timezone.now(), reason="Уточнить", version=seen + 1
    )
    edit = logged_in(world.coord_a).post(f"/actuals/{actual.pk}/", {"value": "8", "evidence": "", "version": seen + 1})
    assert STALE in edit.content.decode()
    assert Actual.objects.get(pk=actual.pk).value_number == 7


def test_it_answers_a_second_value_for_the_same_key_as_already_existing(world: World) -> None:
    data = {
        "indicator": world.indicator.pk,
        "organization": world.org_a.pk,
        "year": "2024",
        "period": "q2",
        "value": "3",
    }
    client = logged_in(world.coord_a)
    assert client.post("/actuals/new/", data).status_code == 302
    again = client.post("/actuals/new/", data)
    assert again.status_code == 200 and "уже есть" in again.content.decode()
    assert (
        Actual.objects.filter(indicator=world.indicator, organization=world.org_a, year=2024, period="q2").count() == 1
    )


def test_it_asks_for_the_reason_of_a_cancellation_not_for_a_reload(world: World) -> None:
    planned = world.events_a[4]
    page = logged_in(world.coord_a).post(
        f"/events/{planned.pk}/cancel/", {"reason": "", "version": planned.version}, follow=True
    )
    assert "Укажите причину отмены" in page.content.decode()
    assert Event.objects.get(pk=planned.pk).cancelled_at is None

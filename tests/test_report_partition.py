"""The breakdowns of an event report partition its total, at every door; the form's participant list.

Pupils of grades 6–11, students and adults are disjoint groups of the
participants, so together they may not exceed the total; the 50+ are some
of the adults. The one rule lives in ``roadmap.events.services._check_partition``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from rest_framework.test import APIClient

from roadmap.events.services import ReportData, _clean_report
from roadmap.models import EventReport
from tests.world import World, logged_in

pytestmark = pytest.mark.django_db

PEOPLE_LINES = "Иванова; Мария; 14.03.2010; школьник; 8\nПетров; Пётр; 112-233-445 95; студент;\n"
OVER = {"participants_total": 10, "participants_pupils_6_11": 6, "participants_students": 6}


def test_it_refuses_parts_that_add_up_to_more_than_the_total_naming_each_field() -> None:
    with pytest.raises(ValidationError) as caught:
        _clean_report(ReportData(summary="Прошло", **OVER))
    errors = caught.value.message_dict
    assert set(errors) == {"participants_total", "participants_pupils_6_11", "participants_students"}
    assert "6 + 6 = 12" in errors["participants_students"][0] and "(10)" in errors["participants_students"][0]


def test_it_refuses_more_people_aged_50_plus_than_adults() -> None:
    with pytest.raises(ValidationError) as caught:
        _clean_report(ReportData(summary="x", participants_total=10, participants_adults=3, participants_50_plus=4))
    assert set(caught.value.message_dict) == {"participants_adults", "participants_50_plus"}


@pytest.mark.parametrize(
    "figures",
    [
        {"participants_total": 10, "participants_pupils_6_11": 4, "participants_students": 3, "participants_adults": 3},
        {"participants_total": 10, "participants_pupils_6_11": 2},  # the rest: e.g. younger pupils
        {"participants_total": 10, "participants_adults": 5, "participants_50_plus": 5},
        {"participants_total": 10, "participants_50_plus": 4},  # adults not given: bounded by the total
    ],
)
def test_it_accepts_parts_within_the_total(figures: dict[str, int]) -> None:
    assert _clean_report(ReportData(summary="x", **figures)).participants_total == 10


def test_the_form_names_the_fields(world: World) -> None:
    event = world.events_a[0]
    response = logged_in(world.coord_a).post(
        f"/events/{event.pk}/report/", {"summary": "Прошло", "kind": "photo", **{k: str(v) for k, v in OVER.items()}}
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert {"participants_total", "participants_pupils_6_11", "participants_students"} <= set(errors)
    assert not EventReport.objects.filter(event=event).exists()


def test_the_api_answers_400_naming_the_fields(world: World) -> None:
    event = world.events_a[0]
    client = APIClient()
    client.force_authenticate(world.coord_a)
    response = client.post(f"/api/v1/events/{event.pk}/report/", {"summary": "Прошло", **OVER}, format="json")
    assert response.status_code == 400
    assert {"participants_total", "participants_pupils_6_11", "participants_students"} <= set(response.json())
    assert not EventReport.objects.filter(event=event).exists()


def test_the_import_names_the_columns(order_plan: Any, make_user: Any) -> None:
    from reports.services import import_dry_run
    from reports.tests.conftest import xlsx_bytes
    from roadmap.events.services import event_create
    from roadmap.models import Activity, Organization

    user = make_user("copp", organization=Organization.objects.get(key="copp"))
    held = event_create(
        user=None,
        activity=Activity.objects.get(number=14),
        organizer=Organization.objects.get(key="tgmk"),
        title="Проба",
        start_date=dt.date(2024, 10, 1),
    )
    header = ["Код мероприятия", "Краткий отчёт", "Участников, всего", "Обучающихся 6–11 классов", "Студентов"]
    preview = import_dry_run(
        user=user,
        kind="event_reports",
        file=xlsx_bytes([header, [held.pk, "Прошло", 10, 6, 6]]),
        name="x.xlsx",
        now=dt.datetime(2024, 12, 1, 9, tzinfo=dt.UTC),
    )
    assert not preview.is_clean
    columns = {e.column for e in preview.errors if e.row == 2}
    assert {"Участников, всего", "Обучающихся 6–11 классов", "Студентов"} <= columns
    assert not EventReport.objects.filter(event=held).exists()


def test_the_admin_cannot_write_a_report_past_the_rule(world: World) -> None:
    """The admin shows reports read-only and links to the page, which calls the service."""
    from django.contrib.admin.sites import site
    from django.test import RequestFactory

    request = RequestFactory().get("/admin/")
    request.user = world.ministry
    admin = site._registry[EventReport]
    assert not admin.has_add_permission(request)
    assert not admin.has_change_permission(request, world.events_a[1].report)


def test_the_form_takes_the_textarea_and_names_the_line(world: World) -> None:
    event = world.events_a[0]
    client = logged_in(world.coord_a)
    base = {"summary": "Прошло", "participants_total": "5", "kind": "photo"}
    bad = client.post(f"/events/{event.pk}/report/", base | {"participants": "Иванова; Мария; ; школьник; 8\n"})
    assert bad.status_code == 200
    assert bad.context["form"].errors["participants"] == ["Строка 1: укажите дату рождения или СНИЛС."]
    assert not EventReport.objects.filter(event=event).exists()
    good = client.post(f"/events/{event.pk}/report/", base | {"participants": PEOPLE_LINES})
    assert good.status_code == 302
    assert EventReport.objects.get(event=event).participants.count() == 2

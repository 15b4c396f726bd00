"""The events API contract: /api/v1/events/ and /api/v1/events/{id}/report/."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from copp.value_rows import ValueRows
from roadmap.accounts.roles import Role
from roadmap.events import services
from roadmap.events.api import EventSerializer, EvidenceSerializer
from roadmap.events.status import REPORT_STATUS_LABELS, ReportStatus
from roadmap.models import Event, EventReport
from roadmap.tests.event_factories import (
    EventFactory,
    EventReportFactory,
    eager_celery,  # noqa: F401 (fixture)
    msk,
    plan_with,
)
from roadmap.tests.factories import ActivityFactory, MunicipalityFactory, OrganizationFactory, UserFactory
from roadmap.tests.test_evidence import image

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("eager_celery")]


@pytest.fixture
def plan():
    return plan_with(is_current=True)


@pytest.fixture
def activity(plan):
    return ActivityFactory(section__plan=plan, number=14)


@pytest.fixture
def college():
    return OrganizationFactory()


@pytest.fixture
def coordinator(college):
    return UserFactory(role=Role.COORDINATOR, organization=college)


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@time_machine.travel(msk(2026, 3, 10, 15, 0), tick=False)
def test_it_registers_an_event_and_answers_with_the_due_moment(coordinator, college, activity) -> None:
    response = client_for(coordinator).post(
        "/api/v1/events/",
        {
            "activity": 14,
            "organizer": college.pk,
            "title": "Профпроба «Сварщик»",
            "start_date": "2026-03-10",
            "responsible_email": "Ivanova@College.example",
            "format": "online",
            "planned_participants": 40,
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["report_due_at"] == "2026-03-11T23:59:59+03:00"
    assert body["report_status"] == "awaiting"
    assert body["end_date"] == "2026-03-10"
    event = Event.objects.get(pk=body["id"])
    assert event.activity == activity and event.format == "online"


def test_it_names_the_bad_field_of_an_event(coordinator, college, activity) -> None:
    client = client_for(coordinator)
    response = client.post(
        "/api/v1/events/",
        {"activity": 99, "organizer": college.pk, "title": "X", "start_date": "2026-03-10"},
        format="json",
    )
    assert response.status_code == 400 and "activity" in response.json()
    response = client.post(
        "/api/v1/events/",
        {"activity": 14, "organizer": college.pk, "title": "X", "start_date": "2026-03-10", "end_date": "2026-03-01"},
        format="json",
    )
    assert response.status_code == 400 and "end_date" in response.json()
    assert not Event.objects.exists()


def test_it_forbids_registering_for_another_organisation(college, activity) -> None:
    stranger = UserFactory(role=Role.COORDINATOR, organization=OrganizationFactory())
    response = client_for(stranger).post(
        "/api/v1/events/",
        {"activity": 14, "organizer": college.pk, "title": "X", "start_date": "2026-03-10"},
        format="json",
    )
    assert response.status_code == 403
    assert not Event.objects.exists()


@time_machine.travel(msk(2026, 3, 12, 0, 0, 0), tick=False)
def test_it_takes_a_report_once(coordinator, college, activity) -> None:
    event = EventFactory(activity=activity, organizer=college, start_date=dt.date(2026, 3, 10))
    client = client_for(coordinator)
    url = f"/api/v1/events/{event.pk}/report/"
    response = client.post(
        url, {"summary": "Прошло", "participants_total": 31, "participants_pupils_6_11": 25}, format="json"
    )
    assert response.status_code == 201, response.json()
    assert response.json()["on_time"] is False  # 00:00:00 after the due day is late
    assert response.json()["submitted_at"].startswith("2026-03-12T00:00:00")
    again = client.post(url, {"summary": "Ещё раз", "participants_total": 1}, format="json")
    assert again.status_code == 409
    assert "уже подан" in again.json()["detail"]
    assert EventReport.objects.get().summary == "Прошло"


@time_machine.travel(msk(2026, 3, 11, 23, 59, 59), tick=False)
def test_it_counts_the_last_second_as_on_time(coordinator, college, activity) -> None:
    event = EventFactory(activity=activity, organizer=college, start_date=dt.date(2026, 3, 10))
    response = client_for(coordinator).post(
        f"/api/v1/events/{event.pk}/report/", {"summary": "Ок", "participants_total": 0}, format="json"
    )
    assert response.status_code == 201 and response.json()["on_time"] is True


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"summary": "x", "participants_total": -1}, "participants_total"),
        ({"summary": "x", "participants_total": "много"}, "participants_total"),
        ({"summary": "x", "participants_total": 5, "participants_adults": -2}, "participants_adults"),
        ({"summary": "x", "participants_total": 5, "schools_count": "3a"}, "schools_count"),
        ({"participants_total": 5}, "summary"),
    ],
)
@time_machine.travel(msk(2026, 3, 11, 10), tick=False)
def test_it_names_the_bad_count(coordinator, college, activity, payload, field) -> None:
    event = EventFactory(activity=activity, organizer=college, start_date=dt.date(2026, 3, 10))
    response = client_for(coordinator).post(f"/api/v1/events/{event.pk}/report/", payload, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert not EventReport.objects.exists()


@time_machine.travel(msk(2026, 3, 11, 10), tick=False)
def test_it_forbids_reporting_on_another_organisations_event(college, activity) -> None:
    event = EventFactory(activity=activity, organizer=college, start_date=dt.date(2026, 3, 10))
    stranger = UserFactory(role=Role.COORDINATOR, organization=OrganizationFactory())
    response = client_for(stranger).post(
        f"/api/v1/events/{event.pk}/report/", {"summary": "x", "participants_total": 3}, format="json"
    )
    # Not found, like a missing event: a 403 would tell the stranger it exists.
    assert response.status_code == 404
    assert not EventReport.objects.exists()
    patch = client_for(stranger).patch(f"/api/v1/events/{event.pk}/", {"title": "Чужое"}, format="json")
    assert patch.status_code == 404
    assert Event.objects.get().title == event.title


@time_machine.travel(msk(2026, 3, 20, 12), tick=False)
def test_it_filters_by_report_status_in_the_database(
    coordinator, college, activity, django_assert_max_num_queries
) -> None:
    overdue = EventFactory(activity=activity, organizer=college, start_date=dt.date(2026, 3, 10))
    due_today = EventFactory(activity=activity, organizer=college, start_date=dt.date(2026, 3, 19))
    planned = EventFactory(activity=activity, organizer=college, start_date=dt.date(2026, 3, 25))
    late = EventReportFactory(
        event__activity=activity, event__organizer=college, submitted_at=msk(2026, 3, 13), on_time=False
    ).event
    other_org = EventFactory(activity=activity, start_date=dt.date(2026, 3, 10))
    client = client_for(coordinator)
    expected = {"overdue": [overdue.pk], "due_today": [due_today.pk], "planned": [planned.pk], "late": [late.pk]}
    for state, ids in expected.items():
        with django_assert_max_num_queries(8):
            response = client.get(f"/api/v1/events/?report_status={state}")
        assert response.status_code == 200
        assert [row["id"] for row in response.json()["results"]] == ids
        assert all(row["report_status"] == state for row in response.json()["results"])
    # Ministry staff see every organisation's overdue events.
    ministry = client_for(UserFactory(role=Role.MINISTRY)).get("/api/v1/events/?report_status=overdue")
    assert {row["id"] for row in ministry.json()["results"]} == {overdue.pk, other_org.pk}
    assert client.get("/api/v1/events/?report_status=soon").status_code == 400


@time_machine.travel(msk(2026, 3, 20, 12), tick=False)
def test_it_lists_with_a_constant_number_of_queries(
    coordinator, college, activity, django_assert_max_num_queries, settings, tmp_path
) -> None:
    settings.MEDIA_ROOT = str(tmp_path)
    client = client_for(UserFactory(role=Role.COPP))
    for size in (3, 30):
        for _ in range(size):
            report = EventReportFactory(event__activity=activity, event__organizer=college)
            upload = SimpleUploadedFile("фото.png", image("PNG"), "image/png")
            services.evidence_add(user=None, report=report, upload=upload, kind="photo")
        with django_assert_max_num_queries(6):
            response = client.get("/api/v1/events/?limit=100")
        assert response.status_code == 200
        assert all(len(row["report"]["evidence"]) == 1 for row in response.json()["results"])


@time_machine.travel(msk(2026, 3, 20, 12), tick=False)
def test_each_listed_event_carries_its_own_report(college, activity) -> None:
    """The list serialises reports with one shared serializer: no report may leak into another row."""
    reports = [
        EventReportFactory(
            event__activity=activity, event__organizer=college, summary=f"Отчёт {n}", participants_total=n
        )
        for n in range(1, 6)
    ]
    EventFactory(activity=activity, organizer=college)  # no report
    rows = client_for(UserFactory(role=Role.COPP)).get("/api/v1/events/?limit=100").json()["results"]
    by_event = {row["id"]: row["report"] for row in rows}
    assert len(by_event) == 6
    for report in reports:
        listed = by_event.pop(report.event_id)
        detail = client_for(UserFactory(role=Role.COPP)).get(f"/api/v1/events/{report.event_id}/").json()["report"]
        assert listed == detail
        assert (listed["summary"], listed["participants_total"]) == (report.summary, report.participants_total)
    assert list(by_event.values()) == [None]


@time_machine.travel(msk(2026, 3, 20, 12), tick=False)
def test_every_listed_event_is_its_detail_answer(college, activity, settings, tmp_path) -> None:
    """The list reads values() rows (``EventRows``), the detail the serializer over model
    instances: the same answer field by field, whatever the event and its report hold."""
    settings.MEDIA_ROOT = str(tmp_path)
    municipality = MunicipalityFactory()
    timed = EventFactory(
        activity=activity,
        organizer=college,
        start_time=dt.time(10, 30),
        end_time=dt.time(12, 0),
        municipality=municipality,
        planned_participants=40,
        responsible_email="ivanova@college.example",
    )
    cancelled = EventFactory(activity=activity, organizer=college, municipality=None)
    services.event_cancel(user=None, event=cancelled, reason="Карантин", now=msk(2026, 3, 5))
    with_files = EventReportFactory(event__activity=activity, event__organizer=college, participants_students=7)
    for name in ("фото 1.png", "фото 2.png"):
        upload = SimpleUploadedFile(name, image("PNG"), "image/png")
        services.evidence_add(user=None, report=with_files, upload=upload, kind="photo")
    returned = EventReportFactory(event__activity=activity, event__organizer=college, on_time=False)
    services.event_report_return(
        user=UserFactory(role=Role.COPP), report=returned, reason="Нет протокола", now=msk(2026, 3, 12)
    )
    accepted = EventReportFactory(event__activity=activity, event__organizer=college)
    services.event_report_accept(user=UserFactory(role=Role.COPP), report=accepted, now=msk(2026, 3, 12))
    client = client_for(UserFactory(role=Role.COPP))
    rows, url = [], "/api/v1/events/?limit=2"
    while url:  # through the cursors too
        page = client.get(url).json()
        rows += page["results"]
        url = page["next"]
    assert {row["id"] for row in rows} == {
        timed.pk,
        cancelled.pk,
        with_files.event_id,
        returned.event_id,
        accepted.event_id,
    }
    for row in rows:
        assert row == client.get(f"/api/v1/events/{row['id']}/").json()
    by_id = {row["id"]: row for row in rows}
    assert [f["original_name"] for f in by_id[with_files.event_id]["report"]["evidence"]] == [
        "фото 1.png",
        "фото 2.png",
    ]
    assert by_id[with_files.event_id]["report"]["evidence"][0]["url"].startswith("http://testserver/evidence/")
    assert by_id[timed.pk]["start_time"] == "10:30:00" and by_id[timed.pk]["municipality"] == municipality.pk
    assert by_id[cancelled.pk]["report_status"] == "cancelled" and by_id[cancelled.pk]["cancelled_at"].endswith(
        "+03:00"
    )
    assert by_id[returned.event_id]["report"]["status"] == "returned"
    assert by_id[accepted.event_id]["report_status_label"] == REPORT_STATUS_LABELS["accepted"]


@time_machine.travel(msk(2026, 3, 20, 12), tick=False)
def test_the_count_is_the_number_of_rows_listed_under_every_filter(college, activity) -> None:
    """The total is counted over the list's rows without their joins (``get_count_queryset``):
    it must still be the rows the list holds, whatever the filter."""
    other_place = MunicipalityFactory()
    for day in (10, 19, 25):
        EventFactory(activity=activity, organizer=college, start_date=dt.date(2026, 3, day))
    EventFactory(activity=activity, organizer=college, start_date=dt.date(2026, 3, 10), municipality=other_place)
    EventReportFactory(event__activity=activity, event__organizer=college, submitted_at=msk(2026, 3, 13), on_time=False)
    EventReportFactory(event__activity=activity, event__organizer=college)
    returned = EventReportFactory(event__activity=activity, event__organizer=college)
    services.event_report_return(user=None, report=returned, reason="Нет протокола", now=msk(2026, 3, 12))
    cancelled = EventFactory(activity=activity, organizer=college, start_date=dt.date(2026, 3, 28))
    services.event_cancel(user=None, event=cancelled, reason="Карантин", now=msk(2026, 3, 20))
    EventFactory(activity=ActivityFactory(section__plan=activity.plan, number=15))  # another organiser and activity
    client = client_for(UserFactory(role=Role.COPP))
    queries = [f"report_status={status.value}" for status in ReportStatus] + [
        "",
        f"organizer={college.pk}",
        "activity=14",
        f"municipality={other_place.pk}",
        f"plan={activity.plan.key}",
        "date_from=2026-03-19&date_to=2026-03-25",
        f"organizer={college.pk}&report_status=overdue",
    ]
    seen = set()
    for query in queries:
        page = client.get(f"/api/v1/events/?limit=100&{query}").json()
        assert page["count"] == len(page["results"]), query
        seen.add(page["count"])
    assert len(seen) > 4  # the filters do select different rows


def test_value_rows_refuse_a_field_they_cannot_read() -> None:
    """A method or nested field must be named in ``computed``; an unknown name is refused too."""
    with pytest.raises(TypeError, match="report_status"):
        ValueRows(EventSerializer, computed=("report_status_label", "report"))
    with pytest.raises(TypeError, match="no fields"):
        ValueRows(EvidenceSerializer, computed=("url", "thumbnail"))


@time_machine.travel(msk(2026, 3, 13, 12), tick=False)
def test_it_returns_and_accepts_through_the_api(
    coordinator, college, activity, django_capture_on_commit_callbacks
) -> None:
    report = EventReportFactory(event__activity=activity, event__organizer=college)
    url = f"/api/v1/events/{report.event_id}/report/"
    assert client_for(coordinator).post(url + "accept/").status_code == 403
    copp = client_for(UserFactory(role=Role.COPP))
    assert copp.post(url + "return/", {"reason": ""}, format="json").status_code == 400
    with django_capture_on_commit_callbacks(execute=True):
        response = copp.post(url + "return/", {"reason": "Нет протокола"}, format="json")
    assert response.status_code == 200 and response.json()["resubmission_due_at"] == "2026-03-14T23:59:59+03:00"
    fixed = client_for(coordinator).put(url, {"summary": "С протоколом", "participants_total": 25}, format="json")
    assert fixed.status_code == 200 and fixed.json()["status"] == "submitted"
    assert copp.post(url + "accept/", {"version": 1}, format="json").status_code == 409  # stale version
    accepted = copp.post(url + "accept/", {"version": fixed.json()["version"]}, format="json")
    assert accepted.status_code == 200 and accepted.json()["status"] == "accepted"
    assert copp.get(f"/api/v1/events/{report.event_id}/").json()["report_status"] == "accepted"


@time_machine.travel(msk(2026, 3, 10, 15, 0), tick=False)
def test_it_cancels_only_the_version_the_caller_saw(coordinator, college, activity) -> None:
    event = EventFactory(activity=activity, organizer=college, start_date=dt.date(2026, 3, 20))
    seen = event.version
    client = client_for(coordinator)
    assert client.patch(f"/api/v1/events/{event.pk}/", {"title": "Перенесено"}, format="json").status_code == 200
    stale = client.post(f"/api/v1/events/{event.pk}/cancel/", {"reason": "Карантин", "version": seen}, format="json")
    assert stale.status_code == 409
    assert Event.objects.get(pk=event.pk).cancelled_at is None
    current = Event.objects.get(pk=event.pk).version
    fresh = client.post(f"/api/v1/events/{event.pk}/cancel/", {"reason": "Карантин", "version": current}, format="json")
    assert fresh.status_code == 200
    assert Event.objects.get(pk=event.pk).cancel_reason == "Карантин"

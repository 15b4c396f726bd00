"""Events and reports: stored due moments, transitions, history, permissions, evidence."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from roadmap.accounts.roles import Role
from roadmap.events import services
from roadmap.events.selectors import event_report_as_of, event_report_status
from roadmap.events.services import Conflict, ReportData
from roadmap.events.status import ReportStatus
from roadmap.models import Event, EventReport, Plan
from roadmap.tests.event_factories import (
    eager_celery,  # noqa: F401 (fixture)
    msk,
    plan_with,
)
from roadmap.tests.factories import ActivityFactory, OrganizationFactory, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("eager_celery")]


@pytest.fixture
def college():
    return OrganizationFactory()


@pytest.fixture
def coordinator(college):
    return UserFactory(role=Role.COORDINATOR, organization=college)


@pytest.fixture
def copp_user():
    return UserFactory(role=Role.COPP)


def make_event(coordinator, college, plan: Plan | None = None, **kw):
    activity = ActivityFactory(section__plan=plan or plan_with())
    defaults = {"title": "Профпроба «Повар»", "start_date": dt.date(2026, 3, 10)}
    return services.event_create(user=coordinator, activity=activity, organizer=college, **(defaults | kw))


REPORT = ReportData(summary="Прошло", participants_total=30, participants_pupils_6_11=20)


# --- due moments ------------------------------------------------------------


@pytest.mark.parametrize(
    ("end", "expected"),
    [
        (dt.date(2026, 3, 10), msk(2026, 3, 11, 23, 59, 59)),
        (dt.date(2026, 2, 28), msk(2026, 3, 1, 23, 59, 59)),  # month end
        (dt.date(2026, 12, 31), msk(2027, 1, 1, 23, 59, 59)),  # year end
        (dt.date(2024, 2, 29), msk(2024, 3, 1, 23, 59, 59)),  # leap day
    ],
)
def test_it_stores_the_due_moment_in_calendar_days(coordinator, college, end, expected) -> None:
    plan = plan_with(first_year=2024)
    event = make_event(coordinator, college, plan, start_date=end)
    assert Event.objects.get(pk=event.pk).due_at == expected


@pytest.mark.parametrize(
    ("end", "expected"),
    [
        (dt.date(2026, 3, 6), msk(2026, 3, 10, 23, 59, 59)),  # Fri; Mon 09.03 is the day off for 08.03
        (dt.date(2026, 3, 13), msk(2026, 3, 16, 23, 59, 59)),  # Fri -> Mon
        (dt.date(2025, 12, 30), msk(2026, 1, 12, 23, 59, 59)),  # New Year holidays
    ],
)
def test_it_stores_the_due_moment_in_working_days(coordinator, college, end, expected) -> None:
    plan = plan_with(report_due_calendar="working")
    event = make_event(coordinator, college, plan, start_date=end)
    assert event.due_at == expected


def test_it_uses_the_plans_number_of_days(coordinator, college) -> None:
    event = make_event(coordinator, college, plan_with(report_due_days=3), start_date=dt.date(2026, 3, 30))
    assert event.due_at == msk(2026, 4, 2, 23, 59, 59)


def test_it_recomputes_the_due_moment_when_the_event_moves(coordinator, college) -> None:
    event = make_event(coordinator, college)
    moved = services.event_update(user=coordinator, event=event, end_date=dt.date(2026, 3, 11))
    assert moved.due_at == msk(2026, 3, 12, 23, 59, 59)


def test_it_refuses_to_move_an_event_that_has_a_report(coordinator, college) -> None:
    """The report and its frozen verdict are about the event's dates; the import obeys the same rule."""
    event = make_event(coordinator, college)
    report = services.event_report_submit(user=coordinator, event=event, data=REPORT, now=msk(2026, 3, 12, 0, 0))
    for change in ({"end_date": dt.date(2026, 3, 11)}, {"start_date": dt.date(2026, 3, 9)}):
        with pytest.raises(ValidationError) as err:
            services.event_update(user=coordinator, event=Event.objects.get(pk=event.pk), **change)
        assert set(err.value.message_dict) == set(change)
        assert "уже подан отчёт: даты изменить нельзя" in err.value.messages[0]
    stored = Event.objects.get(pk=event.pk)
    assert (stored.start_date, stored.end_date, stored.due_at, stored.version) == (
        event.start_date,
        event.end_date,
        event.due_at,
        event.version,
    )
    services.event_update(user=coordinator, event=stored, title="Новое название")  # other fields still change
    report.refresh_from_db()
    assert report.on_time is False and report.due_at_submission == event.due_at


def test_it_refuses_a_stale_version(coordinator, college) -> None:
    event = make_event(coordinator, college)
    services.event_update(user=coordinator, event=event, expected_version=1, title="Новое")
    stale = Event.objects.get(pk=event.pk)
    with pytest.raises(Conflict):
        services.event_update(user=coordinator, event=stale, expected_version=1, title="Другое")
    assert Event.objects.get(pk=event.pk).title == "Новое"


def test_it_refuses_bad_event_dates(coordinator, college) -> None:
    with pytest.raises(ValidationError) as err:
        make_event(coordinator, college, end_date=dt.date(2026, 3, 9))
    assert "end_date" in err.value.message_dict
    assert not Event.objects.exists()


# --- submission ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("now", "on_time"),
    [
        (msk(2026, 3, 11, 23, 59, 59), True),
        (msk(2026, 3, 11, 23, 59, 59, 999999), True),
        (msk(2026, 3, 12, 0, 0, 0), False),
        (msk(2026, 3, 10, 18, 0), True),
    ],
)
def test_it_freezes_on_time_at_submission(coordinator, college, now, on_time) -> None:
    event = make_event(coordinator, college)
    report = services.event_report_submit(user=coordinator, event=event, data=REPORT, now=now)
    assert report.on_time is on_time
    assert event_report_status(event, now + dt.timedelta(days=30)) == ("on_time" if on_time else "late")


def test_it_refuses_a_second_report(coordinator, college) -> None:
    event = make_event(coordinator, college)
    services.event_report_submit(user=coordinator, event=event, data=REPORT, now=msk(2026, 3, 11))
    with pytest.raises(Conflict):
        services.event_report_submit(user=coordinator, event=event, data=REPORT, now=msk(2026, 3, 11, 1))
    assert EventReport.objects.count() == 1


def test_it_refuses_a_report_before_the_last_day(coordinator, college) -> None:
    event = make_event(coordinator, college)
    with pytest.raises(ValidationError):
        services.event_report_submit(user=coordinator, event=event, data=REPORT, now=msk(2026, 3, 9, 23, 59, 59))


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("participants_total", -1),
        ("participants_students", -5),
        ("participants_pupils_6_11", 31),
        ("schools_count", "x"),
    ],
)
def test_it_refuses_bad_counts_naming_the_field(coordinator, college, field, value) -> None:
    event = make_event(coordinator, college)
    data = ReportData(**{**REPORT.__dict__, field: value})
    with pytest.raises(ValidationError) as err:
        services.event_report_submit(user=coordinator, event=event, data=data, now=msk(2026, 3, 11))
    assert field in err.value.message_dict
    assert not EventReport.objects.exists()


def test_it_lets_only_the_organisers_coordinator_report(coordinator, college) -> None:
    event = make_event(coordinator, college)
    stranger = UserFactory(role=Role.COORDINATOR, organization=OrganizationFactory())
    with pytest.raises(PermissionDenied):
        services.event_report_submit(user=stranger, event=event, data=REPORT, now=msk(2026, 3, 11))
    ministry = UserFactory(role=Role.MINISTRY)
    with pytest.raises(PermissionDenied):
        services.event_report_submit(user=ministry, event=event, data=REPORT, now=msk(2026, 3, 11))
    assert not EventReport.objects.exists()


def test_it_lets_ministry_and_copp_register_for_any_organisation(college) -> None:
    activity = ActivityFactory(section__plan=plan_with())
    for role in (Role.MINISTRY, Role.COPP):
        user = UserFactory(role=role)
        services.event_create(
            user=user, activity=activity, organizer=college, title="X", start_date=dt.date(2026, 3, 1)
        )
    stranger = UserFactory(role=Role.COORDINATOR, organization=OrganizationFactory())
    with pytest.raises(PermissionDenied):
        services.event_create(
            user=stranger, activity=activity, organizer=college, title="X", start_date=dt.date(2026, 3, 1)
        )
    assert Event.objects.count() == 2


# --- review -------------------------------------------------------------------


def test_it_walks_submitted_returned_resubmitted_accepted(
    coordinator, college, copp_user, django_capture_on_commit_callbacks
) -> None:
    event = make_event(coordinator, college)
    report = services.event_report_submit(user=coordinator, event=event, data=REPORT, now=msk(2026, 3, 11, 10))
    with django_capture_on_commit_callbacks(execute=True):
        services.event_report_return(user=copp_user, report=report, reason="Нет фото", now=msk(2026, 3, 13, 15))
    report.refresh_from_db()
    assert report.status == "returned" and report.return_count == 1
    # Due again within one day of the return.
    assert report.resubmission_due_at == msk(2026, 3, 14, 23, 59, 59)
    assert event_report_status(Event.objects.get(pk=event.pk), msk(2026, 3, 13, 16)) is ReportStatus.RETURNED
    with pytest.raises(Conflict):
        services.event_report_accept(user=copp_user, report=report, now=msk(2026, 3, 13, 16))
    fixed = ReportData(**{**REPORT.__dict__, "summary": "С фото"})
    before_fix = timezone.now()  # history is stamped by the clock
    report = services.event_report_resubmit(user=coordinator, report=report, data=fixed, now=msk(2026, 3, 14, 9))
    assert report.status == "submitted" and report.on_time is True  # the first verdict stands
    assert report.submitted_at == msk(2026, 3, 11, 10)
    report = services.event_report_accept(user=copp_user, report=report, now=msk(2026, 3, 14, 12))
    assert event_report_status(Event.objects.get(pk=event.pk), msk(2026, 3, 15)) is ReportStatus.ACCEPTED
    with pytest.raises(Conflict):
        services.event_report_return(user=copp_user, report=report, reason="ещё", now=msk(2026, 3, 15))
    with pytest.raises(Conflict):
        services.event_report_resubmit(user=coordinator, report=report, data=fixed, now=msk(2026, 3, 15))
    # The report as it stood before the correction.
    old = event_report_as_of(event_id=event.pk, as_of=before_fix)
    assert old is not None and old.summary == "Прошло" and old.status == "returned"


def test_it_lets_only_staff_review(coordinator, college) -> None:
    event = make_event(coordinator, college)
    report = services.event_report_submit(user=coordinator, event=event, data=REPORT, now=msk(2026, 3, 11))
    with pytest.raises(PermissionDenied):
        services.event_report_accept(user=coordinator, report=report, now=msk(2026, 3, 12))
    with pytest.raises(ValidationError):
        services.event_report_return(
            user=UserFactory(role=Role.MINISTRY), report=report, reason=" ", now=msk(2026, 3, 12)
        )
    assert EventReport.objects.get().status == "submitted"


def test_it_cancels_with_a_reason_and_needs_no_report(coordinator, college) -> None:
    event = make_event(coordinator, college)
    with pytest.raises(ValidationError):
        services.event_cancel(user=coordinator, event=event, reason="", now=msk(2026, 3, 5))
    event = services.event_cancel(user=coordinator, event=event, reason="Карантин", now=msk(2026, 3, 5))
    assert event_report_status(event, msk(2026, 4, 1)) is ReportStatus.CANCELLED
    with pytest.raises(ValidationError):
        services.event_report_submit(user=coordinator, event=event, data=REPORT, now=msk(2026, 3, 11))
    with pytest.raises(Conflict):
        services.event_cancel(user=coordinator, event=event, reason="again", now=msk(2026, 3, 6))


# --- evidence -----------------------------------------------------------------

PNG = (  # a real 1×1 PNG: evidence must decode to the end
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00\x90wS\xde"
    b"\x00\x00\x00\x0cIDATx\xdac\xf8\xff\xff?\x00\x05\xfe\x02\xfe3\x12\x95\x14\x00\x00\x00\x00IEND\xaeB`\x82"
)
PDF = (  # a real one-page PDF (written by pypdf): evidence must parse
    b"%PDF-1.3\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<\n/Producer (pypdf)\n>>\nendobj\n2 0 obj\n<<\n/Type /Pages\n/Count 1\n"
    b"/Kids [ 4 0 R ]\n>>\nendobj\n3 0 obj\n<<\n/Type /Catalog\n/Pages 2 0 R\n>>\nendobj\n4 0 obj\n<<\n/Type /Page\n"
    b"/Resources <<\n>>\n/MediaBox [ 0.0 0.0 10 10 ]\n/Parent 2 0 R\n>>\nendobj\nxref\n0 5\n0000000000 65535 f \n"
    b"0000000015 00000 n \n0000000054 00000 n \n0000000113 00000 n \n0000000162 00000 n \ntrailer\n<<\n/Size 5\n"
    b"/Root 3 0 R\n/Info 1 0 R\n>>\nstartxref\n254\n%%EOF\n"
)


@pytest.fixture
def report(coordinator, college, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    event = make_event(coordinator, college)
    return services.event_report_submit(user=coordinator, event=event, data=REPORT, now=msk(2026, 3, 11))


def test_it_stores_evidence_of_an_allowed_type(coordinator, report) -> None:
    evidence = services.evidence_add(
        user=coordinator, report=report, upload=SimpleUploadedFile("фото.png", PNG, "image/png"), kind="photo"
    )
    assert evidence.content_type == "image/png" and evidence.size == len(PNG)
    pdf = services.evidence_add(
        user=coordinator,
        report=report,
        upload=SimpleUploadedFile("prikaz", PDF, "application/octet-stream"),
        kind="order",
    )
    assert pdf.content_type == "application/pdf" and pdf.original_name == "prikaz.pdf"


def test_it_refuses_a_disguised_or_oversized_file(coordinator, report, settings) -> None:
    with pytest.raises(ValidationError):
        services.evidence_add(
            user=coordinator,
            report=report,
            upload=SimpleUploadedFile("x.pdf", b"MZ\x90\x00" + b"\x00" * 80, "application/pdf"),
        )
    settings.EVIDENCE_MAX_BYTES = 100
    big = io.BytesIO(PNG + b"\x00" * 200)
    with pytest.raises(ValidationError):
        services.evidence_add(
            user=coordinator, report=report, upload=SimpleUploadedFile("big.png", big.getvalue(), "image/png")
        )
    assert not report.evidence.exists()

"""Report files built in the background, listed, scheduled and e-mailed."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django_celery_beat.models import PeriodicTask
from openpyxl import load_workbook

from reports.models import ReportFile, ReportSettings
from reports.selectors import report_files_for
from reports.services import (
    ministry_recipients,
    report_file_email,
    report_file_request,
    scheduled_report_run,
)
from roadmap.plans.deadlines import MOSCOW


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture(autouse=True)
def eager_tasks() -> Any:
    """Build in this process even when REDIS_URL is set (test_tasks_redis covers the worker)."""
    from copp.celery import app

    was = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = was


def test_a_requested_report_is_built_by_the_task_and_listed(
    ministry_user: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        report = report_file_request(user=ministry_user, kind="roadmap", year=2024)
    assert report.status == ReportFile.Status.QUEUED  # the request itself only records it
    report.refresh_from_db()
    assert report.status == ReportFile.Status.DONE and report.percent == 100
    assert report.rows_done == report.rows_total == 35  # 29 activities + 6 sections
    assert report.size > 0 and report.started_at and report.finished_at
    with report.file.open("rb") as fh:
        ws = load_workbook(io.BytesIO(fh.read())).active
    assert "2024 год" in ws["A2"].value
    assert report_files_for(ministry_user) == [report]


def test_a_failed_build_is_recorded_not_lost(
    ministry_user: Any, django_capture_on_commit_callbacks: Any, monkeypatch: Any
) -> None:
    from reports.builders.roadmap import RoadmapReport

    def broken(self: Any) -> Any:
        raise RuntimeError("no data")

    monkeypatch.setattr(RoadmapReport, "rows", broken)
    with django_capture_on_commit_callbacks(execute=True):
        report = report_file_request(user=ministry_user, kind="roadmap", year=2024)
    report.refresh_from_db()
    assert report.status == ReportFile.Status.FAILED and "no data" in report.error


def test_coordinators_and_bad_requests_are_refused(make_user: Any, ministry_user: Any) -> None:
    with pytest.raises(PermissionDenied):
        report_file_request(user=make_user("coordinator"), kind="roadmap", year=2024)
    with pytest.raises(ValidationError):
        report_file_request(user=ministry_user, kind="roadmap", year=2030)
    with pytest.raises(ValidationError):
        report_file_request(user=ministry_user, kind="roadmap", year=2024, as_of=dt.date(2999, 1, 1))
    assert report_files_for(make_user("coordinator")) == []


def test_the_schedules_are_in_django_celery_beat(db: Any) -> None:
    tasks = PeriodicTask.objects.filter(task="reports.scheduled_reports")
    assert {t.name for t in tasks} == {"Отчёты министерству: ежемесячно", "Отчёты министерству: итоги года"}
    monthly = tasks.get(name__endswith="ежемесячно")
    assert monthly.crontab.day_of_month == "1" and str(monthly.crontab.timezone) == "Europe/Moscow"


def test_scheduled_reports_are_mailed_to_the_ministry_once(ministry_user: Any, order_plan: Any) -> None:
    ReportSettings.objects.create(plan=order_plan, recipients="analyst@example.org\n")
    now = dt.datetime(2024, 11, 1, 7, tzinfo=MOSCOW)
    built = scheduled_report_run(kinds=["roadmap", "timeliness"], now=now, schedule_name="Ежемесячно")
    assert [r.status for r in built] == ["done", "done"]
    assert all(r.as_of == dt.date(2024, 10, 31) and r.year == 2024 for r in built)
    assert len(mail.outbox) == 2
    message = mail.outbox[0]
    assert set(message.to) == {"ekaterina.alekseenko@tularegion.ru", "minister@example.org", "analyst@example.org"}
    name, content, mimetype = message.attachments[0]
    assert name.endswith(".xlsx") and mimetype.endswith("spreadsheetml.sheet")
    assert "31.10.2024" in load_workbook(io.BytesIO(content)).active["A3"].value
    report_file_email(report=built[0], recipients=ministry_recipients(order_plan), now=now)
    assert len(mail.outbox) == 2  # sent once, whatever runs again


def test_the_year_end_run_reports_the_previous_year(ministry_user: Any, order_plan: Any) -> None:
    now = dt.datetime(2025, 1, 10, 8, tzinfo=MOSCOW)
    (report,) = scheduled_report_run(kinds=["indicators"], now=now, period="year")
    assert report.year == 2024 and report.as_of == dt.date(2024, 12, 31) and report.status == "done"

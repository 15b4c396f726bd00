"""A build whose worker died is marked failed after a time limit and can be rebuilt."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django_celery_beat.models import PeriodicTask

from reports.models import ReportFile
from reports.services import (
    STUCK_BUILD_MESSAGE,
    report_build_limit,
    report_file_build,
    report_file_rebuild,
    report_files_fail_stuck,
)
from reports.tasks import fail_stuck_report_files

T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture(autouse=True)
def eager_tasks() -> Any:
    from copp.celery import app

    was = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = was


@pytest.fixture
def stuck(order_plan: Any, ministry_user: Any) -> ReportFile:
    """A build a worker claimed at T0 and then died in (no task will ever finish it)."""
    return ReportFile.objects.create(
        kind="roadmap",
        plan=order_plan,
        year=2024,
        requested_by=ministry_user,
        status=ReportFile.Status.RUNNING,
        started_at=T0,
        rows_total=35,
        rows_done=10,
    )


def test_the_limit_is_a_setting_a_bit_above_the_celery_hard_limit(settings: Any) -> None:
    assert report_build_limit() > dt.timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT)
    settings.REPORT_BUILD_STUCK_AFTER = 600
    assert report_build_limit() == dt.timedelta(minutes=10)


def test_it_fails_a_build_stuck_past_the_limit_not_a_moment_before(stuck: ReportFile) -> None:
    limit = report_build_limit()
    assert report_files_fail_stuck(now=T0 + limit - dt.timedelta(seconds=1)) == 0
    stuck.refresh_from_db()
    assert stuck.status == ReportFile.Status.RUNNING
    assert report_files_fail_stuck(now=T0 + limit) == 1
    stuck.refresh_from_db()
    assert stuck.status == ReportFile.Status.FAILED
    assert stuck.error == STUCK_BUILD_MESSAGE and "прерван" in stuck.error
    assert stuck.finished_at == T0 + limit
    assert report_files_fail_stuck(now=T0 + 2 * limit) == 0  # run it twice: nothing more


def test_the_periodic_sweep_is_scheduled_and_marks_stuck_builds(stuck: ReportFile, time_machine: Any) -> None:
    assert PeriodicTask.objects.filter(task="reports.fail_stuck_report_files", enabled=True).exists()
    time_machine.move_to(T0 + report_build_limit() - dt.timedelta(seconds=1), tick=False)
    assert fail_stuck_report_files() == 0
    time_machine.move_to(T0 + report_build_limit(), tick=False)
    assert fail_stuck_report_files() == 1


def test_a_finished_or_queued_build_is_left_alone(stuck: ReportFile) -> None:
    ReportFile.objects.filter(pk=stuck.pk).update(status=ReportFile.Status.DONE)
    queued = ReportFile.objects.create(kind="roadmap", plan=stuck.plan, year=2024)
    assert report_files_fail_stuck(now=T0 + 10 * report_build_limit()) == 0
    queued.refresh_from_db()
    assert queued.status == ReportFile.Status.QUEUED


def test_the_page_shows_a_stuck_build_as_failed_with_a_rebuild_button(
    stuck: ReportFile, client: Any, ministry_user: Any, time_machine: Any
) -> None:
    client.force_login(ministry_user)
    time_machine.move_to(T0 + dt.timedelta(minutes=5), tick=False)
    page = client.get(f"/reports/{stuck.pk}/").content.decode()
    assert "Отчёт формируется" in page and "Сформировать заново" not in page
    time_machine.move_to(T0 + report_build_limit(), tick=False)
    page = client.get(f"/reports/{stuck.pk}/", HTTP_HX_REQUEST="true").content.decode()
    assert "прерван" in page and "Сформировать заново" in page
    stuck.refresh_from_db()
    assert stuck.status == ReportFile.Status.FAILED


def test_the_rebuild_action_starts_a_fresh_build(
    stuck: ReportFile, client: Any, ministry_user: Any, time_machine: Any, django_capture_on_commit_callbacks: Any
) -> None:
    client.force_login(ministry_user)
    time_machine.move_to(T0 + dt.timedelta(minutes=5), tick=False)
    assert client.post(f"/reports/{stuck.pk}/rebuild/").status_code == 302  # still running: refused
    assert ReportFile.objects.count() == 1
    time_machine.move_to(T0 + report_build_limit(), tick=False)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/reports/{stuck.pk}/rebuild/")
    fresh = ReportFile.objects.exclude(pk=stuck.pk).get()
    assert response.status_code == 302 and response["Location"] == f"/reports/{fresh.pk}/"
    assert (fresh.kind, fresh.plan_id, fresh.year, fresh.as_of) == (stuck.kind, stuck.plan_id, stuck.year, stuck.as_of)
    assert fresh.status == ReportFile.Status.DONE and fresh.rows_done == 35
    stuck.refresh_from_db()
    assert stuck.status == ReportFile.Status.FAILED
    assert client.get(f"/reports/{stuck.pk}/rebuild/").status_code == 405


def test_others_cannot_rebuild(stuck: ReportFile, client: Any, make_user: Any) -> None:
    client.force_login(make_user("coordinator"))
    assert client.post(f"/reports/{stuck.pk}/rebuild/").status_code == 404
    assert ReportFile.objects.count() == 1


def test_requesting_the_same_report_again_fails_the_stuck_one_and_builds_afresh(
    stuck: ReportFile, ministry_user: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from reports.services import report_file_request

    with django_capture_on_commit_callbacks(execute=True):
        fresh = report_file_request(user=ministry_user, kind="roadmap", year=2024, now=T0 + report_build_limit())
    stuck.refresh_from_db()
    fresh.refresh_from_db()
    assert stuck.status == ReportFile.Status.FAILED and fresh.status == ReportFile.Status.DONE


def test_rebuilding_a_build_still_in_time_is_refused(stuck: ReportFile, ministry_user: Any) -> None:
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        report_file_rebuild(user=ministry_user, report=stuck, now=T0 + dt.timedelta(minutes=1))


def test_a_late_worker_does_not_overwrite_the_failure(stuck: ReportFile, monkeypatch: Any) -> None:
    """A build swept as failed stays failed even if its worker was only slow."""
    ReportFile.objects.filter(pk=stuck.pk).update(status=ReportFile.Status.QUEUED, started_at=None)
    stuck.refresh_from_db()
    from reports import services

    real = services.build_to

    def slow_then_swept(builder: Any, out: Any, on_progress: Any = None) -> int:
        rows = real(builder, out, on_progress=on_progress)
        report_files_fail_stuck(now=T0 + report_build_limit())  # the sweep ran meanwhile
        return rows

    monkeypatch.setattr(services, "build_to", slow_then_swept)
    result = report_file_build(report=stuck, now=T0)
    assert result.status == ReportFile.Status.FAILED and not result.file

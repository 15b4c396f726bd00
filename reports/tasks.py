"""Celery tasks of the reports app: thin wrappers that load ids and call services.

The dashboard's ``refresh_dashboard`` lives in ``reports.dashboard.tasks`` and the federal
comparison's ``refresh_region_comparison`` in ``reports.regions``; they are imported here so
that Celery's autodiscovery (``reports.tasks``) registers them.
"""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from reports.dashboard.tasks import refresh_dashboard
from reports.models import REPORT_KINDS, ReportFile
from reports.regions import refresh_region_comparison
from reports.services import report_file_build, report_files_fail_stuck, scheduled_report_run


@shared_task(name="reports.build_report_file", acks_late=True, soft_time_limit=20 * 60, time_limit=25 * 60)
def build_report_file(report_id: int) -> str:
    report = ReportFile.objects.filter(pk=report_id).select_related("plan").first()
    if report is None:
        return "missing"
    return report_file_build(report=report, now=timezone.now()).status


@shared_task(name="reports.scheduled_reports")
def scheduled_reports(kinds: list[str] | None = None, period: str = "month", schedule_name: str = "") -> list[int]:
    """Run by django-celery-beat (see the schedules in the admin)."""
    kinds = kinds or list(REPORT_KINDS)
    built = scheduled_report_run(kinds=kinds, now=timezone.now(), period=period, schedule_name=schedule_name)
    return [r.pk for r in built]


@shared_task(name="reports.fail_stuck_report_files")
def fail_stuck_report_files() -> int:
    """Run by django-celery-beat: builds whose worker died are marked failed."""
    return report_files_fail_stuck(now=timezone.now())


__all__ = [
    "build_report_file",
    "fail_stuck_report_files",
    "refresh_dashboard",
    "refresh_region_comparison",
    "scheduled_reports",
]

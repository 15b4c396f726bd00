"""Create the scheduled report builds in django-celery-beat (editable in the admin)."""

from __future__ import annotations

import json

from django.db import migrations

SCHEDULES = [
    {
        "name": "Отчёты министерству: ежемесячно",
        "crontab": {"minute": "0", "hour": "7", "day_of_month": "1", "month_of_year": "*", "day_of_week": "*"},
        "kwargs": {"kinds": ["roadmap", "indicators", "timeliness", "municipalities"], "period": "month",
                   "schedule_name": "Ежемесячно"},
    },
    {
        "name": "Отчёты министерству: итоги года",
        "crontab": {"minute": "0", "hour": "8", "day_of_month": "10", "month_of_year": "1", "day_of_week": "*"},
        "kwargs": {"kinds": ["roadmap", "indicators", "timeliness", "municipalities"], "period": "year",
                   "schedule_name": "Итоги года"},
    },
]


def create(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    for spec in SCHEDULES:
        crontab, _ = CrontabSchedule.objects.get_or_create(timezone="Europe/Moscow", **spec["crontab"])
        PeriodicTask.objects.get_or_create(
            name=spec["name"],
            defaults={"task": "reports.scheduled_reports", "crontab": crontab, "kwargs": json.dumps(spec["kwargs"]),
                      "enabled": True},
        )


def remove(apps, schema_editor):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTask.objects.filter(name__in=[s["name"] for s in SCHEDULES]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create, remove)]

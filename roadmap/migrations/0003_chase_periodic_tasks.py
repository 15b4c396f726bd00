"""Create the beat schedule of the chase once; administrators edit it in the admin."""

from __future__ import annotations

from django.db import migrations

TASKS = [
    ("Напоминания об отчётах о мероприятиях", "roadmap.chase_reports", 5),
    ("Повторная отправка неотправленных уведомлений", "roadmap.retry_notifications", 5),
]


def create_tasks(apps, schema_editor):
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    for name, task, minutes in TASKS:
        if PeriodicTask.objects.filter(task=task).exists():
            continue
        schedule, _ = IntervalSchedule.objects.get_or_create(every=minutes, period="minutes")
        PeriodicTask.objects.create(name=name, task=task, interval=schedule, enabled=True)


def remove_tasks(apps, schema_editor):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTask.objects.filter(task__in=[t for _, t, _ in TASKS]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("roadmap", "0002_events_reports_notifications"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create_tasks, remove_tasks)]

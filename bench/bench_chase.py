"""One chase pass over 100,000 events: constant queries, and its time.

The module builds its own data shape in bulk on top of the demo database:
events of one college under the current plan, spread so that almost all of
them need nothing (reported, planned, already notified, long forgotten) and a
fixed number need an overdue notice right now. One pass (claim + deliver,
e-mail to the in-memory backend) is timed at 10,000 and at 100,000 events;
the query count must be the same at both sizes. Before each timed run the
notices claimed by the previous run are deleted, so every run does the same work.
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import Any

if __name__ == "__main__":  # run directly: make the project importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import make_row, measure

SIZES = (10_000, 100_000)
DUE_NOW = 200  # events whose overdue notice is due at NOW (3 recipients each)
NOW = dt.datetime(2026, 3, 12, 0, 10, tzinfo=dt.timezone(dt.timedelta(hours=3)))


def _world() -> dict[str, Any]:
    from django.contrib.auth.models import Group

    from roadmap.accounts.roles import GROUP_NAMES, Role, ensure_role_groups
    from roadmap.models import Activity, Organization, Plan, User

    ensure_role_groups()
    plan = Plan.objects.filter(is_current=True).first() or Plan.objects.first()
    plan.last_year = max(plan.last_year, 2026)
    plan.save(update_fields=["last_year"])
    activity = Activity.objects.filter(plan=plan).order_by("number").first()
    college, _ = Organization.objects.get_or_create(
        key="bench-chase-college",
        defaults={
            "kind": "college",
            "short_name": "Колледж (бенчмарк)",
            "name": "Колледж (бенчмарк)",
            "head_email": "head@bench.example",
        },
    )
    user, created = User.objects.get_or_create(
        username="bench-chase-coordinator", defaults={"email": "coord@bench.example", "organization": college}
    )
    if created:
        user.groups.add(Group.objects.get(name=GROUP_NAMES[Role.COORDINATOR]))
    return {"plan": plan, "activity": activity, "college": college}


def _fill(world: dict[str, Any], total: int) -> None:
    """Grow the bench college's events to ``total`` (bulk; idempotent per size)."""
    from roadmap.events.rollups import rollups_rebuild
    from roadmap.events.services import event_due_at
    from roadmap.models import Event, EventReport, Notification

    college, activity, plan = world["college"], world["activity"], world["plan"]
    have = Event.objects.filter(organizer=college).count()
    if have == 0:
        due_now = [
            Event(
                activity=activity,
                organizer=college,
                region_id=college.region_id,
                title=f"Due now {i}",
                start_date=dt.date(2026, 3, 10),
                end_date=dt.date(2026, 3, 10),
                responsible_email="resp@bench.example",
                due_at=event_due_at(plan=plan, end_date=dt.date(2026, 3, 10)),
            )
            for i in range(DUE_NOW)
        ]
        Event.objects.bulk_create(due_now, batch_size=2000)
        have = DUE_NOW
    kinds = ("reported", "planned", "notified", "forgotten")
    batch: list[Event] = []
    for i in range(have, total):
        kind = kinds[i % 4]
        day = {
            "reported": dt.date(2026, 3, 1) + dt.timedelta(days=i % 10),
            "planned": dt.date(2026, 3, 13) + dt.timedelta(days=i % 200),
            "notified": dt.date(2026, 3, 1) + dt.timedelta(days=i % 9),
            "forgotten": dt.date(2025, 1, 1) + dt.timedelta(days=i % 300),
        }[kind]
        batch.append(
            Event(
                activity=activity,
                organizer=college,
                region_id=college.region_id,
                title=f"{kind} {i}",
                start_date=day,
                end_date=day,
                due_at=event_due_at(plan=plan, end_date=day),
                audience=kind,
            )
        )
    Event.objects.bulk_create(batch, batch_size=2000)
    new = Event.objects.filter(organizer=college, report__isnull=True, notifications__isnull=True)
    reports = [
        EventReport(
            event_id=e.pk,
            summary="ok",
            participants_total=10,
            submitted_at=e.due_at,
            due_at_submission=e.due_at,
            on_time=True,
        )
        for e in new.filter(audience="reported").only("id", "due_at")
    ]
    EventReport.objects.bulk_create(reports, batch_size=2000)
    rollups_rebuild()  # bulk rows bypass the services that keep the rollups
    sent = [
        Notification(
            event_id=pk,
            kind=kind,
            recipient="coord@bench.example",
            email="coord@bench.example",
            subject="s",
            body="b",
            status="sent",
            created_at=NOW - dt.timedelta(days=3),
        )
        for pk in new.filter(audience="notified").values_list("id", flat=True)
        for kind in ("overdue", "escalation")
    ]
    Notification.objects.bulk_create(sent, batch_size=2000)


def run(scale: str, runs: int) -> list[dict[str, Any]]:
    from django.conf import settings

    from roadmap.chase.notifications import chase_run
    from roadmap.models import Event, Notification

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    world = _world()
    rows: list[dict[str, Any]] = []
    queries: list[int] = []
    for size in SIZES:
        _fill(world, size)
        n = Event.objects.filter(organizer=world["college"]).count()

        chase_run(now=NOW)  # whatever else (the demo data) is due at NOW goes out once, untimed

        def reset() -> None:
            Notification.objects.filter(created_at=NOW, event__title__startswith="Due now").delete()

        def one_pass() -> int:
            result = chase_run(now=NOW)
            assert result.sent == DUE_NOW * 3, result
            return result.sent

        m = measure(one_pass, runs=runs, setup=reset)
        queries.append(m.queries or 0)
        rows.append(
            make_row(
                f"chase pass over {n:,} events ({DUE_NOW * 3} notices sent)",
                m,
                n=n,
                note="claim + deliver, locmem e-mail",
            )
        )
    if len(set(queries)) != 1:
        raise AssertionError(f"query count grows with the number of events: {queries}")
    return rows


if __name__ == "__main__":  # against an already migrated database: DATABASE_URL=... python bench/bench_chase.py
    import os
    import secrets

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "copp.settings")
    os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))  # DEBUG stays off
    import django

    django.setup()
    for row in run("small", 3):
        print(
            f"{row['name']}: median {row['median']} ms (min {row['min']}, max {row['max']}), {row['queries']} queries"
        )

"""generate_demo: deterministic, plausible, and written in bulk."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext

from copp.demo import (
    SCALES,
    DemoGenerator,
    ScaleSpec,
    activity_weights,
    demo_delete,
    demo_present,
    split,
)
from indicators.models import Actual, Target
from roadmap.accounts.roles import GROUP_NAMES, Role
from roadmap.models import Event, EventReport, Municipality, Organization, Plan, Region, User
from roadmap.plans.deadlines import report_due_at

AFTER_PLAN = datetime(2026, 3, 1, 12, tzinfo=UTC)
TINY = ScaleSpec(regions=1, colleges=6, schools=30, employers=15, events=300, ministry_staff=2)


def generate(spec: ScaleSpec = TINY, *, seed: int = 7, now: datetime = AFTER_PLAN) -> dict[str, int]:
    return DemoGenerator(spec, seed=seed, now=now).run()


def snapshot() -> list[tuple[Any, ...]]:
    """Everything that matters about the generated events and reports, without ids."""
    rows = Event.objects.select_related("organizer", "activity", "coordinator", "municipality", "report")
    out = []
    for e in rows.order_by("start_date", "title", "organizer__short_name", "due_at", "planned_participants"):
        report = getattr(e, "report", None)
        out.append(
            (
                e.activity.number,
                e.organizer.short_name,
                e.title,
                e.start_date,
                e.end_date,
                e.municipality.name,
                e.format,
                e.planned_participants,
                e.coordinator.username if e.coordinator else None,
                e.responsible_email,
                e.due_at,
                e.cancelled_at,
                report
                and (
                    report.status,
                    report.submitted_at,
                    report.on_time,
                    report.participants_total,
                    report.returned_at,
                    report.accepted_at,
                ),
            )
        )
    return out


@pytest.mark.django_db
def test_it_generates_the_same_rows_for_the_same_seed(order_plan: Any) -> None:
    generate(seed=7)
    first = snapshot()
    orgs = sorted(Organization.objects.values_list("short_name", flat=True))
    demo_delete()
    assert not Event.objects.exists()
    assert not demo_present()

    generate(seed=7)
    assert snapshot() == first
    assert sorted(Organization.objects.values_list("short_name", flat=True)) == orgs

    demo_delete()
    generate(seed=8)
    assert snapshot() != first


@pytest.mark.django_db
def test_it_reports_on_time_late_and_missing_in_plausible_shares(order_plan: Any) -> None:
    generate(replace(TINY, events=3000), seed=3)
    due = Event.objects.filter(cancelled_at__isnull=True, due_at__lt=AFTER_PLAN)
    n = due.count()
    on_time = due.filter(report__on_time=True).count() / n
    late = due.filter(report__on_time=False).count() / n
    missing = due.filter(report__isnull=True).count() / n
    assert 0.70 <= on_time <= 0.87
    assert 0.08 <= late <= 0.22
    assert 0.02 <= missing <= 0.12
    cancelled = Event.objects.filter(cancelled_at__isnull=False)
    assert 0.005 <= cancelled.count() / Event.objects.count() <= 0.05
    assert all(e.cancel_reason for e in cancelled)
    assert not EventReport.objects.filter(event__cancelled_at__isnull=False).exists()
    statuses = EventReport.objects.values_list("status", flat=True)
    assert statuses.filter(status=EventReport.Status.RETURNED).exists()
    assert statuses.filter(status=EventReport.Status.ACCEPTED).count() > EventReport.objects.count() / 2
    assert EventReport.objects.filter(return_count=1, resubmitted_at__isnull=False).exists()


@pytest.mark.django_db
def test_it_follows_the_reporting_rule_and_the_clock(order_plan: Any) -> None:
    now = datetime(2024, 6, 1, 9, tzinfo=UTC)
    generate(now=now)
    plan = order_plan
    for event in Event.objects.select_related("report"):
        assert event.due_at == report_due_at(
            event.end_date, days=plan.report_due_days, calendar=plan.report_due_calendar
        )
        report = getattr(event, "report", None)
        if report is None:
            continue
        assert report.submitted_at <= now
        assert report.on_time is (report.submitted_at <= event.due_at)
        assert report.due_at_submission == event.due_at
        if report.returned_at:
            assert report.return_reason and report.resubmission_due_at > report.returned_at
        if report.accepted_at:
            assert report.accepted_at <= now
    # Events after "now" are planned: no report yet.
    assert Event.objects.filter(start_date__gt=date(2024, 6, 2)).exists()
    assert not EventReport.objects.filter(event__start_date__gt=date(2024, 6, 2)).exists()


@pytest.mark.django_db
def test_it_puts_events_inside_their_activities_windows_with_an_autumn_peak(order_plan: Any) -> None:
    generate(replace(TINY, events=3000), seed=5)
    # The autumn campaign is found by its windows, not by its number.
    autumn = [
        a
        for a in order_plan.activities.prefetch_related("windows")
        if a.windows.count() > 1 and all(w.start.month == 9 and w.end.month == 11 for w in a.windows.all())
    ]
    assert autumn, "the order has an activity held every September to November"
    for event in Event.objects.filter(activity__in=autumn):
        assert 9 <= event.start_date.month <= 11
    for event in Event.objects.select_related("activity").prefetch_related("activity__windows")[:500]:
        windows = event.activity.windows.all()
        assert any(w.start <= event.start_date <= w.end for w in windows) or not windows
        assert date(2023, 1, 1) <= event.start_date and event.end_date <= date(2025, 12, 31)
    per_month = {m: Event.objects.filter(start_date__month=m).count() for m in range(1, 13)}
    autumn_avg = sum(per_month[m] for m in (9, 10, 11)) / 3
    spring_avg = sum(per_month[m] for m in (2, 3, 4)) / 3
    assert autumn_avg > 1.3 * spring_avg
    assert per_month[8] < spring_avg  # summer holidays


def _inserts(ctx: CaptureQueriesContext, table: str) -> int:
    return sum(1 for q in ctx.captured_queries if q["sql"].startswith(f'INSERT INTO "{table}"'))


@pytest.mark.django_db
def test_it_inserts_in_bulk_so_queries_do_not_grow_with_events(order_plan: Any) -> None:
    generate(replace(TINY, events=10))  # the first run also creates the role groups
    demo_delete()
    with CaptureQueriesContext(connection) as small:
        generate(replace(TINY, events=200))
    demo_delete()
    with CaptureQueriesContext(connection) as large:
        counts = generate(replace(TINY, events=1500))
    assert counts["events"] == 1500

    def not_bulk(ctx: CaptureQueriesContext) -> int:
        return sum(1 for q in ctx.captured_queries if not q["sql"].startswith("INSERT INTO"))

    # Everything but the batched inserts is the same at both sizes...
    assert not_bulk(large) == not_bulk(small)
    # ...and each insert carries many rows: one statement per batch (SQLite's
    # 999-parameter limit makes Django's batches 39-45 rows; PostgreSQL takes 2,000).
    assert _inserts(large, "roadmap_event") <= -(-1500 // 30)
    assert _inserts(large, "roadmap_eventreport") <= -(-counts["event_reports"] // 30)


@pytest.mark.django_db
def test_it_gives_colleges_coordinators_with_a_role(order_plan: Any) -> None:
    generate()
    coordinators = User.objects.filter(groups__name=GROUP_NAMES[Role.COORDINATOR], username__startswith="demo-")
    colleges = Organization.objects.filter(kind=Organization.Kind.COLLEGE, is_group=False)
    assert colleges.count() == TINY.colleges
    assert coordinators.count() == TINY.colleges * TINY.coordinators_per_college
    assert set(coordinators.values_list("organization__kind", flat=True)) == {Organization.Kind.COLLEGE}
    assert User.objects.filter(groups__name=GROUP_NAMES[Role.MINISTRY], username__startswith="demo-").count() == 2
    assert coordinators.first().check_password("demo12345")
    # Every event of a college is coordinated by one of its own coordinators.
    for event in Event.objects.filter(organizer__kind="college").select_related("coordinator")[:200]:
        assert event.coordinator.organization_id == event.organizer_id


@pytest.mark.django_db
def test_it_builds_further_regions_with_their_own_copp(order_plan: Any) -> None:
    counts = generate(replace(TINY, regions=4, events=50))
    assert counts["events"] == 200
    assert Organization.objects.filter(kind=Organization.Kind.COPP).count() == 4
    # Each region is the size of the real one, not of everything built so far.
    for n in (2, 3, 4):
        assert Municipality.objects.filter(region__name=f"Регион {n:03d}").count() == 26
        assert Organization.objects.filter(region__name=f"Регион {n:03d}", kind=Organization.Kind.COPP).count() == 1
    assert counts["municipalities"] == 3 * 26
    region2 = Municipality.objects.filter(region__name="Регион 002")
    assert Event.objects.filter(organizer__municipality__in=region2).count() > 25
    assert Event.objects.filter(organizer__region__name="Регион 002").count() > 25
    # The real region's organisations stay in the loaded order's region.
    assert not Organization.objects.filter(region__isnull=True).exists()
    assert counts["regions"] == 3
    # Each synthetic region runs its own copy of the order: its events, values and
    # targets are its own plan's, so a plan's figures count one region.
    assert counts["plans"] == 3
    for n in (2, 3, 4):
        plan = Plan.objects.get(region__name=f"Регион {n:03d}")
        assert plan.activities.count() == order_plan.activities.count()
        assert Target.objects.filter(indicator__indicator_set__plan=plan).count() == (
            Target.objects.filter(indicator__indicator_set__plan=order_plan).count()
        )
    assert not Event.objects.exclude(organizer__region=F("activity__plan__region")).exists()
    assert not Actual.objects.exclude(organization__region=F("indicator__indicator_set__plan__region")).exists()
    demo_delete()
    assert list(Plan.objects.all()) == [order_plan]
    assert not Municipality.objects.filter(region__name="Регион 002").exists()
    assert list(Region.objects.values_list("key", flat=True)) == ["tula"]
    assert Organization.objects.filter(kind=Organization.Kind.COPP).count() == 1


@pytest.mark.django_db
def test_the_command_refuses_to_run_twice_without_reset(order_plan: Any, capsys: Any) -> None:
    call_command("generate_demo", "--scale", "small", "--seed", "2", "--now", "2026-01-15T12:00:00+03:00")
    out = capsys.readouterr().out
    assert f"events {SCALES['small'].events}" in out
    with pytest.raises(CommandError, match="--reset"):
        call_command("generate_demo", "--scale", "small")
    call_command("generate_demo", "--scale", "small", "--reset", "--now", "2026-01-15T12:00:00+03:00")
    assert Event.objects.count() == SCALES["small"].events
    assert _planner_rows("roadmap_event") == pytest.approx(SCALES["small"].events, rel=0.2), "statistics refreshed"


def _planner_rows(table: str) -> float:
    """How many rows the query planner believes ``table`` has."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT reltuples FROM pg_class WHERE relname = %s", [table])
            return float(cursor.fetchone()[0])
        cursor.execute(
            "SELECT stat FROM sqlite_stat1 WHERE tbl = %s AND idx IS NULL OR tbl = %s LIMIT 1", [table, table]
        )
        row = cursor.fetchone()
        return float(row[0].split()[0]) if row else 0.0


@pytest.mark.django_db
def test_the_command_rejects_a_bad_now(order_plan: Any) -> None:
    with pytest.raises(CommandError, match="ISO-8601"):
        call_command("generate_demo", "--now", "yesterday")
    assert not Event.objects.exists()


def test_campaign_windows_are_denser_than_year_round_ones() -> None:
    year = [(date(y, 1, 1), date(y, 12, 31)) for y in (2023, 2024, 2025)]
    autumn = [(date(y, 9, 1), date(y, 11, 30)) for y in (2023, 2024, 2025)]
    once = [(date(2023, 1, 1), date(2023, 3, 31))]
    w = activity_weights({1: year, 2: autumn, 3: once})
    assert w[2] / (3 * 91) > 3 * w[1] / (3 * 365)
    assert w[3] < w[1] / 5


def test_split_keeps_the_total() -> None:
    import random

    parts = split(1001, [1.0, 2.0, 0.5, 0.0], random.Random(1))
    assert sum(parts) == 1001
    assert parts[3] == 0
    assert parts[1] > parts[0] > parts[2]


@pytest.mark.django_db
def test_it_lists_pupils_who_come_to_several_events(order_plan: Any) -> None:
    from roadmap.models import ReportParticipant

    counts = generate(replace(TINY, events=600))
    rows = ReportParticipant.objects.filter(report__event__start_date__year=2024)
    participations = rows.count()
    people = rows.values("person_key").distinct().count()
    assert counts["listed_participants"] >= participations > 100
    assert 0.5 <= people / participations <= 0.8, people / participations
    # Every list fits its report: the same rule the doors apply.
    for report in EventReport.objects.filter(participants__isnull=False).distinct()[:50]:
        assert report.participants.count() <= (report.participants_pupils_6_11 or 0)


@pytest.mark.django_db
def test_the_demo_proves_some_control_points_so_both_verdicts_show(
    order_plan: Any, settings: Any, tmp_path: Any
) -> None:
    from roadmap.models import Activity, EvidenceFile
    from roadmap.plans.activity_status import ActivityStatus, activity_verdict
    from roadmap.plans.control_points import control_points_of

    settings.MEDIA_ROOT = str(tmp_path)
    counts = generate(replace(TINY, events=600))
    assert counts["evidence_files"] > 0
    evidence = EvidenceFile.objects.select_related("report").first()
    assert evidence.report.status == "accepted" and evidence.uploaded_at == evidence.report.submitted_at
    today = AFTER_PLAN.date()
    activities = list(Activity.objects.filter(plan=order_plan))
    points = control_points_of(activities, today=today)
    verdicts = {activity_verdict(points[a.pk], today=today) for a in activities}
    assert {ActivityStatus.DONE, ActivityStatus.FAILED} <= verdicts


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_on_postgresql_outside_a_transaction_the_command_also_vacuums() -> None:
    """As autovacuum would after a bulk load: the visibility map set, so index-only
    scans (a region's count of events) need not visit the table."""
    from roadmap.plans.loader import plan_load

    plan_load()
    call_command("generate_demo", "--scale", "small", "--seed", "3", "--now", "2026-01-15T12:00:00+03:00")
    with connection.cursor() as cursor:
        cursor.execute("SELECT relallvisible FROM pg_class WHERE relname = 'roadmap_event'")
        assert cursor.fetchone()[0] > 0
    assert _planner_rows("roadmap_event") == pytest.approx(SCALES["small"].events, rel=0.2)

"""Event rollups: kept by the services, equal to the records, read by the timeliness figures.

The property test drives the services with random sequences of writes while
the clock moves across midnights and deadlines, and compares the figures
read from the rollups with the direct computation over the events, for every
grouping and filter, and the stored rollups with the ones recomputed by
``rollups_check``.
"""

from __future__ import annotations

import datetime as dt
import random
import threading
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import connection, connections, transaction
from django.db.models import F
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, note, settings
from hypothesis import event as hypothesis_event
from hypothesis import strategies as st

from roadmap.errors import Conflict
from roadmap.events import services
from roadmap.events.filters import EventFilter
from roadmap.events.rollups import rollups_check, rollups_kept, rollups_rebuild
from roadmap.events.selectors import (
    _grouped_from_rollups,
    _TimelinessQuery,
    event_report_status,
    events_list,
    timeliness_figures,
    timeliness_figures_direct,
    timeliness_figures_many,
    timeliness_moment,
)
from roadmap.models import Activity, Event, EventReport, EventRollup, Municipality, Organization, Plan
from roadmap.tests.event_factories import EventFactory, EventReportFactory, msk, plan_with
from roadmap.tests.factories import ActivityFactory, MunicipalityFactory, OrganizationFactory

GROUPINGS = ("organization", "activity", "municipality", "month", "total")
START = msk(2026, 3, 1, 10)
FIRST_DAY = dt.date(2026, 2, 20)


# ---------------------------------------------------------------------------
# A small world and the operations on it
# ---------------------------------------------------------------------------


@dataclass
class World:
    plan: Plan
    activities: list[Activity]
    orgs: list[Organization]
    munis: list[Municipality | None]
    now: dt.datetime = START
    events: list[Event] = field(default_factory=list)


def _world() -> World:
    plan = plan_with()
    tula, aleksin = MunicipalityFactory(name="Тула"), MunicipalityFactory(name="Алексин")
    activities = [ActivityFactory(section__plan=plan), ActivityFactory(section__plan=plan)]
    orgs = [
        OrganizationFactory(short_name="А", municipality=tula),
        OrganizationFactory(short_name="Б", municipality=None),
    ]
    return World(plan=plan, activities=activities, orgs=orgs, munis=[tula, aleksin, None])


def _data(n: int) -> services.ReportData:
    return services.ReportData(summary="Прошло", participants_total=n)


def _pick(w: World, i: int) -> Event | None:
    if not w.events:
        return None
    event = w.events[i % len(w.events)]
    return Event.objects.filter(pk=event.pk).select_related("activity__plan").first()


def _report(event: Event | None) -> Any:
    return getattr(event, "report", None) if event is not None else None


def _apply(w: World, op: tuple[Any, ...]) -> None:
    name, a, b, c = op
    event = _pick(w, a) if name not in ("create", "advance", "rule") else None
    if name == "create":
        day = FIRST_DAY + dt.timedelta(days=b)
        org = w.orgs[a % 2]
        created = services.event_create(
            user=None,
            activity=w.activities[c % 2],
            organizer=org,
            title="Проба",
            start_date=day,
            municipality=w.munis[c % 3] if c % 4 else None,  # None: the organiser's (may be none)
        )
        w.events.append(created)
    elif name == "advance":
        w.now += dt.timedelta(hours=(1, 6, 11, 14, 24, 37)[b % 6])
    elif name == "rule":
        w.plan.report_due_days = (0, 2, 3)[b % 3]
        w.plan.report_due_calendar = ("calendar", "working")[c % 2]
        w.plan.save()
        services.events_recompute_due_at(plan=w.plan, now=w.now)
    elif event is None:
        return
    elif name == "move":
        day = FIRST_DAY + dt.timedelta(days=b)
        services.event_update(user=None, event=event, start_date=day, end_date=day + dt.timedelta(days=c % 2))
    elif name == "reassign":
        changes = (
            {"activity": w.activities[c % 2]},
            {"organizer": w.orgs[c % 2]},
            {"municipality": w.munis[c % 3]},
        )[b % 3]
        services.event_update(user=None, event=event, **changes)
    elif name == "cancel":
        services.event_cancel(user=None, event=event, reason="Перенос", now=w.now)
    elif name == "submit":
        services.event_report_submit(user=None, event=event, data=_data(b + 1), now=w.now)
    elif name == "return" and _report(event) is not None:
        services.event_report_return(user=None, report=event.report, reason="Исправьте", now=w.now)
    elif name == "resubmit" and _report(event) is not None:
        services.event_report_resubmit(user=None, report=event.report, data=_data(c + 2), now=w.now)
    elif name == "accept" and _report(event) is not None:
        services.event_report_accept(user=None, report=event.report, now=w.now)
    elif name == "delete":
        with rollups_kept([event.pk]):
            Event.objects.filter(pk=event.pk).delete()
        w.events = [e for e in w.events if e.pk != event.pk]


def _try(w: World, op: tuple[Any, ...]) -> None:
    try:
        with transaction.atomic():
            _apply(w, op)
    except (ValidationError, Conflict):
        pass  # refused by the service: nothing written, nothing counted


NAMES = ("create", "create", "create", "advance", "advance", "move", "reassign", "cancel", "submit", "submit", "submit")
NAMES += ("return", "return", "resubmit", "accept", "accept", "delete", "rule")


def _sequence(seed: int) -> list[tuple[Any, ...]]:
    """(operation, which event or organisation, a day from FIRST_DAY or a step, a variant).

    Drawn from a seed rather than as a Hypothesis list: Hypothesis starts from
    the simplest lists (the same operation on event 0 over and over), and the
    few dozen examples CI can afford must reach returns, cancellations and
    rule changes. Small numbers keep the operations meeting the same few events.
    """
    rng = random.Random(seed)
    return [
        (rng.choice(NAMES), rng.randint(0, 3), rng.randint(0, 16), rng.randint(0, 5))
        for _ in range(rng.randint(10, 30))
    ]


def _filters(w: World) -> list[dict[str, Any]]:
    return [
        {},
        {"plan": w.plan, "year": 2026},
        {"date_from": dt.date(2026, 2, 25), "date_to": dt.date(2026, 3, 5)},
        {"organization_ids": {w.orgs[0].pk}},
        {"organization": w.orgs[1], "activity": w.activities[0]},
        {"municipality": w.munis[0]},
    ]


def _assert_figures_equal(w: World) -> None:
    for filters in _filters(w):
        together = timeliness_figures_many(now=w.now, groupings=GROUPINGS, **filters)
        together_direct = timeliness_figures_many(now=w.now, groupings=GROUPINGS, direct=True, **filters)
        for by in GROUPINGS:
            direct = timeliness_figures_direct(now=w.now, by=by, **filters)  # type: ignore[arg-type]
            assert timeliness_figures(now=w.now, by=by, **filters) == direct, (by, filters)  # type: ignore[arg-type]
            # Several groupings at once (their late delays read together) give each grouping's own figures.
            assert together[by] == together_direct[by] == direct, (by, filters)
        # Every write was at or before now, so the rollups answer (no fall-back to the direct computation).
        assert _grouped_from_rollups("total", _TimelinessQuery(**filters), timeliness_moment(w.now, None)) is not None
    for as_of in (dt.date(2026, 3, 1), w.now - dt.timedelta(hours=20)):
        for by in ("organization", "total"):
            direct = timeliness_figures_direct(now=w.now, by=by, as_of=as_of)  # type: ignore[arg-type]
            assert timeliness_figures(now=w.now, by=by, as_of=as_of) == direct  # type: ignore[arg-type]


# ---------------------------------------------------------------------------
# Properties
# ---------------------------------------------------------------------------


@pytest.mark.django_db
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(min_value=0, max_value=2**32))
def test_rollup_figures_equal_the_direct_computation_after_any_writes(seed: int) -> None:
    sequence = _sequence(seed)
    note(f"operations {sequence}")
    with transaction.atomic():
        w = _world()
        for op in sequence:
            _try(w, op)
            # After every write, not only at the end: a later write may hide an earlier miscount.
            assert rollups_check().ok, op
        statuses = set(EventReport.objects.values_list("status", flat=True))
        for status in ("submitted", "returned", "accepted"):
            hypothesis_event(f"{status}: {status in statuses}")
        hypothesis_event(f"cancelled: {Event.objects.filter(cancelled_at__isnull=False).exists()}")
        _assert_figures_equal(w)
        _assert_lists_agree(w)
        assert rollups_check().ok
        transaction.set_rollback(True)


def _assert_lists_agree(w: World) -> None:
    """The lists behind the figures (read from the event's mirrors of its report: ``report_outcome``,
    ``report_on_time``) open the very events counted."""
    total = timeliness_figures_direct(now=w.now, by="total").total
    for column in ("held", "due", "on_time", "late", "missing"):
        listed = EventFilter({"timeliness": column}, queryset=Event.objects.all(), now=w.now, organizers=None)
        assert listed.qs.count() == getattr(total, column), column
    for event in Event.objects.select_related("report"):
        status = event_report_status(event, w.now)
        assert events_list(user=None, now=w.now, report_status=status, everything=True).filter(pk=event.pk).exists()


@pytest.mark.django_db
def test_a_report_turns_missing_at_midnight_after_its_due_day_without_a_write() -> None:
    w = _world()
    event = services.event_create(
        user=None, activity=w.activities[0], organizer=w.orgs[0], title="Проба", start_date=dt.date(2026, 3, 1)
    )
    writes = EventRollup.objects.values_list("held", "on_time", "late", "latest")
    stored = list(writes)
    # due 02.03 23:59:59 Moscow time: not yet due through that second, missing from midnight on
    for moment, missing in ((msk(2026, 3, 2, 23, 59, 59), 0), (msk(2026, 3, 3, 0, 0, 0), 1)):
        total = timeliness_figures(now=moment, by="total").total
        assert (total.held, total.missing, total.not_yet_due) == (1, missing, 1 - missing)
        assert total == timeliness_figures_direct(now=moment, by="total").total
    assert list(writes) == stored  # time passing wrote nothing
    assert event.due_at == msk(2026, 3, 2, 23, 59, 59)


@pytest.mark.django_db
def test_a_moment_before_a_counted_fact_is_answered_by_the_direct_computation() -> None:
    w = _world()
    event = services.event_create(
        user=None, activity=w.activities[0], organizer=w.orgs[0], title="Проба", start_date=dt.date(2026, 3, 1)
    )
    services.event_report_submit(user=None, event=event, data=_data(5), now=msk(2026, 3, 6, 12))
    query, before = _TimelinessQuery(), msk(2026, 3, 4, 12)
    assert _grouped_from_rollups("total", query, before) is None  # the late report came after that moment
    past = timeliness_figures(now=msk(2026, 3, 10), by="total", as_of=dt.date(2026, 3, 4)).total
    assert (past.held, past.missing, past.late) == (1, 1, 0)
    now = timeliness_figures(now=msk(2026, 3, 10), by="total").total
    assert (now.held, now.missing, now.late, now.median_delay) == (1, 0, 1, dt.timedelta(days=3, hours=12))


@pytest.mark.django_db
def test_participants_and_returns_are_counted() -> None:
    w = _world()
    event = services.event_create(
        user=None, activity=w.activities[0], organizer=w.orgs[0], title="Проба", start_date=dt.date(2026, 3, 1)
    )
    report = services.event_report_submit(user=None, event=event, data=_data(30), now=msk(2026, 3, 2))
    row = EventRollup.objects.get()
    assert (row.on_time, row.participants, row.participants_accepted, row.returned) == (1, 30, 0, 0)
    services.event_report_return(user=None, report=report, reason="Исправьте", now=msk(2026, 3, 3))
    assert EventRollup.objects.get().returned == 1
    services.event_report_resubmit(user=None, report=report, data=_data(28), now=msk(2026, 3, 4))
    services.event_report_accept(user=None, report=report, now=msk(2026, 3, 5))
    row = EventRollup.objects.get()
    assert (row.on_time, row.returned, row.accepted, row.participants, row.participants_accepted) == (1, 0, 1, 28, 28)
    assert row.latest == msk(2026, 3, 5)
    assert rollups_check().ok


@pytest.mark.django_db
def test_the_imports_keep_the_rollups() -> None:
    w = _world()
    activity = Activity.objects.select_related("plan").get(pk=w.activities[0].pk)
    rows = [
        services.EventRow(row=i, activity=activity, organizer_id=w.orgs[i % 2].pk, title="П", start_date=d, end_date=d)
        for i, d in enumerate([dt.date(2026, 3, 1), dt.date(2026, 3, 2), dt.date(2026, 3, 2)])
    ]
    with transaction.atomic():
        assert not services.events_import(user=None, rows=rows, now=START, commit=True).problems
    ids = list(Event.objects.order_by("pk").values_list("pk", flat=True))
    figures: dict[str, int | None] = {"participants_total": 7}
    reports = [services.ReportRow(row=i, event_id=pk, figures=figures, summary="Прошло") for i, pk in enumerate(ids)]
    with transaction.atomic():
        assert not services.event_reports_import(user=None, rows=reports, now=msk(2026, 3, 3, 12), commit=True).problems
    assert rollups_check().ok
    total = timeliness_figures(now=msk(2026, 3, 5), by="total").total
    assert (total.held, total.on_time, total.late) == (3, 2, 1)
    assert total == timeliness_figures_direct(now=msk(2026, 3, 5), by="total").total


# ---------------------------------------------------------------------------
# The check, the fix, the nightly task
# ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_rollups_check_prints_a_planted_difference_and_exits_non_zero(capsys: Any) -> None:
    report = EventReportFactory()
    EventFactory(organizer=report.event.organizer, activity=report.event.activity)
    call_command("rollups_check")
    assert "rollups equal the records" in capsys.readouterr().out
    EventRollup.objects.filter(on_time=1).update(on_time=F("on_time") + 1)
    with pytest.raises(CommandError, match="1 rollup rows differ"):
        call_command("rollups_check")
    out = capsys.readouterr().out
    assert f"organisation {report.event.organizer_id}" in out and "on_time=2" in out and "on_time=1" in out
    call_command("rollups_check", "--fix")
    assert "fixed 1 rollup rows" in capsys.readouterr().out
    call_command("rollups_check")
    assert rollups_check().ok


@pytest.mark.django_db
def test_rollups_check_finds_rows_a_side_door_left_behind_and_missing_rows() -> None:
    first, second = EventFactory(start_date=dt.date(2026, 3, 1)), EventFactory(start_date=dt.date(2026, 3, 2))
    Event.objects.filter(pk=first.pk).delete()  # past the services
    EventRollup.objects.filter(day=second.end_date).delete()
    found = {d.key[4]: d for d in rollups_check().differences}
    assert set(found) == {first.end_date, second.end_date}
    assert found[first.end_date].recomputed is None and found[first.end_date].stored is not None
    assert found[second.end_date].stored is None and "(no row)" in found[second.end_date].describe()
    assert rollups_check(fix=True).fixed
    assert rollups_check().ok
    assert not EventRollup.objects.filter(day=first.end_date).exists()


@pytest.mark.django_db
def test_the_nightly_task_fixes_differences_and_is_scheduled(caplog: Any) -> None:
    from django_celery_beat.models import PeriodicTask

    from roadmap.tasks import rollups_check as task

    EventFactory()
    EventRollup.objects.update(held=5)
    assert task() == 1
    assert "differed from the records" in caplog.text
    assert task() == 0
    assert PeriodicTask.objects.filter(task="roadmap.rollups_check", enabled=True, crontab__isnull=False).exists()


@pytest.mark.django_db
def test_rebuild_recomputes_everything_after_a_bulk_load() -> None:
    w = _world()
    day = dt.date(2026, 3, 1)
    due = services.event_due_at(plan=w.plan, end_date=day)
    Event.objects.bulk_create(
        [Event(activity=w.activities[0], organizer=w.orgs[0], title="Б", start_date=day, end_date=day, due_at=due)] * 1
    )
    assert not rollups_check().ok
    assert rollups_rebuild() == 1
    assert rollups_check().ok and EventRollup.objects.get().held == 1


@pytest.mark.django_db
def test_the_demo_generator_leaves_rollups_equal_to_the_records(order_plan: Plan) -> None:
    from dataclasses import replace

    from copp.demo import DemoGenerator, ScaleSpec, demo_delete

    spec = ScaleSpec(regions=1, colleges=3, schools=5, employers=3, events=80, ministry_staff=1)
    DemoGenerator(replace(spec), seed=3, now=msk(2025, 6, 1)).run()
    assert EventRollup.objects.exists() and rollups_check().ok
    demo_delete()
    assert rollups_check().ok


# ---------------------------------------------------------------------------
# Queries
# ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_timeliness_figures_take_the_same_queries_at_two_sizes() -> None:
    w = _world()

    def grow(n: int) -> None:
        for i in range(n):
            event = services.event_create(
                user=None,
                activity=w.activities[i % 2],
                organizer=w.orgs[i % 2],
                title="Проба",
                start_date=FIRST_DAY + dt.timedelta(days=i % 9),
            )
            if i % 3:
                services.event_report_submit(
                    user=None, event=event, data=_data(3), now=START + dt.timedelta(days=i % 20)
                )

    def count(by: str) -> int:
        with CaptureQueriesContext(connection) as queries:
            timeliness_figures(now=msk(2026, 4, 1), by=by, plan=w.plan, year=2026)  # type: ignore[arg-type]
        return len(queries)

    def count_together() -> int:
        with CaptureQueriesContext(connection) as queries:
            timeliness_figures_many(now=msk(2026, 4, 1), groupings=GROUPINGS, plan=w.plan, year=2026)
        return len(queries)

    grow(4)
    small = {by: count(by) for by in GROUPINGS}
    small_together = count_together()
    grow(40)
    large = {by: count(by) for by in GROUPINGS}
    assert small == large == dict.fromkeys(GROUPINGS, 2)
    # One query per grouping, and one for the late reports' delays of them all.
    assert small_together == count_together() == len(GROUPINGS) + 1


# ---------------------------------------------------------------------------
# Concurrency (PostgreSQL: real row locks and upserts)
# ---------------------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_writes_to_one_key_lose_no_count() -> None:
    w = _world()
    day = dt.date(2026, 3, 1)
    n = 12
    barrier = threading.Barrier(n)
    errors: list[BaseException] = []
    created: list[Event] = []

    def create() -> None:
        try:
            barrier.wait()
            created.append(
                services.event_create(
                    user=None, activity=w.activities[0], organizer=w.orgs[0], title="Проба", start_date=day
                )
            )
        except BaseException as exc:  # noqa: BLE001 -- reported below
            errors.append(exc)
        finally:
            connections.close_all()

    def submit(event: Event) -> None:
        try:
            barrier.wait()
            services.event_report_submit(user=None, event=event, data=_data(2), now=msk(2026, 3, 2))
        except BaseException as exc:  # noqa: BLE001 -- reported below
            errors.append(exc)
        finally:
            connections.close_all()

    for target, args in ((create, ()), (submit, None)):
        threads = [threading.Thread(target=target, args=args if args is not None else (created[i],)) for i in range(n)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert not errors, errors
    row = EventRollup.objects.get()
    assert (row.held, row.on_time, row.participants) == (n, n, 2 * n)
    assert rollups_check().ok

"""Report timeliness and control points are kept while nothing they read changes (roadmap.events.memo): served
again without recomputing until a write, the next Moscow midnight or the age limit; kept
apart per question and reader; always equal to the direct computation as of the moment asked."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from roadmap.accounts.permissions import organization_scope
from roadmap.events.memo import current_timeliness, next_midnight
from roadmap.events.selectors import TimelinessFigures, TimelinessRow, timeliness_figures_direct
from roadmap.events.services import ReportData, event_cancel, event_report_submit
from roadmap.plans.deadlines import MOSCOW
from tests.world import World, logged_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def memo(settings: Any) -> int:
    settings.FIGURES_MEMO_SECONDS = 60
    return 60


def _counts(row: TimelinessRow) -> tuple[Any, ...]:
    return (
        row.key,
        row.label,
        row.held,
        row.due,
        row.on_time,
        row.late,
        row.missing,
        row.not_yet_due,
        row.accepted,
        row.median_delay,
    )


def _same(found: TimelinessFigures, expected: TimelinessFigures) -> bool:
    """Equal figures; the kept rows carry their median delay instead of every delay."""
    return (
        found.by == expected.by
        and found.moment == expected.moment
        and [_counts(r) for r in found.rows] == [_counts(r) for r in expected.rows]
        and _counts(found.total) == _counts(expected.total)
    )


def _asked(fn: Any) -> tuple[TimelinessFigures, bool]:
    """What ``fn`` returns, and whether it read the rollups or the events (computed the figures)."""
    with CaptureQueriesContext(connection) as queries:
        found = fn()
    return found, any(
        "roadmap_eventrollup" in q["sql"] or 'FROM "roadmap_event" ' in q["sql"] for q in queries.captured_queries
    )


def _moscow(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=MOSCOW)


def test_next_midnight_is_the_next_moscow_day_whatever_the_zone_asked_in() -> None:
    assert next_midnight(_moscow(2025, 12, 31, 0, 0)) == _moscow(2026, 1, 1)
    assert next_midnight(_moscow(2025, 12, 31, 23, 59, 59, 999999)) == _moscow(2026, 1, 1)
    # 21:00 UTC is already midnight in Moscow (UTC+3, no daylight saving time).
    assert next_midnight(dt.datetime(2025, 12, 31, 21, 0, tzinfo=dt.UTC)) == _moscow(2026, 1, 2)
    assert next_midnight(dt.datetime(2025, 12, 31, 20, 59, 59, tzinfo=dt.UTC)) == _moscow(2026, 1, 1)


def test_timeliness_is_served_again_until_a_write_and_then_recomputed(world: World, memo: int) -> None:
    scope = organization_scope(world.ministry)
    now = _moscow(world.plan.last_year, 6, 20, 10, 0)

    def ask(at: dt.datetime) -> tuple[TimelinessFigures, bool]:
        return _asked(lambda: current_timeliness(now=at, by="organization", scope=scope, plan=world.plan))

    def direct(at: dt.datetime) -> TimelinessFigures:
        return timeliness_figures_direct(now=at, by="organization", scope=scope, plan=world.plan)

    first, computed = ask(now)
    assert computed and _same(first, direct(now))
    later = now + dt.timedelta(seconds=30)
    again, computed = ask(later)
    assert not computed and _same(again, direct(later)) and again.moment == later

    # A report filed through the service: the stamp moves, the next question recomputes.
    overdue = world.events_a[0]
    event_report_submit(user=None, event=overdue, data=ReportData(summary="Прошло", participants_total=40), now=later)
    after, computed = ask(later)
    assert computed and _same(after, direct(later))
    assert after.total.late == first.total.late + 1 and after.total.missing == first.total.missing - 1

    # An event cancelled: recomputed too.
    event_cancel(user=None, event=world.events_b[0], reason="Перенесено", now=later)
    cancelled, computed = ask(later)
    assert computed and _same(cancelled, direct(later)) and cancelled.total.held == after.total.held - 1

    # Nothing written, but older than the limit: recomputed.
    _, computed = ask(later + dt.timedelta(seconds=memo))
    assert computed


def test_the_clock_changes_the_figures_at_moscow_midnight_and_the_memo_with_it(world: World, settings: Any) -> None:
    settings.FIGURES_MEMO_SECONDS = 2 * 24 * 3600  # only the midnight rule can end the kept figures
    scope = organization_scope(world.ministry)
    overdue = world.events_a[0]  # no report; due at 23:59:59 of the day after its last day
    due_day = overdue.due_at.astimezone(MOSCOW).date()
    morning = _moscow(due_day.year, due_day.month, due_day.day, 9, 0)
    last_moment = _moscow(due_day.year, due_day.month, due_day.day, 23, 59, 59, 999999)
    midnight = last_moment + dt.timedelta(microseconds=1)

    def ask(at: dt.datetime) -> tuple[TimelinessFigures, bool]:
        return _asked(lambda: current_timeliness(now=at, by="month", scope=scope))

    def direct(at: dt.datetime) -> TimelinessFigures:
        return timeliness_figures_direct(now=at, by="month", scope=scope)

    _, computed = ask(morning)
    assert computed
    before, computed = ask(last_moment)
    assert not computed and _same(before, direct(last_moment)), "nothing changes before midnight"
    after, computed = ask(midnight)
    assert computed and _same(after, direct(midnight))
    assert before.total.not_yet_due > 0, "the organisations' unreported events of that day are not yet due"
    assert after.total.missing == before.total.missing + before.total.not_yet_due, "and turn missing at midnight"


def test_each_question_and_each_reader_is_kept_apart(world: World, memo: int) -> None:
    now = _moscow(world.plan.last_year, 6, 20, 10, 0)
    ministry, coordinator = organization_scope(world.ministry), organization_scope(world.coord_a)
    questions: list[dict[str, Any]] = [
        {"by": "organization", "scope": ministry},
        {"by": "organization", "scope": coordinator},
        {"by": "month", "scope": ministry},
        {"by": "organization", "scope": ministry, "year": world.plan.last_year},
        {"by": "organization", "scope": ministry, "year": world.plan.last_year - 1},
        {"by": "activity", "scope": ministry, "date_from": dt.date(world.plan.last_year, 6, 6)},
        {"by": "total", "scope": ministry, "date_to": dt.date(world.plan.last_year, 6, 6)},
        {"by": "organization", "scope": ministry, "plan": world.plan},
    ]
    for _round in range(2):  # the second round is served from the memo, each question its own answer
        for question in questions:
            found = current_timeliness(now=now, **question)
            assert _same(found, timeliness_figures_direct(now=now, **question)), question
    mine = current_timeliness(now=now, by="organization", scope=coordinator)
    assert [r.key for r in mine.rows] == [world.org_a.pk]


def test_figures_as_of_a_past_day_are_kept_by_the_data_alone(world: World, memo: int) -> None:
    scope = organization_scope(world.ministry)
    now = _moscow(world.plan.last_year, 6, 20, 10, 0)
    as_of = dt.date(world.plan.last_year, 6, 8)
    end_of_day = _moscow(world.plan.last_year, 6, 8, 23, 59, 59, 999999)

    def ask(at: dt.datetime) -> tuple[TimelinessFigures, bool]:
        return _asked(lambda: current_timeliness(now=at, by="organization", scope=scope, as_of=as_of))

    first, computed = ask(now)
    assert computed and first.moment == end_of_day
    assert _same(first, timeliness_figures_direct(now=now, by="organization", scope=scope, as_of=as_of))
    # Asked again later: the same past moment, still kept, still exact.
    again, computed = ask(now + dt.timedelta(seconds=30))
    assert not computed and _same(again, first)
    # A report filed now is not counted as of that day, but the figures are recomputed anyway.
    event_report_submit(
        user=None, event=world.events_a[0], data=ReportData(summary="Прошло", participants_total=5), now=now
    )
    after, computed = ask(now + dt.timedelta(seconds=31))
    assert computed and _same(after, first)


def test_the_api_and_the_dashboard_table_read_the_kept_figures(world: World, memo: int, monkeypatch: Any) -> None:
    from roadmap.events import memo as module

    computed: list[str] = []
    compute = module.timeliness_figures

    def counting(**kwargs: Any) -> Any:
        computed.append(kwargs["scope"].key)
        return compute(**kwargs)

    monkeypatch.setattr(module, "timeliness_figures", counting)
    api = APIClient()
    api.force_authenticate(world.ministry)
    url = "/api/v1/events/timeliness/?by=organization"
    first = api.get(url).json()
    second = api.get(url).json()
    assert len(computed) == 1 and first["rows"] == second["rows"] and first["total"] == second["total"]
    assert second["moment"] >= first["moment"], "figures kept earlier the same day are answered as of now"

    # The coordinator's question is its own: only its organisation.
    coordinator = APIClient()
    coordinator.force_authenticate(world.coord_a)
    mine = coordinator.get(url).json()
    assert len(computed) == 2 and [r["key"] for r in mine["rows"]] == [world.org_a.pk]

    page = logged_in(world.ministry)
    for _ in range(2):
        assert page.get("/dashboard/timeliness/?by=organization").status_code == 200
    assert len(computed) == 3, "the dashboard's table asks its plan and year: one computation for two views"


def test_control_points_are_kept_until_a_write_or_a_new_day(world: World, memo: int) -> None:
    from roadmap.events.memo import current_control_points
    from roadmap.events.services import event_create
    from roadmap.models import DeadlineWindow
    from roadmap.plans.control_points import PointState, control_points_of

    activity = world.activity
    year = world.plan.last_year
    # A window with nothing recorded under it yet, closing on the 15th of July.
    DeadlineWindow.objects.create(activity=activity, start=dt.date(year, 7, 1), end=dt.date(year, 7, 15))
    today = dt.date(year, 7, 15)
    now = _moscow(year, 7, 15, 10, 0)

    def ask(day: dt.date, at: dt.datetime) -> tuple[Any, bool]:
        with CaptureQueriesContext(connection) as queries:
            found = current_control_points(activity, today=day, now=at)
        return found, any("roadmap_deadlinewindow" in q["sql"] for q in queries.captured_queries)

    def july(points: Any) -> Any:
        return next(p for p in points if p.start == dt.date(year, 7, 1))

    first, computed = ask(today, now)
    assert computed and first == control_points_of([activity], today=today)[activity.pk]
    assert july(first).state == PointState.UPCOMING, "the window's last day: not overdue yet"
    again, computed = ask(today, now + dt.timedelta(seconds=10))
    assert not computed and again == first

    # The next day is a question of its own: the empty window's point is overdue by the calendar alone.
    tomorrow = today + dt.timedelta(days=1)
    late, computed = ask(tomorrow, now + dt.timedelta(seconds=11))
    assert computed and july(late).state == PointState.OVERDUE

    # An event registered under the window through the service: recomputed, recorded.
    event_create(user=None, activity=activity, organizer=world.org_a, title="Профпроба", start_date=dt.date(year, 7, 5))
    recorded, computed = ask(tomorrow, now + dt.timedelta(seconds=12))
    assert computed and recorded == control_points_of([activity], today=tomorrow)[activity.pk]
    assert july(recorded).state == PointState.RECORDED and july(recorded).events == 1


def test_the_activity_page_reads_the_kept_control_points(world: World, memo: int, monkeypatch: Any) -> None:
    from roadmap.events import memo as module

    computed: list[int] = []
    compute = module.control_points_of

    def counting(activities: Any, **kwargs: Any) -> Any:
        computed.append(1)
        return compute(activities, **kwargs)

    monkeypatch.setattr(module, "control_points_of", counting)
    for user in (world.ministry, world.coord_a):  # the points count every organisation's events: one for all
        assert logged_in(user).get(f"/activities/{world.activity.pk}/").status_code == 200
    assert len(computed) == 1

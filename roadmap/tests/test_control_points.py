"""Control points (each window's end), overdue points and the activity verdict."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from roadmap.models import DeadlineWindow, EvidenceFile
from roadmap.plans.activity_status import ActivityStatus, activity_status, activity_verdict
from roadmap.plans.control_points import EventFact, PointState, control_points, control_points_of, points_in_year
from roadmap.tests.event_factories import EventFactory, EventReportFactory
from roadmap.tests.factories import ActivityFactory

D = dt.date
JAN = (D(2025, 1, 1), D(2025, 1, 31))
JUN = (D(2025, 6, 1), D(2025, 6, 30))


def test_a_passed_point_with_nothing_recorded_is_overdue() -> None:
    points = control_points([JAN, JUN], [], today=D(2025, 2, 1))
    assert [p.date for p in points] == [D(2025, 1, 31), D(2025, 6, 30)]
    assert [p.state for p in points] == [PointState.OVERDUE, PointState.UPCOMING]


def test_the_control_point_day_itself_is_not_overdue_yet() -> None:
    assert control_points([JAN], [], today=D(2025, 1, 31))[0].state == PointState.UPCOMING
    assert control_points([JAN], [], today=D(2025, 2, 1))[0].state == PointState.OVERDUE


def test_an_event_meeting_the_window_is_recorded_under_it() -> None:
    crossing = EventFact(D(2024, 12, 30), D(2025, 1, 2))
    outside = EventFact(D(2025, 2, 1), D(2025, 2, 1))
    points = control_points([JAN], [crossing, outside], today=D(2025, 3, 1))
    assert points[0].events == 1 and points[0].state == PointState.RECORDED


def test_a_point_is_proven_by_a_held_event_with_an_accepted_report_and_evidence_when_asked() -> None:
    held = EventFact(D(2025, 1, 10), D(2025, 1, 10), accepted=True, evidence=0)
    assert control_points([JAN], [held], today=D(2025, 2, 1))[0].proven
    assert not control_points([JAN], [held], today=D(2025, 2, 1), needs_evidence=True)[0].proven
    with_file = EventFact(D(2025, 1, 10), D(2025, 1, 10), accepted=True, evidence=1)
    assert control_points([JAN], [with_file], today=D(2025, 2, 1), needs_evidence=True)[0].state == PointState.PROVEN
    not_accepted = EventFact(D(2025, 1, 10), D(2025, 1, 10), accepted=False, evidence=3)
    assert control_points([JAN], [not_accepted], today=D(2025, 2, 1))[0].state == PointState.RECORDED


def test_the_verdict_waits_for_the_last_point_then_needs_every_point_proven() -> None:
    ok = EventFact(D(2025, 1, 10), D(2025, 1, 10), accepted=True)
    ok_june = EventFact(D(2025, 6, 10), D(2025, 6, 10), accepted=True)
    assert activity_verdict(control_points([JAN, JUN], [ok], today=D(2025, 6, 30)), today=D(2025, 6, 30)) is None
    after = D(2025, 7, 1)
    assert activity_verdict(control_points([JAN, JUN], [ok], today=after), today=after) == ActivityStatus.FAILED
    both = control_points([JAN, JUN], [ok, ok_june], today=after)
    assert activity_verdict(both, today=after) == ActivityStatus.DONE
    assert activity_verdict([], today=after) is None


def test_the_years_status_is_a_verdict_from_its_points() -> None:
    today = D(2025, 2, 1)
    held_unaccepted = control_points([JAN], [EventFact(D(2025, 1, 10), D(2025, 1, 10))], today=today)
    status = activity_status(windows=[JAN], held=1, missing=0, today=today, points=held_unaccepted)
    assert status == ActivityStatus.FAILED  # held and reported, but the report is not accepted
    assert activity_status(windows=[JAN], held=1, missing=0, today=today) == ActivityStatus.DONE  # without points


def test_points_in_a_year_include_a_season_across_the_new_year() -> None:
    points = control_points([(D(2025, 11, 1), D(2026, 2, 28)), JUN], [], today=D(2025, 1, 1))
    assert [p.date for p in points_in_year(points, 2026)] == [D(2026, 2, 28)]
    assert len(points_in_year(points, 2025)) == 2


@pytest.mark.django_db
def test_control_points_of_reads_events_reports_and_evidence(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = str(tmp_path)
    activity = ActivityFactory(
        evidence_document="Приказ", section__plan__first_year=2025, section__plan__last_year=2027
    )
    DeadlineWindow.objects.create(activity=activity, start=D(2026, 3, 1), end=D(2026, 3, 31))
    DeadlineWindow.objects.create(activity=activity, start=D(2026, 9, 1), end=D(2026, 9, 30))
    report = EventReportFactory(event=EventFactory(activity=activity, start_date=D(2026, 3, 10)), status="accepted")
    EvidenceFile.objects.create(
        report=report,
        file=ContentFile(b"x", name="a.pdf"),
        original_name="a.pdf",
        size=1,
        content_type="application/pdf",
    )
    EventFactory(activity=activity, start_date=D(2026, 3, 12), cancelled_at=dt.datetime(2026, 3, 1, tzinfo=dt.UTC))
    points = control_points_of([activity], today=D(2026, 10, 1))[activity.pk]
    assert [(p.date, p.state, p.events) for p in points] == [
        (D(2026, 3, 31), PointState.PROVEN, 1),  # the cancelled event does not count
        (D(2026, 9, 30), PointState.OVERDUE, 0),
    ]
    assert activity_verdict(points, today=D(2026, 10, 1)) == ActivityStatus.FAILED


def _activities(n: int) -> list[Any]:
    made = []
    for _ in range(n):
        activity = ActivityFactory(section__plan__first_year=2025, section__plan__last_year=2027)
        DeadlineWindow.objects.create(activity=activity, start=D(2026, 3, 1), end=D(2026, 3, 31))
        EventReportFactory(event=EventFactory(activity=activity), status="accepted")
        made.append(activity)
    return made


@pytest.mark.django_db
def test_control_points_of_runs_a_fixed_number_of_queries() -> None:
    counts = []
    for n in (2, 12):
        activities = _activities(n)
        with CaptureQueriesContext(connection) as queries:
            points = control_points_of(activities, today=D(2026, 5, 1))
        assert len(points) == n
        counts.append(len(queries))
    assert counts[0] == counts[1] == 2


@pytest.mark.django_db
def test_the_activity_page_and_the_dashboard_show_overdue_points(client: Any, make_user: Any) -> None:
    from copp.web import PlanYear
    from reports.dashboard.snapshot import build_snapshot

    activity = ActivityFactory(name="Ярмарка профессий", section__plan__first_year=2024, section__plan__last_year=2025)
    DeadlineWindow.objects.create(activity=activity, start=D(2025, 1, 1), end=D(2025, 1, 31))
    client.force_login(make_user("ministry"))
    page = client.get(f"/activities/{activity.pk}/").content.decode()
    assert "Контрольные точки" in page and "31.01.2025" in page and "просрочена: событий нет" in page
    assert "не выполнено" in page  # every point has passed (today is after 2025) and none is proven
    now = dt.datetime(2025, 3, 1, 12, tzinfo=dt.UTC)
    html = build_snapshot(PlanYear(plan=activity.plan, year=2025), now=now).html
    section = html.split('id="h-points"')[1].split("</section>")[0]
    assert "Ярмарка профессий" in section and "31.01.2025" in section
    html_2024 = build_snapshot(PlanYear(plan=activity.plan, year=2024), now=now).html
    assert "Ярмарка профессий" not in html_2024.split('id="h-points"')[1].split("</section>")[0]


@pytest.mark.django_db
def test_control_points_of_one_year_keeps_the_windows_meeting_it() -> None:
    activity = ActivityFactory(section__plan__first_year=2025, section__plan__last_year=2027)
    DeadlineWindow.objects.create(activity=activity, start=D(2025, 11, 1), end=D(2026, 2, 28))
    DeadlineWindow.objects.create(activity=activity, start=D(2026, 9, 1), end=D(2026, 9, 30))
    DeadlineWindow.objects.create(activity=activity, start=D(2027, 3, 1), end=D(2027, 3, 31))
    EventFactory(activity=activity, start_date=D(2025, 12, 20))
    points = control_points_of([activity], today=D(2026, 10, 1), year=2026)[activity.pk]
    assert [(p.date, p.state) for p in points] == [
        (D(2026, 2, 28), PointState.RECORDED),  # the December event counts under the season
        (D(2026, 9, 30), PointState.OVERDUE),
    ]
    other = ActivityFactory(section=activity.section, plan=activity.plan)
    assert control_points_of([other], today=D(2026, 10, 1), year=2026) == {other.pk: []}


@pytest.mark.django_db
@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_control_points_of_agrees_with_the_pure_rule_on_random_records(settings: Any, tmp_path: Any, seed: int) -> None:
    """The database's counts per window equal :func:`control_points` over the same events."""
    import random

    settings.MEDIA_ROOT = str(tmp_path)
    rng = random.Random(seed)
    activities = [
        ActivityFactory(
            evidence_document=rng.choice(["", "Приказ"]), section__plan__first_year=2025, section__plan__last_year=2027
        )
        for _ in range(3)
    ]
    day0 = D(2026, 1, 1)
    facts: dict[int, list[EventFact]] = {a.pk: [] for a in activities}
    windows: dict[int, list[tuple[dt.date, dt.date]]] = {a.pk: [] for a in activities}
    for activity in activities:
        for _ in range(rng.randint(0, 4)):
            start = day0 + dt.timedelta(days=rng.randint(0, 300))
            window = (start, start + dt.timedelta(days=rng.randint(0, 60)))
            DeadlineWindow.objects.create(activity=activity, start=window[0], end=window[1])
            windows[activity.pk].append(window)
        for _ in range(rng.randint(0, 25)):
            start = day0 + dt.timedelta(days=rng.randint(-20, 340))
            end = start + dt.timedelta(days=rng.choice([0, 0, 1, 5]))
            cancelled = rng.random() < 0.15
            event = EventFactory(
                activity=activity,
                start_date=start,
                end_date=end,
                cancelled_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC) if cancelled else None,
            )
            status = rng.choice([None, "submitted", "accepted", "accepted"])
            files = 0
            if status is not None:
                report = EventReportFactory(event=event, status=status)
                if rng.random() < 0.5:
                    files = 1
                    EvidenceFile.objects.create(
                        report=report,
                        file=ContentFile(b"x", name="a.pdf"),
                        original_name="a.pdf",
                        size=1,
                        content_type="application/pdf",
                    )
            if not cancelled:
                facts[activity.pk].append(EventFact(start, end, status == "accepted", files))
    # Days around the boundaries: an event's last day and a window's last day among them.
    ends = sorted({f.end for fs in facts.values() for f in fs} | {w[1] for ws in windows.values() for w in ws})
    for today in sorted({D(2026, 3, 1), D(2027, 2, 1), *rng.sample(ends, k=min(6, len(ends)))}):
        found = control_points_of(activities, today=today)
        for activity in activities:
            needs = bool(activity.evidence_document.strip())
            expected = control_points(windows[activity.pk], facts[activity.pk], today=today, needs_evidence=needs)
            assert found[activity.pk] == expected, (seed, today, activity.pk)

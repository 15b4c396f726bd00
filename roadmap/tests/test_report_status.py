"""The report status rule at its boundaries, and its SQL mirror."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest

from roadmap.events.status import (
    ReportStatus,
    annotate_report_status,
    report_status,
    status_q,
)
from roadmap.models import Event, EventReport, Notification
from roadmap.tests.event_factories import EventFactory, EventReportFactory, msk

END = dt.date(2026, 3, 10)  # a Tuesday; due 23:59:59 on 11.03 under the default rule
DUE = msk(2026, 3, 11, 23, 59, 59)


def status_at(now: dt.datetime, **kw: object) -> ReportStatus:
    return report_status(now=now, end_date=END, due_at=DUE, **kw)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (msk(2026, 3, 9, 23, 59, 59), ReportStatus.PLANNED),
        (msk(2026, 3, 10, 0, 0, 0), ReportStatus.AWAITING),
        (msk(2026, 3, 10, 23, 59, 59), ReportStatus.AWAITING),
        (msk(2026, 3, 11, 0, 0, 0), ReportStatus.DUE_TODAY),
        (msk(2026, 3, 11, 23, 59, 59), ReportStatus.DUE_TODAY),
        (msk(2026, 3, 11, 23, 59, 59, 999999), ReportStatus.DUE_TODAY),
        (msk(2026, 3, 12, 0, 0, 0), ReportStatus.OVERDUE),
        (msk(2027, 1, 1, 0, 0, 0), ReportStatus.OVERDUE),
    ],
)
def test_it_moves_through_the_states_without_a_report(now: dt.datetime, expected: ReportStatus) -> None:
    assert status_at(now) is expected


def test_it_reads_moments_in_utc_as_moscow_days() -> None:
    # 20:59:59 UTC on 09.03 is 23:59:59 in Moscow: still planned; a second later the last day begins.
    assert status_at(dt.datetime(2026, 3, 9, 20, 59, 59, tzinfo=dt.UTC)) is ReportStatus.PLANNED
    assert status_at(dt.datetime(2026, 3, 9, 21, 0, 0, tzinfo=dt.UTC)) is ReportStatus.AWAITING


def test_it_reports_report_states_and_cancellation_first() -> None:
    now = msk(2026, 3, 20)
    assert status_at(now, report_state="submitted", on_time=True) is ReportStatus.ON_TIME
    assert status_at(now, report_state="submitted", on_time=False) is ReportStatus.LATE
    assert status_at(now, report_state="accepted", on_time=False) is ReportStatus.ACCEPTED
    assert status_at(now, report_state="returned", on_time=True) is ReportStatus.RETURNED
    assert status_at(now, cancelled=True) is ReportStatus.CANCELLED
    assert status_at(now, cancelled=True, report_state="accepted") is ReportStatus.CANCELLED


def test_it_is_due_today_on_the_event_day_when_the_rule_allows_zero_days() -> None:
    due_same_day = msk(2026, 3, 10, 23, 59, 59)
    assert report_status(now=msk(2026, 3, 10, 9), end_date=END, due_at=due_same_day) is ReportStatus.DUE_TODAY


@pytest.mark.django_db
def test_it_computes_the_same_status_in_the_database_as_in_python() -> None:
    """Every combination of report state and moment around every boundary agrees."""
    events: list[Event] = []
    for state, on_time, cancelled in [
        (None, None, False),
        ("submitted", True, False),
        ("submitted", False, False),
        ("accepted", True, False),
        ("returned", False, False),
        ("returned", True, False),
        ("accepted", False, False),
        ("submitted", True, True),
        (None, None, True),
    ]:
        event = EventFactory(start_date=END, cancelled_at=msk(2026, 3, 1) if cancelled else None)
        if state:
            EventReportFactory(event=event, status=state, on_time=on_time)
        Notification.objects.create(
            event=event,
            kind="overdue",
            recipient=f"event:{event.pk}",
            subject="-",
            body="-",
            created_at=msk(2026, 3, 1),
        )
        events.append(event)
    moments = [
        msk(2026, 3, 9, 23, 59, 59),
        msk(2026, 3, 10, 0, 0),
        msk(2026, 3, 10, 23, 59, 59),
        msk(2026, 3, 11, 0, 0),
        msk(2026, 3, 11, 23, 59, 59),
        msk(2026, 3, 11, 23, 59, 59, 500000),
        msk(2026, 3, 12, 0, 0),
        msk(2026, 12, 31, 23, 59, 59),
    ]
    for now, event in itertools.product(moments, events):
        event.refresh_from_db()
        report = EventReport.objects.filter(event=event).first()
        expected = report_status(
            now=now,
            end_date=event.end_date,
            due_at=event.due_at,
            cancelled=event.cancelled_at is not None,
            report_state=report.status if report else None,
            on_time=report.on_time if report else None,
        )
        annotated = annotate_report_status(Event.objects.filter(pk=event.pk), now).get().report_status
        assert annotated == expected.value, (now, event.pk)
        matching = [s for s in ReportStatus if Event.objects.filter(status_q(s, now), pk=event.pk).exists()]
        assert matching == [expected], (now, event.pk)
        through = [
            s
            for s in ReportStatus
            if Notification.objects.filter(status_q(s, now, prefix="event__"), event=event).exists()
        ]
        assert through == [expected], (now, event.pk)


def test_it_refuses_an_unknown_status() -> None:
    with pytest.raises(ValueError):
        status_q("late-ish", msk(2026, 3, 1))

"""Timeliness figures: held, due, on time, late, missing, median delay; never above 100 %."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine

from roadmap.events.selectors import timeliness_figures
from roadmap.tests.event_factories import (
    EventFactory,
    EventReportFactory,
    msk,
    plan_with,
)
from roadmap.tests.factories import (
    ActivityFactory,
    MunicipalityFactory,
    OrganizationFactory,
)

pytestmark = pytest.mark.django_db

NOW = msk(2026, 3, 20, 12)


@pytest.fixture
def setup():
    plan = plan_with()
    activity = ActivityFactory(section__plan=plan)
    a = OrganizationFactory(short_name="А-колледж", municipality=MunicipalityFactory(name="Тула"))
    b = OrganizationFactory(short_name="Б-колледж", municipality=MunicipalityFactory(name="Алексин"))

    def ev(org: Any, day: dt.date, **kw: Any) -> Any:
        return EventFactory(activity=activity, organizer=org, start_date=day, **kw)

    # A: one on time, one late by 2 h, one late by 10 h, one missing, one not yet due, one cancelled
    EventReportFactory(event=ev(a, dt.date(2026, 3, 2)), submitted_at=msk(2026, 3, 3, 10), on_time=True)
    EventReportFactory(event=ev(a, dt.date(2026, 3, 3)), submitted_at=msk(2026, 3, 5, 2), on_time=False)
    EventReportFactory(event=ev(a, dt.date(2026, 3, 4)), submitted_at=msk(2026, 3, 6, 10), on_time=False)
    ev(a, dt.date(2026, 3, 10))
    ev(a, dt.date(2026, 3, 20))
    ev(a, dt.date(2026, 3, 5), cancelled_at=msk(2026, 3, 1), cancel_reason="x")
    # B: reported early, before its deadline passed -> due counts it, share stays <= 100 %
    EventReportFactory(event=ev(b, dt.date(2026, 3, 20)), submitted_at=msk(2026, 3, 20, 11), on_time=True)
    ev(b, dt.date(2026, 4, 1))  # planned: not held
    return plan, a, b


def test_it_counts_per_organisation(setup) -> None:
    plan, _, _ = setup
    figures = timeliness_figures(now=NOW, plan=plan)
    rows = {r.label: r for r in figures.rows}
    ra = rows["А-колледж"]
    assert (ra.held, ra.due, ra.on_time, ra.late, ra.missing, ra.not_yet_due) == (5, 4, 1, 2, 1, 1)
    assert ra.median_delay == dt.timedelta(hours=6)  # (2 h + 10 h) / 2
    assert ra.on_time_pct == 25.0
    rb = rows["Б-колледж"]
    assert (rb.held, rb.due, rb.on_time, rb.missing) == (1, 1, 1, 0) and rb.on_time_pct == 100.0
    total = figures.total
    assert (total.held, total.due, total.on_time, total.late, total.missing) == (6, 5, 2, 2, 1)
    for row in [*figures.rows, total]:
        assert row.on_time + row.late + row.missing == row.due <= row.held


def test_it_groups_by_municipality_month_and_activity(setup) -> None:
    plan, _, _ = setup
    by_mun = {r.label: r.held for r in timeliness_figures(now=NOW, by="municipality", plan=plan).rows}
    assert by_mun == {"Алексин": 1, "Тула": 5}
    by_month = timeliness_figures(now=NOW, by="month", plan=plan).rows
    assert [(r.label, r.held) for r in by_month] == [("03.2026", 6)]
    assert [r.held for r in timeliness_figures(now=NOW, by="activity", plan=plan).rows] == [6]


def test_it_counts_as_of_a_past_day(setup) -> None:
    plan, _, _ = setup
    past = timeliness_figures(now=NOW, plan=plan, as_of=dt.date(2026, 3, 5)).total
    # By the end of 05.03: events of 02-04.03 held (cancelled one off); the report of 04.03 came on 06.03.
    assert (past.held, past.due, past.on_time, past.late, past.missing) == (3, 2, 1, 1, 0)


def test_it_answers_in_two_queries_whatever_the_size(setup, django_assert_num_queries) -> None:
    plan, a, _ = setup
    with django_assert_num_queries(2):
        timeliness_figures(now=NOW, plan=plan)
    for _ in range(20):
        EventReportFactory(
            event=EventFactory(activity=plan.activities.first(), organizer=a),
            on_time=False,
            submitted_at=msk(2026, 3, 15),
        )
    with django_assert_num_queries(2):
        timeliness_figures(now=NOW, plan=plan, by="month")


@time_machine.travel(NOW, tick=False)
def test_the_api_serves_the_figures(setup) -> None:
    from rest_framework.test import APIClient

    from roadmap.accounts.roles import Role
    from roadmap.tests.factories import UserFactory

    client = APIClient()
    client.force_authenticate(UserFactory(role=Role.MINISTRY))
    body = client.get("/api/v1/events/timeliness/?by=organization&year=2026").json()
    assert body["total"]["due"] >= 5 and {r["label"] for r in body["rows"]} == {"А-колледж", "Б-колледж"}
    assert client.get("/api/v1/events/timeliness/?by=planet").status_code == 400


@pytest.mark.parametrize(
    ("due", "submitted"),
    [
        # whole seconds, across Moscow midnight (still the same UTC day) and a UTC midnight
        (dt.datetime(2026, 3, 11, 20, 59, 59, tzinfo=dt.UTC), dt.datetime(2026, 3, 11, 21, 0, 0, tzinfo=dt.UTC)),
        (dt.datetime(2026, 3, 11, 20, 59, 59, tzinfo=dt.UTC), dt.datetime(2026, 3, 12, 0, 0, 1, tzinfo=dt.UTC)),
        # microseconds on one side, on the other, on both, borrowing a second
        (dt.datetime(2026, 3, 11, 20, 59, 59, tzinfo=dt.UTC), dt.datetime(2026, 3, 12, 3, 4, 5, 6, tzinfo=dt.UTC)),
        (dt.datetime(2026, 3, 11, 20, 59, 59, 999999, tzinfo=dt.UTC), dt.datetime(2026, 3, 13, tzinfo=dt.UTC)),
        (
            dt.datetime(2026, 3, 11, 20, 59, 59, 999999, tzinfo=dt.UTC),
            dt.datetime(2026, 3, 12, 0, 0, 0, 1, tzinfo=dt.UTC),
        ),
        # the year turns, and a delay of months
        (dt.datetime(2025, 12, 31, 20, 59, 59, tzinfo=dt.UTC), dt.datetime(2026, 1, 1, 0, 0, 0, 500000, tzinfo=dt.UTC)),
        (dt.datetime(2025, 12, 31, 20, 59, 59, tzinfo=dt.UTC), dt.datetime(2026, 6, 30, 12, 30, tzinfo=dt.UTC)),
    ],
)
def test_a_late_reports_delay_is_exact_to_the_microsecond(due: dt.datetime, submitted: dt.datetime) -> None:
    """The database takes the delay (``MicrosecondsBetween``: SQLite's strftime and the stored
    text, PostgreSQL's epoch); it must be Python's own difference, minus the deadline's second."""
    from roadmap.models import Event, EventReport

    event = EventFactory(start_date=dt.date(2025, 12, 1), end_date=dt.date(2025, 12, 1))
    EventReportFactory(event=event, submitted_at=submitted, due_at_submission=due, on_time=False)
    assert EventReport.objects.get().submitted_at == submitted  # stored as given
    figures = timeliness_figures(now=msk(2026, 12, 1), by="total", events=Event.objects.all())
    assert figures.total.delays == [submitted - due - dt.timedelta(seconds=1)]

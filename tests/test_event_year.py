"""One answer to "which year is this event in?" (roadmap/events/event_year.py): the
year of its last day, the day its report is due from. The indicators, the
timeliness figures, the dashboard, the event list's year filter, the
accepted-report selector and the report builders agree on an event that
runs over New Year (30.12.2024–02.01.2025 counts in 2025)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from copp.web import PlanYear
from indicators.models import Indicator
from indicators.selectors import indicator_figures, indicator_records
from reports.builders import builder_class
from reports.dashboard.snapshot import Dashboard, snapshot_key
from reports.selectors import count_events, event_lines
from roadmap.events.event_year import EVENT_YEAR_FIELD, event_year
from roadmap.events.rollups import RollupDelta
from roadmap.events.selectors import timeliness_figures
from roadmap.events.services import event_due_at
from roadmap.models import Event, EventReport
from roadmap.tests.event_factories import msk
from roadmap.tests.factories import OrganizationFactory
from tests.world import logged_in

pytestmark = pytest.mark.django_db

NOW = msk(2025, 6, 1, 12)


@pytest.fixture
def new_year_event(order_plan: Any) -> Event:
    """Held 30.12.2024–02.01.2025 under activity 17 (a source of indicator 6), reported and accepted."""
    end = dt.date(2025, 1, 2)
    kept = RollupDelta()
    event = Event.objects.create(
        activity=order_plan.activities.get(number=17),
        organizer=OrganizationFactory(),
        title="Новогодняя профпроба",
        start_date=dt.date(2024, 12, 30),
        end_date=end,
        due_at=event_due_at(plan=order_plan, end_date=end),
    )
    EventReport.objects.create(
        event=event,
        summary="Прошло",
        participants_total=40,
        status="accepted",
        submitted_at=event.due_at,
        due_at_submission=event.due_at,
        on_time=True,
        accepted_at=event.due_at,
    )
    kept.created([event.pk])
    kept.apply()  # written past the services: the rollups kept as they keep them
    return event


def test_it_puts_an_event_over_new_year_in_the_year_of_its_last_day(new_year_event: Event) -> None:
    assert event_year(new_year_event) == 2025
    assert EVENT_YEAR_FIELD == "end_date"


def test_it_counts_the_event_in_the_same_year_in_indicators_timeliness_and_dashboard(
    order_plan: Any, new_year_event: Event
) -> None:
    figures = indicator_figures(order_plan, years=[2024, 2025], now=NOW, codes=["6"])
    assert figures[("6", 2025)].derived == 40
    assert not figures[("6", 2024)].derived
    held = {
        year: timeliness_figures(now=NOW, by="total", plan=order_plan, year=year).total.held for year in (2024, 2025)
    }
    assert held == {2024: 0, 2025: 1}
    dashboard = {year: Dashboard(py=PlanYear(order_plan, year), now=NOW) for year in (2024, 2025)}
    assert {year: d.total.held for year, d in dashboard.items()} == {2024: 0, 2025: 1}


def test_it_lists_the_event_in_that_year_everywhere_else(
    order_plan: Any, new_year_event: Event, make_user: Any
) -> None:
    indicator = Indicator.objects.get(indicator_set__plan=order_plan, code="6")
    assert list(indicator_records(indicator, 2025)["event_reports"]) == [new_year_event.report]
    assert not indicator_records(indicator, 2024)["event_reports"].exists()
    assert [line.id for line in event_lines(order_plan, moment=NOW, historical=False, year=2025)] == [new_year_event.pk]
    assert (count_events(order_plan, year=2024), count_events(order_plan, year=2025)) == (0, 1)
    client = logged_in(make_user("ministry"))
    assert new_year_event.title in client.get("/events/?year=2025").content.decode()
    assert new_year_event.title not in client.get("/events/?year=2024").content.decode()


def test_the_reports_of_each_year_agree(order_plan: Any, new_year_event: Event) -> None:
    def titles(kind: str, year: int) -> str:
        builder = builder_class(kind)(plan=order_plan, year=year, now=NOW)
        return " ".join(str(v) for row in builder.rows() for v in row.values)

    assert new_year_event.title in titles("timeliness", 2025)
    assert new_year_event.title not in titles("timeliness", 2024)


def test_the_dashboard_snapshot_key_names_the_rule() -> None:
    assert "end_date" in snapshot_key(1, 2025)

"""One answer to "which year is this event in?" (roadmap/event_year.py): the
indicators, the timeliness figures, the event list's year filter, the
accepted-report selector and the report builders agree on an event that
runs over New Year."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from indicators.models import Indicator
from indicators.selectors import indicator_figures, indicator_records
from reports.selectors import count_events, event_lines
from roadmap.event_selectors import accepted_event_reports, timeliness_figures
from roadmap.event_year import event_year
from roadmap.models import Event, EventReport
from roadmap.services import event_due_at
from roadmap.tests.event_factories import msk
from roadmap.tests.factories import OrganizationFactory
from tests.world import logged_in

pytestmark = pytest.mark.django_db

NOW = msk(2025, 6, 1, 12)


@pytest.fixture
def new_year_event(order_plan: Any) -> Event:
    """Held 30.12.2023–02.01.2024 under activity 17 (a source of indicator 6), reported and accepted."""
    end = dt.date(2024, 1, 2)
    event = Event.objects.create(
        activity=order_plan.activities.get(number=17), organizer=OrganizationFactory(), title="Новогодняя профпроба",
        start_date=dt.date(2023, 12, 30), end_date=end, due_at=event_due_at(plan=order_plan, end_date=end),
    )
    EventReport.objects.create(
        event=event, summary="Прошло", participants_total=40, status="accepted", submitted_at=event.due_at,
        due_at_submission=event.due_at, on_time=True, accepted_at=event.due_at,
    )
    return event


def test_it_puts_an_event_over_new_year_in_the_year_it_starts(new_year_event: Event) -> None:
    assert event_year(new_year_event) == 2023


def test_it_counts_the_event_in_the_same_year_in_indicators_and_timeliness(order_plan: Any, new_year_event: Event) -> None:
    figures = indicator_figures(order_plan, years=[2023, 2024], now=NOW, codes=["6"])
    assert figures[("6", 2023)].derived == 40
    assert not figures[("6", 2024)].derived
    held = {year: timeliness_figures(now=NOW, by="total", plan=order_plan, year=year).total.held for year in (2023, 2024)}
    assert held == {2023: 1, 2024: 0}


def test_it_lists_the_event_in_that_year_everywhere_else(order_plan: Any, new_year_event: Event, make_user: Any) -> None:
    indicator = Indicator.objects.get(indicator_set__plan=order_plan, code="6")
    assert list(indicator_records(indicator, 2023)["event_reports"]) == [new_year_event.report]
    assert not indicator_records(indicator, 2024)["event_reports"].exists()
    assert [r.event_id for r in accepted_event_reports(plan=order_plan, year=2023)] == [new_year_event.pk]
    assert not accepted_event_reports(plan=order_plan, year=2024).exists()
    assert [line.id for line in event_lines(order_plan, moment=NOW, historical=False, year=2023)] == [new_year_event.pk]
    assert (count_events(order_plan, year=2023), count_events(order_plan, year=2024)) == (1, 0)
    client = logged_in(make_user("ministry"))
    assert new_year_event.title in client.get("/events/?year=2023").content.decode()
    assert new_year_event.title not in client.get("/events/?year=2024").content.decode()

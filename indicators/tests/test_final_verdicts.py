"""After a year ends, an indicator's status is a verdict: achieved or not achieved."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from indicators.models import Indicator
from indicators.selectors import FigureStatus, figure_status, indicator_figures, year_is_over
from indicators.tests.factories import approved_actual
from roadmap.tests.factories import OrganizationFactory

MSK = dt.timezone(dt.timedelta(hours=3))


def test_a_finished_year_gets_a_verdict_not_a_progress_rating() -> None:
    assert figure_status(target=100, actual=97, share=1.0, final=True) == FigureStatus.NOT_ACHIEVED
    assert figure_status(target=100, actual=97, share=1.0) == FigureStatus.ON_TRACK  # not final: a rating
    assert figure_status(target=100, actual=100, share=1.0, final=True) == FigureStatus.ACHIEVED
    assert figure_status(target=100, actual=None, share=1.0, final=True) == FigureStatus.NO_DATA
    assert figure_status(target=True, actual=False, share=1.0, final=True) == FigureStatus.NOT_ACHIEVED
    assert figure_status(target=True, actual=True, share=1.0, final=True) == FigureStatus.ACHIEVED
    assert figure_status(target=None, actual=5, share=1.0, final=True) is None


def test_the_year_is_over_on_the_first_moscow_day_of_the_next_one() -> None:
    assert not year_is_over(2025, dt.datetime(2025, 12, 31, 23, 59, tzinfo=MSK))
    # 31.12.2025 21:30 UTC is already 01.01.2026 in Moscow
    assert year_is_over(2025, dt.datetime(2025, 12, 31, 21, 30, tzinfo=dt.UTC))
    assert not year_is_over(2025, dt.datetime(2025, 12, 31, 20, 30, tzinfo=dt.UTC))
    assert year_is_over(2025, None)


@pytest.mark.django_db
def test_figures_of_a_finished_year_say_not_achieved_with_their_percent(order_plan: Any) -> None:
    indicator = Indicator.objects.get(indicator_set__plan=order_plan, code="6")
    target = indicator.targets.get(year=2025).value
    approved_actual(indicator, OrganizationFactory(), int(target * 0.97), year=2025)
    in_year = indicator_figures(order_plan, years=[2025], now=dt.datetime(2025, 12, 20, 12, tzinfo=MSK))
    after = indicator_figures(order_plan, years=[2025], now=dt.datetime(2026, 1, 1, 0, 1, tzinfo=MSK))
    assert in_year[("6", 2025)].final is False
    assert in_year[("6", 2025)].status == FigureStatus.ON_TRACK
    assert after[("6", 2025)].final is True
    assert after[("6", 2025)].status == FigureStatus.NOT_ACHIEVED
    assert after[("6", 2025)].percent == pytest.approx(97, abs=0.1)

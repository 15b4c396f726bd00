"""An indicator figure's status badge: once the year is over, a verdict, with its
percentage where nothing beside it shows one (the indicator page's table has a % column
of its own, and the badge with the percentage repeated did not fit beside it)."""

from __future__ import annotations

import re
from types import SimpleNamespace
from typing import Any

import pytest
from django.template import Context, Template
from django.utils import timezone

from indicators.models import Actual, Indicator, Target
from roadmap.tests.factories import OrganizationFactory, UserFactory
from tests.world import logged_in

pytestmark = pytest.mark.django_db

BADGE = re.compile(r'<span class="badge status-badge status-(\w+)">([^<]*)</span>')


def _badge(figure: Any, tag: str = "{% figure_badge f %}") -> str:
    return Template("{% load ui %}" + tag).render(Context({"f": figure}))


@pytest.mark.parametrize(
    ("tag", "label"),
    [
        ("{% figure_badge f %}", "достигнуто, 125\u00a0%"),
        ("{% figure_badge f with_percent=False %}", "достигнуто"),
    ],
)
def test_a_final_verdict_carries_its_percentage_unless_asked_not_to(tag: str, label: str) -> None:
    figure = SimpleNamespace(status="achieved", final=True, percent=125.0)
    assert BADGE.findall(_badge(figure, tag)) == [("achieved", label)]


def test_a_status_within_the_year_is_the_status_alone() -> None:
    figure = SimpleNamespace(status="behind", final=False, percent=40.0)
    ((status, label),) = BADGE.findall(_badge(figure))
    assert status == "behind" and "%" not in label


@pytest.fixture
def reached(order_plan: Any) -> Indicator:
    """A typed-values indicator of the order whose first year is over and reached twice over."""
    indicator = (
        Indicator.objects.filter(indicator_set__plan=order_plan, value_type="number", source__isnull=True)
        .order_by("order")
        .first()
    )
    assert indicator is not None
    year = order_plan.first_year
    Target.objects.update_or_create(indicator=indicator, year=year, defaults={"value_number": 10})
    org = OrganizationFactory()
    now = timezone.now()
    Actual.objects.create(
        indicator=indicator,
        year=year,
        period="",
        organization=org,
        value_number=20,
        status="approved",
        created_at=now,
        updated_at=now,
    )
    return indicator


def test_the_indicator_page_shows_the_verdict_beside_its_percentage_column(reached: Indicator) -> None:
    year = reached.indicator_set.plan.first_year
    client = logged_in(UserFactory(role="ministry"))
    page = client.get(f"/indicators/{reached.pk}/?year={year}").content.decode()
    assert ("achieved", "достигнуто") in BADGE.findall(page)
    assert not any(status == "achieved" and "%" in label for status, label in BADGE.findall(page))
    listed = client.get(f"/indicators/?year={year}").content.decode()
    assert ("achieved", "достигнуто, 200\u00a0%") in BADGE.findall(listed)

"""Indicator figures as of now are kept while nothing they read changes (indicators.memo):
served again without recomputing, recomputed after any write through a service or once
older than the limit, never kept for a past moment; always equal to the direct computation."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from indicators.memo import current_figures
from indicators.models import Target
from indicators.selectors import indicator_figures
from roadmap.events.services import ReportData, event_report_submit
from tests.world import World, held_event, logged_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def memo(settings: Any) -> int:
    settings.FIGURES_MEMO_SECONDS = 60
    return 60


def _direct(world: World, now: dt.datetime) -> Any:
    return indicator_figures(world.plan, years=world.plan.years, now=now)


def _computes(fn: Any) -> tuple[Any, bool]:
    """What ``fn`` returns, and whether it read the indicators (i.e. computed figures)."""
    with CaptureQueriesContext(connection) as queries:
        found = fn()
    return found, any("indicators_indicator" in q["sql"] for q in queries.captured_queries)


def test_figures_are_served_again_until_a_write_and_then_recomputed(world: World, memo: int) -> None:
    now = timezone.now()
    years = world.plan.years

    def ask(at: dt.datetime) -> Any:
        return _computes(lambda: current_figures(world.plan, years=years, now=at))

    first, computed = ask(now)
    assert computed and first == _direct(world, now)
    again, computed = ask(now + dt.timedelta(seconds=30))
    assert not computed and again == first

    # A report filed through the service: the stamp moves, the next read recomputes.
    event_report_submit(
        user=None, event=world.events_a[0], data=ReportData(summary="Прошло", participants_total=40), now=now
    )
    later = now + dt.timedelta(seconds=31)
    after, computed = ask(later)
    assert computed and after == _direct(world, later)

    # A target changed (it has a history): recomputed too.
    target = Target.objects.filter(indicator__indicator_set__plan=world.plan, value_number__isnull=False).first()
    assert target is not None
    target.value_number = (target.value_number or 0) + 1000
    target.save()
    changed, computed = ask(later)
    assert computed and changed == _direct(world, later) and changed != after

    # Nothing written, but older than the limit (a year judged as finished at midnight): recomputed.
    _, computed = ask(later + dt.timedelta(seconds=memo))
    assert computed


def test_the_memo_can_be_turned_off_and_keeps_each_question_apart(world: World, settings: Any) -> None:
    settings.FIGURES_MEMO_SECONDS = 0
    now = timezone.now()
    assert _computes(lambda: current_figures(world.plan, years=[2024], now=now))[1]
    assert _computes(lambda: current_figures(world.plan, years=[2024], now=now))[1], "off: every call computes"
    settings.FIGURES_MEMO_SECONDS = 60
    whole = current_figures(world.plan, years=[2024], now=now)
    of_a = current_figures(world.plan, years=[2024], now=now, organization=world.org_a)
    assert of_a == indicator_figures(world.plan, years=[2024], now=now, organization=world.org_a) and of_a != whole
    assert current_figures(world.plan, years=[2023, 2024], now=now) == indicator_figures(
        world.plan, years=[2023, 2024], now=now
    )


def test_the_pages_and_the_api_read_the_kept_figures(world: World, memo: int, monkeypatch: Any) -> None:
    from indicators import memo as module

    computed: list[int] = []

    def counting(*args: Any, **kwargs: Any) -> Any:
        computed.append(1)
        return indicator_figures(*args, **kwargs)

    monkeypatch.setattr(module, "indicator_figures", counting)
    page = logged_in(world.ministry)
    api = APIClient()
    api.force_authenticate(world.ministry)
    year = world.plan.last_year
    indicator = world.plan.indicator_set.indicators.first()
    for url, client in (
        (f"/indicators/?plan={world.plan.key}&year={year}", page),
        (f"/indicators/{indicator.pk}/?year={year}", page),
        (f"/api/v1/figures/?plan={world.plan.key}", api),
    ):
        computed.clear()
        cache.clear()  # each door on its own (the page and the API share a plan's figures)
        assert client.get(url).status_code == 200
        assert client.get(url).status_code == 200
        assert len(computed) == 1, url
    # "as of" a past moment is computed exactly, never from the memo.
    response, read = _computes(lambda: api.get(f"/api/v1/figures/?plan={world.plan.key}&as_of=2024-12-31"))
    assert response.status_code == 200 and read


def test_a_new_plans_page_reads_its_predecessors_figures_from_the_memo(
    world: World, memo: int, monkeypatch: Any
) -> None:
    """Every indicator page of the next plan shows the old plan's actuals: they come
    from the memo (computed once while nothing changes), and a write to the old plan's
    data shows on the new plan's page at once."""
    from indicators import memo as module
    from roadmap.plans.plan_copy import plan_copy

    computed: list[int] = []

    def counting(plan: Any, **kwargs: Any) -> Any:
        computed.append(plan.pk)
        return indicator_figures(plan, **kwargs)

    monkeypatch.setattr(module, "indicator_figures", counting)
    new = plan_copy(source_key=world.plan.key, key="next", first_year=2026, last_year=2028).plan
    indicator = new.indicator_set.indicators.get(code="6")
    page = logged_in(world.ministry)
    url = f"/indicators/{indicator.pk}/?year=2026"
    cache.clear()
    first = page.get(url)
    assert first.status_code == 200 and first.context["previous"] is not None
    assert page.get(url).context["previous"] == first.context["previous"]
    assert computed.count(world.plan.pk) == 1, "the old plan's figures are computed once, then kept"

    now = timezone.now()
    event = world.events_a[0]
    event_report_submit(user=None, event=event, data=ReportData(summary="Прошло", participants_total=40), now=now)
    after = page.get(url).context["previous"]
    assert computed.count(world.plan.pk) == 2, "a write moves the stamp: recomputed"
    direct = indicator_figures(world.plan, years=world.plan.years, now=timezone.now())
    assert after.actuals == {y: getattr(direct.get(("6", y)), "actual", None) for y in world.plan.years}


def test_only_a_one_organisation_reader_is_told_the_records_are_their_organisation_s(world: World) -> None:
    """The indicator page's records are the reader's scope: a region for the ministry (no
    «your organisation» note), one organisation for a coordinator (the note)."""
    indicator = world.plan.indicator_set.indicators.get(code="6")
    url = f"/indicators/{indicator.pk}/?year={world.plan.last_year}"
    note = "Показаны записи вашей организации"
    assert note not in logged_in(world.ministry).get(url).content.decode()
    assert note in logged_in(world.coord_a).get(url).content.decode()


def _other_plans_event(world: World) -> Any:
    """An event of another plan (another region's roadmap, say), with its rollups kept."""
    from roadmap.tests.factories import ActivityFactory, PlanFactory

    plan = PlanFactory(first_year=world.plan.first_year, last_year=world.plan.last_year)
    end = dt.date(world.plan.first_year, 3, 2)
    return held_event(ActivityFactory(section__plan=plan), world.org_a, "Событие другого плана", end)


def test_a_write_to_another_plans_events_leaves_the_kept_figures_valid(world: World, memo: int) -> None:
    """A plan's figures are stamped by its own events' writes: a report filed under
    another plan (at national scale, another region's, every few seconds) does not
    recompute them; one filed under this plan does."""
    now = timezone.now()
    other = _other_plans_event(world)

    def ask(at: dt.datetime) -> Any:
        return _computes(lambda: current_figures(world.plan, years=world.plan.years, now=at))

    first, computed = ask(now)
    assert computed
    event_report_submit(user=None, event=other, data=ReportData(summary="Прошло", participants_total=9), now=now)
    kept, computed = ask(now + dt.timedelta(seconds=1))
    assert not computed and kept == first == _direct(world, now)

    event_report_submit(
        user=None, event=world.events_a[0], data=ReportData(summary="Прошло", participants_total=40), now=now
    )
    _, computed = ask(now + dt.timedelta(seconds=2))
    assert computed


def test_every_write_of_events_marks_the_plans_it_touches(world: World) -> None:
    from indicators.memo import data_stamp
    from roadmap.events.rollups import event_writes_prune, rollups_kept, rollups_rebuild
    from roadmap.models import Event, EventWrite

    other = _other_plans_event(world)
    here, there = data_stamp(world.plan), data_stamp(other.activity.plan)
    # An event moved from one plan's activity to another's: both plans' stamps move.
    event = world.events_a[0]
    with rollups_kept([event.pk]):
        Event.objects.filter(pk=event.pk).update(activity=other.activity)
    assert data_stamp(world.plan) != here and data_stamp(other.activity.plan) != there
    # Nothing of a plan written, its stamp stays.
    here = data_stamp(world.plan)
    with rollups_kept([other.pk]):
        Event.objects.filter(pk=other.pk).update(title="Другое название")
    assert data_stamp(world.plan) == here
    # The rebuild after a bulk load marks every plan.
    plans = (world.plan, other.activity.plan)
    stamps = {p: data_stamp(p) for p in plans}
    rollups_rebuild()
    assert all(data_stamp(p) != stamp for p, stamp in stamps.items())
    # The nightly prune keeps each plan's and each region's newest mark: no stamp moves.
    for _ in range(3):
        with rollups_kept([event.pk, other.pk]):
            pass
    regions = {r: EventWrite.objects.filter(region_id=r).order_by("-id").first() for r in (None, world.org_a.region_id)}
    stamps = {p: data_stamp(p) for p in plans}
    before = EventWrite.objects.count()
    assert event_writes_prune() > 0
    assert {p: data_stamp(p) for p in plans} == stamps
    assert {r: EventWrite.objects.filter(region_id=r).order_by("-id").first() for r in regions} == regions
    assert EventWrite.objects.count() < before
    assert event_writes_prune() == 0, "a second prune finds nothing"

"""The dashboard snapshot: served at once, recomputed in the background after a
write, swapped into the page when ready; never wrongly fresh, never lost."""

from __future__ import annotations

import datetime as dt
import re
import threading
from typing import Any

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from copp.web import PlanYear
from reports import background
from reports.dashboard import snapshot as dashboard
from reports.dashboard.snapshot import EVERYTHING, SNAPSHOT_MAX_AGE, build_snapshot, cached_snapshot, dashboard_snapshot
from roadmap.accounts.permissions import organization_scope
from roadmap.events.services import ReportData, event_report_submit
from tests.world import World, build_world, logged_in

OVERDUE = re.compile(r'report_status=overdue"><div class="display-6 text-late">(\d+)</div>')


def _overdue_shown(html: str) -> int:
    match = OVERDUE.search(html)
    assert match, "the overdue figure is on the page"
    return int(match.group(1))


def _file_report(world: World) -> None:
    event_report_submit(
        user=None, event=world.events_a[0], data=ReportData(summary="Прошло", participants_total=3), now=timezone.now()
    )


def _py(world: World) -> PlanYear:
    return PlanYear(plan=world.plan, year=world.plan.last_year)


@pytest.mark.django_db
def test_a_fresh_snapshot_is_served_without_recomputing(world: World) -> None:
    client = logged_in(world.ministry)
    url = f"/dashboard/?year={world.plan.last_year}"
    with CaptureQueriesContext(connection) as first:
        html = client.get(url).content.decode()
    assert _overdue_shown(html) == 3
    with CaptureQueriesContext(connection) as second:
        response = client.get(url)
    assert response.context["fresh"] is True
    assert len(second) <= 12 < len(first)
    assert "hx-trigger" not in response.content.decode()


@pytest.mark.django_db
def test_a_write_shows_at_once_when_refreshing_inline(world: World, settings: Any) -> None:
    settings.DASHBOARD_REFRESH = "inline"
    client = logged_in(world.ministry)
    url = f"/dashboard/?year={world.plan.last_year}"
    assert _overdue_shown(client.get(url).content.decode()) == 3
    _file_report(world)
    assert _overdue_shown(client.get(url).content.decode()) == 2


@pytest.mark.django_db
def test_after_a_write_the_old_figures_are_served_and_one_refresh_is_queued(
    world: World, settings: Any, django_capture_on_commit_callbacks: Any, eager_celery: None
) -> None:
    settings.DASHBOARD_REFRESH = "celery"
    client = logged_in(world.ministry)
    year = world.plan.last_year
    url = f"/dashboard/?year={year}"
    client.get(url)
    scope = organization_scope(world.ministry).key  # one snapshot per scope: the ministry's region
    assert scope != "all"
    old = cached_snapshot(world.plan.pk, year, scope)
    _file_report(world)

    with django_capture_on_commit_callbacks() as callbacks:
        stale = client.get(url)
        again = client.get(url)  # a second viewer does not start a second refresh
    html = stale.content.decode()
    assert stale.context["fresh"] is False
    assert _overdue_shown(html) == 3, "the stale figures are served, not recomputed in the request"
    assert "обновится на этой странице сама" in html
    assert f"since={old.computed_at.timestamp():.6f}" in html
    assert again.context["fresh"] is False
    assert len(callbacks) == 1

    poll = f"/dashboard/body/?year={year}&since={old.computed_at.timestamp():.6f}"
    assert client.get(poll).status_code == 204, "nothing newer yet"

    callbacks[0]()  # the refresh runs (a Celery task, eager here)
    new = cached_snapshot(world.plan.pk, year, scope)
    assert new.computed_at > old.computed_at
    body = client.get(poll)
    assert body.status_code == 200
    assert _overdue_shown(body.content.decode()) == 2
    assert "hx-trigger" not in body.content.decode(), "a fresh body stops polling"
    assert client.get(f"/dashboard/body/?year={year}&since={new.computed_at.timestamp():.6f}").status_code == 204
    assert _overdue_shown(client.get(url).content.decode()) == 2


@pytest.mark.django_db
def test_a_snapshot_goes_stale_after_a_minute_and_after_a_write(world: World) -> None:
    py = _py(world)
    t0 = dt.datetime(2025, 12, 31, 23, 59, 30, tzinfo=dt.UTC)
    snapshot = build_snapshot(py, now=t0)
    stamp = dashboard.current_stamp(py.plan, EVERYTHING)
    assert snapshot.is_fresh(stamp=stamp, now=t0 + SNAPSHOT_MAX_AGE - dt.timedelta(microseconds=1))
    assert not snapshot.is_fresh(stamp=stamp, now=t0 + SNAPSHOT_MAX_AGE)  # across midnight and the year end
    _file_report(world)
    assert not snapshot.is_fresh(stamp=dashboard.current_stamp(py.plan, EVERYTHING), now=t0)


@pytest.mark.django_db
def test_the_stamp_is_read_before_the_figures(world: World, monkeypatch: Any) -> None:
    """A write landing while the figures are computed leaves the snapshot stale."""
    real = dashboard.Dashboard.overdue_count.func
    written = []

    def write_meanwhile(self: Any) -> int:
        if not written:  # the page reads the figure more than once (the number and its plural)
            _file_report(world)
            written.append(True)
        return real(self)

    monkeypatch.setattr(dashboard.Dashboard, "overdue_count", property(write_meanwhile))
    now = timezone.now()
    snapshot = build_snapshot(_py(world), now=now)
    assert not snapshot.is_fresh(stamp=dashboard.current_stamp(world.plan, EVERYTHING), now=now)


@pytest.mark.django_db
def test_an_older_refresh_never_replaces_a_newer_snapshot(world: World) -> None:
    py = _py(world)
    now = timezone.now()
    build_snapshot(py, now=now)
    build_snapshot(py, now=now - dt.timedelta(seconds=5))  # a slow refresh finishing late
    assert cached_snapshot(py.plan.pk, py.year).computed_at == now


@pytest.mark.django_db
def test_a_failed_refresh_frees_the_lock_so_the_next_view_retries(world: World, settings: Any) -> None:
    py = _py(world)
    build_snapshot(py, now=timezone.now() - dt.timedelta(hours=1))
    started: list[tuple[int, int]] = []
    settings.DASHBOARD_REFRESH = "thread"
    original = dashboard._start_refresh
    dashboard._start_refresh = lambda plan_id, year, mode: started.append((plan_id, year))  # type: ignore[assignment]
    try:
        with pytest.raises(Exception):  # noqa: B017 -- whatever the failure, the lock must go
            dashboard.refresh_snapshot(py.plan.pk + 1000, py.year, now=timezone.now())
        assert dashboard.request_refresh(py.plan.pk + 1000, py.year, mode="thread")
        assert not dashboard.request_refresh(py.plan.pk + 1000, py.year, mode="thread"), "one at a time"
    finally:
        dashboard._start_refresh = original  # type: ignore[assignment]


@pytest.mark.django_db(transaction=True)
def test_the_embedded_mode_refreshes_in_a_background_thread(order_plan: Any, settings: Any) -> None:
    world = build_world(order_plan)
    settings.DASHBOARD_REFRESH = "thread"
    py = _py(world)
    old, fresh = dashboard_snapshot(py, now=timezone.now())
    assert fresh
    _file_report(world)
    served, fresh = dashboard_snapshot(py, now=timezone.now())  # not in an atomic block: starts at once
    assert not fresh and served == old
    for thread in threading.enumerate():
        if thread.name == "dashboard-refresh":
            thread.join(timeout=60)
    new = cached_snapshot(py.plan.pk, py.year)
    assert new.computed_at > old.computed_at
    assert _overdue_shown(new.html) == 2
    assert cache.get(dashboard._lock_key(py.plan.pk, py.year)) is None


@pytest.mark.django_db
def test_the_body_endpoint_refuses_bad_input_and_other_roles(world: World) -> None:
    client = logged_in(world.ministry)
    assert client.get("/dashboard/body/?since=вчера").status_code == 400
    assert client.get("/dashboard/body/").status_code == 400
    assert logged_in(world.coord_a).get("/dashboard/body/?since=0").status_code == 403
    assert client.get("/dashboard/body/?since=0").status_code == 200


@pytest.mark.django_db
def test_a_broker_that_is_down_still_serves_the_stale_figures(world: World, settings: Any, monkeypatch: Any) -> None:
    from reports.dashboard import tasks

    def down(*args: Any, **kwargs: Any) -> None:
        raise ConnectionError("broker unreachable")

    monkeypatch.setattr(tasks.refresh_dashboard, "delay", down)
    settings.DASHBOARD_REFRESH = "celery"
    client = logged_in(world.ministry)
    url = f"/dashboard/?year={world.plan.last_year}"
    client.get(url)
    _file_report(world)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(background.transaction, "on_commit", lambda fn: fn())
        response = client.get(url)
        assert response.status_code == 200
        assert _overdue_shown(response.content.decode()) == 3
        assert cache.get(dashboard._lock_key(world.plan.pk, world.plan.last_year)) is None, "the next view retries"

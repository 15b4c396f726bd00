"""HTML pages: latency and queries against a trivial page on the same server.

Every page is fetched through the Django test client as its user would see it
(ministry: the regional picture; coordinator: their own organisation), so the
figure is the application's own cost (routing, session, permissions, queries,
template rendering) without a network. The baseline is a trivial page of the
same layout: the ministry user's inbox filtered to unread notices (an empty
list). Target: the dashboard at the large scale within 3× the baseline.

The dashboard is served from a snapshot of its rendered body (see
``reports.dashboard.snapshot``). Three more rows: the first view after a write (the
stale snapshot is served and one background refresh is requested; the
refresh itself is handed to a recorder here, as a Celery worker would take
it, so the row is what the ministry user waits for); the refresh job itself
(what the worker spends); and the very first view of a plan and year, when
no snapshot exists and the request computes it. The federal comparison of
regions is served from a snapshot too; its recomputation is a row of its own.
The indicator pages read a plan's figures from a memo kept per data stamp
(``indicators.memo``); each has a second row for the view that recomputes them,
and the order's indicator page a third: the view after a write to another plan's
events (as another region's reports come in between two views at national scale).
One indicator page is of the plan that follows the order (made here by
``plan_copy``, as the ministry starts its 2026-2028 roadmap): it shows its
predecessor's actuals as well.
``n`` is the number of events in the database.
"""

from __future__ import annotations

from typing import Any

from bench.common import (
    client_for,
    coordinator_user,
    demo_user,
    get_ok,
    make_row,
    measure,
)

BASELINE = "/inbox/?unread=1"
TARGET_RATIO = 3.0


def _pages() -> list[tuple[str, str, str]]:
    """(name, role, url) of every page measured."""
    from django.db.models import Count

    from indicators.models import Indicator
    from roadmap.accounts.permissions import user_region_id
    from roadmap.models import Activity, Event
    from roadmap.plans.selectors import current_plan

    plan = current_plan(region_id=user_region_id(demo_user("ministry")))  # the ministry user's region's
    busiest_year = (
        Event.objects.filter(activity__plan=plan)
        .values("end_date__year")
        .annotate(n=Count("id"))
        .order_by("-n")
        .first()
    )
    year = busiest_year["end_date__year"] if busiest_year else plan.last_year
    activity = Activity.objects.filter(plan=plan).annotate(n=Count("events")).order_by("-n").first()
    # An event of the plan's region (the ministry user's), with a report when there is one.
    events = Event.objects.filter(activity__plan=plan).order_by("-id")
    event = events.filter(report__isnull=False).first() or events.first()
    indicator = Indicator.objects.filter(indicator_set__plan=plan, code="6").first() or Indicator.objects.first()
    following = _next_plan(plan)
    next_indicator = Indicator.objects.get(indicator_set__plan=following, code=indicator.code)
    pages = [
        ("dashboard", "ministry", f"/dashboard/?year={year}"),
        ("dashboard, current year", "ministry", "/dashboard/"),
        ("events, first page", "ministry", "/events/"),
        ("events ?report_status=overdue", "ministry", "/events/?report_status=overdue"),
        (f"events ?timeliness=late&year={year}", "ministry", f"/events/?timeliness=late&year={year}"),
        ("activity list", "ministry", f"/activities/?year={year}"),
        ("activity page (busiest)", "ministry", f"/activities/{activity.pk}/"),
        ("indicator list", "ministry", f"/indicators/?year={year}"),
        ("indicator page (6)", "ministry", f"/indicators/{indicator.pk}/?year={year}"),
        (
            "indicator page (6) of the next plan (its predecessor's actual shown)",
            "ministry",
            f"/indicators/{next_indicator.pk}/?year={following.first_year}",
        ),
        ("actual values", "ministry", "/actuals/"),
        ("reports page", "ministry", "/reports/"),
        ("my tasks", "coordinator", "/tasks/"),
        ("events of own organisation", "coordinator", "/events/"),
        ("regions compared (federal)", "federal", "/regions/"),
    ]
    if event is not None:
        pages.append(("event page", "ministry", f"/events/{event.pk}/"))
    return pages


def _next_plan(plan: Any) -> Any:
    """The plan that follows ``plan`` (``plan_copy``, as the ministry starts its next
    roadmap), made once; ``plan`` is marked current so that every other page still
    shows it. Each indicator page of the next plan shows its predecessor's actual."""
    from roadmap.models import Plan
    from roadmap.plans.plan_copy import plan_copy

    key = f"{plan.key}-next"
    found = Plan.objects.filter(key=key).first()
    if found is None:
        Plan.objects.filter(pk=plan.pk).update(is_current=True)
        found = plan_copy(
            source_key=plan.key, key=key, first_year=plan.last_year + 1, last_year=plan.last_year + 3
        ).plan
    return found


def run(scale: str, runs: int) -> list[dict[str, Any]]:
    from roadmap.models import Event

    n_events = Event.objects.count()
    clients = {
        "ministry": client_for(demo_user("ministry")),
        "coordinator": client_for(coordinator_user()),
        "federal": client_for(demo_user("federal")),
    }
    baseline = measure(get_ok(clients["ministry"], BASELINE), runs=runs)
    rows = [make_row("trivial page (baseline)", baseline, n=n_events, note=BASELINE)]
    for name, role, url in _pages():
        m = measure(get_ok(clients[role], url), runs=runs)
        row = make_row(name, m, baseline=baseline, baseline_name="trivial page", n=n_events, note=url)
        if name == "dashboard":
            row["target_ratio"] = TARGET_RATIO
            row["meets_target"] = row["ratio"] is not None and row["ratio"] <= TARGET_RATIO
        rows.append(row)
        if name == "dashboard":
            rows += _dashboard_rows(clients[role], demo_user(role), url, baseline, n_events, runs)
        if role == "federal":
            rows.append(_comparison_job_row(baseline, n_events, runs))
        if name.startswith("indicator"):  # served from the figures memo; this is a view that recomputes
            from django.core.cache import cache

            m = measure(get_ok(clients[role], url), runs=runs, setup=cache.clear)
            rows.append(
                make_row(
                    f"{name}, figures recomputed (first view after a write)",
                    m,
                    baseline=baseline,
                    baseline_name="trivial page",
                    n=n_events,
                    note=url,
                )
            )
        if name == "indicator page (6)":  # another plan's events written before each view
            m = measure(get_ok(clients[role], url), runs=runs, setup=_another_plans_write())
            rows.append(
                make_row(
                    f"{name}, after a write to another plan's events",
                    m,
                    baseline=baseline,
                    baseline_name="trivial page",
                    n=n_events,
                    note=url,
                )
            )
    return rows


def _another_plans_write() -> Any:
    """A write to an event of the plan that follows the order (as another region's
    reports are, at national scale, between two views of a page): through the
    rollups, with a history row, as the services write. Returns the write."""
    import datetime as dt

    from roadmap.events.rollups import rollups_kept
    from roadmap.events.services import event_due_at
    from roadmap.models import Activity, Event, Organization, Plan

    plan = Plan.objects.filter(key__endswith="-next").order_by("-id").first()
    assert plan is not None, "made by _pages()"
    event = Event.objects.filter(activity__plan=plan).first()
    if event is None:
        day = dt.date(plan.first_year, 3, 2)
        with rollups_kept() as kept:
            event = Event.objects.create(
                activity=Activity.objects.filter(plan=plan).order_by("pk").first(),
                organizer=Organization.objects.filter(kind="copp").order_by("pk").first(),
                title="Событие следующей дорожной карты",
                start_date=day,
                end_date=day,
                due_at=event_due_at(plan=plan, end_date=day),
            )
            kept.created([event.pk])

    def write() -> None:
        with rollups_kept([event.pk]):
            event.save()

    return write


def _comparison_job_row(baseline: Any, n_events: int, runs: int) -> dict[str, Any]:
    """The federal comparison is served from a snapshot; this is its recomputation
    (the background job after a write), every region's figures of this year."""
    from django.utils import timezone

    from reports import regions
    from reports.views import comparison_year

    day = timezone.localdate()
    year = comparison_year(None, regions.comparison_years(day), day.year)  # the page's default year
    job = measure(lambda: regions.build_comparison(year=year, now=timezone.now()), runs=runs)
    return make_row(
        "regions compared, recomputation (background job)",
        job,
        baseline=baseline,
        baseline_name="trivial page",
        n=n_events,
        note="reports.regions.build_comparison",
    )


def _dashboard_rows(client: Any, user: Any, url: str, baseline: Any, n_events: int, runs: int) -> list[dict[str, Any]]:
    from django.core.cache import cache
    from django.utils import timezone

    from reports.dashboard import snapshot as dashboard
    from roadmap.accounts.permissions import organization_scope, visible_events
    from roadmap.events.rollups import rollups_kept
    from roadmap.models import Event, Plan

    event = visible_events(user, Event.objects.all()).order_by("-id").first()  # one of the figures it shows
    requested: list[tuple[int, int]] = []

    def write() -> None:
        with rollups_kept([event.pk]):  # as the services write: the region's stamp moves, the snapshot is stale
            event.save()
        cache.delete_many([dashboard._lock_key(p, y) for p, y in requested])  # as if the refresh had finished

    original = dashboard._start_refresh
    dashboard._start_refresh = lambda plan_id, year, mode, scope_key="all": requested.append((plan_id, year))
    try:
        stale = measure(get_ok(client, url), runs=runs, setup=write)
    finally:
        dashboard._start_refresh = original
    plan_id, year = requested[-1]
    plan = Plan.objects.get(pk=plan_id)
    scope = organization_scope(user)  # the refresh the user's view asks for (a region's)
    job = measure(
        lambda: dashboard.build_snapshot(dashboard.PlanYear(plan=plan, year=year), now=timezone.now(), scope=scope),
        runs=runs,
        setup=write,
    )
    first = measure(get_ok(client, url), runs=runs, setup=cache.clear)
    return [
        make_row(
            "dashboard, first view after a write (stale snapshot served, refresh requested)",
            stale,
            baseline=baseline,
            baseline_name="trivial page",
            n=n_events,
            note=url,
            refreshes_requested=len(requested),
        ),
        make_row(
            "dashboard refresh (background job: all figures recomputed)",
            job,
            baseline=baseline,
            baseline_name="trivial page",
            n=n_events,
            note="reports.dashboard.snapshot.build_snapshot",
        ),
        make_row(
            "dashboard, no snapshot yet (first view of a plan and year)",
            first,
            baseline=baseline,
            baseline_name="trivial page",
            n=n_events,
            note=url,
        ),
    ]

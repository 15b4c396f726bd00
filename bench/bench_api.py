"""API list endpoints: latency and queries, against a trivial API list on the same server.

Each endpoint is fetched as the demo ministry user (sees its region: at
``national``, Tula of 100 regions) through the Django test client, so the figure is the application's own cost (URL
routing, authentication, permissions, queries, serialisation), without a
network. The baseline is the list of programme categories: a handful of rows
through the same DRF stack. ``n`` is the number of events in the database, so
growth between scales can be read off the JSON files. The federal rows are
fetched as the demo federal user (every region).
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

BASELINE = "/api/v1/programme-categories/"
ENDPOINTS = [
    ("events, first page (50)", "/api/v1/events/?limit=50"),
    ("events, last page (cursor)", None),  # filled in at run time: a cursor to the last 50 rows
    ("events, page at the offset cap", None),  # ?offset= as deep as it is served
    ("events ?report_status=overdue", "/api/v1/events/?report_status=overdue&limit=50"),
    ("events ?report_status=on_time", "/api/v1/events/?report_status=on_time&limit=50"),
    ("events timeliness by organisation", "/api/v1/events/timeliness/?by=organization"),
    ("events timeliness by month", "/api/v1/events/timeliness/?by=month"),
    ("activities", "/api/v1/activities/"),
    ("organisations (50)", "/api/v1/organizations/?limit=50"),
    ("indicators", "/api/v1/indicators/"),
    ("figures", "/api/v1/figures/"),
    ("actuals (50)", "/api/v1/actuals/?limit=50"),
    ("partner agreements (50)", "/api/v1/partner-agreements/?limit=50"),
    ("programmes (50)", "/api/v1/programmes/?limit=50"),
]
# Figures kept while nothing they read changes (indicators.memo, roadmap.events.memo): each is
# measured twice, served again and recomputed (as the first call after a write is).
MEMOISED = {"figures": "figures", "events timeliness by organisation": "events timeliness"}
# As the federal user, who compares every region.
FEDERAL_ENDPOINTS = [
    ("regions (federal)", "/api/v1/regions/"),
    ("regions compared (federal)", "/api/v1/regions/comparison/"),
]


def _visible(user: Any) -> Any:
    """The events ``user`` sees (a regional ministry: its region's), newest first."""
    from roadmap.accounts.permissions import visible_events
    from roadmap.models import Event

    return visible_events(user, Event.objects.all()).order_by("-end_date", "-id")


def _last_page(user: Any) -> str:
    """The ``next`` link a client walking the whole list ``user`` sees would
    follow to its last 50 rows (made here, as the page before it would make it;
    finding the row is setup, not measured)."""
    from urllib.parse import quote

    from copp.keyset import Cursor, keyset_of

    events = _visible(user)
    seen = events.count()
    if seen <= 50:
        return "/api/v1/events/?limit=50"
    end_date, pk = events.values_list("end_date", "id")[seen - 51]
    token = keyset_of(events).encode(Cursor((end_date, pk), count=seen))
    return f"/api/v1/events/?limit=50&cursor={quote(token)}"


def _offset_cap(user: Any) -> str:
    from copp.pagination import MAX_PAGE_OFFSET

    seen = _visible(user).count()
    return f"/api/v1/events/?limit=50&offset={min(MAX_PAGE_OFFSET, max(0, seen - 50))}"


def run(scale: str, runs: int) -> list[dict[str, Any]]:
    from roadmap.models import Event

    n_events = Event.objects.count()
    ministry_user = demo_user("ministry")
    ministry = client_for(ministry_user)
    baseline = measure(get_ok(ministry, BASELINE), runs=runs)
    rows = [make_row("trivial API list (baseline)", baseline, n=n_events)]
    for name, url in ENDPOINTS:
        if url is None:
            url = _last_page(ministry_user) if "cursor" in name else _offset_cap(ministry_user)
        try:
            m = measure(get_ok(ministry, url), runs=runs)
        except RuntimeError as exc:  # an endpoint that is not there (yet) is reported, not fatal
            rows.append(
                {
                    **make_row(name, baseline, n=n_events),
                    "median": None,
                    "min": None,
                    "max": None,
                    "queries": None,
                    "note": str(exc),
                }
            )
            continue
        rows.append(make_row(name, m, baseline=baseline, baseline_name="trivial API list", n=n_events, note=url))
        if name in MEMOISED:  # served from a memo (copp.memo); recomputed after a write
            from django.core.cache import cache

            m = measure(get_ok(ministry, url), runs=runs, setup=cache.clear)
            rows.append(
                make_row(
                    f"{MEMOISED[name]}, recomputed (first call after a write)",
                    m,
                    baseline=baseline,
                    baseline_name="trivial API list",
                    n=n_events,
                    note=url,
                )
            )
    coordinator = coordinator_user()
    mine = client_for(coordinator)
    url = f"/api/v1/events/?organizer={coordinator.organization_id}&limit=20"
    m = measure(get_ok(mine, url), runs=runs)
    rows.append(
        make_row(
            "events of own organisation (coordinator)",
            m,
            baseline=baseline,
            baseline_name="trivial API list",
            n=n_events,
            note=url,
        )
    )
    federal = client_for(demo_user("federal"))
    for name, url in FEDERAL_ENDPOINTS:
        m = measure(get_ok(federal, url), runs=runs)
        rows.append(make_row(name, m, baseline=baseline, baseline_name="trivial API list", n=n_events, note=url))
    return rows

"""Races run with real threads, each on its own database connection.

The scenarios are shared by the PostgreSQL tests (tests/test_races.py, in the
pytest process) and the SQLite run (tests/sqlite_races.py, a child process on
a database file, since an in-memory test database cannot be shared by
threads the way a real server's connections share a file). Each scenario sets
up its own committed rows, runs ``n`` threads released together by a
barrier, and returns plain data (JSON-ready) for the test to judge:
outcomes by kind, and the state left in the database.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import Counter
from collections.abc import Callable
from typing import Any

from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.db import connections
from django.test import Client
from django.utils import timezone

STALE = "изменено другим пользователем"
EXISTS = "уже подан"


def run_together(n: int, work: Callable[[int], Any]) -> list[Any]:
    """Run ``work(i)`` in ``n`` threads started at once; an exception is the result."""
    barrier = threading.Barrier(n)
    results: list[Any] = [None] * n

    def one(i: int) -> None:
        try:
            barrier.wait(timeout=60)
            results[i] = work(i)
        except BaseException as exc:  # noqa: BLE001 -- reported to the test
            results[i] = f"error: {type(exc).__name__}: {exc}"
        finally:
            connections.close_all()

    threads = [threading.Thread(target=one, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    return results


def _plan_and_org() -> tuple[Any, Any]:
    from roadmap.models import Plan
    from roadmap.tests.factories import OrganizationFactory

    plan = Plan.objects.filter(is_current=True).first() or Plan.objects.first()
    return plan, OrganizationFactory()


def _event(plan: Any, org: Any) -> Any:
    from roadmap.events import services

    return services.event_create(
        user=None,
        activity=plan.activities.order_by("number").first(),
        organizer=org,
        title="Профпроба",
        start_date=dt.date(plan.last_year, 6, 10),
    )


def _signed_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def web_reports(n: int = 20) -> dict[str, Any]:
    """``n`` coordinators' browsers send the "file the report" form of one event at once."""
    from roadmap.models import EventReport
    from roadmap.tests.factories import UserFactory

    plan, org = _plan_and_org()
    event = _event(plan, org)
    coordinators = [UserFactory(role="coordinator", organization=org) for _ in range(2)]
    clients = [_signed_in(coordinators[i % 2]) for i in range(n)]  # a browser (session) each

    def post(i: int) -> str:
        data = {"summary": f"Прошло, версия {i}", "participants_total": str(10 + i), "kind": "other", "version": ""}
        response = clients[i].post(f"/events/{event.pk}/report/", data)
        text = response.content.decode()
        if response.status_code == 302:
            return "filed"
        if response.status_code == 200 and EXISTS in text:
            return "exists"
        if response.status_code == 200 and STALE in text:
            return "stale"
        return f"status {response.status_code}"

    outcomes = run_together(n, post)
    report = EventReport.objects.get(event=event)
    return {
        "outcomes": dict(Counter(outcomes)),
        "version": report.version,
        "history": sorted(report.history.values_list("history_type", flat=True)),
    }


def web_approvals(n: int = 20) -> dict[str, Any]:
    """``n`` reviewers press "approve" on one submitted value, all with the version they saw."""
    from indicators import services
    from indicators.models import ActualChange, Indicator
    from roadmap.tests.factories import UserFactory

    plan, org = _plan_and_org()
    indicator = (
        Indicator.objects.filter(indicator_set__plan=plan, value_type="number")
        .exclude(source__kind="sum_of")
        .order_by("order")
        .first()
    )
    coordinator = UserFactory(role="coordinator", organization=org)
    now = timezone.now()
    actual = services.actual_create(
        indicator=indicator, year=plan.first_year, organization=org, value=5, user=coordinator, now=now
    )
    actual = services.actual_submit(actual=actual, user=coordinator, now=now, version=actual.version)
    seen = actual.version
    reviewers = [UserFactory(role="ministry"), UserFactory(role="copp")]
    clients = [_signed_in(reviewers[i % 2]) for i in range(n)]  # a browser (session) each

    def approve(i: int) -> str:
        response = clients[i].post(f"/actuals/{actual.pk}/approve/", {"version": str(seen)})
        if response.status_code != 302:
            return f"status {response.status_code}"
        notes = [(m.level_tag, str(m)) for m in get_messages(response.wsgi_request)]
        if [tag for tag, _ in notes] == ["success"]:
            return "approved"
        if any(tag == "error" and STALE in text for tag, text in notes):
            return "stale"
        return f"other {notes}"

    outcomes = run_together(n, approve)
    actual.refresh_from_db()
    return {
        "outcomes": dict(Counter(outcomes)),
        "status": actual.status,
        "version": actual.version,
        "seen": seen,
        "approvals": ActualChange.objects.filter(actual=actual, action="approve").count(),
    }


def cancel_against_submit(rounds: int = 10) -> dict[str, Any]:
    """Per round, one coordinator cancels an event while another files its report,
    both having loaded the event before either acted."""
    from roadmap.events import services
    from roadmap.models import Event, EventReport
    from roadmap.tests.factories import UserFactory

    plan, org = _plan_and_org()
    coordinator = UserFactory(role="coordinator", organization=org)
    data = services.ReportData(summary="Прошло", participants_total=12)
    outcomes: Counter[str] = Counter()
    both = 0
    for _ in range(rounds):
        event = _event(plan, org)
        copies = [Event.objects.get(pk=event.pk), Event.objects.get(pk=event.pk)]

        def act(i: int, copies: list[Any] = copies) -> str:
            now = timezone.now()
            try:
                if i == 0:
                    services.event_cancel(user=coordinator, event=copies[0], reason="Карантин", now=now)
                    return "cancelled"
                services.event_report_submit(user=coordinator, event=copies[1], data=data, now=now)
                return "reported"
            except (ValidationError, services.Conflict):
                return "refused"

        outcomes.update(run_together(2, act))
        cancelled = Event.objects.filter(pk=event.pk, cancelled_at__isnull=False).exists()
        reported = EventReport.objects.filter(event_id=event.pk).exists()
        both += cancelled and reported
    return {"outcomes": dict(outcomes), "cancelled_and_reported": both}

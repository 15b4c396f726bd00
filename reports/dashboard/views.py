"""The overview pages: the dashboard, the report timeliness table, a coordinator's «my tasks».

They put events (roadmap) and indicator values (indicators) on one page, so they sit above both.
The templates keep their names under ``templates/roadmap/``.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.utils import timezone

from copp.web import paginate, plan_year, sees_everything_required, today
from indicators.selectors import actuals_visible_to
from reports.dashboard.lists import tasks_plan, tasks_to_report, timeliness_table
from reports.dashboard.snapshot import dashboard_context
from roadmap.accounts.permissions import organization_scope
from roadmap.accounts.signed_in import signed_in_user
from roadmap.events import selectors as event_selectors
from roadmap.events.status import ReportStatus, status_q
from roadmap.plans.selectors import is_archive, plan_years_text, plans_ordered


@sees_everything_required
def dashboard(request: HttpRequest) -> HttpResponse:
    py = plan_year(request)
    context = dashboard_context(py=py, now=timezone.now(), scope=organization_scope(request.user))
    return render(request, "roadmap/dashboard.html", context)


@sees_everything_required
def dashboard_body(request: HttpRequest) -> HttpResponse:
    """The dashboard body once a snapshot newer than ``?since=`` (epoch seconds) is
    ready; 204 until then. The page polls it while it shows a stale snapshot."""
    py = plan_year(request)
    try:
        since = float(request.GET.get("since", ""))
    except ValueError:
        return HttpResponseBadRequest("since: ожидается время в секундах от 01.01.1970.")
    context = dashboard_context(py=py, now=timezone.now(), scope=organization_scope(request.user))
    if context["snapshot"].computed_at.timestamp() <= since + 1e-3:  # the same snapshot (rounding)
        return HttpResponse(status=204)
    return render(request, "roadmap/_dashboard_snapshot.html", context)


@sees_everything_required
def timeliness(request: HttpRequest) -> HttpResponse:
    """Report timeliness of every organisation or municipality in a year, worst first."""
    table = timeliness_table(request.GET, user=request.user, now=timezone.now())
    page = paginate(request, table.rows, per_page=50)
    context = {
        "py": table.py,
        "by": table.by,
        "page": page,
        "rows": page.object_list,
        "total": table.total,
        "param": table.param,
        "first": table.first,
    }
    return render(request, "roadmap/timeliness.html", context)


@login_required
def tasks(request: HttpRequest) -> HttpResponse:
    """A coordinator's work: reports to file or fix, planned events, values to submit, news."""
    user = signed_in_user(request)
    now = timezone.now()
    plan = tasks_plan(request.GET)
    mine = event_selectors.events_list(user=user, now=now, organization_id=user.organization_id, plan=plan)
    actuals = actuals_visible_to(user).filter(
        # No organisation: `organization_id=None` is Django's IS NULL, which the stubs' lookup check does not know.
        organization_id=user.organization_id,
        status__in=["draft", "returned"],  # type: ignore[misc]
    )
    if plan is not None:
        actuals = actuals.filter(indicator__indicator_set__plan=plan)
    plans = plans_ordered()
    context = {
        # Read once, as a list: the template asks whether there are any, then the tag reads them.
        "to_report": list(tasks_to_report(user, plan=plan, now=now)[:50]),
        "planned": mine.filter(status_q(ReportStatus.PLANNED, now)).order_by("start_date", "id")[:10],
        "actuals": actuals.select_related("indicator").order_by("indicator__order", "year")[:20],
        "plan": plan,
        "plan_choices": _plan_choices(plans),
        "several_plans": len(plans) > 1,
        "notifications": event_selectors.inbox(user, unread_only=True)[:5],
        "now": now,
    }
    return render(request, "roadmap/tasks.html", context)


def _plan_choices(plans: list[Any]) -> list[tuple[Any, str, bool]]:
    """(plan, «2023–2025», archive) of every plan, oldest first."""
    day = today()
    return [(p, plan_years_text(p), is_archive(p, day)) for p in plans]

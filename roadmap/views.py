"""HTML pages of the roadmap: home per role, dashboard, my tasks, activities, events."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from indicators.selectors import indicators_of
from roadmap.filters import ActivityFilter
from roadmap.models import Activity
from roadmap.roles import Role, has_role, sees_everything
from roadmap.selectors import activities_of
from roadmap.web import paginate, plan_year, sees_everything_required


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Each role lands on its own page; a user without a role is told whom to ask."""
    if sees_everything(request.user):
        return redirect("dashboard")
    if has_role(request.user, Role.COORDINATOR):
        return redirect("tasks")
    return render(request, "roadmap/no_role.html", status=403)


@sees_everything_required
def dashboard(request: HttpRequest) -> HttpResponse:
    py = plan_year(request)
    context = {"py": py, "activities": activities_of(py.plan), "indicators": indicators_of(py.plan)}
    return render(request, "roadmap/dashboard.html", context)


@login_required
def tasks(request: HttpRequest) -> HttpResponse:
    py = plan_year(request)
    mine = activities_of(py.plan).filter(responsibilities__organization=request.user.organization_id)
    return render(request, "roadmap/tasks.html", {"py": py, "activities": mine})


@login_required
def activity_list(request: HttpRequest) -> HttpResponse:
    py = plan_year(request)
    filterset = ActivityFilter(request.GET or None, queryset=activities_of(py.plan), plan=py.plan)
    page = paginate(request, filterset.qs.distinct())
    context = {"py": py, "filter": filterset, "page": page, "keep": {"year": py.year}}
    return render(request, "roadmap/activity_list.html", context)


@login_required
def activity_detail(request: HttpRequest, pk: int) -> HttpResponse:
    activity = get_object_or_404(activities_of_any_plan(), pk=pk)
    return render(request, "roadmap/activity_detail.html", {"activity": activity, "plan": activity.plan})


def activities_of_any_plan():  # type: ignore[no-untyped-def]
    return Activity.objects.select_related("plan", "section").prefetch_related("windows", "responsibilities__organization")

"""Helpers shared by the HTML views of every app: plan and year choice, access, paging."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone

from roadmap.models import Plan
from roadmap.roles import Role, has_role, sees_everything
from roadmap.selectors import plan_by_key

PAGE_SIZE = 25


@dataclass(frozen=True)
class PlanYear:
    plan: Plan
    year: int

    @property
    def years(self) -> list[int]:
        return list(self.plan.years)


def today() -> dt.date:
    return timezone.localdate()


def plan_year(request: HttpRequest, plan: Plan | None = None) -> PlanYear:
    """The plan and year a page shows: ``?plan=<key>&year=YYYY``, else the current plan
    and this year, clamped into the plan's years."""
    plan = plan or plan_by_key(request.GET.get("plan"))
    if plan is None:
        raise Http404("Plan not loaded")
    try:
        year = int(request.GET.get("year") or today().year)
    except ValueError:
        year = today().year
    year = min(max(year, plan.first_year), plan.last_year)
    return PlanYear(plan, year)


def paginate(request: HttpRequest, items: QuerySet[Any] | list[Any], per_page: int = PAGE_SIZE) -> Page:
    return Paginator(items, per_page).get_page(request.GET.get("page"))


def sees_everything_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Ministry, ЦОПП and administrators only (the regional picture)."""

    @wraps(view)
    @login_required
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not sees_everything(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped


def is_coordinator(user: Any) -> bool:
    return has_role(user, Role.COORDINATOR) and not sees_everything(user)

"""Helpers shared by the HTML views of every app: plan and year choice, access, paging."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone

from copp.pages import KeysetPage, keyset_page
from roadmap.accounts.permissions import user_region_id
from roadmap.accounts.roles import sees_everything
from roadmap.models import Plan
from roadmap.plans.selectors import current_plan, is_archive, plan_for_key, plan_years_text, plans_ordered

PAGE_SIZE = 25


@dataclass(frozen=True)
class PlanChoice:
    """One button of the plan selector."""

    plan: Plan
    label: str
    archive: bool
    selected: bool


@dataclass(frozen=True)
class PlanYear:
    plan: Plan
    year: int
    plans: tuple[Plan, ...] = ()
    today: dt.date | None = None

    @property
    def years(self) -> list[int]:
        return list(self.plan.years)

    @property
    def label(self) -> str:
        """«2023–2025»."""
        return plan_years_text(self.plan)

    @property
    def archive(self) -> bool:
        return is_archive(self.plan, self.today)

    @property
    def choices(self) -> list[PlanChoice]:
        """The plan selector: every plan, oldest first, finished ones marked as archives."""
        return [
            PlanChoice(p, plan_years_text(p), is_archive(p, self.today), p.pk == self.plan.pk)
            for p in (self.plans or (self.plan,))
        ]


def today() -> dt.date:
    return timezone.localdate()


_CURRENT = object()


def requested_plan(
    key: str | None, *, default: Any = _CURRENT, plans: tuple[Plan, ...] | None = None, user: Any = None
) -> Plan:
    """The plan a page or an API list asks for with ``?plan=<key>``.

    No key: the current plan (of ``user``'s region, when plans of several
    regions are loaded), or ``default`` when one is given, e.g. None for
    "every plan". An unknown key is a 404, never silently another plan, on the
    pages and in the API alike (DRF answers Http404 as a 404).
    """
    if key:
        plan = next((p for p in plans if p.key == key), None) if plans is not None else plan_for_key(key)
        if plan is None:
            raise Http404("No such plan")
        return plan
    if default is not _CURRENT:
        return default  # type: ignore[no-any-return]
    plans = tuple(plans_ordered()) if plans is None else plans
    plan = current_plan(today(), plans=plans, region_id=_region_of(user, plans))
    if plan is None:
        raise Http404("Plan not loaded")
    return plan


def _region_of(user: Any, plans: tuple[Plan, ...]) -> int | None:
    """The user's region when it can choose between plans (no query with one region's plans)."""
    if user is None or len({p.region_id for p in plans}) < 2:
        return None
    return user_region_id(user)


def plan_year(request: HttpRequest, plan: Plan | None = None) -> PlanYear:
    """The plan and year a page shows: ``?plan=<key>&year=YYYY``, else the current plan
    and this year, clamped into the plan's years (an archive opens on its last year)."""
    return plan_year_of(request.GET, plan, user=request.user)


def plan_year_of(data: Mapping[str, Any], plan: Plan | None = None, *, user: Any = None) -> PlanYear:
    """``plan_year`` of a query string (a page's export reads the page's own)."""
    day = today()
    plans = tuple(plans_ordered())
    plan = plan or requested_plan(data.get("plan"), plans=plans, user=user)  # one query for every plan
    try:
        year = int(data.get("year") or day.year)
    except ValueError:
        year = day.year
    year = min(max(year, plan.first_year), plan.last_year)
    return PlanYear(plan, year, plans, day)


def paginate(
    request: HttpRequest,
    items: QuerySet[Any] | list[Any],
    per_page: int = PAGE_SIZE,
    *,
    counted: QuerySet[Any] | None = None,
) -> Page | KeysetPage:
    """A page of a list: numbered pages for a list in memory; for a queryset,
    ``copp.pages.keyset_page`` (numbered first pages, then keys, never a deep OFFSET;
    ``counted``: the same rows, cheaper to count)."""
    if isinstance(items, QuerySet):
        return keyset_page(request, items, per_page, counted=counted)
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

"""The indicator pages' lists as their pages select them: filters, visibility, order.

The pages and their Excel exports (``reports.exports``) both call these, so
what is exported is exactly what is shown: one path per rule.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.db.models import Exists, OuterRef, QuerySet

from indicators.checks import Check, breaches_by_code, plan_breaches
from indicators.forms import ActualFilter
from indicators.memo import current_figures
from indicators.models import Actual, Indicator
from indicators.selectors import Figure, actuals_visible_to, indicators_of
from roadmap.accounts.permissions import sees_many_organizations, visible_organizations
from roadmap.models import Organization, Plan

IndicatorRow = tuple[Indicator, Figure | None, list[Check]]


def indicator_list_rows(plan: Plan, year: int, *, now: dt.datetime) -> list[IndicatorRow]:
    """Every indicator of ``plan`` in the order's order, with its figure of ``year``
    and the order's rules it breaks."""
    figures = current_figures(plan, years=[year], now=now)
    checks = breaches_by_code(plan_breaches(plan, years=[year], figures=figures))
    return [(i, figures.get((i.code, year)), checks.get(i.code, [])) for i in indicators_of(plan)]


def actual_list_filter(data: Mapping[str, Any], *, user: Any, plan: Plan) -> ActualFilter:
    """The values of ``plan`` that ``user`` may see, filtered by ``data``."""
    return ActualFilter(
        data or None,
        queryset=actuals_visible_to(user).filter(indicator__indicator_set__plan=plan),
        plan=plan,
        organizations=actual_list_organizations(user),
    )


def actual_list_organizations(user: Any) -> QuerySet[Organization] | None:
    """The organisation filter of the values list, offered only to those who see
    every organisation: the organisations that have values."""
    if not sees_many_organizations(user):
        return None
    return visible_organizations(
        user, Organization.objects.filter(Exists(Actual.objects.filter(organization=OuterRef("pk"))))
    ).order_by("short_name")


def actual_list_organizations_or_none(user: Any) -> QuerySet[Organization]:
    organizations = actual_list_organizations(user)
    return Organization.objects.none() if organizations is None else organizations

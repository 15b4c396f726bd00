"""The indicator pages' lists as their pages select them: filters, visibility, order.

The pages and their Excel exports (``reports.exports``) both call these, so
what is exported is exactly what is shown: one path per rule.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.db.models import Exists, OuterRef

from indicators.checks import Check, breaches_by_code, plan_breaches
from indicators.forms import ActualFilter
from indicators.models import Actual, Indicator
from indicators.selectors import Figure, actuals_visible_to, indicator_figures, indicators_of
from roadmap.accounts.permissions import sees_many_organizations, visible_organizations
from roadmap.models import Organization, Plan

IndicatorRow = tuple[Indicator, Figure | None, list[Check]]


def indicator_list_rows(plan: Plan, year: int, *, now: dt.datetime) -> list[IndicatorRow]:
    """Every indicator of ``plan`` in the order's order, with its figure of ``year``
    and the order's rules it breaks."""
    figures = indicator_figures(plan, years=[year], now=now)
    checks = breaches_by_code(plan_breaches(plan, years=[year]))
    return [(i, figures.get((i.code, year)), checks.get(i.code, [])) for i in indicators_of(plan)]


def actual_list_filter(data: Mapping[str, Any], *, user: Any, plan: Plan) -> ActualFilter:
    """The values of ``plan`` that ``user`` may see, filtered by ``data``.

    The organisation filter is offered only to those who see every
    organisation (the organisations that have values).
    """
    organizations = (
        visible_organizations(
            user, Organization.objects.filter(Exists(Actual.objects.filter(organization=OuterRef("pk"))))
        ).order_by("short_name")
        if sees_many_organizations(user)
        else None
    )
    return ActualFilter(
        data or None,
        queryset=actuals_visible_to(user).filter(indicator__indicator_set__plan=plan),
        plan=plan,
        organizations=organizations,
    )

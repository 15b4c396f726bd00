"""Continuity across plans: an indicator's actuals under its predecessor in an earlier plan.

An indicator of a new plan may name its predecessor (``Indicator.predecessor``,
set by the plan file or by ``plan_copy``). The old plan's actuals come from
the one figures selector, :func:`indicators.selectors.indicator_figures`,
called once per predecessor plan, so they are the numbers the archive shows;
at a moment (``now``) through the figures memo (``indicators.memo``), as the
archive's own pages read them: every indicator page of a new plan shows its
predecessor's, and recomputing the old plan's figures for each view made the
current plan's indicator page 27 times the trivial page at a region.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from indicators.memo import current_figures
from indicators.models import Indicator
from indicators.selectors import indicator_figures
from roadmap.models import Plan


@dataclass(frozen=True)
class PredecessorFacts:
    """The old plan's actual per year of one indicator's predecessor."""

    plan: Plan
    code: str
    actuals: dict[int, Any]  # year -> actual (None: no data)

    @property
    def last(self) -> tuple[int, Any] | None:
        """The latest year of the old plan and its actual."""
        if not self.actuals:
            return None
        year = max(self.actuals)
        return year, self.actuals[year]

    def text(self) -> str:
        """«2023: 10; 2024: 12; 2025: —» for a report cell."""
        return "; ".join(f"{y}: {_show(v)}" for y, v in sorted(self.actuals.items()))


def _show(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "да" if value else "нет"
    return str(value)


def predecessor_facts(
    indicators: Iterable[Indicator], *, now: dt.datetime | None = None
) -> dict[int, PredecessorFacts]:
    """{indicator id: its predecessor's actuals} for the indicators that have one.

    One query for the predecessors plus one figures call per old plan (served
    from the memo while the data is unchanged, when judged at ``now``).
    """
    indicators = list(indicators)
    ids = [i.predecessor_id for i in indicators if i.predecessor_id]
    if not ids:
        return {}
    predecessors = {p.pk: p for p in Indicator.objects.filter(pk__in=ids).select_related("indicator_set__plan")}
    by_plan: dict[int, list[Indicator]] = defaultdict(list)
    for old in predecessors.values():
        by_plan[old.indicator_set.plan_id].append(old)
    figures: dict[int, dict[tuple[str, int], Any]] = {}
    for plan_id, items in by_plan.items():
        plan = items[0].indicator_set.plan
        if now is None:
            figures[plan_id] = indicator_figures(plan, years=plan.years, codes=[p.code for p in items])
        else:
            figures[plan_id] = current_figures(plan, years=plan.years, now=now)
    result = {}
    for indicator in indicators:
        if indicator.predecessor_id is None:
            continue
        p = predecessors.get(indicator.predecessor_id)
        if p is None:
            continue
        plan = p.indicator_set.plan
        found = figures[plan.pk]
        actuals = {y: getattr(found.get((p.code, y)), "actual", None) for y in plan.years}
        result[indicator.pk] = PredecessorFacts(plan=plan, code=p.code, actuals=actuals)
    return result

"""The figures reports lay out, taken from the apps that compute them.

Reports never recompute a figure (ARCHITECTURE.md: one selector). This module
is the one place that calls the indicators app's ``indicator_figures`` and
turns its answer into the plain values the builders lay out.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from roadmap.models import Plan

STATUS_WORDS = {
    "achieved": "достигнуто",
    "not_achieved": "не достигнуто",
    "on_track": "по плану",
    "behind": "отстаёт",
    "at_risk": "под угрозой",
    "no_data": "нет данных",
}


@dataclass
class IndicatorFigure:
    target: Any = None
    actual: Any = None
    percent: float | None = None  # a fraction: 0.5 = 50 %
    deviation: Any = None
    status: str = "нет данных"


@dataclass
class BrokenRule:
    year: int
    text: str  # one sentence: «2024, факт: строка 2 = 10 706, а 3 + 5 + 6 = 18 242 (разница 7 536)»
    codes: list[str] = field(default_factory=list)
    source: str = "plan"  # "plan" or "actual"


def _number(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def _get(obj: Any, name: str, default: Any = None) -> Any:
    if isinstance(obj, dict):
        return obj.get(name, default)
    return getattr(obj, name, default)


def indicator_figures_for(
    plan: Plan, *, years: list[int], as_of: dt.datetime | None, now: dt.datetime
) -> tuple[dict[tuple[str, int], IndicatorFigure], list[BrokenRule]]:
    """Figures per (code, year) and the broken rules, from the indicators app.

    Rules are checked against the plan's own targets (the order breaks one)
    and against the actual figures as of the moment.
    """
    from indicators.checks import breach_sentence
    from indicators.selectors import broken_rules, indicator_figures

    result = indicator_figures(plan, years=years, as_of=as_of, now=now)
    figures: dict[tuple[str, int], IndicatorFigure] = {}
    for (code, year), item in result.items():
        figures[(code, year)] = IndicatorFigure(
            target=_number(item.target),
            actual=_number(item.actual),
            percent=None if item.percent is None else float(item.percent) / 100,
            deviation=_number(item.deviation),
            status=STATUS_WORDS.get(str(item.status), "нет данных") if item.status else "",
        )
    broken = []
    for source in ("plan", "actual"):
        for breach in broken_rules(plan, years=years, source=source, as_of=as_of):
            rule = breach.rule
            text = breach_sentence(
                year=breach.year, source=source, rule=rule, left=_number(breach.left), right=_number(breach.right)
            )
            broken.append(
                BrokenRule(
                    year=breach.year,
                    text=text,
                    codes=[*rule.left_codes, *rule.right_codes],
                    source=source,
                )
            )
    # One line per year and source, sorted by year, plan before fact.
    broken.sort(key=lambda b: (b.year, b.source != "plan"))
    return figures, broken


def predecessor_texts(plan: Plan, *, now: dt.datetime | None) -> dict[str, str]:
    """{indicator code: «2023: 10; 2024: 12; 2025: 15»}, the old plan's actuals of
    the plan's indicators that name a predecessor (empty when none does)."""
    from indicators.continuity import predecessor_facts
    from indicators.models import Indicator

    indicators = list(Indicator.objects.filter(indicator_set__plan=plan, predecessor__isnull=False))
    facts = predecessor_facts(indicators, now=now)
    return {i.code: facts[i.pk].text() for i in indicators if i.pk in facts}

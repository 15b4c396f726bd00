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
    text: str
    codes: list[str] = field(default_factory=list)


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
    """Figures per (code, year) and the broken rules, from the one selector."""
    from indicators import selectors

    result = selectors.indicator_figures(plan, years=years, as_of=as_of, now=now)
    figures: dict[tuple[str, int], IndicatorFigure] = {}
    for item in _get(result, "figures", result if isinstance(result, list) else []):
        code, year = _get(item, "code"), _get(item, "year")
        percent = _get(item, "percent")
        status = _get(item, "status")
        figures[(code, year)] = IndicatorFigure(
            target=_number(_get(item, "target")),
            actual=_number(_get(item, "actual")),
            percent=None if percent is None else float(percent) / 100,
            deviation=_number(_get(item, "deviation")),
            status=STATUS_WORDS.get(str(status), str(status or "нет данных")),
        )
    broken = []
    for rule in _get(result, "broken_rules", []) or []:
        codes = [*(_get(rule, "left_codes") or []), *(_get(rule, "right_codes") or [])]
        text = _get(rule, "text") or (
            f"{_get(rule, 'rule')}: {_number(_get(rule, 'left'))} {_get(rule, 'operator')} {_number(_get(rule, 'right'))}"
        )
        broken.append(BrokenRule(year=_get(rule, "year"), text=text, codes=codes))
    return figures, broken

"""Loading a plan's indicator set and targets (called by ``roadmap.loader``)."""

from __future__ import annotations

from typing import Any

from indicators.models import Indicator, IndicatorSet, Target
from roadmap.loader import LoadResult, _sync, _text, _upsert
from roadmap.models import Plan


def _target_values(value_type: str, value: Any) -> dict[str, Any]:
    if value_type == Indicator.ValueType.BOOLEAN:
        return {"value_bool": bool(value), "value_number": None}
    return {"value_bool": None, "value_number": int(value)}


def indicator_set_load(plan: Plan, block: dict[str, Any], result: LoadResult) -> IndicatorSet:
    indicator_set = _upsert(IndicatorSet, result, "indicator set", {"plan": plan}, {"title": _text(block.get("title"))})
    by_code: dict[str, Indicator] = {}
    for order, item in enumerate(block["items"], start=1):
        code = _text(item["code"])
        value_type = item["value_type"]
        default_aggregation = "boolean" if value_type == "boolean" else "flow"
        indicator = _upsert(
            Indicator,
            result,
            "indicator",
            {"indicator_set": indicator_set, "code": code},
            {
                "printed_code": _text(item.get("printed_code")) or code,
                "parent": by_code[_text(item["parent"])] if item.get("parent") is not None else None,
                "name": _text(item["name"]),
                "unit": _text(item["unit"]),
                "value_type": value_type,
                "aggregation": item.get("aggregation") or default_aggregation,
                "order": order,
                "note": _text(item.get("note")),
            },
        )
        by_code[code] = indicator
        existing = {t.year: t for t in indicator.targets.all()}
        for year, value in (item.get("targets") or {}).items():
            values = _target_values(value_type, value)
            target = existing.get(year)
            if target is None:
                target = Target(indicator=indicator, year=year, **values)
                target._change_reason = "load_order"  # noqa: SLF001 - simple_history's documented hook
                target.save()
                result.note("target", "created")
            elif _sync(target, values):
                target._change_reason = "load_order"  # noqa: SLF001
                target.save()
                result.note("target", "updated")
            else:
                result.note("target", "unchanged")
    return indicator_set

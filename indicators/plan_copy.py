"""The indicators' part of a plan copy (``roadmap.plans.plan_copy``), registered in ``IndicatorsConfig.ready``.

The new plan gets the old indicator set: every indicator with its parent,
unit and value type, and the old indicator as its predecessor, but no
targets (the new plan sets its own); its seasons, consistency rules,
programme categories and derived sources come along, sources pointing at the
new plan's activities of the same numbers.
"""

from __future__ import annotations

from typing import Any

from indicators.models import (
    Indicator,
    IndicatorSeason,
    IndicatorSet,
    IndicatorSource,
    ProgrammeCategory,
    ValidationRule,
)
from roadmap.models import Activity, Plan

INDICATOR_FIELDS = ("code", "printed_code", "name", "unit", "value_type", "aggregation", "order", "note")


def copy_indicator_set(source: Plan, new: Plan, activities: dict[int, Activity], result: Any) -> None:
    old_set = IndicatorSet.objects.filter(plan=source).first()
    if old_set is None:
        return
    new_set = IndicatorSet.objects.create(plan=new, title=old_set.title)
    result.counts["indicator set"] += 1
    indicators: dict[int, Indicator] = {}
    # Parents come before their rows in display order; fall back to a second pass otherwise.
    old_indicators = list(Indicator.objects.filter(indicator_set=old_set).order_by("order", "id"))
    pending = old_indicators
    while pending:
        waiting = []
        for old in pending:
            if old.parent_id and old.parent_id not in indicators:
                waiting.append(old)
                continue
            indicators[old.pk] = Indicator.objects.create(
                indicator_set=new_set,
                parent=indicators.get(old.parent_id) if old.parent_id else None,
                predecessor=old,
                **{name: getattr(old, name) for name in INDICATOR_FIELDS},
            )
        if len(waiting) == len(pending):  # a parent outside the set: copy without it
            for old in waiting:
                indicators[old.pk] = Indicator.objects.create(
                    indicator_set=new_set, predecessor=old, **{name: getattr(old, name) for name in INDICATOR_FIELDS}
                )
            break
        pending = waiting
    result.counts["indicator"] += len(indicators)

    categories = {}
    for category in ProgrammeCategory.objects.filter(indicator_set=old_set):
        categories[category.pk] = ProgrammeCategory.objects.create(
            indicator_set=new_set, key=category.key, name=category.name, order=category.order
        )
    result.counts["programme category"] += len(categories)

    IndicatorSeason.objects.bulk_create(
        IndicatorSeason(indicator=indicators[s.indicator_id], monthly_weights=s.monthly_weights, note=s.note)
        for s in IndicatorSeason.objects.filter(indicator__indicator_set=old_set)
    )
    rules = [
        ValidationRule(
            indicator_set=new_set,
            **{
                name: getattr(rule, name)
                for name in ("key", "name", "left", "operator", "right", "importance", "missing", "is_active", "order")
            },
        )
        for rule in ValidationRule.objects.filter(indicator_set=old_set)
    ]
    ValidationRule.objects.bulk_create(rules)
    result.counts["validation rule"] += len(rules)

    sources = IndicatorSource.objects.filter(indicator__indicator_set=old_set).prefetch_related(
        "activities", "categories"
    )
    for old_source in sources:
        copied = IndicatorSource.objects.create(
            indicator=indicators[old_source.indicator_id],
            kind=old_source.kind,
            event_field=old_source.event_field,
            rows=old_source.rows,
            scope=old_source.scope,
            is_active=old_source.is_active,
            note=old_source.note,
        )
        copied.activities.set([activities[a.pk] for a in old_source.activities.all() if a.pk in activities])
        copied.categories.set([categories[c.pk] for c in old_source.categories.all() if c.pk in categories])
        result.counts["indicator source"] += 1

"""Loading a plan's indicator set and targets: the ``indicators`` section of a plan data file.

Registered with ``roadmap.plans.sections`` in ``IndicatorsConfig.ready()``; ``roadmap.plans.loader``
calls ``validate_indicator_config`` and ``indicators_load`` through that registry.
"""

from __future__ import annotations

from typing import Any

from indicators.models import (
    Indicator,
    IndicatorSeason,
    IndicatorSet,
    IndicatorSource,
    ProgrammeCategory,
    Target,
    ValidationRule,
)
from roadmap.models import REPORT_FIGURE_FIELDS, Activity, Plan
from roadmap.plans.sections import LoadResult, sync, text, upsert


def _target_values(value_type: str, value: Any) -> dict[str, Any]:
    if value_type == Indicator.ValueType.BOOLEAN:
        return {"value_bool": bool(value), "value_number": None}
    return {"value_bool": None, "value_number": int(value)}


def _dict_at(data: dict[str, Any], key: str) -> dict[str, Any]:
    """``data[key]`` when the file has a mapping there, else an empty one."""
    value = data.get(key)
    return value if isinstance(value, dict) else {}


def _list_at(data: dict[str, Any], key: str) -> list[Any]:
    """``data[key]`` when the file has a list there, else an empty one."""
    value = data.get(key)
    return value if isinstance(value, list) else []


def _predecessor_ref(data: dict[str, Any], item: dict[str, Any]) -> tuple[str, str] | None:
    """(plan key, code) an item names as its predecessor, or None.

    ``predecessor: {plan: tula-2714-2022, code: "6"}``, or ``predecessor: "6"``
    with the old plan's key given once as ``predecessor_plan`` in the
    ``indicators`` block (or in ``plan``).
    """
    ref = item.get("predecessor")
    if ref is None:
        return None
    if isinstance(ref, dict):
        return text(ref.get("plan")), text(ref.get("code"))
    indicators = _dict_at(data, "indicators")
    plan = _dict_at(data, "plan")
    return text(indicators.get("predecessor_plan") or plan.get("predecessor_plan")), text(ref)


def validate_predecessors(data: dict[str, Any]) -> list[str]:
    """Every predecessor that names no indicator of another loaded plan."""
    indicators = _dict_at(data, "indicators")
    items = _list_at(indicators, "items")
    named = [(i, item, _predecessor_ref(data, item)) for i, item in enumerate(items) if isinstance(item, dict)]
    refs = [(i, item, ref) for i, item, ref in named if ref is not None]
    if not refs:
        return []
    this_plan = text((data.get("plan") or {}).get("key")) if isinstance(data.get("plan"), dict) else ""
    wanted = {key for _, _, (key, _) in refs if key}
    known = set(
        Indicator.objects.filter(indicator_set__plan__key__in=wanted).values_list("indicator_set__plan__key", "code")
    )
    errors = []
    for i, item, (key, code) in refs:
        where = f"indicators.items[{i}] (code {text(item.get('code'))}).predecessor"
        if not key:
            errors.append(
                f'{where}: name the old plan: predecessor: {{plan: <key>, code: "{code}"}} or predecessor_plan'
            )
        elif key == this_plan:
            errors.append(f"{where}: the predecessor must be in another plan, not '{key}'")
        elif not code:
            errors.append(f"{where}: missing the code of the old plan's indicator")
        elif (key, code) not in known:
            errors.append(f"{where}: plan '{key}' has no indicator '{code}' (is that plan loaded?)")
    return errors


def _predecessor(data: dict[str, Any], item: dict[str, Any]) -> Indicator | None:
    ref = _predecessor_ref(data, item)
    if ref is None:
        return None
    return Indicator.objects.get(indicator_set__plan__key=ref[0], code=ref[1])


def indicator_set_load(
    plan: Plan, block: dict[str, Any], result: LoadResult, data: dict[str, Any] | None = None
) -> IndicatorSet:
    data = data if data is not None else {"indicators": block}
    indicator_set = upsert(IndicatorSet, result, "indicator set", {"plan": plan}, {"title": text(block.get("title"))})
    by_code: dict[str, Indicator] = {}
    for order, item in enumerate(block["items"], start=1):
        code = text(item["code"])
        value_type = item["value_type"]
        default_aggregation = "boolean" if value_type == "boolean" else "flow"
        indicator = upsert(
            Indicator,
            result,
            "indicator",
            {"indicator_set": indicator_set, "code": code},
            {
                "printed_code": text(item.get("printed_code")) or code,
                "parent": by_code[text(item["parent"])] if item.get("parent") is not None else None,
                "name": text(item["name"]),
                "unit": text(item["unit"]),
                "value_type": value_type,
                "aggregation": item.get("aggregation") or default_aggregation,
                "order": order,
                "note": text(item.get("note")),
                **({"predecessor": _predecessor(data, item)} if item.get("predecessor") is not None else {}),
            },
        )
        by_code[code] = indicator
        existing = {t.year: t for t in indicator.targets.all()}
        for year, value in (item.get("targets") or {}).items():
            values = _target_values(value_type, value)
            target = existing.get(year)
            if target is None:
                target = Target(indicator=indicator, year=year, **values)
                target._change_reason = "load_order"
                target.save()
                result.note("target", "created")
            elif sync(target, values):
                target._change_reason = "load_order"
                target.save()
                result.note("target", "updated")
            else:
                result.note("target", "unchanged")
    return indicator_set


# --- configuration blocks: programme categories, sources, seasons, rules -----------
#
# Loaded with the plan as defaults; an administrator may change them in the
# admin afterwards, and a reload never undoes such a change: existing rules,
# sources and seasons are left as they are, only missing ones are created.

CONFIG_BLOCKS = ("programme_categories", "sources", "seasons", "rules")
SOURCE_KINDS = ("event_reports", "partner_agreements", "programmes", "cohorts", "sum_of")
SCOPES = ("copp", "copp_and_colleges", "everyone")
OPERATORS = ("=", "<=", ">=")
IMPORTANCE = ("high", "medium", "low")
MISSING = ("skip_if_any_missing", "skip_if_all_missing", "never_skip")


def _list_block(data: dict[str, Any], name: str, errors: list[str]) -> list[Any]:
    block = data.get(name)
    if block is None:
        return []
    if not isinstance(block, list):
        errors.append(f"{name}: must be a list")
        return []
    return block


def _sum_cycles(sums: dict[str, list[str]]) -> list[str]:
    """A sum that (through other sums) contains itself can never be computed."""
    errors: list[str] = []
    for start in sums:
        seen: set[str] = set()
        stack = list(sums[start])
        while stack:
            code = stack.pop()
            if code == start:
                errors.append(f"sources (indicator {start}): its rows add up to itself")
                break
            if code not in seen:
                seen.add(code)
                stack.extend(sums.get(code, []))
    return errors


def validate_indicator_config(data: dict[str, Any]) -> list[str]:
    """Every problem of the rules, sources, seasons and programme categories of a plan file."""
    errors: list[str] = []
    indicators = _dict_at(data, "indicators")
    items = _list_at(indicators, "items")
    value_types = {text(i.get("code")): i.get("value_type") for i in items if isinstance(i, dict)}
    activity_numbers = {
        a.get("number")
        for s in (data.get("sections") or [])
        if isinstance(s, dict)
        for a in (s.get("activities") or [])
        if isinstance(a, dict)
    }

    categories: set[str] = set()
    for i, item in enumerate(_list_block(data, "programme_categories", errors)):
        where = f"programme_categories[{i}]"
        if not isinstance(item, dict) or not text(item.get("key")) or not text(item.get("name")):
            errors.append(f"{where}: needs 'key' and 'name'")
            continue
        if item["key"] in categories:
            errors.append(f"{where}: duplicate key '{item['key']}'")
        categories.add(item["key"])

    with_source: set[str] = set()
    sums: dict[str, list[str]] = {}
    for i, item in enumerate(_list_block(data, "sources", errors)):
        where = f"sources[{i}]"
        if not isinstance(item, dict):
            errors.append(f"{where}: must be a mapping")
            continue
        code = text(item.get("indicator"))
        where = f"{where} (indicator {code})"
        if code not in value_types:
            errors.append(f"{where}: unknown indicator code '{code}'")
        elif value_types[code] != "number":
            errors.append(f"{where}: only number indicators take a derived source")
        if code in with_source:
            errors.append(f"{where}: indicator '{code}' has two sources")
        with_source.add(code)
        kind = item.get("kind")
        if kind not in SOURCE_KINDS:
            errors.append(f"{where}: kind must be one of {', '.join(SOURCE_KINDS)}")
        if kind == "event_reports":
            if item.get("field") not in REPORT_FIGURE_FIELDS:
                errors.append(f"{where}: field must be one of {', '.join(REPORT_FIGURE_FIELDS)}")
            if not item.get("activities"):
                errors.append(f"{where}: event reports need 'activities'")
        for number in item.get("activities") or []:
            if number not in activity_numbers:
                errors.append(f"{where}: unknown activity number '{number}'")
        for key in item.get("categories") or []:
            if key not in categories:
                errors.append(f"{where}: unknown programme category '{key}'")
        if item.get("categories") and kind not in ("programmes", "cohorts"):
            errors.append(f"{where}: only programmes and cohorts take 'categories'")
        if item.get("scope", "everyone") not in SCOPES:
            errors.append(f"{where}: scope must be one of {', '.join(SCOPES)}")
        rows = item.get("rows")
        if kind == "sum_of":
            if item.get("scope") is not None:
                errors.append(f"{where}: a sum takes the scope of its rows; remove 'scope'")
            if not isinstance(rows, list) or not rows:
                errors.append(f"{where}: a sum needs 'rows' (a list of indicator codes)")
                rows = []
            for row in rows:
                if text(row) not in value_types:
                    errors.append(f"{where}: unknown row '{row}'")
                elif value_types[text(row)] != "number":
                    errors.append(f"{where}: row '{row}' is a yes/no indicator")
                elif text(row) == code:
                    errors.append(f"{where}: a row cannot be a part of itself")
            sums[code] = [text(r) for r in rows]
        elif rows is not None:
            errors.append(f"{where}: only kind sum_of takes 'rows'")
    errors += _sum_cycles(sums)

    seasoned: set[str] = set()
    for i, item in enumerate(_list_block(data, "seasons", errors)):
        where = f"seasons[{i}]"
        if not isinstance(item, dict):
            errors.append(f"{where}: must be a mapping")
            continue
        for code in item.get("indicators") or []:
            if text(code) not in value_types:
                errors.append(f"{where}: unknown indicator code '{code}'")
            if text(code) in seasoned:
                errors.append(f"{where}: indicator '{code}' has two seasons")
            seasoned.add(text(code))
        weights = item.get("monthly_weights")
        if not (
            isinstance(weights, list)
            and len(weights) == 12
            and all(isinstance(w, (int, float)) and not isinstance(w, bool) and w >= 0 for w in weights)
            and sum(weights) > 0
        ):
            errors.append(f"{where}: monthly_weights must be 12 non-negative numbers, not all 0")

    keys: set[str] = set()
    for i, item in enumerate(_list_block(data, "rules", errors)):
        where = f"rules[{i}]"
        if not isinstance(item, dict):
            errors.append(f"{where}: must be a mapping")
            continue
        key = text(item.get("key"))
        where = f"{where} ({key})" if key else where
        for name in ("key", "name", "left", "operator", "right"):
            if not text(item.get(name)):
                errors.append(f"{where}: missing field '{name}'")
        if key in keys:
            errors.append(f"{where}: duplicate rule key '{key}'")
        keys.add(key)
        if item.get("operator") is not None and item.get("operator") not in OPERATORS:
            errors.append(f"{where}: operator must be one of {', '.join(OPERATORS)}")
        if item.get("importance", "medium") not in IMPORTANCE:
            errors.append(f"{where}: importance must be one of {', '.join(IMPORTANCE)}")
        if item.get("missing", "skip_if_any_missing") not in MISSING:
            errors.append(f"{where}: missing must be one of {', '.join(MISSING)}")
        for side in ("left", "right"):
            for code in ValidationRule.parse_side(text(item.get(side))):
                if code and code not in value_types:
                    errors.append(f"{where}.{side}: unknown indicator code '{code}'")
                elif code and value_types[code] != "number":
                    errors.append(f"{where}.{side}: '{code}' is a yes/no indicator; rules add up numbers")
    errors.extend(validate_predecessors(data))
    return errors


def indicator_config_load(plan: Plan, data: dict[str, Any], result: LoadResult) -> None:
    """Create the plan's programme categories, sources, seasons and rules that are missing."""
    indicator_set = IndicatorSet.objects.get(plan=plan)
    indicators = {i.code: i for i in Indicator.objects.filter(indicator_set=indicator_set)}
    activities = {a.number: a for a in Activity.objects.filter(plan=plan)}

    categories: dict[str, ProgrammeCategory] = {}
    for order, item in enumerate(data.get("programme_categories") or [], start=1):
        categories[item["key"]] = upsert(
            ProgrammeCategory,
            result,
            "programme category",
            {"indicator_set": indicator_set, "key": item["key"]},
            {"name": text(item["name"]), "order": order},
        )

    have_sources = set(
        IndicatorSource.objects.filter(indicator__indicator_set=indicator_set).values_list("indicator__code", flat=True)
    )
    for item in data.get("sources") or []:
        code = text(item["indicator"])
        if code in have_sources:
            result.note("indicator source", "unchanged")
            continue
        source = IndicatorSource.objects.create(
            indicator=indicators[code],
            kind=item["kind"],
            event_field=item.get("field") or "",
            rows=" + ".join(text(r) for r in item.get("rows") or []),
            scope=item.get("scope") or IndicatorSource.Scope.EVERYONE,
            note=text(item.get("note")),
        )
        source.activities.set([activities[n] for n in item.get("activities") or []])
        source.categories.set([categories[k] for k in item.get("categories") or []])
        result.note("indicator source", "created")

    have_seasons = set(
        IndicatorSeason.objects.filter(indicator__indicator_set=indicator_set).values_list("indicator__code", flat=True)
    )
    for item in data.get("seasons") or []:
        for code in item["indicators"]:
            if text(code) in have_seasons:
                result.note("indicator season", "unchanged")
                continue
            IndicatorSeason.objects.create(
                indicator=indicators[text(code)], monthly_weights=item["monthly_weights"], note=text(item.get("note"))
            )
            result.note("indicator season", "created")

    have_rules = set(ValidationRule.objects.filter(indicator_set=indicator_set).values_list("key", flat=True))
    for order, item in enumerate(data.get("rules") or [], start=1):
        if item["key"] in have_rules:
            result.note("validation rule", "unchanged")
            continue
        ValidationRule.objects.create(
            indicator_set=indicator_set,
            key=item["key"],
            name=text(item["name"]),
            left=" + ".join(ValidationRule.parse_side(text(item["left"]))),
            operator=item["operator"],
            right=" + ".join(ValidationRule.parse_side(text(item["right"]))),
            importance=item.get("importance", "medium"),
            missing=item.get("missing", "skip_if_any_missing"),
            order=order,
        )
        result.note("validation rule", "created")

    from indicators.checks import plan_breaches

    result.warnings += [c.sentence for c in plan_breaches(plan, sources=["plan"])]


def indicators_load(plan: Plan, data: dict[str, Any], result: LoadResult) -> None:
    """The ``indicators`` section of a plan file: the indicator set and targets, then its rules,
    sources and seasons (registered as the section loader of ``indicators``)."""
    indicator_set_load(plan, data["indicators"], result, data)
    indicator_config_load(plan, data, result)

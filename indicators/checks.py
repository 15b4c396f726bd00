"""The plan's checks as sentences a ministry user can read.

A broken rule becomes one line per year and source (plan / fact), sorted by
year: «2025, факт: строка 2 = 10 706, а 3 + 5 + 6 = 18 242 (разница 7 536)».
The indicator page, the dashboard's «Проверки» panel, the indicator list's
badges, the admin's target form, ``load_order`` and the Excel report all use
:func:`plan_breaches` and :func:`breach_sentence`, so they say the same thing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from indicators.models import Indicator, IndicatorSource, ValidationRule
from indicators.selectors import Number, RuleBreach, broken_rules
from roadmap.models import Plan

SOURCES = ("plan", "actual")


def number_text(value: Any) -> str:
    """12345 -> «12 345» (a no-break space between thousands), 3.5 -> «3,5»."""
    if isinstance(value, Decimal):
        value = int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int):
        return f"{value:,}".replace(",", "\u00a0")
    if isinstance(value, float):
        return f"{value:,.1f}".replace(",", "\u00a0").replace(".", ",")
    return str(value)


def source_label(source: str) -> str:
    return _("plan") if source == "plan" else _("actual")


def breach_sentence(*, year: int, source: str, rule: ValidationRule, left: Number, right: Number) -> str:
    """One broken rule in one year as a sentence, naming plan or fact and the difference."""
    codes = rule.left_codes
    row = (_("row %(codes)s") if len(codes) == 1 else _("rows %(codes)s")) % {"codes": rule.left}
    values = {
        "year": year,
        "source": source_label(source),
        "row": row,
        "left": number_text(left),
        "right_side": rule.right,
        "right": number_text(right),
        "difference": number_text(abs(left - right)),
        "rule": rule.expression.replace("<=", "≤").replace(">=", "≥"),
    }
    if rule.operator == ValidationRule.Operator.LESS_OR_EQUAL:
        text = _(
            "%(year)s, %(source)s: %(row)s = %(left)s is greater than %(right_side)s = %(right)s (by %(difference)s); rule %(rule)s"
        )
    elif rule.operator == ValidationRule.Operator.GREATER_OR_EQUAL:
        text = _(
            "%(year)s, %(source)s: %(row)s = %(left)s is less than %(right_side)s = %(right)s (by %(difference)s); rule %(rule)s"
        )
    else:
        text = _(
            "%(year)s, %(source)s: %(row)s = %(left)s, while %(right_side)s = %(right)s (difference %(difference)s)"
        )
    return text % values


@dataclass(frozen=True)
class Check:
    """A rule broken in one year by the plan (targets) or the fact."""

    year: int
    source: str
    rule: ValidationRule
    left: Number
    right: Number

    @property
    def sentence(self) -> str:
        return breach_sentence(year=self.year, source=self.source, rule=self.rule, left=self.left, right=self.right)

    @property
    def codes(self) -> set[str]:
        return {*self.rule.left_codes, *self.rule.right_codes}

    @property
    def importance(self) -> str:
        return self.rule.importance

    def as_dict(self) -> dict[str, Any]:
        return {
            "year": self.year,
            "source": self.source,
            "rule": self.rule.expression,
            "key": self.rule.key,
            "left": self.left,
            "right": self.right,
            "importance": self.rule.importance,
            "sentence": self.sentence,
        }


def checks_from(breaches: Iterable[tuple[str, RuleBreach]]) -> list[Check]:
    """(source, breach) pairs as checks: no duplicates, by year, plan before fact, in the rules' order."""
    seen: set[tuple[int, str, str]] = set()
    checks: list[Check] = []
    for source, b in breaches:
        key = (b.year, source, b.rule.key)
        if key in seen:
            continue
        seen.add(key)
        checks.append(Check(year=b.year, source=source, rule=b.rule, left=b.left, right=b.right))
    return sorted(checks, key=lambda c: (c.year, SOURCES.index(c.source), c.rule.order, c.rule.key))


def plan_breaches(
    plan: Plan,
    *,
    years: Iterable[int] | None = None,
    sources: Iterable[str] = SOURCES,
    codes: Iterable[str] | None = None,
    as_of: dt.datetime | None = None,
    figures: dict[tuple[str, int], Any] | None = None,
    rules: list[ValidationRule] | None = None,
) -> list[Check]:
    """Every rule of ``plan`` broken in ``years`` (default: the plan's) by its targets and its facts.

    ``codes``: only rules that involve one of these indicators. ``figures``:
    the facts already computed by the caller for ``years`` (the page's own).
    ``rules``: the plan's active rules, when the caller has read them already.
    """
    years = sorted(set(years if years is not None else plan.years))
    pairs: list[tuple[str, RuleBreach]] = []
    for source in sources:
        given = figures if source == "actual" else None
        found = broken_rules(plan, years=years, source=source, as_of=as_of, figures=given, rules=rules)
        pairs += [(source, b) for b in found]
    checks = checks_from(pairs)
    if codes is not None:
        wanted = set(codes)
        checks = [c for c in checks if c.codes & wanted]
    return checks


def breaches_by_code(checks: Iterable[Check]) -> dict[str, list[Check]]:
    """{indicator code: the checks that involve it} (for the list's badges)."""
    result: dict[str, list[Check]] = {}
    for check in checks:
        for code in check.codes:
            result.setdefault(code, []).append(check)
    return result


def target_breaches(
    *, indicator: Indicator, year: int, value_number: int | None, plan: Plan | None = None
) -> list[Check]:
    """The plan's rules involving ``indicator`` that would be broken in ``year`` with this target."""
    plan = plan or indicator.indicator_set.plan
    rules = [
        r
        for r in ValidationRule.objects.filter(indicator_set__plan=plan, is_active=True)
        if indicator.code in (*r.left_codes, *r.right_codes)
    ]
    if not rules:
        return []
    values: dict[tuple[str, int], Any] = {
        (code, year): number
        for code, number in Indicator.objects.filter(
            indicator_set__plan=plan, targets__year=year, targets__value_number__isnull=False
        ).values_list("code", "targets__value_number")
    }
    values.pop((indicator.code, year), None)
    if value_number is not None:
        values[(indicator.code, year)] = value_number
    from indicators.selectors import _side, rule_holds

    pairs: list[tuple[str, RuleBreach]] = []
    for rule in rules:
        left = _side(rule.left_codes, year, values, rule.missing)
        right = _side(rule.right_codes, year, values, rule.missing)
        if left is not None and right is not None and not rule_holds(rule.operator, left, right):
            pairs.append(("plan", RuleBreach(rule=rule, year=year, left=left, right=right)))
    return checks_from(pairs)


@dataclass(frozen=True)
class Unassigned:
    """Records of a year that fit no row of a total («не распределено»)."""

    year: int
    indicator: Indicator
    count: int

    @property
    def sentence(self) -> str:
        source = self.indicator.source
        return _(
            "%(year)s, actual: records not assigned to rows %(rows)s: %(count)s; they are not counted in row %(code)s"
        ) % {"year": self.year, "rows": ", ".join(source.row_codes), "count": self.count, "code": self.indicator.code}


def unassigned_checks(plan: Plan, *, years: Iterable[int]) -> list[Unassigned]:
    """For each total whose rows are record rows, the records of each year that fit none of them."""
    from indicators.derivations import sources_by_code, unassigned_records

    sums = list(
        Indicator.objects.filter(
            indicator_set__plan=plan, source__kind=IndicatorSource.Kind.SUM_OF, source__is_active=True
        ).select_related("source")
    )
    if not sums:
        return []
    sum_codes = {i.code for i in sums}
    sources = sources_by_code(sums[0])
    result: list[Unassigned] = []
    for year in sorted(set(years)):
        for indicator in sums:
            if set(indicator.source.row_codes) & sum_codes:
                continue  # a total of totals: its rows' own lines say it
            count = sum(q.count() for q in unassigned_records(indicator, year, sources=sources).values())
            if count:
                result.append(Unassigned(year=year, indicator=indicator, count=count))
    return result


def actual_edit_breaches(actual: Any, value: Any) -> list[Check]:
    """The rules the fact would newly break in the value's year once ``value`` is approved again.

    For an edit of a value approved before (it stopped counting when it was
    reopened): its new value is added to its indicator's figure and to every
    total that sums it, and the rules involving those rows are checked
    against the figures as they stand. Only breaches the edit would add are
    returned.
    """
    from indicators.selectors import _side, indicator_figures, rule_holds

    indicator = actual.indicator
    if indicator.is_boolean or isinstance(value, bool):
        return []
    try:
        delta = int(value)
    except (TypeError, ValueError):
        return []
    plan, year = indicator.indicator_set.plan, actual.year
    figures = indicator_figures(plan, years=[year])
    before: dict[tuple[str, int], Any] = {key: f.actual for key, f in figures.items()}
    after = dict(before)
    sums = {
        s.indicator.code: s.row_codes
        for s in IndicatorSource.objects.filter(
            indicator__indicator_set__plan=plan, kind=IndicatorSource.Kind.SUM_OF, is_active=True
        ).select_related("indicator")
    }
    changed = {indicator.code}
    grew = True
    while grew:
        grew = False
        for code, rows in sums.items():
            if code not in changed and changed & set(rows):
                changed.add(code)
                grew = True
    for code in changed:
        after[(code, year)] = (after.get((code, year)) or 0) + delta
    pairs: list[tuple[str, RuleBreach]] = []
    for rule in ValidationRule.objects.filter(indicator_set__plan=plan, is_active=True):
        if not changed & {*rule.left_codes, *rule.right_codes}:
            continue
        results = []
        for values in (before, after):
            left = _side(rule.left_codes, year, values, rule.missing)
            right = _side(rule.right_codes, year, values, rule.missing)
            broken = left is not None and right is not None and not rule_holds(rule.operator, left, right)
            results.append((broken, left, right))
        (was, _l, _r), (now_broken, left, right) = results
        if now_broken and not was:
            assert left is not None and right is not None  # broken: both sides have values
            pairs.append(("actual", RuleBreach(rule=rule, year=year, left=left, right=right)))
    return checks_from(pairs)

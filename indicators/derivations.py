"""How an indicator's figure is derived, and the records that fit no row of a total.

:func:`derivation` answers «как считается» for the progress API and the
indicator page: the source kind, the rows a total adds up, the records'
sources, whose records count (scope), the share counted from participant
lists (people once) and how many records fit no row of a total.
:func:`unassigned_records` lists those records («не распределено»): a total
is the sum of its rows, so such a record is in no figure at all and is shown
with a warning rather than silently added to the total.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import QuerySet

from indicators.models import Indicator, IndicatorSource
from indicators.selectors import source_records
from roadmap.models import Organization

MIXED = "mixed"


def sources_by_code(indicator: Indicator) -> dict[str, IndicatorSource | None]:
    """Active sources of the indicator's plan by indicator code (None: typed values only)."""
    indicators = Indicator.objects.filter(indicator_set_id=indicator.indicator_set_id)
    found = {
        s.indicator.code: s
        for s in IndicatorSource.objects.filter(indicator__in=indicators, is_active=True)
        .select_related("indicator")
        .prefetch_related("activities", "categories")
    }
    return {code: found.get(code) for code in indicators.values_list("code", flat=True)}


def _leaf_sources(
    code: str, sources: dict[str, IndicatorSource | None], seen: frozenset[str] = frozenset()
) -> list[tuple[str, IndicatorSource | None]]:
    """(code, source) of the rows a figure finally comes from, through nested sums."""
    source = sources.get(code)
    if source is None or not source.is_sum:
        return [(code, source)]
    if code in seen:
        return []
    leaves: list[tuple[str, IndicatorSource | None]] = []
    for row in source.row_codes:
        leaves += _leaf_sources(row, sources, seen | {code})
    return leaves


def _describe(source: IndicatorSource | None) -> dict[str, Any]:
    if source is None:
        return {"kind": "actuals", "scope": None}
    data: dict[str, Any] = {"kind": source.kind, "scope": source.scope}
    if source.kind == IndicatorSource.Kind.EVENT_REPORTS:
        data["field"] = source.event_field
    if source.kind in (IndicatorSource.Kind.EVENT_REPORTS, IndicatorSource.Kind.PARTNER_AGREEMENTS):
        data["activities"] = [a.number for a in source.activities.all()]
    if source.kind in (IndicatorSource.Kind.PROGRAMMES, IndicatorSource.Kind.COHORTS):
        data["categories"] = [c.key for c in source.categories.all()]
    return data


def unassigned_records(
    indicator: Indicator,
    year: int,
    *,
    organization: Organization | None = None,
    as_of: dt.datetime | None = None,
    sources: dict[str, IndicatorSource | None] | None = None,
) -> dict[str, QuerySet[Any]]:
    """Records a total's rows would take but no row does: {source kind: records}.

    For each record kind of the total's rows (programmes, cohorts), the
    records in the rows' scope and year whose category no row takes. Empty
    for an indicator that is not a sum, or whose rows take every category.
    """
    sources = sources if sources is not None else sources_by_code(indicator)
    source = sources.get(indicator.code)
    if source is None or not source.is_sum:
        return {}
    by_kind: dict[str, list[IndicatorSource]] = {}
    for _code, leaf in _leaf_sources(indicator.code, sources):
        if leaf is not None and leaf.kind in (IndicatorSource.Kind.PROGRAMMES, IndicatorSource.Kind.COHORTS):
            by_kind.setdefault(leaf.kind, []).append(leaf)
    result: dict[str, QuerySet[Any]] = {}
    for kind, leaves in by_kind.items():
        if any(not leaf.categories.all() for leaf in leaves):
            continue  # a row takes every category
        taken = {c.pk for leaf in leaves for c in leaf.categories.all()}
        scopes = {leaf.scope for leaf in leaves}
        probe = IndicatorSource(
            kind=kind,
            scope=scopes.pop() if len(scopes) == 1 else IndicatorSource.Scope.EVERYONE,
        )
        query = source_records(probe, year, organization=organization, as_of=as_of, categories=None)
        field = "category_id" if kind == IndicatorSource.Kind.PROGRAMMES else "programme__category_id"
        result[kind] = query.exclude(**{f"{field}__in": taken})
    return result


def _deduplicated_share(
    codes: list[str], year: int, value: Any, figures: dict[tuple[str, int], Any] | None
) -> float | None:
    """listed / value: the part of the figure counted from participant lists (people once).

    ``listed`` is what the figures selector found in event reports' lists for
    each of ``codes`` (a figure without it, or before lists are counted, gives
    None).
    """
    if not figures or not isinstance(value, (int, float)) or isinstance(value, bool) or not value:
        return None
    listed = [getattr(figures.get((code, year)), "listed", None) for code in codes]
    known = [n for n in listed if isinstance(n, int)]
    if not known:
        return None
    return round(sum(known) / value, 4)


def derivation(
    indicator: Indicator,
    year: int,
    *,
    value: Any = None,
    figures: dict[tuple[str, int], Any] | None = None,
    organization: Organization | None = None,
    as_of: dt.datetime | None = None,
    sources: dict[str, IndicatorSource | None] | None = None,
) -> dict[str, Any]:
    """How the figure of ``indicator`` in ``year`` is derived.

    ``{kind, rows, sources, scope, deduplicated_share, unassigned}``:
    ``kind`` is the source kind (``sum_of``, ``programmes``, …) or
    ``actuals`` for typed values only; ``rows`` the codes a total adds up;
    ``sources`` what each leaf row counts; ``scope`` whose records count
    (``mixed`` when the rows differ); ``deduplicated_share`` the part of
    ``value`` counted once from participant lists, from the rows' ``figures``
    of the same call of the figures selector (None: not known);
    ``unassigned`` how many records fit no row of a total. ``sources``: what
    :func:`sources_by_code` gives, when the caller has it already.
    """
    sources = sources if sources is not None else sources_by_code(indicator)
    source = sources.get(indicator.code)
    if source is not None and source.is_sum:
        leaves = _leaf_sources(indicator.code, sources)
        described = [{"row": code, **_describe(leaf)} for code, leaf in leaves]
        scopes = {d["scope"] for d in described}
        scope = scopes.pop() if len(scopes) == 1 else MIXED
        unassigned = unassigned_records(indicator, year, organization=organization, as_of=as_of, sources=sources)
        return {
            "kind": IndicatorSource.Kind.SUM_OF.value,
            "rows": source.row_codes,
            "sources": described,
            "scope": scope,
            "deduplicated_share": _deduplicated_share([code for code, _leaf in leaves], year, value, figures),
            "unassigned": sum(q.count() for q in unassigned.values()),
        }
    described = [_describe(source)] + ([_describe(None)] if source is not None else [])
    return {
        "kind": source.kind if source is not None else "actuals",
        "rows": [],
        "sources": described,
        "scope": source.scope if source is not None else None,
        "deduplicated_share": _deduplicated_share([indicator.code], year, value, figures),
        "unassigned": 0,
    }

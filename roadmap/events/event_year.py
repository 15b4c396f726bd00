"""Which year an event belongs to -- one answer for every figure.

An event belongs to the year of its LAST day: the day its report is due
from (point 3.2 of the order: a report within a day of the event). The
indicators, the timeliness figures, the dashboard, the event list's year
filter, the accepted-report selector and the report builders all follow this
rule, so an event held 30.12.2024–02.01.2025 is counted in 2025 by every one
of them, together with its report. (Until issue 11 the rule was the first
day; nothing stored depends on it -- every figure is computed from the dates
-- so the change needed no data migration, only the dashboard snapshots keyed
by the rule, see ``reports.dashboard.snapshot.snapshot_key``.)

Use ``event_year`` for an event in hand, ``event_year_q`` to filter events
(or rows that reach an event through ``prefix``, e.g. ``"event__"``) and
``event_year_expr`` to group by year.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from django.db.models import Case, IntegerField, Q, Value, When
from django.db.models.functions import ExtractYear

EVENT_YEAR_FIELD = "end_date"


def event_year(event: Any) -> int:
    """The year ``event`` (anything with an ``end_date``) is counted in."""
    last_day: date = getattr(event, EVENT_YEAR_FIELD)
    return last_day.year


def event_year_q(year: int | Iterable[int], *, prefix: str = "") -> Q:
    """Events (through ``prefix``) counted in ``year``, or in any of several years.

    The ``__year`` lookup on a date column is a range condition, so the
    index on the last day (``Event.end_date``) serves it.
    """
    if isinstance(year, int):
        return Q(**{f"{prefix}{EVENT_YEAR_FIELD}__year": year})
    # One range per year, not ``__year__in``: that one extracts the year of
    # every row (a Python function per row on SQLite) and no index serves it.
    q = Q(pk__in=[])  # no year: no row
    for y in sorted(set(year)):
        q |= Q(**{f"{prefix}{EVENT_YEAR_FIELD}__year": y})
    return q


def event_year_expr(*, prefix: str = "", years: Iterable[int] | None = None) -> ExtractYear | Case:
    """The year of an event (through ``prefix``) as an SQL expression, to group by.

    With ``years`` (the rows already filtered to them), a ``CASE`` of date
    ranges: the same answer without extracting the year of every row.
    """
    if years is None:
        return ExtractYear(f"{prefix}{EVENT_YEAR_FIELD}")
    whens = [When(**{f"{prefix}{EVENT_YEAR_FIELD}__year": y}, then=Value(y)) for y in sorted(set(years))]
    return Case(*whens, default=None, output_field=IntegerField())

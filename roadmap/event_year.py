"""Which year an event belongs to -- one answer for every figure.

An event belongs to the year of its FIRST day. The indicators have always
counted an event's participants in the year it starts, and the timeliness
figures, the event list's year filter and the report builders follow the
same rule, so an event held 30.12–02.01 is counted in the same year by all
of them (before, timeliness and the builders used the last day).

Use ``event_year`` for an event in hand, ``event_year_q`` to filter events
(or rows that reach an event through ``prefix``, e.g. ``"event__"``) and
``event_year_expr`` to group by year.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from django.db.models import Q
from django.db.models.functions import ExtractYear

EVENT_YEAR_FIELD = "start_date"


def event_year(event: Any) -> int:
    """The year ``event`` (anything with a ``start_date``) is counted in."""
    start: date = event.start_date
    return start.year


def event_year_q(year: int | Iterable[int], *, prefix: str = "") -> Q:
    """Events (through ``prefix``) counted in ``year``, or in any of several years.

    The ``__year`` lookup on a date column is a range condition, so an index
    on the first day can serve it.
    """
    if isinstance(year, int):
        return Q(**{f"{prefix}{EVENT_YEAR_FIELD}__year": year})
    return Q(**{f"{prefix}{EVENT_YEAR_FIELD}__year__in": list(year)})


def event_year_expr(*, prefix: str = "") -> ExtractYear:
    """The year of an event (through ``prefix``) as an SQL expression, to group by."""
    return ExtractYear(f"{prefix}{EVENT_YEAR_FIELD}")

"""Deadlines of the road map: Russian deadline phrases and report due moments.

This module is deliberately pure: no database, no Django models. It answers
two questions:

* ``parse_deadline`` -- which calendar windows does a deadline phrase of a
  plan (e.g. "Январь – март 2023 г.", "Ежегодно, сентябрь-ноябрь",
  "IV квартал 2026 г.", "до 01.09.2027") denote for a plan that covers the
  years ``first_year..last_year``? The grammar itself is in
  ``roadmap.plans.deadline_grammar``.
* ``report_due_at`` -- by which moment must the report about an event be
  submitted?

Working days follow the Russian production calendar as modelled by the
``holidays`` package (``holidays.country_holidays("RU")``). It knows both the
public holidays and the government's yearly transfers of days off, including
the Saturdays that become working days (``weekend_workdays``), e.g.
27.04.2024, 02.11.2024, 28.12.2024 and 01.11.2025. ``workalendar``'s
``Russia`` calendar was rejected because it ignores those transfers (it
reports 27.04.2024 as a day off and 29.04.2024 as a working day).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

from roadmap.plans.deadline_grammar import Refused, Window
from roadmap.plans.deadline_windows import read

__all__ = [
    "MOSCOW",
    "ParsedDeadline",
    "Window",
    "add_working_days",
    "is_working_day",
    "parse_deadline",
    "report_due_at",
]

MOSCOW = ZoneInfo("Europe/Moscow")


# ---------------------------------------------------------------------------
# Part 1: deadline phrases
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ParsedDeadline:
    """The meaning of a deadline phrase for a given plan period.

    ``recognized=False`` means the phrase has no fixed window that can be read
    from it (unknown, ambiguous, or relative such as "не позднее 10 рабочих
    дней после …"); ``windows`` is then empty, ``reason`` says why, naming the
    phrase, and an administrator has to set the windows by hand.
    """

    text: str
    windows: tuple[Window, ...]
    recognized: bool
    as_needed: bool = False
    continuous: bool = False
    reason: str = field(default="", compare=False)


def parse_deadline(text: str, first_year: int, last_year: int) -> ParsedDeadline:
    """Parse a deadline phrase for a plan covering the years ``first_year..last_year``.

    The grammar lives in ``roadmap.plans.deadline_grammar`` and the meaning of its
    clauses in ``roadmap.plans.deadline_windows``; anything outside it
    yields ``recognized=False`` with no windows and a ``reason``: a wrong
    deadline is worse than one an administrator has to fill in.

    Rules worth knowing (the README lists every phrasing read and refused):

    * a window may lie outside ``first_year..last_year`` when the order's own
      forms say so ("Декабрь 2022 г. – март 2023 г.", "2024-2026 гг.,
      ежегодно"); quarters, half-years, "до D" and "в течение 2027 года" must
      lie inside the plan;
    * "Ежегодно" / "в течение года" without a period: each plan year;
      "Постоянно": one window over the whole plan, ``continuous=True``;
    * "I квартал" without a year: that quarter of each plan year; months
      without a year need "ежегодно" ("Ежегодно, ноябрь – февраль" runs into
      the next year, clipped to the plan);
    * "до 1 сентября 2027 г.": from the plan's first day through that day;
      "до 25 декабря ежегодно": from each 1 January through 25 December;
    * "<years>, ежегодно": each year of the *stated* range;
    * "<period>, далее – ежегодно": the period, then the same month range in
      every following plan year; "далее – ежеквартально / ежемесячно": every
      full quarter / month starting after the period; "далее – постоянно": one
      continuous window from the period's end to the plan's end;
    * "<period>, далее – по необходимости": the period only, ``as_needed=True``.
    """
    if first_year > last_year:
        raise ValueError(f"first_year {first_year} is after last_year {last_year}")
    try:
        meaning = read(text, first_year, last_year)
    except Refused as exc:
        return ParsedDeadline(text=text, windows=(), recognized=False, reason=f"«{text.strip()}»: {exc}")
    return ParsedDeadline(
        text=text,
        windows=tuple(sorted(meaning.windows, key=lambda w: (w.start, w.end))),
        recognized=True,
        as_needed=meaning.as_needed,
        continuous=meaning.continuous,
    )


# ---------------------------------------------------------------------------
# Part 2: report due moments
# ---------------------------------------------------------------------------

_DUE_TIME = time(23, 59, 59)


@lru_cache(maxsize=64)
def _russian_calendar(year: int) -> holidays.HolidayBase:
    """One immutable-in-practice calendar per year (``expand=False``).

    Each lookup only ever asks about days of its own year, so the object is
    never mutated after construction and can be shared between threads.
    """
    return holidays.country_holidays("RU", years=year, expand=False)


def is_working_day(day: date) -> bool:
    """Whether ``day`` is a working day on the Russian production calendar.

    Besides weekends and public holidays this honours the yearly government
    transfers: a Saturday made a working day (27.04.2024, 01.11.2025) is a
    working day, and a weekday made a day off (29.04.2024, 03.11.2025) is not.
    Transfers are only known for years whose decree the ``holidays`` package
    already includes; later years fall back to the Labour Code rules.
    """
    return _russian_calendar(day.year).is_working_day(day)


def add_working_days(day: date, n: int) -> date:
    """The ``n``-th working day after ``day`` (before it if ``n`` is negative).

    ``day`` itself is never counted, so from a Friday one working day later is
    the next working day (normally Monday), and ``n == 0`` returns ``day``
    unchanged even when ``day`` is a day off.
    """
    step = 1 if n >= 0 else -1
    remaining = abs(n)
    current = day
    while remaining:
        current += timedelta(days=step)
        if is_working_day(current):
            remaining -= 1
    return current


def report_due_at(event_day: date, *, days: int = 1, calendar: str = "calendar") -> datetime:
    """The last moment a report about an event ending on ``event_day`` is on time.

    The order asks for a report "within one day of the event": the deadline is
    the very end (23:59:59, Moscow time, which is what the order's authors
    mean) of ``event_day`` + ``days``. ``calendar="calendar"`` counts calendar
    days; ``calendar="working"`` counts working days of the Russian production
    calendar. ``days=0`` means the same day.
    """
    if isinstance(days, bool) or not isinstance(days, int):
        raise TypeError(f"days must be an int, got {days!r}")
    if days < 0:
        raise ValueError(f"days must be >= 0, got {days}")
    if calendar == "calendar":
        due_day = event_day + timedelta(days=days)
    elif calendar == "working":
        due_day = add_working_days(event_day, days)
    else:
        raise ValueError(f"unknown calendar {calendar!r}; use 'calendar' or 'working'")
    return datetime.combine(due_day, _DUE_TIME, tzinfo=MOSCOW)

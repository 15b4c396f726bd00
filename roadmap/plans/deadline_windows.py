"""What the clauses of a deadline phrase mean for a plan: its windows.

Pure: no database. ``read(text, first_year, last_year)`` returns the windows
a phrase (parsed by ``roadmap.plans.deadline_grammar``) denotes for a plan covering
``first_year..last_year``, or raises ``Refused`` naming what it cannot read.

The forms the order itself uses (month and year ranges, "ежегодно",
"постоянно", "далее – ежегодно") keep exactly the meaning they had; the forms
added for later plans (quarters, half-years, "до D", recurring schedules,
seasons across the new year, "в течение …", the academic year, "далее –
ежеквартально / ежемесячно / постоянно") must lie inside the plan, or the
phrase is refused.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from itertools import pairwise

from roadmap.plans.deadline_grammar import (
    STEPS,
    Clause,
    Kind,
    Period,
    Refused,
    Until,
    Window,
    month_window,
    parse_clauses,
)

__all__ = ["Meaning", "read"]


@dataclass(frozen=True)
class Meaning:
    windows: tuple[Window, ...]
    as_needed: bool = False
    continuous: bool = False


# --- windows -----------------------------------------------------------------------


def _year_window(year: int) -> Window:
    return Window(date(year, 1, 1), date(year, 12, 31))


def _every(step: int, start: date, end: date) -> list[Window]:
    """Each calendar month, quarter or half-year (``step`` months) lying wholly in ``start..end``."""
    windows = []
    for index in range(start.year * 12, end.year * 12 + 12, step):
        window = month_window(index // 12, index % 12 + 1, (index + step - 1) // 12, (index + step - 1) % 12 + 1)
        if window.start >= start and window.end <= end:
            windows.append(window)
    return windows


@dataclass(frozen=True)
class _Plan:
    first_year: int
    last_year: int

    @property
    def start(self) -> date:
        return date(self.first_year, 1, 1)

    @property
    def end(self) -> date:
        return date(self.last_year, 12, 31)

    @property
    def years(self) -> range:
        return range(self.first_year, self.last_year + 1)

    @property
    def label(self) -> str:
        return f"{self.first_year}–{self.last_year}"

    def require_day(self, until: Until) -> date:
        """The day of a dated "до D", which must lie inside the plan."""
        assert until.year is not None
        day = date(until.year, until.month, until.day)
        if not self.start <= day <= self.end:
            raise Refused(f"{day:%d.%m.%Y} is outside the plan's years {self.label}")
        return day

    def require(self, window: Window) -> Window:
        """A window of a form added for later plans must lie inside the plan."""
        if window.start < self.start or window.end > self.end:
            raise Refused(f"{window.start:%d.%m.%Y}–{window.end:%d.%m.%Y} is outside the plan's years {self.label}")
        return window


def _each_year(period: Period, plan: _Plan) -> list[Window]:
    """A year-less period in every plan year; a season runs into the next year, clipped to the plan."""
    windows = []
    for year in plan.years:
        end_year = year + 1 if period.is_season else year
        window = month_window(year, period.start_month, end_year, period.end_month)
        windows.append(Window(window.start, min(window.end, plan.end)))
    return windows


def _academic_years(plan: _Plan) -> list[Window]:
    """1 September–30 June of each academic year overlapping the plan, clipped to it."""
    windows = []
    for year in range(plan.first_year - 1, plan.last_year + 1):
        start, end = date(year, 9, 1), date(year + 1, 6, 30)
        if end >= plan.start and start <= plan.end:
            windows.append(Window(max(start, plan.start), min(end, plan.end)))
    return windows


def _repeat_annually(period: Period, plan: _Plan) -> list[Window]:
    """Windows of "<period>, далее – ежегодно".

    The stated period happens once, then the same month range recurs in every
    following plan year, i.e. shifted by 1, 2, ... years while the shifted
    window still ends in a year not later than the plan's last. For a period
    of whole years ("2023 г., далее – ежегодно") each following plan year is
    taken whole. A month period longer than a year cannot recur annually
    without overlapping itself, so it is refused.
    """
    assert period.end_year is not None
    windows = [period.window()]
    if period.whole_years:
        return windows + [_year_window(y) for y in range(period.end_year + 1, plan.last_year + 1)]
    if period.span_in_months() >= 12:
        raise Refused("a period longer than a year cannot recur «ежегодно»")
    shift = 1
    while period.end_year + shift <= plan.last_year:
        windows.append(period.window(shift))
        shift += 1
    return windows


# --- interpreting the clauses --------------------------------------------------------


def _interpret(clauses: list[Clause], plan: _Plan) -> Meaning:
    """Combine the clauses of a phrase into windows and flags.

    Clauses before "далее" form the main part; "далее" and any clause after it
    form the tail, which carries a schedule and/or "по мере необходимости".
    """
    main = [c for i, c in enumerate(clauses) if not any(d.then for d in clauses[: i + 1])]
    tail = clauses[len(main) :]
    periods = [p for c in main for p in c.periods]
    untils = [u for c in main for u in c.untils]
    flags = set().union(*(c.flags for c in main))
    tail_flags = set().union(*(c.flags for c in tail))
    if any(c.periods or c.untils for c in tail):
        raise Refused("a period after «далее»")
    as_needed = Kind.AS_NEEDED in flags | tail_flags
    schedules = flags & (set(STEPS) | {Kind.ANNUAL, Kind.CONTINUOUS, Kind.ACADEMIC_YEAR})
    if Kind.THROUGHOUT_YEAR in flags and not schedules & set(STEPS):
        # "Ежемесячно, в течение года" is every month of each year.
        schedules.add(Kind.ANNUAL)
    if len(schedules) > 1 and schedules != {Kind.ANNUAL, Kind.ACADEMIC_YEAR}:
        raise Refused("clashing schedules: " + ", ".join(sorted(k.value for k in schedules)))
    if len(untils) > 1 or (untils and periods):
        raise Refused("more than one period or date")

    if tail:
        if flags or len(periods) + len(untils) != 1:
            raise Refused("«далее» needs exactly one dated period before it and nothing else")
        return _then(periods[0] if periods else untils[0], tail_flags, plan, as_needed)

    if untils:
        return Meaning(tuple(_until_windows(untils[0], flags, plan)), as_needed)
    if Kind.ACADEMIC_YEAR in flags:
        if periods or Kind.THROUGHOUT_YEAR in flags:
            raise Refused("«в течение учебного года» with another period")
        return Meaning(tuple(_academic_years(plan)), as_needed)
    step = next((STEPS[k] for k in schedules if k in STEPS), None)
    if step is not None:
        if not periods:
            return Meaning(tuple(_every(step, plan.start, plan.end)), as_needed)
        if len(periods) == 1 and periods[0].whole_years:
            span = periods[0].window()
            if periods[0].strict:
                plan.require(span)
            return Meaning(tuple(_every(step, span.start, span.end)), as_needed)
        raise Refused("a recurring schedule with a period other than whole years")
    continuous = Kind.CONTINUOUS in flags
    annual = Kind.ANNUAL in schedules
    if not periods:
        if continuous:
            return Meaning((Window(plan.start, plan.end),), as_needed, continuous=True)
        if annual:
            return Meaning(tuple(_year_window(y) for y in plan.years), as_needed)
        # Only "по необходимости": nothing says when, so don't invent windows.
        raise Refused("nothing says when")
    if len(periods) > 1 or not periods[0].has_years:
        return Meaning(tuple(_yearless(periods, flags, plan)), as_needed)
    period = periods[0]
    window = plan.require(period.window()) if period.strict else period.window()
    if continuous:
        # "2023-2025 гг., постоянно": one uninterrupted window over the stated period.
        return Meaning((window,), as_needed, continuous=True)
    if annual:
        # "2023-2025 гг., ежегодно": one window per year of the stated range,
        # deliberately not clipped to the plan. A month, quarter or half-year
        # of a stated year with "ежегодно" ("Январь 2023 г., ежегодно") is
        # ambiguous: refused.
        if not period.whole_years:
            raise Refused("a dated month, quarter or half-year with «ежегодно»")
        return Meaning(tuple(_year_window(y) for y in range(window.start.year, window.end.year + 1)), as_needed)
    return Meaning((window,), as_needed)


def _yearless(periods: list[Period], flags: set[Kind], plan: _Plan) -> list[Window]:
    """Year-less months, quarters, half-years and seasons: in every plan year."""
    if any(p.has_years for p in periods):
        raise Refused("more than one period")
    if flags & {Kind.CONTINUOUS, Kind.THROUGHOUT_YEAR}:
        raise Refused("a month range without a year with «постоянно» or «в течение года»")
    if Kind.ANNUAL not in flags and not all(p.numbered for p in periods):
        # "Ноябрь – февраль", "Май": which year? Only "ежегодно" says.
        raise Refused("months without a year or «ежегодно»")
    windows = sorted((w for p in periods for w in _each_year(p, plan)), key=lambda w: w.start)
    for before, after in pairwise(windows):
        if after.start <= before.end:
            raise Refused("listed periods overlap")
    return windows


def _until_windows(until: Until, flags: set[Kind], plan: _Plan) -> list[Window]:
    """Windows of "до D": from the plan's first day (or each 1 January with "ежегодно") through D."""
    if flags - {Kind.ANNUAL, Kind.AS_NEEDED}:
        raise Refused("«до» with a schedule other than «ежегодно»")
    if until.year is not None:
        if Kind.ANNUAL in flags:
            raise Refused("a dated «до» with «ежегодно»")
        return [Window(plan.start, plan.require_day(until))]
    if Kind.ANNUAL not in flags:
        raise Refused("«до» a day without a year or «ежегодно»")
    if (until.month, until.day) == (2, 29):
        raise Refused("not every year has 29 February")
    return [Window(date(y, 1, 1), date(y, until.month, until.day)) for y in plan.years]


def _then(first: Period | Until, tail_flags: set[Kind], plan: _Plan, as_needed: bool) -> Meaning:
    """Windows of "X, далее – ежегодно / ежеквартально / ежемесячно / постоянно / по необходимости"."""
    if isinstance(first, Until):
        if first.year is None:
            raise Refused("«далее» after «до» a day without a year")
        window = Window(plan.start, plan.require_day(first))
    else:
        if not first.has_years:
            raise Refused("«далее» without a dated period")
        window = plan.require(first.window()) if first.strict else first.window()
    schedules = tail_flags - {Kind.AS_NEEDED}
    if len(schedules) > 1 or (schedules and not schedules <= set(STEPS) | {Kind.ANNUAL, Kind.CONTINUOUS}):
        raise Refused("unsupported or clashing schedules after «далее»")
    schedule = next(iter(schedules), None)
    if schedule is None:
        # "далее – по необходимости": after the period the work has no dates,
        # so only the stated period yields a window; as_needed flags the rest.
        return Meaning((window,), as_needed)
    if schedule is Kind.ANNUAL:
        if not isinstance(first, Period):
            raise Refused("«до D, далее – ежегодно»")
        return Meaning(tuple(_repeat_annually(first, plan)), as_needed)
    if as_needed:
        raise Refused(f"{schedule.value} with «по мере необходимости»")
    if schedule is Kind.CONTINUOUS:
        rest = [Window(window.end + timedelta(days=1), plan.end)] if window.end < plan.end else []
        return Meaning((window, *rest), continuous=True)
    later = [w for w in _every(STEPS[schedule], plan.start, plan.end) if w.start > window.end]
    return Meaning((window, *later))


def read(text: str, first_year: int, last_year: int) -> Meaning:
    """The windows of a deadline phrase for a plan covering ``first_year..last_year``.

    Raises ``Refused`` (the reason names what could not be read) for anything
    outside the grammar.
    """
    return _interpret(parse_clauses(text), _Plan(first_year, last_year))

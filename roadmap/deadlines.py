"""Deadlines of the road map: Russian deadline phrases and report due moments.

This module is deliberately pure: no database, no Django models. It answers
two questions:

* ``parse_deadline`` -- which calendar windows does a deadline phrase of the
  order (e.g. "Январь – март 2023 г.", "Ежегодно, сентябрь-ноябрь") denote
  for a plan that covers the years ``first_year..last_year``?
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

import calendar as _calendar
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import Enum
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

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
class Window:
    """An inclusive span of days during which an activity takes place."""

    start: date
    end: date


@dataclass(frozen=True)
class ParsedDeadline:
    """The meaning of a deadline phrase for a given plan period.

    ``recognized=False`` means the phrase is not understood; ``windows`` is then
    empty and an administrator has to set the windows by hand.
    """

    text: str
    windows: tuple[Window, ...]
    recognized: bool
    as_needed: bool = False
    continuous: bool = False


class _Kind(Enum):
    MONTH = "month"
    YEAR = "year"
    YEAR_SUFFIX = "year_suffix"
    DASH = "dash"
    ANNUAL = "annual"
    CONTINUOUS = "continuous"
    THROUGHOUT_YEAR = "throughout_year"
    AS_NEEDED = "as_needed"
    THEN = "then"


@dataclass(frozen=True)
class _Token:
    kind: _Kind
    value: int = 0


class _UnknownPhrase(Exception):
    """Raised internally whenever a phrase leaves the grammar."""


_MONTHS: dict[str, int] = {
    "январь": 1,
    "февраль": 2,
    "март": 3,
    "апрель": 4,
    "май": 5,
    "июнь": 6,
    "июль": 7,
    "август": 8,
    "сентябрь": 9,
    "октябрь": 10,
    "ноябрь": 11,
    "декабрь": 12,
}

# Only plausible plan years are numbers of the grammar; this also keeps date
# arithmetic far away from datetime's limits.
_MIN_YEAR = 1900
_MAX_YEAR = 2199

_YEAR_SUFFIXES = frozenset({"г", "гг", "год", "года", "годы"})

# Multi-word keywords, tried before single words so that the "года" of
# "в течение года" is not mistaken for a year suffix.
_PHRASES: tuple[tuple[tuple[str, ...], _Kind], ...] = (
    (("по", "мере", "необходимости"), _Kind.AS_NEEDED),
    (("в", "течение", "года"), _Kind.THROUGHOUT_YEAR),
    (("в", "течении", "года"), _Kind.THROUGHOUT_YEAR),
    (("по", "необходимости"), _Kind.AS_NEEDED),
    (("ежегодно",), _Kind.ANNUAL),
    (("постоянно",), _Kind.CONTINUOUS),
    (("далее",), _Kind.THEN),
)

_FLAG_KINDS = frozenset(
    {_Kind.ANNUAL, _Kind.CONTINUOUS, _Kind.THROUGHOUT_YEAR, _Kind.AS_NEEDED}
)

# Hyphen, non-breaking hyphen, figure dash, en dash, em dash, horizontal bar,
# minus sign: in these tables they are all used interchangeably.
_DASHES = re.compile("[\u2010\u2011\u2012\u2013\u2014\u2015\u2212]")
_LEXEME = re.compile(r"\s*(?:(?P<word>[а-я]+)|(?P<number>\d+)|(?P<dash>-)|(?P<dot>\.))")


@dataclass(frozen=True)
class _Period:
    """A month-aligned span; ``start_year is None`` for a year-less month range.

    ``whole_years`` records that the text named years only ("2023-2025 гг."),
    which matters for "ежегодно" (split into years) and "далее – ежегодно".
    """

    start_year: int | None
    start_month: int
    end_year: int | None
    end_month: int
    whole_years: bool = False

    @property
    def has_years(self) -> bool:
        return self.start_year is not None

    def window(self, shift: int = 0) -> Window:
        assert self.start_year is not None and self.end_year is not None
        return _month_window(
            self.start_year + shift,
            self.start_month,
            self.end_year + shift,
            self.end_month,
        )

    def span_in_months(self) -> int:
        assert self.start_year is not None and self.end_year is not None
        return (self.end_year * 12 + self.end_month) - (
            self.start_year * 12 + self.start_month
        )


@dataclass
class _Clause:
    then: bool
    period: _Period | None
    flags: frozenset[_Kind]


def _month_window(
    start_year: int, start_month: int, end_year: int, end_month: int
) -> Window:
    last_day = _calendar.monthrange(end_year, end_month)[1]
    return Window(date(start_year, start_month, 1), date(end_year, end_month, last_day))


def _year_window(year: int) -> Window:
    return Window(date(year, 1, 1), date(year, 12, 31))


def _normalise(text: str) -> str:
    """Lower-case, unify dashes/"ё"/spaces, drop trailing punctuation."""
    text = unicodedata.normalize("NFKC", text).lower().replace("ё", "е")
    text = _DASHES.sub("-", text)
    text = " ".join(text.split())
    return text.strip(" .,")


def _lex(clause: str) -> list[str | int]:
    """Split a clause into words (str), numbers (int) and "-" (str).

    Dots are dropped: they only ever abbreviate ("г.", "гг.") or end the text.
    Any other character makes the clause unknown.
    """
    lexemes: list[str | int] = []
    pos = 0
    clause = clause.strip()
    while pos < len(clause):
        match = _LEXEME.match(clause, pos)
        if match is None:
            raise _UnknownPhrase(clause)
        pos = match.end()
        if match.group("word"):
            lexemes.append(match.group("word"))
        elif match.group("number"):
            number = int(match.group("number"))
            if not _MIN_YEAR <= number <= _MAX_YEAR:
                # Day numbers, quarters in digits, etc. are outside the grammar.
                raise _UnknownPhrase(clause)
            lexemes.append(number)
        elif match.group("dash"):
            lexemes.append("-")
    return lexemes


def _tokenize(clause: str) -> list[_Token]:
    lexemes = _lex(clause)
    tokens: list[_Token] = []
    i = 0
    while i < len(lexemes):
        lexeme = lexemes[i]
        if isinstance(lexeme, int):
            tokens.append(_Token(_Kind.YEAR, lexeme))
            i += 1
            continue
        if lexeme == "-":
            tokens.append(_Token(_Kind.DASH))
            i += 1
            continue
        for words, kind in _PHRASES:
            if tuple(lexemes[i : i + len(words)]) == words:
                tokens.append(_Token(kind))
                i += len(words)
                break
        else:
            if lexeme in _MONTHS:
                tokens.append(_Token(_Kind.MONTH, _MONTHS[lexeme]))
            elif lexeme in _YEAR_SUFFIXES:
                tokens.append(_Token(_Kind.YEAR_SUFFIX))
            else:
                raise _UnknownPhrase(lexeme)
            i += 1
    return tokens


class _ClauseParser:
    """Recursive-descent parser for one comma-separated clause.

    Grammar::

        clause      := [THEN [DASH]] [period] flag*
        period      := month_spec [DASH month_spec] | year [DASH year]
        month_spec  := MONTH [year]
        year        := YEAR [YEAR_SUFFIX]
        flag        := ANNUAL | CONTINUOUS | THROUGHOUT_YEAR | AS_NEEDED
    """

    def __init__(self, tokens: list[_Token]) -> None:
        self.tokens = tokens
        self.pos = 0

    def _peek(self) -> _Kind | None:
        return self.tokens[self.pos].kind if self.pos < len(self.tokens) else None

    def _take(self, kind: _Kind) -> _Token | None:
        if self._peek() is kind:
            token = self.tokens[self.pos]
            self.pos += 1
            return token
        return None

    def _expect(self, kind: _Kind) -> _Token:
        token = self._take(kind)
        if token is None:
            raise _UnknownPhrase(kind.value)
        return token

    def parse(self) -> _Clause:
        if not self.tokens:
            raise _UnknownPhrase("empty clause")
        then = self._take(_Kind.THEN) is not None
        if then:
            self._take(_Kind.DASH)
        period = self._period()
        flags: set[_Kind] = set()
        while (kind := self._peek()) in _FLAG_KINDS:
            assert kind is not None
            flags.add(kind)
            self.pos += 1
        if self.pos != len(self.tokens) or (period is None and not flags):
            raise _UnknownPhrase("unexpected token")
        return _Clause(then=then, period=period, flags=frozenset(flags))

    def _year(self) -> int | None:
        token = self._take(_Kind.YEAR)
        if token is None:
            return None
        self._take(_Kind.YEAR_SUFFIX)
        return token.value

    def _period(self) -> _Period | None:
        kind = self._peek()
        if kind is _Kind.YEAR:
            first = self._year()
            last = self._year() if self._take(_Kind.DASH) else first
            if first is None or last is None or first > last:
                raise _UnknownPhrase("bad year range")
            return _Period(first, 1, last, 12, whole_years=True)
        if kind is _Kind.MONTH:
            start_month = self._expect(_Kind.MONTH).value
            start_year = self._year()
            if not self._take(_Kind.DASH):
                return _Period(start_year, start_month, start_year, start_month)
            end_month = self._expect(_Kind.MONTH).value
            end_year = self._year()
            if end_year is None:
                if start_year is not None:
                    # "Январь 2023 – март": the end year is not stated; don't guess.
                    raise _UnknownPhrase("month range without end year")
            elif start_year is None:
                # "Январь – март 2023": the stated year applies to both months.
                start_year = end_year
            if (start_year or 0, start_month) > (end_year or 0, end_month):
                # Inverted ranges ("март – январь 2023", "ноябрь – февраль,
                # ежегодно") are not silently wrapped into the next year.
                raise _UnknownPhrase("inverted month range")
            return _Period(start_year, start_month, end_year, end_month)
        return None


def _split_years(period: _Period) -> list[Window]:
    assert period.start_year is not None and period.end_year is not None
    return [_year_window(y) for y in range(period.start_year, period.end_year + 1)]


def _repeat_annually(period: _Period, last_year: int) -> list[Window]:
    """Windows of "<period>, далее – ежегодно".

    Interpretation: the stated period happens once, then the same month range
    recurs in every following plan year, i.e. shifted by 1, 2, ... years while
    the shifted window still ends in a year not later than ``last_year``.
    For a period of whole years ("2023 г., далее – ежегодно") each following
    plan year is taken whole. A month period longer than a year cannot recur
    annually without overlapping itself, so it is not understood.
    """
    assert period.end_year is not None
    windows = [period.window()]
    if period.whole_years:
        windows += [_year_window(y) for y in range(period.end_year + 1, last_year + 1)]
        return windows
    if period.span_in_months() >= 12:
        raise _UnknownPhrase("period too long to repeat annually")
    shift = 1
    while period.end_year + shift <= last_year:
        windows.append(period.window(shift))
        shift += 1
    return windows


@dataclass(frozen=True)
class _Meaning:
    windows: tuple[Window, ...]
    as_needed: bool
    continuous: bool


def _interpret(clauses: list[_Clause], first_year: int, last_year: int) -> _Meaning:
    """Combine the clauses of a phrase into windows and flags.

    Clauses before "далее" form the main part (at most one period plus flags);
    "далее" and any clause after it form the tail, which may only carry
    "ежегодно" and/or "по (мере) необходимости".
    """
    main_period: _Period | None = None
    main_flags: set[_Kind] = set()
    tail_flags: set[_Kind] = set()
    in_tail = False
    for clause in clauses:
        in_tail = in_tail or clause.then
        if in_tail:
            if clause.period is not None:
                raise _UnknownPhrase("period after 'далее'")
            tail_flags |= clause.flags
            continue
        if clause.period is not None:
            if main_period is not None:
                raise _UnknownPhrase("two periods")
            main_period = clause.period
        main_flags |= clause.flags

    as_needed = _Kind.AS_NEEDED in main_flags or _Kind.AS_NEEDED in tail_flags
    continuous = _Kind.CONTINUOUS in main_flags
    # "Ежегодно" and "в течение года" both mean: the whole of each year.
    annual = bool(main_flags & {_Kind.ANNUAL, _Kind.THROUGHOUT_YEAR})
    throughout = _Kind.THROUGHOUT_YEAR in main_flags

    if continuous and annual:
        raise _UnknownPhrase("'постоянно' contradicts 'ежегодно'")

    if in_tail:
        # "<period>, далее – ежегодно / по необходимости": the tail only makes
        # sense after a dated period and without other main-part modifiers.
        if main_period is None or not main_period.has_years:
            raise _UnknownPhrase("'далее' without a dated period")
        if main_flags or not tail_flags <= {_Kind.ANNUAL, _Kind.AS_NEEDED}:
            raise _UnknownPhrase("unsupported 'далее' tail")
        if _Kind.ANNUAL in tail_flags:
            windows = _repeat_annually(main_period, last_year)
        else:
            # "далее – по необходимости": after the period the work has no dates,
            # so only the stated period yields a window; as_needed flags the rest.
            windows = [main_period.window()]
        return _Meaning(tuple(windows), as_needed=as_needed, continuous=False)

    if main_period is None:
        if continuous:
            windows = [Window(date(first_year, 1, 1), date(last_year, 12, 31))]
        elif annual:
            windows = [_year_window(y) for y in range(first_year, last_year + 1)]
        else:
            # Only "по необходимости": nothing says when, so don't invent windows.
            raise _UnknownPhrase("no period")
    elif not main_period.has_years:
        # "Май-июль, ежегодно": only meaningful with "ежегодно".
        if _Kind.ANNUAL not in main_flags or throughout or continuous:
            raise _UnknownPhrase("month range without a year")
        windows = [
            _month_window(y, main_period.start_month, y, main_period.end_month)
            for y in range(first_year, last_year + 1)
        ]
    elif continuous:
        # "2023-2025 гг., постоянно": one uninterrupted window over the stated period.
        windows = [main_period.window()]
    elif annual:
        # "2023-2025 гг., ежегодно": one window per year of the stated range,
        # deliberately not clipped to the plan. A month period with
        # "ежегодно" ("Январь 2023 г., ежегодно") is ambiguous: unknown.
        if not main_period.whole_years:
            raise _UnknownPhrase("'ежегодно' with a month period")
        windows = _split_years(main_period)
    else:
        windows = [main_period.window()]

    return _Meaning(tuple(windows), as_needed=as_needed, continuous=continuous)


def parse_deadline(text: str, first_year: int, last_year: int) -> ParsedDeadline:
    """Parse a deadline phrase of the order for a plan covering given years.

    The phrase is normalised (case, "ё", dashes, spaces, trailing dots), split
    on commas into clauses, and each clause is read by a tiny grammar (see
    ``_ClauseParser``). Anything outside the grammar -- unknown words, quarters,
    day numbers, invalid or inverted month ranges, a month range with neither
    a year nor "ежегодно" -- yields ``recognized=False`` with no windows: a
    wrong deadline is worse than one an administrator has to fill in.

    Rules worth knowing:

    * a window may lie outside ``first_year..last_year`` when the text says so
      ("Декабрь 2022 г. – март 2023 г.");
    * "Ежегодно" / "в течение года" without a period: each plan year;
      "Постоянно": one window over the whole plan, ``continuous=True``;
    * "<years>, ежегодно": each year of the *stated* range;
    * "<period>, далее – ежегодно": the period, then the same month range in
      every following plan year (see ``_repeat_annually``);
    * "<period>, далее – по необходимости": the period only, ``as_needed=True``.
    """
    if first_year > last_year:
        raise ValueError(f"first_year {first_year} is after last_year {last_year}")
    unknown = ParsedDeadline(text=text, windows=(), recognized=False)
    normalised = _normalise(text)
    if not normalised:
        return unknown
    try:
        clauses = [
            _ClauseParser(_tokenize(part)).parse() for part in normalised.split(",")
        ]
        meaning = _interpret(clauses, first_year, last_year)
    except _UnknownPhrase:
        return unknown
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


def report_due_at(
    event_day: date, *, days: int = 1, calendar: str = "calendar"
) -> datetime:
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

"""The grammar of Russian roadmap deadline phrases (read by ``roadmap.deadlines``).

Pure: no database. ``read(text, first_year, last_year)`` returns the windows a
phrase denotes for a plan covering ``first_year..last_year``, or raises
``Refused`` naming what it cannot read. The policy is "read what has one
meaning, refuse the rest, never guess": a wrong deadline is worse than one an
administrator has to fill in.

A phrase is normalised (case, "ё", every kind of dash, spaces, parentheses,
trailing dots), split into clauses at commas, parentheses and "и", each clause
is tokenised (words, years, Roman and Arabic quarter/half-year numbers, dates)
and parsed by a small recursive-descent parser, and the clauses together are
interpreted (``_interpret``). The forms the order itself uses (month and year
ranges, "ежегодно", "постоянно", "далее – ежегодно") keep exactly the meaning
they had; the forms added for later plans (quarters, half-years, "до D",
recurring schedules, seasons across the new year, "в течение …", the academic
year, "далее – ежеквартально / ежемесячно / постоянно") must lie inside the
plan, or the phrase is refused.
"""

from __future__ import annotations

import calendar as _calendar
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import Enum
from itertools import pairwise

__all__ = ["Meaning", "Refused", "Window", "read"]


@dataclass(frozen=True)
class Window:
    """An inclusive span of days during which an activity takes place."""

    start: date
    end: date


@dataclass(frozen=True)
class Meaning:
    windows: tuple[Window, ...]
    as_needed: bool = False
    continuous: bool = False


class Refused(Exception):
    """A phrase outside the grammar; the message says why (in English)."""


class _Kind(Enum):
    MONTH = "month"
    YEAR = "year"
    YEAR_SUFFIX = "year suffix"
    DASH = "dash"
    QUARTER = "quarter"
    HALF = "half-year"
    DAY = "day of a month"
    DATE = "date"
    UNTIL = "«до»"
    DURING = "«в течение»"
    THEN = "«далее»"
    # flags: schedules and modifiers
    ANNUAL = "«ежегодно»"
    MONTHLY = "«ежемесячно»"
    QUARTERLY = "«ежеквартально»"
    HALF_YEARLY = "«раз в полугодие»"
    CONTINUOUS = "«постоянно»"
    THROUGHOUT_YEAR = "«в течение года»"
    ACADEMIC_YEAR = "«в течение учебного года»"
    AS_NEEDED = "«по мере необходимости»"


@dataclass(frozen=True)
class _Token:
    kind: _Kind
    value: int = 0
    extra: int = 0
    day: date | None = None


_FLAG_KINDS = frozenset(
    {
        _Kind.ANNUAL,
        _Kind.MONTHLY,
        _Kind.QUARTERLY,
        _Kind.HALF_YEARLY,
        _Kind.CONTINUOUS,
        _Kind.THROUGHOUT_YEAR,
        _Kind.ACADEMIC_YEAR,
        _Kind.AS_NEEDED,
    }
)
# Months per period of each recurring schedule.
_STEPS = {_Kind.MONTHLY: 1, _Kind.QUARTERLY: 3, _Kind.HALF_YEARLY: 6}

_MONTHS = {
    name: number
    for number, name in enumerate(
        "январь февраль март апрель май июнь июль август сентябрь октябрь ноябрь декабрь".split(), start=1
    )
}
_MONTHS_GENITIVE = {
    name: number
    for number, name in enumerate(
        "января февраля марта апреля мая июня июля августа сентября октября ноября декабря".split(), start=1
    )
}
_ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4, "v": 5, "vi": 6, "vii": 7, "viii": 8, "ix": 9, "x": 10}
_QUARTER_WORDS = frozenset({"квартал", "кв"})
_HALF_WORDS = frozenset({"полугодие"})
_YEAR_SUFFIXES = frozenset({"г", "гг", "год", "года", "годы", "годов"})

# Only plausible plan years are years of the grammar; this also keeps date
# arithmetic far away from datetime's limits.
_MIN_YEAR = 1900
_MAX_YEAR = 2199

# Multi-word keywords, longest first, so that the "года" of "в течение года"
# is not mistaken for a year suffix and the "по" of "по мере необходимости"
# not for "по D".
_PHRASES: tuple[tuple[tuple[str | int, ...], _Kind], ...] = tuple(
    sorted(
        (
            (("в", "течение", "учебного", "года"), _Kind.ACADEMIC_YEAR),
            (("в", "течении", "учебного", "года"), _Kind.ACADEMIC_YEAR),
            (("по", "мере", "необходимости"), _Kind.AS_NEEDED),
            (("в", "течение", "года"), _Kind.THROUGHOUT_YEAR),
            (("в", "течении", "года"), _Kind.THROUGHOUT_YEAR),
            ((1, "раз", "в", "полугодие"), _Kind.HALF_YEARLY),
            ((1, "раз", "в", "квартал"), _Kind.QUARTERLY),
            ((1, "раз", "в", "месяц"), _Kind.MONTHLY),
            ((1, "раз", "в", "год"), _Kind.ANNUAL),
            (("раз", "в", "полугодие"), _Kind.HALF_YEARLY),
            (("раз", "в", "квартал"), _Kind.QUARTERLY),
            (("раз", "в", "месяц"), _Kind.MONTHLY),
            (("раз", "в", "год"), _Kind.ANNUAL),
            (("в", "срок", "до"), _Kind.UNTIL),
            (("не", "позднее"), _Kind.UNTIL),
            (("не", "позже"), _Kind.UNTIL),
            (("по", "необходимости"), _Kind.AS_NEEDED),
            (("в", "течение"), _Kind.DURING),
            (("в", "течении"), _Kind.DURING),
            (("до",), _Kind.UNTIL),
            (("по",), _Kind.UNTIL),
            (("ежегодно",), _Kind.ANNUAL),
            (("ежемесячно",), _Kind.MONTHLY),
            (("ежеквартально",), _Kind.QUARTERLY),
            (("ежеполугодно",), _Kind.HALF_YEARLY),
            (("постоянно",), _Kind.CONTINUOUS),
            (("далее",), _Kind.THEN),
        ),
        key=lambda item: -len(item[0]),
    )
)

# Phrases without a fixed date: loaded with no window and flagged, as before.
_DURATION = re.compile(r"\bв течени[ея] \d+ (?:рабоч|календарн)?\w* ?(?:дн|день|недел|месяц)")
_RELATIVE = re.compile(r"\b(?:после|со дня|с даты|с момента|рабочих дней|календарных дней)\b")
_UNSCHEDULED = re.compile(r"\bпо (?:отдельному )?(?:графику|плану|согласованию|запросу)\b")

# Hyphen, non-breaking hyphen, figure dash, en dash, em dash, horizontal bar,
# minus sign: in these tables they are all used interchangeably.
_DASHES = re.compile("[\u2010\u2011\u2012\u2013\u2014\u2015\u2212]")
_LEXEME = re.compile(
    r"""\s*(?:
        (?P<date>\d{1,2}\.\d{1,2}\.\d+)
      | (?P<ordinal>\d)-(?:й|ый|ий|ой|е|ое)(?![а-я])
      | (?P<number>\d+)
      | (?P<word>[а-я]+)
      | (?P<roman>[ivx]+)(?![a-z])
      | (?P<dash>-)
      | (?P<dot>\.)
    )""",
    re.VERBOSE,
)


@dataclass(frozen=True)
class _Numeral:
    """A Roman numeral or an Arabic ordinal ("1-й"): only a quarter or half-year number."""

    value: int
    raw: str


# --- normalising and tokenising ------------------------------------------------


def _normalise(text: str) -> str:
    """Lower-case, unify dashes/"ё"/spaces, drop trailing punctuation, turn brackets into commas."""
    text = unicodedata.normalize("NFKC", text).lower().replace("ё", "е")
    text = _DASHES.sub("-", text)
    text = " ".join(text.split()).strip(" .,")
    if "(" in text or ")" in text:
        depth = 0
        for char in text:
            depth += {"(": 1, ")": -1}.get(char, 0)
            if depth not in (0, 1):
                raise Refused("unbalanced or nested parentheses")
        if depth:
            raise Refused("unbalanced parentheses")
        # "Ежегодно (сентябрь – октябрь)" reads as "Ежегодно, сентябрь – октябрь".
        text = re.sub(r"\s*,?\s*\(\s*", ", ", text)
        text = re.sub(r"\s*\)\s*,?\s*", ", ", text).strip(" .,")
    return text


def _lex(clause: str) -> list[str | int | date | _Numeral]:
    """Split a clause into words, numbers, dates, numerals and "-".

    Dots outside dates are dropped: they only ever abbreviate ("г.", "кв.").
    Any other character makes the clause unknown.
    """
    lexemes: list[str | int | date | _Numeral] = []
    pos = 0
    clause = clause.strip()
    while pos < len(clause):
        match = _LEXEME.match(clause, pos)
        if match is None:
            raise Refused(f"unexpected character «{clause[pos:].strip()[:1]}»")
        pos = match.end()
        if raw := match.group("date"):
            lexemes.append(_date(raw))
        elif raw := match.group("ordinal"):
            lexemes.append(_Numeral(int(raw), match.group(0).strip()))
        elif raw := match.group("number"):
            lexemes.append(int(raw))
        elif raw := match.group("word"):
            lexemes.append(raw)
        elif raw := match.group("roman"):
            if raw not in _ROMAN:
                raise Refused(f"«{raw.upper()}» is not a Roman numeral of a quarter or half-year")
            lexemes.append(_Numeral(_ROMAN[raw], raw.upper()))
        elif match.group("dash"):
            lexemes.append("-")
    return lexemes


def _date(raw: str) -> date:
    day, month, year = raw.split(".")
    if len(year) != 4:
        raise Refused(f"«{raw}»: the year must have four digits")
    try:
        value = date(int(year), int(month), int(day))
    except ValueError:
        raise Refused(f"«{raw}» is not a date") from None
    if not _MIN_YEAR <= value.year <= _MAX_YEAR:
        raise Refused(f"«{raw}»: the year is out of range")
    return value


def _numbered(kind: _Kind, value: int, raw: str) -> _Token:
    if kind is _Kind.QUARTER and not 1 <= value <= 4:
        raise Refused(f"there is no quarter {raw}")
    if kind is _Kind.HALF and not 1 <= value <= 2:
        raise Refused(f"there is no half-year {raw}")
    return _Token(kind, value)


def _tokenize(clause: str) -> list[_Token]:
    lexemes = _lex(clause)
    tokens: list[_Token] = []
    i = 0
    while i < len(lexemes):
        lexeme = lexemes[i]
        following = lexemes[i + 1] if i + 1 < len(lexemes) else None
        for words, kind in _PHRASES:
            if tuple(lexemes[i : i + len(words)]) == words and all(
                type(a) is type(b) for a, b in zip(lexemes[i : i + len(words)], words, strict=True)
            ):
                tokens.append(_Token(kind))
                i += len(words)
                break
        else:
            tokens.append(_one_token(lexeme, following))
            i += 2 if tokens[-1].kind in (_Kind.QUARTER, _Kind.HALF, _Kind.DAY) else 1
    return tokens


def _one_token(lexeme: str | int | date | _Numeral, following: object) -> _Token:
    if isinstance(lexeme, date):
        return _Token(_Kind.DATE, day=lexeme)
    if isinstance(lexeme, (int, _Numeral)):
        value = lexeme.value if isinstance(lexeme, _Numeral) else lexeme
        raw = lexeme.raw if isinstance(lexeme, _Numeral) else str(lexeme)
        if following in _QUARTER_WORDS:
            return _numbered(_Kind.QUARTER, value, raw)
        if following in _HALF_WORDS:
            return _numbered(_Kind.HALF, value, raw)
        if isinstance(lexeme, _Numeral):
            raise Refused(f"«{raw}» without «квартал» or «полугодие»")
        if isinstance(following, str) and following in _MONTHS_GENITIVE:
            if not 1 <= value <= 31:
                raise Refused(f"«{value} {following}» is not a date")
            return _Token(_Kind.DAY, value, _MONTHS_GENITIVE[following])
        if _MIN_YEAR <= value <= _MAX_YEAR:
            return _Token(_Kind.YEAR, value)
        if 10 <= value <= 99:
            raise Refused(f"«{value}» is not a year: two-digit years are not read")
        raise Refused(f"the number «{value}» is neither a year, a day, a quarter nor a half-year")
    if lexeme == "-":
        return _Token(_Kind.DASH)
    assert isinstance(lexeme, str)
    if lexeme in _MONTHS:
        return _Token(_Kind.MONTH, _MONTHS[lexeme])
    if lexeme in _YEAR_SUFFIXES:
        return _Token(_Kind.YEAR_SUFFIX)
    if lexeme in _MONTHS_GENITIVE:
        raise Refused(f"«{lexeme}» without a day")
    raise Refused(f"unknown word «{lexeme}»")


# --- parsing one clause ------------------------------------------------------------


@dataclass(frozen=True)
class _Period:
    """A month-aligned span; ``start_year is None`` for a year-less one.

    ``whole_years`` records that the text named years only ("2023-2025 гг."),
    which matters for "ежегодно" (split into years) and "далее – ежегодно".
    ``strict``: a form added for later plans (quarter, half-year,
    "в течение 2027 года") that must lie inside the plan. A year-less period
    whose start month is after its end month is a season across the new year.
    """

    start_year: int | None
    start_month: int
    end_year: int | None
    end_month: int
    whole_years: bool = False
    strict: bool = False
    numbered: bool = False  # a quarter or half-year

    @property
    def has_years(self) -> bool:
        return self.start_year is not None

    @property
    def is_season(self) -> bool:
        return self.start_year is None and self.start_month > self.end_month

    def window(self, shift: int = 0) -> Window:
        assert self.start_year is not None and self.end_year is not None
        return _month_window(self.start_year + shift, self.start_month, self.end_year + shift, self.end_month)

    def span_in_months(self) -> int:
        assert self.start_year is not None and self.end_year is not None
        return (self.end_year * 12 + self.end_month) - (self.start_year * 12 + self.start_month)


@dataclass(frozen=True)
class _Until:
    """A "до D": ``year is None`` for a day of every year ("до 25 декабря ежегодно")."""

    day: int
    month: int
    year: int | None


@dataclass
class _Clause:
    then: bool
    periods: list[_Period] = field(default_factory=list)
    untils: list[_Until] = field(default_factory=list)
    flags: set[_Kind] = field(default_factory=set)


class _ClauseParser:
    """Recursive-descent parser for one clause.

    Grammar::

        clause      := [THEN [DASH]] item+
        item        := flag | UNTIL date | [DURING] period
        date        := DATE | DAY [year]
        period      := month_spec [DASH month_spec] | year [DASH year]
                     | QUARTER [year] | HALF [year]
        month_spec  := MONTH [year]
        year        := YEAR [YEAR_SUFFIX]
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

    def parse(self) -> _Clause:
        if not self.tokens:
            raise Refused("an empty part between commas")
        clause = _Clause(then=self._take(_Kind.THEN) is not None)
        if clause.then:
            self._take(_Kind.DASH)
        while (kind := self._peek()) is not None:
            if kind in _FLAG_KINDS:
                clause.flags.add(kind)
                self.pos += 1
            elif self._take(_Kind.UNTIL):
                clause.untils.append(self._until())
            elif self._take(_Kind.DURING):
                period = self._period()
                if period is None or not period.whole_years:
                    raise Refused("«в течение» without a year, a span of years or «года»")
                clause.periods.append(_Period(period.start_year, 1, period.end_year, 12, True, strict=True))
            elif (period := self._period()) is not None:
                clause.periods.append(period)
            elif kind in (_Kind.DATE, _Kind.DAY):
                raise Refused("a date without «до», «не позднее» or «по»")
            else:
                raise Refused(f"unexpected {kind.value}")
        if not (clause.periods or clause.untils or clause.flags):
            raise Refused("«далее» without a schedule")
        return clause

    def _year(self) -> int | None:
        token = self._take(_Kind.YEAR)
        if token is None:
            return None
        self._take(_Kind.YEAR_SUFFIX)
        return token.value

    def _until(self) -> _Until:
        if token := self._take(_Kind.DATE):
            assert token.day is not None
            self._take(_Kind.YEAR_SUFFIX)
            return _Until(token.day.day, token.day.month, token.day.year)
        if token := self._take(_Kind.DAY):
            until = _Until(token.value, token.extra, self._year())
            if until.year is not None:
                try:
                    date(until.year, until.month, until.day)
                except ValueError:
                    raise Refused(f"«{until.day}.{until.month:02}.{until.year}» is not a date") from None
            elif until.day > _calendar.monthrange(2000, until.month)[1]:
                raise Refused(f"«{until.day}.{until.month:02}» is not a date")
            return until
        raise Refused("«до» without a date")

    def _period(self) -> _Period | None:
        kind = self._peek()
        if kind in (_Kind.QUARTER, _Kind.HALF):
            token = self.tokens[self.pos]
            self.pos += 1
            size = 3 if kind is _Kind.QUARTER else 6
            year = self._year()
            first, last = size * (token.value - 1) + 1, size * token.value
            return _Period(year, first, year, last, strict=True, numbered=True)
        if kind is _Kind.YEAR:
            first = self._year()
            last = self._year() if self._take(_Kind.DASH) else first
            if first is None or last is None or first > last:
                raise Refused("a range of years that does not read forwards")
            return _Period(first, 1, last, 12, whole_years=True)
        if kind is _Kind.MONTH:
            start_month = self.tokens[self.pos].value
            self.pos += 1
            start_year = self._year()
            if not self._take(_Kind.DASH):
                return _Period(start_year, start_month, start_year, start_month)
            end = self._take(_Kind.MONTH)
            if end is None:
                raise Refused("a month range that does not end in a month")
            end_month = end.value
            end_year = self._year()
            if end_year is None:
                if start_year is not None:
                    # "Январь 2023 – март": the end year is not stated; don't guess.
                    raise Refused("a month range without its end year")
                # A year-less "ноябрь – февраль" is a season across the new year
                # (only with "ежегодно", see _interpret).
                return _Period(None, start_month, None, end_month)
            if start_year is None:
                # "Январь – март 2023": the stated year applies to both months.
                start_year = end_year
            if (start_year, start_month) > (end_year, end_month):
                # "Март – январь 2023 г." is not silently wrapped into another year.
                raise Refused("a month range that ends before it starts")
            return _Period(start_year, start_month, end_year, end_month)
        return None


# --- windows -----------------------------------------------------------------------


def _month_window(start_year: int, start_month: int, end_year: int, end_month: int) -> Window:
    last_day = _calendar.monthrange(end_year, end_month)[1]
    return Window(date(start_year, start_month, 1), date(end_year, end_month, last_day))


def _year_window(year: int) -> Window:
    return Window(date(year, 1, 1), date(year, 12, 31))


def _every(step: int, start: date, end: date) -> list[Window]:
    """Each calendar month, quarter or half-year (``step`` months) lying wholly in ``start..end``."""
    windows = []
    for index in range(start.year * 12, end.year * 12 + 12, step):
        window = _month_window(index // 12, index % 12 + 1, (index + step - 1) // 12, (index + step - 1) % 12 + 1)
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

    def require(self, window: Window) -> Window:
        """A window of a form added for later plans must lie inside the plan."""
        if window.start < self.start or window.end > self.end:
            raise Refused(
                f"{window.start:%d.%m.%Y}–{window.end:%d.%m.%Y} is outside the plan's years {self.label}"
            )
        return window


def _each_year(period: _Period, plan: _Plan) -> list[Window]:
    """A year-less period in every plan year; a season runs into the next year, clipped to the plan."""
    windows = []
    for year in plan.years:
        end_year = year + 1 if period.is_season else year
        window = _month_window(year, period.start_month, end_year, period.end_month)
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


def _repeat_annually(period: _Period, plan: _Plan) -> list[Window]:
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


def _interpret(clauses: list[_Clause], plan: _Plan) -> Meaning:
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
    as_needed = _Kind.AS_NEEDED in flags | tail_flags
    schedules = flags & (set(_STEPS) | {_Kind.ANNUAL, _Kind.CONTINUOUS, _Kind.ACADEMIC_YEAR})
    if _Kind.THROUGHOUT_YEAR in flags and not schedules & set(_STEPS):
        # "Ежемесячно, в течение года" is every month of each year.
        schedules.add(_Kind.ANNUAL)
    if len(schedules) > 1 and schedules != {_Kind.ANNUAL, _Kind.ACADEMIC_YEAR}:
        raise Refused("clashing schedules: " + ", ".join(sorted(k.value for k in schedules)))
    if len(untils) > 1 or (untils and periods):
        raise Refused("more than one period or date")

    if tail:
        if flags or len(periods) + len(untils) != 1:
            raise Refused("«далее» needs exactly one dated period before it and nothing else")
        return _then(periods[0] if periods else untils[0], tail_flags, plan, as_needed)

    if untils:
        return Meaning(tuple(_until_windows(untils[0], flags, plan)), as_needed)
    if _Kind.ACADEMIC_YEAR in flags:
        if periods:
            raise Refused("«в течение учебного года» with another period")
        return Meaning(tuple(_academic_years(plan)), as_needed)
    step = next((_STEPS[k] for k in schedules if k in _STEPS), None)
    if step is not None:
        if not periods:
            return Meaning(tuple(_every(step, plan.start, plan.end)), as_needed)
        if len(periods) == 1 and periods[0].whole_years:
            span = periods[0].window()
            if periods[0].strict:
                plan.require(span)
            return Meaning(tuple(_every(step, span.start, span.end)), as_needed)
        raise Refused("a recurring schedule with a period other than whole years")
    continuous = _Kind.CONTINUOUS in flags
    annual = _Kind.ANNUAL in schedules
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


def _yearless(periods: list[_Period], flags: set[_Kind], plan: _Plan) -> list[Window]:
    """Year-less months, quarters, half-years and seasons: in every plan year."""
    if any(p.has_years for p in periods):
        raise Refused("more than one period")
    if flags & {_Kind.CONTINUOUS, _Kind.THROUGHOUT_YEAR}:
        raise Refused("a month range without a year with «постоянно» or «в течение года»")
    if _Kind.ANNUAL not in flags and not all(p.numbered for p in periods):
        # "Ноябрь – февраль", "Май": which year? Only "ежегодно" says.
        raise Refused("months without a year or «ежегодно»")
    windows = sorted((w for p in periods for w in _each_year(p, plan)), key=lambda w: w.start)
    for before, after in pairwise(windows):
        if after.start <= before.end:
            raise Refused("listed periods overlap")
    return windows


def _until_windows(until: _Until, flags: set[_Kind], plan: _Plan) -> list[Window]:
    """Windows of "до D": from the plan's first day (or each 1 January with "ежегодно") through D."""
    if flags - {_Kind.ANNUAL, _Kind.AS_NEEDED}:
        raise Refused("«до» with a schedule other than «ежегодно»")
    if until.year is not None:
        if _Kind.ANNUAL in flags:
            raise Refused("a dated «до» with «ежегодно»")
        return [plan.require(Window(plan.start, date(until.year, until.month, until.day)))]
    if _Kind.ANNUAL not in flags:
        raise Refused("«до» a day without a year or «ежегодно»")
    if (until.month, until.day) == (2, 29):
        raise Refused("«ежегодно, до 29 февраля»: not every year has 29 February")
    return [Window(date(y, 1, 1), date(y, until.month, until.day)) for y in plan.years]


def _then(first: _Period | _Until, tail_flags: set[_Kind], plan: _Plan, as_needed: bool) -> Meaning:
    """Windows of "X, далее – ежегодно / ежеквартально / ежемесячно / постоянно / по необходимости"."""
    if isinstance(first, _Until):
        if first.year is None:
            raise Refused("«далее» after «до» a day without a year")
        window = plan.require(Window(plan.start, date(first.year, first.month, first.day)))
    else:
        if not first.has_years:
            raise Refused("«далее» without a dated period")
        window = plan.require(first.window()) if first.strict else first.window()
    schedules = tail_flags - {_Kind.AS_NEEDED}
    if len(schedules) > 1 or (schedules and not schedules <= set(_STEPS) | {_Kind.ANNUAL, _Kind.CONTINUOUS}):
        raise Refused("unsupported or clashing schedules after «далее»")
    schedule = next(iter(schedules), None)
    if schedule is None:
        # "далее – по необходимости": after the period the work has no dates,
        # so only the stated period yields a window; as_needed flags the rest.
        return Meaning((window,), as_needed)
    if schedule is _Kind.ANNUAL:
        if not isinstance(first, _Period):
            raise Refused("«до D, далее – ежегодно»")
        return Meaning(tuple(_repeat_annually(first, plan)), as_needed)
    if as_needed:
        raise Refused(f"{schedule.value} with «по мере необходимости»")
    if schedule is _Kind.CONTINUOUS:
        rest = [Window(window.end + timedelta(days=1), plan.end)] if window.end < plan.end else []
        return Meaning((window, *rest), continuous=True)
    later = [w for w in _every(_STEPS[schedule], plan.start, plan.end) if w.start > window.end]
    return Meaning((window, *later))


# --- the entry point -----------------------------------------------------------------


def _unscheduled_reason(normalised: str) -> str | None:
    if _DURATION.search(normalised):
        return "a duration with no fixed start: no window"
    if _RELATIVE.search(normalised):
        return "a deadline relative to another event: no fixed window"
    if _UNSCHEDULED.search(normalised):
        return "no fixed schedule in the plan: no window"
    return None


def read(text: str, first_year: int, last_year: int) -> Meaning:
    """The windows of a deadline phrase for a plan covering ``first_year..last_year``.

    Raises ``Refused`` (the reason names what could not be read) for anything
    outside the grammar.
    """
    normalised = _normalise(text)
    if not normalised:
        raise Refused("empty")
    if reason := _unscheduled_reason(normalised):
        raise Refused(reason)
    tokens_of = [_tokenize(part) for part in re.split(r"\s*,\s*|\s+и\s+", normalised)]
    clauses: list[_Clause] = []
    for tokens in tokens_of:
        # "2023 г. далее ежегодно": a "далее" inside a clause starts the tail.
        start = 0
        for i, token in enumerate(tokens):
            if token.kind is _Kind.THEN and i > start:
                clauses.append(_ClauseParser(tokens[start:i]).parse())
                start = i
        clauses.append(_ClauseParser(tokens[start:]).parse())
    return _interpret(clauses, _Plan(first_year, last_year))

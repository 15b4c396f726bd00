"""The grammar of Russian roadmap deadline phrases: from text to clauses.

Pure: no database. ``parse_clauses(text)`` normalises a phrase (case, "ё",
every kind of dash, spaces, parentheses, trailing dots), splits it into
clauses at commas, parentheses and "и", tokenises each clause (words, years,
Roman and Arabic quarter/half-year numbers, dates) and parses it with a small
recursive-descent parser. What the clauses mean for a plan is decided by
``roadmap.plans.deadline_windows``; ``roadmap.plans.deadlines.parse_deadline`` is the
public face of both.

Anything outside the grammar raises ``Refused`` with a reason: the policy is
"read what has one meaning, refuse the rest, never guess". Relative or
unscheduled phrases ("не позднее 10 рабочих дней после …", "по отдельному
графику") are refused up front with their own reason: they have no fixed
window.
"""

from __future__ import annotations

import calendar as _calendar
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from enum import Enum

__all__ = ["STEPS", "Clause", "Kind", "Period", "Refused", "Until", "Window", "month_window", "parse_clauses"]


@dataclass(frozen=True)
class Window:
    """An inclusive span of days during which an activity takes place."""

    start: date
    end: date


class Refused(Exception):
    """A phrase outside the grammar; the message says why (in English)."""


class Kind(Enum):
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
    kind: Kind
    value: int = 0
    extra: int = 0
    day: date | None = None


_FLAG_KINDS = frozenset(
    {
        Kind.ANNUAL,
        Kind.MONTHLY,
        Kind.QUARTERLY,
        Kind.HALF_YEARLY,
        Kind.CONTINUOUS,
        Kind.THROUGHOUT_YEAR,
        Kind.ACADEMIC_YEAR,
        Kind.AS_NEEDED,
    }
)
# Months per period of each recurring schedule.
STEPS = {Kind.MONTHLY: 1, Kind.QUARTERLY: 3, Kind.HALF_YEARLY: 6}

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
_PHRASES: tuple[tuple[tuple[str | int, ...], Kind], ...] = tuple(
    sorted(
        (
            (("в", "течение", "учебного", "года"), Kind.ACADEMIC_YEAR),
            (("в", "течении", "учебного", "года"), Kind.ACADEMIC_YEAR),
            (("по", "мере", "необходимости"), Kind.AS_NEEDED),
            (("в", "течение", "года"), Kind.THROUGHOUT_YEAR),
            (("в", "течении", "года"), Kind.THROUGHOUT_YEAR),
            ((1, "раз", "в", "полугодие"), Kind.HALF_YEARLY),
            ((1, "раз", "в", "квартал"), Kind.QUARTERLY),
            ((1, "раз", "в", "месяц"), Kind.MONTHLY),
            ((1, "раз", "в", "год"), Kind.ANNUAL),
            (("раз", "в", "полугодие"), Kind.HALF_YEARLY),
            (("раз", "в", "квартал"), Kind.QUARTERLY),
            (("раз", "в", "месяц"), Kind.MONTHLY),
            (("раз", "в", "год"), Kind.ANNUAL),
            (("в", "срок", "до"), Kind.UNTIL),
            (("не", "позднее"), Kind.UNTIL),
            (("не", "позже"), Kind.UNTIL),
            (("по", "необходимости"), Kind.AS_NEEDED),
            (("в", "течение"), Kind.DURING),
            (("в", "течении"), Kind.DURING),
            (("до",), Kind.UNTIL),
            (("по",), Kind.UNTIL),
            (("ежегодно",), Kind.ANNUAL),
            (("ежемесячно",), Kind.MONTHLY),
            (("ежеквартально",), Kind.QUARTERLY),
            (("ежеполугодно",), Kind.HALF_YEARLY),
            (("постоянно",), Kind.CONTINUOUS),
            (("далее",), Kind.THEN),
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


def month_window(start_year: int, start_month: int, end_year: int, end_month: int) -> Window:
    last_day = _calendar.monthrange(end_year, end_month)[1]
    return Window(date(start_year, start_month, 1), date(end_year, end_month, last_day))


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
        raise Refused(f"«{raw}»: two-digit years are not read")
    try:
        value = date(int(year), int(month), int(day))
    except ValueError:
        raise Refused(f"«{raw}» is not a date") from None
    if not _MIN_YEAR <= value.year <= _MAX_YEAR:
        raise Refused(f"«{raw}»: the year is out of range")
    return value


def _numbered(kind: Kind, value: int, raw: str) -> _Token:
    if kind is Kind.QUARTER and not 1 <= value <= 4:
        raise Refused(f"there is no quarter {raw}")
    if kind is Kind.HALF and not 1 <= value <= 2:
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
            i += 2 if tokens[-1].kind in (Kind.QUARTER, Kind.HALF, Kind.DAY) else 1
    return tokens


def _one_token(lexeme: str | int | date | _Numeral, following: object) -> _Token:
    if isinstance(lexeme, date):
        return _Token(Kind.DATE, day=lexeme)
    if isinstance(lexeme, (int, _Numeral)):
        value = lexeme.value if isinstance(lexeme, _Numeral) else lexeme
        raw = lexeme.raw if isinstance(lexeme, _Numeral) else str(lexeme)
        if following in _QUARTER_WORDS:
            return _numbered(Kind.QUARTER, value, raw)
        if following in _HALF_WORDS:
            return _numbered(Kind.HALF, value, raw)
        if isinstance(lexeme, _Numeral):
            raise Refused(f"«{raw}» without «квартал» or «полугодие»")
        if isinstance(following, str) and following in _MONTHS_GENITIVE:
            if not 1 <= value <= 31:
                raise Refused(f"«{value} {following}» is not a date")
            return _Token(Kind.DAY, value, _MONTHS_GENITIVE[following])
        if _MIN_YEAR <= value <= _MAX_YEAR:
            return _Token(Kind.YEAR, value)
        if 10 <= value <= 99:
            raise Refused(f"«{value}» is not a year: two-digit years are not read")
        raise Refused(f"the number «{value}» is neither a year, a day, a quarter nor a half-year")
    if lexeme == "-":
        return _Token(Kind.DASH)
    assert isinstance(lexeme, str)
    if lexeme in _MONTHS:
        return _Token(Kind.MONTH, _MONTHS[lexeme])
    if lexeme in _YEAR_SUFFIXES:
        return _Token(Kind.YEAR_SUFFIX)
    if lexeme in _MONTHS_GENITIVE:
        raise Refused(f"«{lexeme}» without a day")
    raise Refused(f"unknown word «{lexeme}»")


# --- parsing one clause ------------------------------------------------------------


@dataclass(frozen=True)
class Period:
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
        return month_window(self.start_year + shift, self.start_month, self.end_year + shift, self.end_month)

    def span_in_months(self) -> int:
        assert self.start_year is not None and self.end_year is not None
        return (self.end_year * 12 + self.end_month) - (self.start_year * 12 + self.start_month)


@dataclass(frozen=True)
class Until:
    """A "до D": ``year is None`` for a day of every year ("до 25 декабря ежегодно")."""

    day: int
    month: int
    year: int | None


@dataclass
class Clause:
    then: bool
    periods: list[Period] = field(default_factory=list)
    untils: list[Until] = field(default_factory=list)
    flags: set[Kind] = field(default_factory=set)


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

    def _peek(self) -> Kind | None:
        return self.tokens[self.pos].kind if self.pos < len(self.tokens) else None

    def _take(self, kind: Kind) -> _Token | None:
        if self._peek() is kind:
            token = self.tokens[self.pos]
            self.pos += 1
            return token
        return None

    def parse(self) -> Clause:
        if not self.tokens:
            raise Refused("an empty part between commas")
        clause = Clause(then=self._take(Kind.THEN) is not None)
        if clause.then:
            self._take(Kind.DASH)
        while (kind := self._peek()) is not None:
            if kind in _FLAG_KINDS:
                clause.flags.add(kind)
                self.pos += 1
            elif self._take(Kind.UNTIL):
                clause.untils.append(self._until())
            elif self._take(Kind.DURING):
                period = self._period()
                if period is None or not period.whole_years:
                    raise Refused("«в течение» without a year, a span of years or «года»")
                clause.periods.append(Period(period.start_year, 1, period.end_year, 12, True, strict=True))
            elif (period := self._period()) is not None:
                clause.periods.append(period)
            elif kind in (Kind.DATE, Kind.DAY):
                raise Refused("a date without «до», «не позднее» or «по»")
            else:
                raise Refused(f"unexpected {kind.value}")
        if not (clause.periods or clause.untils or clause.flags):
            raise Refused("«далее» without a schedule")
        if len(clause.periods) + len(clause.untils) > 1:
            # "Май июль ежегодно": a list or a range with a lost dash? Don't guess.
            raise Refused("two periods or dates without a comma between them")
        return clause

    def _year(self) -> int | None:
        token = self._take(Kind.YEAR)
        if token is None:
            return None
        self._take(Kind.YEAR_SUFFIX)
        return token.value

    def _until(self) -> Until:
        if token := self._take(Kind.DATE):
            assert token.day is not None
            self._take(Kind.YEAR_SUFFIX)
            return Until(token.day.day, token.day.month, token.day.year)
        if token := self._take(Kind.DAY):
            until = Until(token.value, token.extra, self._year())
            if until.year is not None:
                try:
                    date(until.year, until.month, until.day)
                except ValueError:
                    raise Refused(f"«{until.day}.{until.month:02}.{until.year}» is not a date") from None
            elif until.day > _calendar.monthrange(2000, until.month)[1]:
                raise Refused(f"«{until.day}.{until.month:02}» is not a date")
            return until
        raise Refused("«до» without a date")

    def _period(self) -> Period | None:
        kind = self._peek()
        if kind in (Kind.QUARTER, Kind.HALF):
            token = self.tokens[self.pos]
            self.pos += 1
            size = 3 if kind is Kind.QUARTER else 6
            year = self._year()
            first, last = size * (token.value - 1) + 1, size * token.value
            return Period(year, first, year, last, strict=True, numbered=True)
        if kind is Kind.YEAR:
            first_year = self._year()
            last_year = self._year() if self._take(Kind.DASH) else first_year
            if first_year is None or last_year is None or first_year > last_year:
                raise Refused("a range of years that does not read forwards")
            return Period(first_year, 1, last_year, 12, whole_years=True)
        if kind is Kind.MONTH:
            start_month = self.tokens[self.pos].value
            self.pos += 1
            start_year = self._year()
            if not self._take(Kind.DASH):
                return Period(start_year, start_month, start_year, start_month)
            end = self._take(Kind.MONTH)
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
                return Period(None, start_month, None, end_month)
            if start_year is None:
                # "Январь – март 2023": the stated year applies to both months.
                start_year = end_year
            if (start_year, start_month) > (end_year, end_month):
                # "Март – январь 2023 г." is not silently wrapped into another year.
                raise Refused("a month range that ends before it starts")
            return Period(start_year, start_month, end_year, end_month)
        return None


# --- the clauses of a phrase -----------------------------------------------------------------


def _unscheduled_reason(normalised: str) -> str | None:
    if _DURATION.search(normalised):
        return "a duration with no fixed start: no window"
    if _RELATIVE.search(normalised):
        return "a deadline relative to another event: no fixed window"
    if _UNSCHEDULED.search(normalised):
        return "no fixed schedule in the plan: no window"
    return None


def parse_clauses(text: str) -> list[Clause]:
    """The clauses of a phrase; raises ``Refused`` for anything outside the grammar."""
    normalised = _normalise(text)
    if not normalised:
        raise Refused("empty")
    if reason := _unscheduled_reason(normalised):
        raise Refused(reason)
    clauses: list[Clause] = []
    for part in re.split(r"\s*,\s*|\s+и\s+", normalised):
        tokens = _tokenize(part)
        # "2023 г. далее ежегодно": a "далее" inside a clause starts the tail.
        start = 0
        for i, token in enumerate(tokens):
            if token.kind is Kind.THEN and i > start:
                clauses.append(_ClauseParser(tokens[start:i]).parse())
                start = i
        clauses.append(_ClauseParser(tokens[start:]).parse())
    return clauses

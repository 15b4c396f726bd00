"""Tests of roadmap.plans.deadlines: deadline phrases and report due moments (no DB)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from roadmap.plans.deadlines import (
    MOSCOW,
    ParsedDeadline,
    Window,
    add_working_days,
    is_working_day,
    parse_deadline,
    report_due_at,
)

# ---------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------


def w(start: str, end: str) -> Window:
    return Window(date.fromisoformat(start), date.fromisoformat(end))


def years(first: int, last: int) -> tuple[Window, ...]:
    return tuple(w(f"{y}-01-01", f"{y}-12-31") for y in range(first, last + 1))


def months_each_year(first_month: int, last_month: int, last_day: int) -> tuple[Window, ...]:
    return tuple(Window(date(y, first_month, 1), date(y, last_month, last_day)) for y in (2023, 2024, 2025))


PLAN_2023_2025 = (w("2023-01-01", "2025-12-31"),)
YEARS_2023_2025 = years(2023, 2025)

# ---------------------------------------------------------------------------
# Part 1: the 29 phrases of order No. 2714 (plan 2023..2025)
# ---------------------------------------------------------------------------

# (activity number, text exactly as in the order, windows, as_needed, continuous)
ORDER_2714: list[tuple[int, str, tuple[Window, ...], bool, bool]] = [
    (1, "Январь – март 2023 г.", (w("2023-01-01", "2023-03-31"),), False, False),
    (2, "Декабрь 2022-январь 2023 г.", (w("2022-12-01", "2023-01-31"),), False, False),
    (3, "2023 – 2025 гг.", PLAN_2023_2025, False, False),
    (4, "Ежегодно", YEARS_2023_2025, False, False),
    (
        5,
        "Декабрь 2022 г. - январь 2023 г.",
        (w("2022-12-01", "2023-01-31"),),
        False,
        False,
    ),
    (6, "2023-2025 гг.", PLAN_2023_2025, False, False),
    (
        7,
        "Январь 2023 г., далее - ежегодно",
        (
            w("2023-01-01", "2023-01-31"),
            w("2024-01-01", "2024-01-31"),
            w("2025-01-01", "2025-01-31"),
        ),
        False,
        False,
    ),
    (
        8,
        "Декабрь 2022 г. – март 2023 г.",
        (w("2022-12-01", "2023-03-31"),),
        False,
        False,
    ),
    (9, "2023-2025 гг.", PLAN_2023_2025, False, False),
    (10, "2023-2025 гг.", PLAN_2023_2025, False, False),
    (11, "2023-2025 гг.", PLAN_2023_2025, False, False),
    (12, "2023-2025 гг.", PLAN_2023_2025, False, False),
    (13, "2023-2025 гг.", PLAN_2023_2025, False, False),
    (14, "Ежегодно, сентябрь-ноябрь", months_each_year(9, 11, 30), False, False),
    (15, "Ежегодно, в течение года", YEARS_2023_2025, False, False),
    (16, "2023-2025 гг.", PLAN_2023_2025, False, False),
    (17, "2023-2025 гг.", PLAN_2023_2025, False, False),
    (18, "2023-2025 гг.", PLAN_2023_2025, False, False),
    (
        19,
        "2023 г., далее – по необходимости",
        (w("2023-01-01", "2023-12-31"),),
        True,
        False,
    ),
    (20, "2023-2025 гг., ежегодно по мере необходимости", YEARS_2023_2025, True, False),
    (21, "Постоянно", PLAN_2023_2025, False, True),
    (22, "Май-июль, ежегодно", months_each_year(5, 7, 31), False, False),
    (23, "Апрель-декабрь, ежегодно", months_each_year(4, 12, 31), False, False),
    (24, "2023-2025 гг., ежегодно", YEARS_2023_2025, False, False),
    (25, "2023-2025 гг., постоянно", PLAN_2023_2025, False, True),
    (26, "2023-2025 гг., постоянно", PLAN_2023_2025, False, True),
    (27, "2023-2025 гг., постоянно", PLAN_2023_2025, False, True),
    (28, "2023-2025 гг., ежегодно", YEARS_2023_2025, False, False),
    (29, "2023-2025 гг.", PLAN_2023_2025, False, False),
]


def test_it_has_all_29_activities_of_the_order() -> None:
    assert [number for number, *_ in ORDER_2714] == list(range(1, 30))


@pytest.mark.parametrize(
    ("number", "text", "windows", "as_needed", "continuous"),
    ORDER_2714,
    ids=[f"activity-{row[0]}" for row in ORDER_2714],
)
def test_it_parses_every_phrase_of_the_order(
    number: int,
    text: str,
    windows: tuple[Window, ...],
    as_needed: bool,
    continuous: bool,
) -> None:
    parsed = parse_deadline(text, 2023, 2025)
    assert parsed == ParsedDeadline(
        text=text,
        windows=windows,
        recognized=True,
        as_needed=as_needed,
        continuous=continuous,
    )


def test_it_uses_the_exact_dashes_of_the_order() -> None:
    # Guard against the table above being "cleaned up" to plain hyphens.
    texts = {number: text for number, text, *_ in ORDER_2714}
    assert "\u2013" in texts[1] and " \u2013 " in texts[3] and " \u2013 " in texts[8]
    assert " - " in texts[5] and " - " in texts[7] and " \u2013 " in texts[19]


# ---------------------------------------------------------------------------
# Part 1: other plans, tolerance, leap years
# ---------------------------------------------------------------------------


def test_it_repeats_ezhegodno_over_another_plan() -> None:
    parsed = parse_deadline("Ежегодно", 2026, 2028)
    assert parsed.windows == years(2026, 2028)
    assert parsed.recognized and not parsed.continuous


def test_it_spans_postoyanno_over_another_plan() -> None:
    parsed = parse_deadline("Постоянно", 2026, 2028)
    assert parsed.windows == (w("2026-01-01", "2028-12-31"),)
    assert parsed.continuous


def test_it_repeats_a_month_range_over_another_plan() -> None:
    parsed = parse_deadline("Май-июль, ежегодно", 2026, 2028)
    assert parsed.windows == tuple(w(f"{y}-05-01", f"{y}-07-31") for y in (2026, 2027, 2028))


def test_it_ends_february_of_a_leap_year_on_the_29th() -> None:
    assert parse_deadline("Февраль 2024 г.", 2023, 2025).windows == (w("2024-02-01", "2024-02-29"),)
    assert parse_deadline("Февраль 2023 г.", 2023, 2025).windows == (w("2023-02-01", "2023-02-28"),)


def test_it_ends_an_annual_february_on_the_right_day_each_year() -> None:
    parsed = parse_deadline("Январь – февраль, ежегодно", 2023, 2025)
    assert [window.end for window in parsed.windows] == [
        date(2023, 2, 28),
        date(2024, 2, 29),
        date(2025, 2, 28),
    ]


def test_it_keeps_leap_days_when_repeating_with_dalee() -> None:
    parsed = parse_deadline("Февраль 2024 г., далее – ежегодно", 2023, 2026)
    assert parsed.windows == (
        w("2024-02-01", "2024-02-29"),
        w("2025-02-01", "2025-02-28"),
        w("2026-02-01", "2026-02-28"),
    )


def test_it_reads_a_single_month_as_the_whole_month() -> None:
    assert parse_deadline("Январь 2023 г.", 2023, 2025).windows == (w("2023-01-01", "2023-01-31"),)


def test_it_reads_a_single_year_as_the_whole_year() -> None:
    for text in ("2023 г.", "2023 год", "2023 года", "2023г.", "2023"):
        assert parse_deadline(text, 2023, 2025).windows == (w("2023-01-01", "2023-12-31"),), text


@pytest.mark.parametrize(
    "text",
    [
        "Декабрь 2022 г. – март 2023 г.",
        "Декабрь 2022 г.—март 2023 г.",
        "Декабрь 2022 — Март 2023",
        "декабрь 2022 года - март 2023 года",
        "ДЕКАБРЬ 2022 Г. ‒ МАРТ 2023 Г.",
        "  Декабрь   2022 г.  −  март 2023 г. . ",
        "Декабрь\u00a02022\u00a0г.\u00a0–\u00a0март\u00a02023\u00a0г.",
    ],
)
def test_it_tolerates_dashes_case_spaces_and_suffixes(text: str) -> None:
    assert parse_deadline(text, 2023, 2025).windows == (w("2022-12-01", "2023-03-31"),)


@pytest.mark.parametrize("text", ["2023–2025 гг.", "2023 — 2025 годы", "2023 г. - 2025 г.", "2023-2025"])
def test_it_tolerates_variants_of_a_year_range(text: str) -> None:
    assert parse_deadline(text, 2023, 2025).windows == PLAN_2023_2025


def test_it_treats_yo_as_ye() -> None:
    # A stray "ё" where "е" belongs must not make the phrase unknown.
    parsed = parse_deadline("Ежегодно, в течёние года", 2023, 2025)
    assert parsed.windows == YEARS_2023_2025


def test_it_reads_v_techenie_goda_alone_as_each_plan_year() -> None:
    assert parse_deadline("В течение года", 2023, 2025).windows == YEARS_2023_2025


def test_it_keeps_the_text_as_given() -> None:
    text = "  ЯНВАРЬ – март 2023 г.  "
    assert parse_deadline(text, 2023, 2025).text == text


def test_it_lets_a_window_start_before_the_plan_when_the_text_says_so() -> None:
    parsed = parse_deadline("Декабрь 2022 г. – март 2023 г.", 2023, 2025)
    assert parsed.windows[0].start == date(2022, 12, 1)


def test_it_does_not_clip_ezhegodno_with_stated_years_to_the_plan() -> None:
    # The stated range wins over the plan: "intersected with nothing else".
    parsed = parse_deadline("2024-2026 гг., ежегодно", 2023, 2025)
    assert parsed.windows == years(2024, 2026)


def test_it_sorts_windows_by_start() -> None:
    parsed = parse_deadline("Апрель-декабрь, ежегодно", 2023, 2025)
    starts = [window.start for window in parsed.windows]
    assert starts == sorted(starts)


def test_it_repeats_a_cross_year_range_with_dalee_ezhegodno() -> None:
    # The repetition belongs to the plan year in which it ends.
    parsed = parse_deadline("Декабрь 2022 г. – январь 2023 г., далее – ежегодно", 2023, 2025)
    assert parsed.windows == (
        w("2022-12-01", "2023-01-31"),
        w("2023-12-01", "2024-01-31"),
        w("2024-12-01", "2025-01-31"),
    )


def test_it_repeats_whole_years_with_dalee_ezhegodno() -> None:
    parsed = parse_deadline("2023 г., далее – ежегодно", 2023, 2025)
    assert parsed.windows == YEARS_2023_2025
    assert not parsed.as_needed


def test_it_adds_nothing_when_dalee_ezhegodno_starts_in_the_last_plan_year() -> None:
    parsed = parse_deadline("Март 2025 г., далее – ежегодно", 2023, 2025)
    assert parsed.windows == (w("2025-03-01", "2025-03-31"),)


def test_it_marks_dalee_po_neobkhodimosti_as_needed_without_extra_windows() -> None:
    parsed = parse_deadline("Январь – март 2023 г., далее по мере необходимости", 2023, 2025)
    assert parsed.windows == (w("2023-01-01", "2023-03-31"),)
    assert parsed.as_needed and parsed.recognized


def test_it_marks_ezhegodno_po_neobkhodimosti_without_a_period() -> None:
    parsed = parse_deadline("Ежегодно по необходимости", 2023, 2025)
    assert parsed.windows == YEARS_2023_2025
    assert parsed.as_needed


def test_it_reads_a_year_range_with_postoyanno_as_one_continuous_window() -> None:
    parsed = parse_deadline("2024-2025 гг., постоянно", 2023, 2025)
    assert parsed.windows == (w("2024-01-01", "2025-12-31"),)
    assert parsed.continuous


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        ".",
        "по отдельному графику",
        "Январь – мартобря 2023",
        "Январь – март",  # month range with neither a year nor "ежегодно"
        "Май",
        "Март – январь 2023 г.",  # inverted
        "2025 – 2023 гг.",  # inverted years
        "Январь 2023 – март",  # end year missing
        "Март 2023 г. – январь 2023 г.",
        "2022 – март 2023",  # year against month
        "15.01.2023",
        "Январь 23",
        "По необходимости",  # nothing says when
        "Далее – ежегодно",  # "далее" without a period
        "Ежегодно, постоянно",  # contradictory
        "Январь 2023 г., ежегодно",  # ambiguous without "далее"
        "Январь 2023 г., 2024 г.",  # two periods
        "2023 г., далее – 2024 г.",
        "Май-июль, постоянно",
        "Май-июль, в течение года",
        "Декабрь 2022 г. – март 2024 г., далее – ежегодно",  # cannot recur annually
        "Ежегодно,, май",
        "Ежегодно; май-июль",
        "Mай-июль, ежегодно",  # Latin "M"
        "года",
        "0000 г.",
        "9999 г.",
    ],
)
def test_it_does_not_guess_unknown_phrases(text: str) -> None:
    parsed = parse_deadline(text, 2023, 2025)
    assert parsed == ParsedDeadline(text=text, windows=(), recognized=False)
    assert parsed.reason.startswith(f"«{text.strip()}»: ")


# Phrases this table once listed as unknown that issue 12 gives a meaning
# (quarters, "до D", seasons across the new year, "далее – постоянно"); the
# full grammar is tested in test_deadlines_grammar.py.
@pytest.mark.parametrize(
    ("text", "windows", "continuous"),
    [
        ("IV квартал 2023", (w("2023-10-01", "2023-12-31"),), False),
        ("4 квартал 2023 г.", (w("2023-10-01", "2023-12-31"),), False),
        ("до 15 января 2023 г.", (w("2023-01-01", "2023-01-15"),), False),
        (
            "Ноябрь – февраль, ежегодно",
            (w("2023-11-01", "2024-02-29"), w("2024-11-01", "2025-02-28"), w("2025-11-01", "2025-12-31")),
            False,
        ),
        ("2023 г., далее – постоянно", (w("2023-01-01", "2023-12-31"), w("2024-01-01", "2025-12-31")), True),
    ],
)
def test_it_now_reads_phrases_of_later_plans(text: str, windows: tuple[Window, ...], continuous: bool) -> None:
    assert parse_deadline(text, 2023, 2025) == ParsedDeadline(
        text=text, windows=windows, recognized=True, continuous=continuous
    )


def test_it_rejects_an_inverted_plan() -> None:
    with pytest.raises(ValueError):
        parse_deadline("Ежегодно", 2025, 2023)


# ---------------------------------------------------------------------------
# Part 2: the production calendar
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (date(2024, 4, 26), True),  # Friday
        (date(2024, 4, 27), True),  # Saturday made a working day
        (date(2024, 4, 29), False),  # Monday made a day off
        (date(2024, 4, 30), False),  # Tuesday made a day off
        (date(2024, 5, 9), False),  # Victory Day
        (date(2024, 5, 10), False),  # Friday, day off transferred from 06.01.2024
        (date(2024, 11, 2), True),  # Saturday made a working day
        (date(2024, 12, 28), True),  # Saturday made a working day
        (date(2024, 12, 30), False),
        (date(2024, 12, 31), False),
        (date(2025, 1, 8), False),  # New Year holidays
        (date(2025, 1, 9), True),
        (date(2025, 5, 8), False),  # transferred from 23.02.2025
        (date(2025, 6, 13), False),  # transferred from 08.03.2025
        (date(2025, 11, 1), True),  # Saturday made a working day
        (date(2025, 11, 3), False),  # Monday made a day off
        (date(2025, 11, 4), False),  # Unity Day
        (date(2026, 1, 9), False),  # transferred from 03.01.2026
        (date(2026, 1, 12), True),
        (date(2023, 6, 10), False),  # plain Saturday
        (date(2023, 6, 11), False),  # plain Sunday
    ],
)
def test_it_knows_the_russian_production_calendar(day: date, working: bool) -> None:
    assert is_working_day(day) is working


def test_it_adds_zero_working_days_as_the_same_day() -> None:
    assert add_working_days(date(2024, 5, 9), 0) == date(2024, 5, 9)


def test_it_adds_working_days_over_a_plain_weekend() -> None:
    assert add_working_days(date(2023, 6, 9), 1) == date(2023, 6, 13)  # 12 June is Russia Day
    assert add_working_days(date(2023, 10, 13), 1) == date(2023, 10, 16)  # Friday -> Monday


def test_it_subtracts_working_days_for_negative_n() -> None:
    assert add_working_days(date(2024, 1, 9), -1) == date(2023, 12, 29)


# ---------------------------------------------------------------------------
# Part 2: report due moments
# ---------------------------------------------------------------------------


def due(y: int, m: int, d: int) -> datetime:
    return datetime(y, m, d, 23, 59, 59, tzinfo=MOSCOW)


@pytest.mark.parametrize(
    ("event_day", "expected"),
    [
        (date(2024, 1, 31), due(2024, 2, 1)),  # across a month end
        (date(2024, 2, 28), due(2024, 2, 29)),  # leap day
        (date(2023, 2, 28), due(2023, 3, 1)),  # no leap day
        (date(2023, 12, 31), due(2024, 1, 1)),  # across a year end, holiday or not
    ],
)
def test_it_puts_the_default_due_moment_at_the_end_of_the_next_calendar_day(
    event_day: date, expected: datetime
) -> None:
    assert report_due_at(event_day) == expected


def test_it_returns_an_aware_moscow_datetime_without_microseconds() -> None:
    moment = report_due_at(date(2024, 1, 31))
    assert moment.tzinfo is MOSCOW
    assert (moment.hour, moment.minute, moment.second, moment.microsecond) == (
        23,
        59,
        59,
        0,
    )


def test_it_is_2059_utc_because_moscow_is_utc_plus_3_all_year() -> None:
    assert report_due_at(date(2024, 1, 31)).astimezone(UTC) == datetime(2024, 2, 1, 20, 59, 59, tzinfo=UTC)
    # Summer too: Moscow has no DST.
    assert report_due_at(date(2024, 7, 1)).astimezone(UTC) == datetime(2024, 7, 2, 20, 59, 59, tzinfo=UTC)


def test_it_counts_zero_and_two_calendar_days() -> None:
    assert report_due_at(date(2024, 2, 28), days=0) == due(2024, 2, 28)
    assert report_due_at(date(2024, 2, 28), days=2) == due(2024, 3, 1)


@pytest.mark.parametrize(
    ("event_day", "days", "expected"),
    [
        # Plain weekend: Friday -> Monday.
        (date(2023, 10, 13), 1, due(2023, 10, 16)),
        # Saturday 27.04.2024 was a transferred working day.
        (date(2024, 4, 26), 1, due(2024, 4, 27)),
        # Saturday 01.11.2025 was a transferred working day.
        (date(2025, 10, 31), 1, due(2025, 11, 1)),
        # 29-30.04 days off and 01.05 a holiday: Saturday 27.04 -> Thursday 02.05.
        (date(2024, 4, 27), 1, due(2024, 5, 2)),
        # A public holiday: 12.06.2024 (Wednesday) is Russia Day.
        (date(2024, 6, 11), 1, due(2024, 6, 13)),
        # 09.05.2024 is Victory Day AND 10.05.2024 is a transferred day off,
        # so Wednesday 08.05 -> Monday 13.05 (not Friday 10.05).
        (date(2024, 5, 8), 1, due(2024, 5, 13)),
        # Saturday 28.12.2024 is a working day; 30.12-08.01 are off.
        (date(2024, 12, 27), 1, due(2024, 12, 28)),
        (date(2024, 12, 28), 1, due(2025, 1, 9)),
        # New Year break.
        (date(2023, 12, 29), 1, due(2024, 1, 9)),
        # Bridge day 03.11.2025 and Unity Day 04.11.2025.
        (date(2025, 10, 31), 2, due(2025, 11, 5)),
        # Same day, even when the event day itself is a day off.
        (date(2024, 5, 9), 0, due(2024, 5, 9)),
        # Two working days over a plain weekend.
        (date(2023, 10, 12), 2, due(2023, 10, 16)),
    ],
)
def test_it_counts_working_days_on_the_production_calendar(event_day: date, days: int, expected: datetime) -> None:
    assert report_due_at(event_day, days=days, calendar="working") == expected


def test_it_rejects_negative_days() -> None:
    with pytest.raises(ValueError):
        report_due_at(date(2024, 1, 31), days=-1)
    with pytest.raises(ValueError):
        report_due_at(date(2024, 1, 31), days=-1, calendar="working")


def test_it_rejects_an_unknown_calendar() -> None:
    with pytest.raises(ValueError):
        report_due_at(date(2024, 1, 31), calendar="business")


def test_it_rejects_non_integer_days() -> None:
    with pytest.raises(TypeError):
        report_due_at(date(2024, 1, 31), days=1.5)  # type: ignore[arg-type]

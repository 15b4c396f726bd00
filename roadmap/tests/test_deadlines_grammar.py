"""The wider deadline grammar of issue 12 (plans after order No 2714), no DB.

Plan years are 2026–2028 unless a test says otherwise; 2028 is a leap year.
"""

from __future__ import annotations

from datetime import date

import pytest

from roadmap.plans.deadlines import ParsedDeadline, Window, parse_deadline

F, L = 2026, 2028


def w(start: str, end: str) -> Window:
    return Window(date.fromisoformat(start), date.fromisoformat(end))


def parsed(text: str, first: int = F, last: int = L) -> ParsedDeadline:
    result = parse_deadline(text, first, last)
    assert result.recognized, result.reason
    assert result.reason == ""
    for window in result.windows:
        assert window.start <= window.end, (text, window)
    return result


def windows(text: str, first: int = F, last: int = L) -> tuple[Window, ...]:
    return parsed(text, first, last).windows


def refused(text: str, first: int = F, last: int = L) -> str:
    result = parse_deadline(text, first, last)
    assert result == ParsedDeadline(text=text, windows=(), recognized=False), result
    assert result.reason.startswith(f"«{text.strip()}»: "), result.reason
    return result.reason


def quarters(first: int = F, last: int = L) -> tuple[Window, ...]:
    ends = {1: "03-31", 4: "06-30", 7: "09-30", 10: "12-31"}
    return tuple(w(f"{y}-{m:02}-01", f"{y}-{ends[m]}") for y in range(first, last + 1) for m in (1, 4, 7, 10))


def halves(first: int = F, last: int = L) -> tuple[Window, ...]:
    return tuple(
        w(f"{y}-{a}", f"{y}-{b}") for y in range(first, last + 1) for a, b in (("01-01", "06-30"), ("07-01", "12-31"))
    )


# ---------------------------------------------------------------------------
# The 19 phrasings of issue 12 that have a definite meaning
# ---------------------------------------------------------------------------

ISSUE_PHRASES: list[tuple[str, tuple[Window, ...], bool]] = [
    ("IV квартал 2026 г.", (w("2026-10-01", "2026-12-31"),), False),
    # A quarter without a year: that quarter of each plan year.
    ("I квартал", (w("2026-01-01", "2026-03-31"), w("2027-01-01", "2027-03-31"), w("2028-01-01", "2028-03-31")), False),
    ("2 квартал 2027 года", (w("2027-04-01", "2027-06-30"),), False),
    ("II полугодие 2026 г.", (w("2026-07-01", "2026-12-31"),), False),
    ("до 1 сентября 2027 г.", (w("2026-01-01", "2027-09-01"),), False),
    ("до 31.12.2026", (w("2026-01-01", "2026-12-31"),), False),
    ("ежеквартально", quarters(), False),
    (
        "ежемесячно",
        tuple(
            w(
                f"{y}-{m:02}-01",
                f"{y}-{m:02}-{[31, 29 if y == 2028 else 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1]}",
            )
            for y in (2026, 2027, 2028)
            for m in range(1, 13)
        ),
        False,
    ),
    ("1 раз в полугодие", halves(), False),
    ("до 25 декабря ежегодно", tuple(w(f"{y}-01-01", f"{y}-12-25") for y in (2026, 2027, 2028)), False),
    ("Ежегодно, до 1 февраля", tuple(w(f"{y}-01-01", f"{y}-02-01") for y in (2026, 2027, 2028)), False),
    (
        "Март, сентябрь ежегодно",
        tuple(
            w(f"{y}-{a}", f"{y}-{b}") for y in (2026, 2027, 2028) for a, b in (("03-01", "03-31"), ("09-01", "09-30"))
        ),
        False,
    ),
    ("В течение 2026–2028 гг.", (w("2026-01-01", "2028-12-31"),), False),
    ("В течение 2027 года", (w("2027-01-01", "2027-12-31"),), False),
    ("2026 г., далее – постоянно", (w("2026-01-01", "2026-12-31"), w("2027-01-01", "2028-12-31")), True),
    (
        "Ежегодно, ноябрь – февраль",
        (w("2026-11-01", "2027-02-28"), w("2027-11-01", "2028-02-29"), w("2028-11-01", "2028-12-31")),
        False,
    ),
    ("Ежегодно (сентябрь – октябрь)", tuple(w(f"{y}-09-01", f"{y}-10-31") for y in (2026, 2027, 2028)), False),
    (
        "в течение учебного года",
        (
            w("2026-01-01", "2026-06-30"),
            w("2026-09-01", "2027-06-30"),
            w("2027-09-01", "2028-06-30"),
            w("2028-09-01", "2028-12-31"),
        ),
        False,
    ),
    ("Май 2026, далее – ежеквартально", (w("2026-05-01", "2026-05-31"), *quarters()[2:]), False),
]


def test_it_covers_all_19_phrases_of_the_issue() -> None:
    assert len(ISSUE_PHRASES) == 19
    assert len({text for text, *_ in ISSUE_PHRASES}) == 19


@pytest.mark.parametrize(("text", "expected", "continuous"), ISSUE_PHRASES, ids=[row[0] for row in ISSUE_PHRASES])
def test_it_reads_every_phrase_of_the_issue(text: str, expected: tuple[Window, ...], continuous: bool) -> None:
    assert parse_deadline(text, F, L) == ParsedDeadline(
        text=text, windows=expected, recognized=True, continuous=continuous
    )


# ---------------------------------------------------------------------------
# Quarters and half-years: Roman and Arabic numerals, spellings, edges
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("I квартал 2027 г.", w("2027-01-01", "2027-03-31")),
        ("II квартал 2027 г.", w("2027-04-01", "2027-06-30")),
        ("III квартал 2027 г.", w("2027-07-01", "2027-09-30")),
        ("IV квартал 2027 г.", w("2027-10-01", "2027-12-31")),
        ("1 квартал 2027 г.", w("2027-01-01", "2027-03-31")),
        ("2 кв. 2027", w("2027-04-01", "2027-06-30")),
        ("3 квартал 2027 года", w("2027-07-01", "2027-09-30")),
        ("4 кв. 2027 г.", w("2027-10-01", "2027-12-31")),
        ("1-й квартал 2027 г.", w("2027-01-01", "2027-03-31")),
        ("iv КВАРТАЛ 2027 Г.", w("2027-10-01", "2027-12-31")),
        ("Ⅳ квартал 2027", w("2027-10-01", "2027-12-31")),  # the single Unicode Roman numeral
        ("(IV квартал 2027 г.)", w("2027-10-01", "2027-12-31")),
        ("I полугодие 2027 г.", w("2027-01-01", "2027-06-30")),
        ("2 полугодие 2027 года", w("2027-07-01", "2027-12-31")),
        ("2-е полугодие 2027 г.", w("2027-07-01", "2027-12-31")),
        # the plan's edges: the first quarter and the last day of the plan
        ("I квартал 2026 г.", w("2026-01-01", "2026-03-31")),
        ("IV квартал 2028 г.", w("2028-10-01", "2028-12-31")),
        ("I квартал 2028 г.", w("2028-01-01", "2028-03-31")),
    ],
)
def test_it_reads_quarters_and_half_years(text: str, expected: Window) -> None:
    assert windows(text) == (expected,)


def test_it_reads_a_half_year_without_a_year_in_each_plan_year() -> None:
    assert windows("II полугодие") == halves()[1::2]


def test_it_reads_a_quarter_with_ezhegodno_in_each_plan_year() -> None:
    assert windows("Ежегодно, IV квартал") == quarters()[3::4]
    assert windows("IV квартал, ежегодно") == quarters()[3::4]


def test_it_reads_listed_quarters_in_each_plan_year() -> None:
    assert windows("I квартал, III квартал") == tuple(
        sorted(quarters()[0::4] + quarters()[2::4], key=lambda x: x.start)
    )


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("V квартал 2026", "there is no quarter V"),
        ("5 квартал 2026 г.", "there is no quarter 5"),
        ("0 квартал 2026 г.", "there is no quarter 0"),
        ("3 полугодие 2027", "there is no half-year 3"),
        ("III полугодие 2027 г.", "there is no half-year III"),
        ("IV квартал 2025 г.", "outside the plan's years 2026–2028"),
        ("I квартал 2029 г.", "outside the plan's years 2026–2028"),
        ("IV квартал 2026 г., ежегодно", "with «ежегодно»"),
        ("IV 2026", "«IV» without «квартал» or «полугодие»"),
        ("IIII квартал 2026", "not a Roman numeral"),
        ("I квартал, постоянно", "«постоянно»"),
    ],
)
def test_it_refuses_impossible_or_ambiguous_quarters(text: str, why: str) -> None:
    assert why in refused(text)


# ---------------------------------------------------------------------------
# «до D», «не позднее D», «по D»
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "до 1 сентября 2027 г.",
        "до 1 сентября 2027 года",
        "До 01.09.2027",
        "не позднее 01.09.2027 г.",
        "Не позднее 1 сентября 2027",
        "по 1.09.2027",
        "в срок до 1 сентября 2027 г.",
    ],
)
def test_it_reads_a_dated_deadline_from_the_plans_first_day(text: str) -> None:
    assert windows(text) == (w("2026-01-01", "2027-09-01"),)


def test_it_reads_dated_deadlines_at_the_plans_edges() -> None:
    assert windows("до 01.01.2026") == (w("2026-01-01", "2026-01-01"),)
    assert windows("до 31.12.2028") == (w("2026-01-01", "2028-12-31"),)
    assert windows("до 29 февраля 2028 г.") == (w("2026-01-01", "2028-02-29"),)
    assert windows("до 31 декабря 2026 г.") == (w("2026-01-01", "2026-12-31"),)


def test_it_reads_an_annual_deadline_from_each_first_of_january() -> None:
    expected = tuple(w(f"{y}-01-01", f"{y}-12-31") for y in (2026, 2027, 2028))
    assert windows("до 31 декабря ежегодно") == expected
    assert windows("Ежегодно не позднее 31 декабря") == expected
    assert windows("Ежегодно, до 28 февраля") == tuple(w(f"{y}-01-01", f"{y}-02-28") for y in (2026, 2027, 2028))


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("15.03.2027", "a date without «до»"),
        ("1 сентября 2027 г.", "a date without «до»"),
        ("до 25 декабря", "without a year or «ежегодно»"),
        ("до 1 сентября 2027 г., ежегодно", "a dated «до» with «ежегодно»"),
        ("Ежегодно, до 29 февраля", "not every year has 29 February"),
        ("до 29.02.2027", "is not a date"),
        ("до 29 февраля 2027 г.", "is not a date"),
        ("до 31 апреля ежегодно", "is not a date"),
        ("до 01.09.27", "two-digit years are not read"),
        ("до 31.12.2025", "31.12.2025 is outside the plan's years 2026–2028"),
        ("до 01.01.2029", "outside the plan's years"),
        ("до", "«до» without a date"),
        ("до сентября 2027 г.", "«сентября» without a day"),
        ("до 1 сентября 2027 г., до 1 октября 2027 г.", "more than one"),
        ("ежемесячно до 01.09.2027", "other than «ежегодно»"),
    ],
)
def test_it_refuses_deadlines_it_cannot_date(text: str, why: str) -> None:
    assert why in refused(text)


# ---------------------------------------------------------------------------
# Recurring schedules and listed months
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["ежеквартально", "Ежеквартально", "раз в квартал", "1 раз в квартал"])
def test_it_reads_every_quarter(text: str) -> None:
    assert windows(text) == quarters()


@pytest.mark.parametrize("text", ["раз в полугодие", "1 раз в полугодие", "Ежеполугодно"])
def test_it_reads_every_half_year(text: str) -> None:
    assert windows(text) == halves()


def test_it_reads_every_month_with_the_leap_february() -> None:
    months = windows("Ежемесячно")
    assert len(months) == 36
    assert months[0] == w("2026-01-01", "2026-01-31")
    assert w("2027-02-01", "2027-02-28") in months
    assert w("2028-02-01", "2028-02-29") in months
    assert months[-1] == w("2028-12-01", "2028-12-31")
    assert windows("раз в месяц") == months
    assert windows("Ежемесячно, в течение года") == months


def test_it_reads_a_recurring_schedule_within_stated_years() -> None:
    assert windows("Ежеквартально в течение 2027 года") == quarters(2027, 2027)
    assert windows("2027-2028 гг., ежеквартально") == quarters(2027, 2028)


def test_it_reads_listed_months_each_year() -> None:
    expected = tuple(
        w(f"{y}-{a}", f"{y}-{b}") for y in (2026, 2027, 2028) for a, b in (("03-01", "03-31"), ("09-01", "09-30"))
    )
    assert windows("Март, сентябрь ежегодно") == expected
    assert windows("Ежегодно: март и сентябрь".replace(":", ",")) == expected
    assert windows("ежегодно (март, сентябрь)") == expected


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("ежемесячно, ежеквартально", "clashing schedules"),
        ("Ежегодно, ежеквартально", "clashing schedules"),
        ("Ежеквартально, постоянно", "clashing schedules"),
        ("Ежегодно, постоянно", "clashing schedules"),
        ("Март, сентябрь", "months without a year or «ежегодно»"),
        ("Март – май, апрель ежегодно", "overlap"),
        ("Ежеквартально, март 2027 г.", "other than whole years"),
        ("2 раза в год", "the number «2» is neither"),
        ("Май июль ежегодно", "without a comma between them"),
        ("IV квартал 2026 г. I квартал 2027 г.", "without a comma between them"),
    ],
)
def test_it_refuses_clashing_or_unclear_schedules(text: str, why: str) -> None:
    assert why in refused(text)


# ---------------------------------------------------------------------------
# Seasons across the new year
# ---------------------------------------------------------------------------


def test_it_clips_a_cross_year_season_to_the_plans_last_day() -> None:
    expected = (w("2026-11-01", "2027-02-28"), w("2027-11-01", "2028-02-29"), w("2028-11-01", "2028-12-31"))
    assert windows("Ежегодно, ноябрь – февраль") == expected
    assert windows("Ноябрь—февраль, ежегодно") == expected
    assert windows("ежегодно (ноябрь - февраль)") == expected


def test_it_clips_a_season_of_a_one_year_plan_to_that_year() -> None:
    assert windows("Ежегодно, декабрь – январь", 2027, 2027) == (w("2027-12-01", "2027-12-31"),)


def test_it_lists_a_season_beside_a_month() -> None:
    assert windows("Ежегодно, ноябрь – февраль, май", 2026, 2027) == (
        w("2026-05-01", "2026-05-31"),
        w("2026-11-01", "2027-02-28"),
        w("2027-05-01", "2027-05-31"),
        w("2027-11-01", "2027-12-31"),
    )


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("Ноябрь – февраль", "months without a year or «ежегодно»"),
        ("Ноябрь 2026 – февраль 2026 г.", "ends before it starts"),
        ("Ноябрь – февраль 2027 г.", "ends before it starts"),
        ("Ноябрь – февраль, постоянно", "«постоянно»"),
        ("Ежегодно, ноябрь – февраль, январь", "overlap"),
    ],
)
def test_it_refuses_seasons_without_ezhegodno_or_with_a_year(text: str, why: str) -> None:
    assert why in refused(text)


# ---------------------------------------------------------------------------
# «в течение …» and the academic year
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    ["В течение 2026–2028 гг.", "в течение 2026-2028 годов", "В ТЕЧЕНИЕ 2026 — 2028 ГГ.", "в течение 2026–2028 годы"],
)
def test_it_reads_a_span_of_years_as_one_window_like_the_order(text: str) -> None:
    assert windows(text) == windows("2026-2028 гг.") == (w("2026-01-01", "2028-12-31"),)


def test_it_reads_v_techenie_goda_as_each_plan_year() -> None:
    assert windows("в течение года") == tuple(w(f"{y}-01-01", f"{y}-12-31") for y in (2026, 2027, 2028))


def test_it_reads_the_academic_year_clipped_to_the_plan() -> None:
    assert windows("В течение учебного года", 2023, 2025) == (
        w("2023-01-01", "2023-06-30"),
        w("2023-09-01", "2024-06-30"),
        w("2024-09-01", "2025-06-30"),
        w("2025-09-01", "2025-12-31"),
    )
    assert windows("Ежегодно, в течение учебного года") == windows("в течение учебного года")


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("в течение 10 дней", "a duration with no fixed start"),
        ("В течение 3 рабочих дней", "a duration with no fixed start"),
        ("в течение 2029 года", "outside the plan's years"),
        ("В течение 2025–2027 гг.", "outside the plan's years"),
        ("в течение", "«в течение» without a year"),
        ("в течение марта", "«марта» without a day"),
        ("В течение учебного года, март 2027 г.", "with another period"),
        ("В течение учебного года, в течение года", "with another period"),
        ("в первой половине года", "unknown word"),
    ],
)
def test_it_refuses_unclear_spans(text: str, why: str) -> None:
    assert why in refused(text)


# ---------------------------------------------------------------------------
# «X, далее – …»
# ---------------------------------------------------------------------------


def test_it_reads_dalee_ezhekvartalno_from_the_next_full_quarter() -> None:
    # May 2026 ends inside Q2: the next full quarter is Q3.
    assert windows("Май 2026, далее – ежеквартально") == (w("2026-05-01", "2026-05-31"), *quarters()[2:])
    # March 2026 ends Q1: Q2 follows at once.
    assert windows("Март 2026 г., далее – ежеквартально") == (w("2026-03-01", "2026-03-31"), *quarters()[1:])


def test_it_reads_dalee_ezhemesyachno_and_half_years() -> None:
    months = windows("I квартал 2026 г., далее – ежемесячно")
    assert months[0] == w("2026-01-01", "2026-03-31")
    assert months[1] == w("2026-04-01", "2026-04-30")
    assert len(months) == 1 + 33
    assert windows("I полугодие 2027 г., далее – раз в полугодие") == (
        w("2027-01-01", "2027-06-30"),
        *halves()[3:],
    )
    assert windows("до 01.03.2026, далее – ежемесячно")[:2] == (
        w("2026-01-01", "2026-03-01"),
        w("2026-04-01", "2026-04-30"),
    )


def test_it_reads_dalee_postoyanno_as_one_continuous_window_to_the_plans_end() -> None:
    result = parsed("Май 2026, далее - постоянно")
    assert result.windows == (w("2026-05-01", "2026-05-31"), w("2026-06-01", "2028-12-31"))
    assert result.continuous
    # X reaching the plan's last day leaves nothing after it.
    assert windows("IV квартал 2028 г., далее – постоянно") == (w("2028-10-01", "2028-12-31"),)
    assert windows("2028 г., далее – ежеквартально") == (w("2028-01-01", "2028-12-31"),)


def test_it_reads_dalee_inside_parentheses_and_without_a_comma() -> None:
    expected = (w("2027-01-01", "2027-12-31"), w("2028-01-01", "2028-12-31"))
    assert windows("2027 г. (далее – ежегодно)") == expected
    assert windows("2027 г. далее ежегодно") == expected
    assert windows("2027 г. и далее ежегодно") == expected


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("I квартал, далее – ежеквартально", "«далее» without a dated period"),
        ("Ежеквартально, далее – ежемесячно", "«далее» needs exactly one dated period"),
        ("Май 2026, далее – ежеквартально, ежемесячно", "clashing schedules after «далее»"),
        ("Май 2026, далее – ежеквартально по мере необходимости", "with «по мере необходимости»"),
        ("IV квартал 2025 г., далее – ежеквартально", "outside the plan's years"),
        ("Май 2026, далее – в течение учебного года", "unsupported"),
        ("до 01.03.2026, далее – ежегодно", "«до D, далее – ежегодно»"),
        ("Май 2026, далее", "«далее» without a schedule"),
    ],
)
def test_it_refuses_unclear_dalee_tails(text: str, why: str) -> None:
    assert why in refused(text)


# ---------------------------------------------------------------------------
# Relative or unscheduled phrases: no fixed window, flagged
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("не позднее 10 рабочих дней после подписания соглашения", "relative to another event"),
        ("Не позднее 5 календарных дней со дня проведения мероприятия", "relative to another event"),
        ("В течение 30 дней с момента заключения договора", "a duration with no fixed start"),
        ("по отдельному графику", "no fixed schedule"),
        ("По графику министерства", "no fixed schedule"),
        ("по мере необходимости", "nothing says when"),
        ("По необходимости", "nothing says when"),
    ],
)
def test_it_flags_relative_and_unscheduled_phrases_without_windows(text: str, why: str) -> None:
    assert why in refused(text)


# ---------------------------------------------------------------------------
# Normalising: dashes, parentheses, year words, case
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "Ежегодно, сентябрь – октябрь",
        "ЕЖЕГОДНО (СЕНТЯБРЬ—ОКТЯБРЬ)",
        "ежегодно ( сентябрь ‒ октябрь ).",
        "Сентябрь\u2011октябрь (ежегодно)",
        "сентябрь − октябрь, ежегодно",
        "Ежегодно сентябрь-октябрь",
    ],
)
def test_it_tolerates_dashes_parentheses_and_case(text: str) -> None:
    assert windows(text) == tuple(w(f"{y}-09-01", f"{y}-10-31") for y in (2026, 2027, 2028))


@pytest.mark.parametrize("text", ["2027 г.", "2027 года", "2027 год", "в течение 2027 г.", "В течение 2027 года."])
def test_it_tolerates_year_words(text: str) -> None:
    assert windows(text) == (w("2027-01-01", "2027-12-31"),)


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("Ежегодно (сентябрь – октябрь", "unbalanced parentheses"),
        ("Ежегодно ((сентябрь))", "nested parentheses"),
        ("Ежегодно, (сентябрь), , май", "an empty part"),
        ("Май 26", "two-digit years are not read"),
        ("Январь – март 27 г.", "two-digit years are not read"),
        ("Январь 2027 г.; март 2027 г.", "unexpected character «;»"),
    ],
)
def test_it_refuses_broken_punctuation_and_short_years(text: str, why: str) -> None:
    assert why in refused(text)


def test_it_keeps_the_meaning_of_the_orders_own_forms_outside_the_plan() -> None:
    # The order's month and year forms may lie outside the plan when the text says so
    # (unchanged); the forms added for later plans may not.
    assert windows("Декабрь 2025 г. – март 2026 г.") == (w("2025-12-01", "2026-03-31"),)
    assert windows("2025-2027 гг., ежегодно") == tuple(w(f"{y}-01-01", f"{y}-12-31") for y in (2025, 2026, 2027))
    assert "outside" in refused("в течение 2025-2027 гг.")

"""Numbers typed as text: what is read, and what stays an error (reports/number_text.py)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from reports.number_text import number_text_note, read_number_text


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("16", 16),
        ("007", 7),
        ("1 000", 1000),
        ("1\u00a0000", 1000),  # no-break space, as Excel's own grouping writes it
        ("1\u202f000", 1000),  # narrow no-break space
        ("12 345 678", 12_345_678),
        ("16,0", 16),  # a whole number written with a comma, like the number 16.0
        ("-5", -5),  # the column's rules refuse it as a negative count
        ("\u22125", -5),  # the typographic minus
    ],
)
def test_it_reads_unambiguous_whole_numbers(text: str, value: int) -> None:
    read = read_number_text(text)
    assert (read.value, read.problem) == (value, None)
    assert isinstance(read.value, int)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("2,5", Decimal("2.5")),
        ("1 000,25", Decimal("1000.25")),
        ("0,500", Decimal("0.5")),
        ("1 000,500", Decimal("1000.5")),
    ],
)
def test_it_reads_a_decimal_comma_where_fractions_are_allowed(text: str, value: Decimal) -> None:
    assert read_number_text(text, fractions=True).value == value


def test_it_refuses_a_fraction_in_a_column_of_whole_numbers() -> None:
    read = read_number_text("2,5")
    assert read.value is None and read.problem == "ожидается целое число, а не 2,5"


@pytest.mark.parametrize("fractions", [False, True])
@pytest.mark.parametrize("text", ["1,000", "12,500", "100,000"])
def test_a_comma_before_exactly_three_digits_is_ambiguous_and_refused(text: str, fractions: bool) -> None:
    # A thousand in English, one (or twelve and a half) in Russian: the cell cannot say which.
    read = read_number_text(text, fractions=fractions)
    assert read.value is None
    assert read.problem is not None and "и как тысячу, и как дробь" in read.problem


@pytest.mark.parametrize(
    "text", ["1 00", "10 0000", "1  000", "1 000 00", "2.5", "1.000", "1,000,000", "1 000.5", "+5"]
)
def test_number_like_text_that_is_not_unambiguous_is_refused_with_a_hint(text: str) -> None:
    read = read_number_text(text, fractions=True)
    assert read.value is None
    assert read.problem is not None and "по три цифры" in read.problem and f"«{text}»" in read.problem


@pytest.mark.parametrize("text", ["12a", "сто", "1/2", "1e3", "\u0661\u0662", "один", "5 шт."])
def test_words_are_not_numbers_and_the_column_says_what_it_expects(text: str) -> None:
    read = read_number_text(text)
    assert (read.value, read.problem) == (None, None)


def test_the_note_shows_the_text_and_the_number_read() -> None:
    assert number_text_note("1 000", 1000) == 'Число было записано как текст: "1 000" → 1000'
    assert number_text_note("2,5", Decimal("2.5")) == 'Число было записано как текст: "2,5" → 2,5'

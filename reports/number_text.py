"""Numbers typed as text in a spreadsheet cell, read when they are unambiguous.

Excel stores a cell as text when it was formatted as text, pasted from a
document, or typed with a space between thousands ("1 000") -- Excel and
LibreOffice users get such cells all the time. The imports read them as
numbers when there is only one way to read them, and say so in the dry run.

What is read (the Russian way of writing numbers, as the templates are Russian):

* digits: "16", "007";
* thousands separated by a space, a no-break space (U+00A0) or a narrow
  no-break space (U+202F), in groups of exactly three: "1 000", "12 345 678";
* a decimal comma, where the column takes fractions: "2,5", "1 000,25";
* a leading minus ("-" or "−", U+2212): the column's own rules then refuse a
  negative count with their usual message.

What is not read, and stays a row error:

* anything else in the cell: "12a", "сто", "1/2", "1e3";
* groups that are not threes: "1 00", "10 0000";
* a decimal point ("2.5", "1.000"): in Russian "1.000" is a thousand, in
  English one; only the comma is read;
* a comma followed by exactly three digits with no space grouping ("1,000",
  "12,500"): a thousand in English, one (twelve and a half) in Russian. The
  cell cannot tell which was meant, so it is refused, even in an integer
  column, and the message says how to write it. "0,500" is not ambiguous
  (no thousands start with 0) and is read as 0.5 where fractions are allowed;
* fractions in a column of whole numbers ("2,5"). A whole value written with
  a comma ("16,0") is 16, as the number 16.0 of a numeric cell would be.

The rules are in this one module; every import kind reads its number cells
through :func:`read_number_text` (``reports.importing.convert``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _

# Separators of thousands: space, no-break space, narrow no-break space.
_GROUP = "[ \u00a0\u202f]"
_NUMBER = re.compile(
    rf"(?P<sign>[-\u2212])?"
    rf"(?P<whole>[0-9]{{1,3}}(?:{_GROUP}[0-9]{{3}})+|[0-9]+)"
    rf"(?:,(?P<fraction>[0-9]+))?"
)
# Text made only of what numbers are written with: worth a specific message
# when it is not a number we read ("1 00", "2.5", "1,000,000").
_NUMBERISH = re.compile(r"[-\u2212+]?[0-9][0-9 \u00a0\u202f.,']*")


@dataclass(frozen=True)
class TextNumber:
    """The outcome of reading a text cell as a number.

    ``value`` is the number (an ``int``, or a ``Decimal`` with a fraction
    where fractions are allowed); ``problem`` says why a number-like text is
    refused. Both are None for text that is not a number at all ("сто"): the
    column says what it expected.
    """

    value: int | Decimal | None = None
    problem: str | None = None

    @property
    def is_number(self) -> bool:
        return self.value is not None


def read_number_text(text: str, *, fractions: bool = False) -> TextNumber:
    """Read ``text`` (a cell's text, already stripped) as a number if that is unambiguous."""
    match = _NUMBER.fullmatch(text)
    if match is None:
        if _NUMBERISH.fullmatch(text):
            return TextNumber(
                problem=_(
                    "«%(text)s» is not a number we can read: separate thousands with a space in groups of three "
                    "and the fraction with a comma (1 000 or 2,5), or store the cell as a number"
                )
                % {"text": text}
            )
        return TextNumber()
    whole = re.sub(_GROUP, "", match["whole"])
    fraction = match["fraction"]
    grouped = whole != match["whole"]
    if fraction is not None and len(fraction) == 3 and not grouped and not whole.startswith("0"):
        return TextNumber(
            problem=_(
                "«%(text)s» can be read as a thousand or as a fraction: write thousands with a space "
                "(1 000) and a fraction without trailing zeros (1,5), or store the cell as a number"
            )
            % {"text": text}
        )
    sign = "-" if match["sign"] else ""
    if fraction is None or set(fraction) == {"0"}:
        return TextNumber(value=int(sign + whole))
    if not fractions:
        return TextNumber(problem=_("a whole number is expected, not %(text)s") % {"text": text})
    return TextNumber(value=Decimal(f"{sign}{whole}.{fraction}"))


def number_text_note(text: str, value: int | Decimal) -> str:
    """The dry run's note on a number read from text: «"1 000" → 1000»."""
    shown = str(value).replace(".", ",")
    return _('The number was typed as text: "%(text)s" → %(value)s') % {"text": text, "value": shown}

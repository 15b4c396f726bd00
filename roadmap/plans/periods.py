"""Human labels of reporting periods: «I квартал 2025», «Январь 2025», «2025 год».

A value is reported for a whole year (period ``""``), a quarter (``q1``–``q4``)
or a month (``m01``–``m12``); the codes are what imports and the API carry,
and this one module turns them into words wherever a person reads them
(pages, forms, the admin). Pure: no database.
"""

from __future__ import annotations

import re

from django.utils.dates import MONTHS
from django.utils.translation import gettext as _

__all__ = ["PERIOD_CODES", "month_name", "period_choices", "period_label"]

PERIOD_CODES = ("", "q1", "q2", "q3", "q4", *(f"m{m:02d}" for m in range(1, 13)))
_ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV"}
_CODE = re.compile(r"^(?:q(?P<q>[1-4])|m(?P<m>0[1-9]|1[0-2]))$")


def month_name(month: int) -> str:
    """«Январь» for 1 (Django's own month names); a number outside 1–12 is shown as it is."""
    return str(MONTHS[month]) if month in MONTHS else str(month)


def period_label(period: str | None, year: int | None = None) -> str:
    """The period in words, with the year when given.

    ``""`` is the whole year («2025 год», or «весь год» without a year),
    ``q1`` «I квартал 2025», ``m01`` «Январь 2025». An unknown code is shown
    as it is, so nothing is hidden from the reader.
    """
    code = (period or "").strip().lower()
    if not code:
        return _("year %(year)s") % {"year": year} if year is not None else _("whole year")
    match = _CODE.match(code)
    if match is None:
        return f"{year} ({period})" if year is not None else str(period)
    if match["q"]:
        label = _("%(roman)s quarter") % {"roman": _ROMAN[int(match["q"])]}
    else:
        label = month_name(int(match["m"]))
    return f"{label} {year}" if year is not None else label


def period_choices() -> list[tuple[str, str]]:
    """The periods a value may be entered for, in words: the choices of forms and filters.

    A function, not a constant, so the labels follow the language of each request.
    """
    return [(code, period_label(code)) for code in PERIOD_CODES]

"""The xlsx format of the admin's exports (django-import-export): text stays text.

``IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT`` strips one leading ``=`` and turns
every cell into a string (an empty date becomes "None"); ``==1+1`` still
leaves as the live formula ``=1+1``. This format writes the sheet itself,
following the rule of ``reports/writer.py``: every str is stored as a string
cell (data type "s", so openpyxl never infers a formula), formula-looking
text keeps its characters and gets Excel's quote prefix so it stays text
when the cell is edited, and characters XML cannot carry are dropped.
Dates and numbers keep their types.

Settings offer this format alone for admin exports (``EXPORT_FORMATS``).
The module imports no models, so the settings may import it.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from typing import Any

from django.utils import timezone
from import_export.formats import base_formats

# Excel starts a formula (or a DDE payload) with these; the same list as reports/writer.py.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\x00")
_ILLEGAL_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def _text_cell(ws: Any, value: str) -> Any:
    from openpyxl.cell import WriteOnlyCell

    dangerous = value.startswith(FORMULA_TRIGGERS)
    cell = WriteOnlyCell(ws, _ILLEGAL_XML.sub("", value))
    cell.data_type = "s"  # never "f", whatever the text starts with
    if dangerous:
        cell.quotePrefix = True
    return cell


def _value(ws: Any, value: Any) -> Any:
    if isinstance(value, str):
        return _text_cell(ws, value)
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        return value.astimezone(timezone.get_default_timezone()).replace(tzinfo=None)  # TIME_ZONE: Moscow
    if value is None or isinstance(value, (bool, int, float, dt.date, dt.time)):
        return value
    return _text_cell(ws, str(value))


class SafeXLSX(base_formats.XLSX):
    """xlsx whose text cells can never run in Excel."""

    def export_data(self, dataset: Any, **kwargs: Any) -> bytes:
        from openpyxl import Workbook

        workbook = Workbook(write_only=True)
        ws = workbook.create_sheet(title="export")
        if dataset.headers:
            ws.append([_value(ws, h) for h in dataset.headers])
        for row in dataset:
            ws.append([_value(ws, v) for v in row])
        out = io.BytesIO()
        workbook.save(out)
        return out.getvalue()


# The admin asks for native values (dates, numbers) only from formats it lists
# as binary; without this the export would carry every date as text.
if SafeXLSX not in base_formats.BINARY_FORMATS:
    base_formats.BINARY_FORMATS.append(SafeXLSX)

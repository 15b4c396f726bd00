"""The import pipeline shared by every kind of spreadsheet import.

1. ``read_sheet`` refuses hostile or broken files before and while parsing.
2. The header is matched to the kind's columns (wrong, missing, repeated
   columns are errors); merged cells are errors (their values would be lost).
3. Each cell is converted by its column's type; a formula, words in a number
   cell, a date typed as text, a fractional or negative count is an error
   naming its row and column. A number typed as text is read when it is
   unambiguous (``reports.number_text``) and noted in the dry run.
4. The kind resolves codes and names to records with a fixed number of
   queries and finds duplicate rows.
5. The app's bulk service (events, event reports, actual values) applies the
   same rules as the web and the API -- rights, validation, state, version,
   history -- and says for each row: created, updated, unchanged, or why not.
   Numbers beyond the shared bounds (``roadmap.events.limits``) are row errors.

A dry run stops there and stores the validated rows on the ImportJob; only a
file that may be confirmed is kept. Only a job without errors can be
confirmed; confirming runs steps 4–5 again against the database as it is then
and writes everything in one transaction, so a refused import changes nothing.
A confirm that fails closes the job (refused or failed) and deletes its file.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, NamedTuple

from reports.number_text import number_text_note, read_number_text
from reports.xlsx_reader import RawCell, Sheet, column_letter, limit
from roadmap.events.limits import MAX_INDICATOR_VALUE

# Row errors reported at most; past them checking stops (a file wrong in every
# cell would otherwise cost a message per cell, in time and in the stored job).
MAX_ERRORS = 500

# Any whole number a column stores fits a 32-bit column; tighter bounds are per column.
MAX_INT = 2_147_483_647


class ColType(StrEnum):
    TEXT = "text"
    INT = "int"  # a non-negative whole number
    BOOL = "bool"  # да / нет
    DATE = "date"
    EMAIL = "email"
    VALUE = "value"  # a non-negative whole number or да / нет (indicator values)


@dataclass(frozen=True)
class Col:
    key: str
    header: str
    type: ColType = ColType.TEXT
    required: bool = True
    example: Any = None
    help: str = ""
    max_length: int | None = None
    # The largest whole number accepted (INT: MAX_INT, VALUE: MAX_INDICATOR_VALUE by default).
    max_value: int | None = None

    @property
    def ceiling(self) -> int:
        if self.max_value is not None:
            return self.max_value
        return MAX_INDICATOR_VALUE if self.type is ColType.VALUE else MAX_INT


@dataclass
class CellError:
    row: int  # 0: the whole file
    column: str  # the column's header ("" for the whole row or file)
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "message": self.message}

    def __str__(self) -> str:
        where = f"строка {self.row}" if self.row else "файл"
        if self.column:
            where += f", столбец «{self.column}»"
        return f"{where}: {self.message}"


@dataclass
class Item:
    """One valid row, resolved: its natural key and the model field values."""

    row: int
    key: tuple[Any, ...]
    fields: dict[str, Any]
    action: str = ""  # created / updated / unchanged
    instance: Any = None
    changed: list[str] = field(default_factory=list)


class ImportRefused(Exception):
    """The file, or its confirm, is refused whole; ``errors`` say why, by row."""

    def __init__(self, errors: list[CellError]) -> None:
        self.errors = errors
        super().__init__("\n".join(str(e) for e in errors))


class Errors(list[CellError]):
    def add(self, row: int, column: str, message: str) -> None:
        self.append(CellError(row, column, message))


_SPACES = re.compile(r"\s+")
_QUOTES = str.maketrans({"«": '"', "»": '"', "“": '"', "”": '"', "„": '"', "'": '"', "ё": "е"})


def normalise(text: Any) -> str:
    """A name as compared: case, ё/е, quotes, dashes and spacing do not matter."""
    if text is None:
        return ""
    text = unicodedata.normalize("NFKC", str(text)).lower().translate(_QUOTES)
    text = text.replace("–", "-").replace("—", "-")
    return _SPACES.sub(" ", text).strip()


def _header_key(text: Any) -> str:
    return normalise(text).rstrip("*").strip()


def match_header(sheet: Sheet, columns: list[Col], errors: Errors) -> dict[int, Col] | None:
    """Map sheet column positions to the kind's columns, or record the errors."""
    by_name: dict[str, Col] = {}
    for column in columns:
        by_name[_header_key(column.header)] = column
        by_name[_header_key(column.key)] = column
    mapping: dict[int, Col] = {}
    seen: dict[str, int] = {}
    unknown: list[str] = []
    for index, name in enumerate(sheet.header):
        if name is None or not str(name).strip():
            continue
        col = by_name.get(_header_key(name))
        if col is None:
            unknown.append(f"«{name}» ({column_letter(index)})")
            continue
        if col.key in seen:
            errors.add(sheet.header_row, str(name), f"столбец повторяется (уже есть в {column_letter(seen[col.key])})")
            continue
        seen[col.key] = index
        mapping[index] = col
    if unknown:
        errors.add(
            sheet.header_row,
            "",
            "неизвестные столбцы: "
            + ", ".join(unknown)
            + ". Ожидаются: "
            + ", ".join(f"«{c.header}»" for c in columns),
        )
    missing = [c.header for c in columns if c.required and c.key not in seen]
    if missing:
        errors.add(sheet.header_row, "", "нет обязательных столбцов: " + ", ".join(f"«{m}»" for m in missing))
    return None if errors else mapping


class Converted(NamedTuple):
    """A cell's value for its column, or the problem; a note when it was read leniently."""

    value: Any
    problem: str | None = None
    note: str | None = None

    def noting(self, note: str) -> Converted:
        """The same outcome with a note (kept only when the value is accepted)."""
        return self if self.problem else self._replace(note=note)


def _grouped(value: int) -> str:
    return f"{value:,}".replace(",", "\u00a0")


def _bounded(value: int, col: Col) -> Converted:
    if value < 0:
        return Converted(None, f"число не может быть отрицательным ({value})")
    if value > col.ceiling:
        return Converted(None, f"число {_grouped(value)} больше допустимого (не более {_grouped(col.ceiling)})")
    return Converted(value)


def _whole(value: float) -> int | None:
    """A float that is a whole number as int (None for fractions, infinities and NaN)."""
    return int(value) if value == value and value not in (float("inf"), float("-inf")) and value.is_integer() else None


def convert(cell: RawCell, col: Col) -> Converted:
    """The value of one cell for its column, or an error message (and a note on how it was read)."""
    value = cell.value
    if cell.data_type == "f" or (isinstance(value, str) and value.startswith("=") and cell.data_type == "f"):
        return Converted(None, f"формула ({value}) вместо значения: вставьте значения (Специальная вставка → Значения)")
    if cell.data_type == "e":
        return Converted(None, f"ошибка Excel {value} вместо значения")
    if isinstance(value, str):
        value = value.strip()
        if value == "":
            value = None
    if value is None:
        return Converted(None, ("обязательное поле не заполнено" if col.required else None))
    if col.type is ColType.VALUE:
        if isinstance(value, bool):
            return Converted(value)
        if isinstance(value, str):
            word = normalise(value)
            if word in ("да", "нет"):
                return Converted(word == "да")
            typed = read_number_text(value)
            if typed.problem:
                return Converted(None, typed.problem)
            if typed.value is None:
                return Converted(None, f"ожидается целое число или «да»/«нет», а в ячейке текст «{value}»")
            return _bounded(int(typed.value), col).noting(number_text_note(value, typed.value))
        if isinstance(value, (dt.date, dt.datetime)):
            return Converted(None, "ожидается целое число или «да»/«нет», а в ячейке дата")
        if isinstance(value, float):
            if _whole(value) is None:
                return Converted(None, f"ожидается целое число, а не {value:g}")
            if value < 0:
                return Converted(None, f"число не может быть отрицательным ({value:g})")
            if value > col.ceiling:  # compared as a float: int(1E+300) would be a 301-digit number
                return Converted(None, f"число {value:g} больше допустимого (не более {_grouped(col.ceiling)})")
            value = int(value)
        return _bounded(int(value), col)
    if col.type is ColType.INT:
        if isinstance(value, bool):
            return Converted(None, "ожидается целое число, а не да/нет")
        if isinstance(value, str):
            typed = read_number_text(value)
            if typed.problem:
                return Converted(None, typed.problem)
            if typed.value is None:
                return Converted(None, f"ожидается целое число, а в ячейке текст «{value}»")
            return _bounded(int(typed.value), col).noting(number_text_note(value, typed.value))
        if isinstance(value, (dt.date, dt.datetime)):
            return Converted(None, "ожидается целое число, а в ячейке дата")
        if isinstance(value, float):
            if _whole(value) is None:
                return Converted(None, f"ожидается целое число, а не {value:g}")
            if value < 0:
                return Converted(None, f"число не может быть отрицательным ({value:g})")
            if value > col.ceiling:  # compared as a float: int(1E+300) would be a 301-digit number
                return Converted(None, f"число {value:g} больше допустимого (не более {_grouped(col.ceiling)})")
            value = int(value)
        return _bounded(int(value), col)
    if col.type is ColType.DATE:
        if isinstance(value, dt.datetime):
            return Converted(value.date())
        if isinstance(value, dt.date):
            return Converted(value)
        if isinstance(value, str):
            return Converted(
                None, f"дата записана как текст («{value}»): введите дату в формате даты Excel (ДД.ММ.ГГГГ)"
            )
        return Converted(None, f"ожидается дата, а в ячейке число {value} (задайте ячейке формат даты)")
    if col.type is ColType.BOOL:
        if isinstance(value, bool):
            return Converted(value)
        word = normalise(value)
        if word in ("да", "yes", "true", "1"):
            return Converted(True)
        if word in ("нет", "no", "false", "0"):
            return Converted(False)
        return Converted(None, f"ожидается «да» или «нет», а не «{value}»")
    # Text and e-mail: numbers are taken as typed (codes like 3.1, INN).
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, (dt.date, dt.datetime)):
        return Converted(None, "ожидается текст, а в ячейке дата")
    text = str(value)
    if col.max_length and len(text) > col.max_length:
        return Converted(None, f"слишком длинный текст ({len(text)} знаков, допускается {col.max_length})")
    if col.type is ColType.EMAIL:
        from django.core.exceptions import ValidationError
        from django.core.validators import validate_email

        try:
            validate_email(text)
        except ValidationError:
            return Converted(None, f"неверный адрес электронной почты «{text}»")
    return Converted(text)


def rows_from_sheet(
    sheet: Sheet, columns: list[Col], errors: Errors, notes: Errors | None = None
) -> list[tuple[int, dict[str, Any]]]:
    """Converted rows (row number, {column key: value}); errors are collected,
    and in ``notes`` what was read leniently (a number typed as text)."""
    mapping = match_header(sheet, columns, errors)
    if mapping is None:
        return []
    for ref in sheet.merged:
        errors.add(0, "", f"объединённые ячейки {ref}: разъедините их и заполните каждую ячейку")
    rows = []
    for row_number, cells in sheet.rows:
        values: dict[str, Any] = {}
        ok = True
        for index, col in mapping.items():
            cell = cells[index] if index < len(cells) else RawCell(None, "n", False)
            value, problem, note = convert(cell, col)
            if problem:
                errors.add(row_number, col.header, problem)
                ok = False
            elif note and notes is not None:
                notes.add(row_number, col.header, note)
            values[col.key] = value
        for index, cell in enumerate(cells):
            if index not in mapping and cell.value not in (None, ""):
                errors.add(row_number, column_letter(index), "значение в столбце без заголовка")
                ok = False
        if ok:
            rows.append((row_number, values))
        if len(errors) >= limit("REPORTS_IMPORT_MAX_ERRORS", MAX_ERRORS):
            errors.add(
                0,
                "",
                f"ошибок больше {len(errors)}: проверка остановлена на строке {row_number}. "
                "Исправьте найденные и проверьте файл снова.",
            )
            return []
    return rows


def to_json(rows: list[tuple[int, dict[str, Any]]]) -> list[list[Any]]:
    def enc(v: Any) -> Any:
        return {"date": v.isoformat()} if isinstance(v, dt.date) else v

    return [[n, {k: enc(v) for k, v in values.items()}] for n, values in rows]


def from_json(payload: Iterable[list[Any]]) -> list[tuple[int, dict[str, Any]]]:
    def dec(v: Any) -> Any:
        return dt.date.fromisoformat(v["date"]) if isinstance(v, dict) and "date" in v else v

    return [(int(n), {k: dec(v) for k, v in values.items()}) for n, values in payload]


def check_duplicates(items: list[Item], errors: Errors, describe: Callable[[tuple[Any, ...]], str]) -> list[Item]:
    first: dict[tuple[Any, ...], int] = {}
    unique = []
    for item in items:
        if item.key in first:
            errors.add(item.row, "", f"повторяет строку {first[item.key]} ({describe(item.key)})")
            continue
        first[item.key] = item.row
        unique.append(item)
    return unique


def classify(items: list[Item], existing: dict[tuple[Any, ...], Any]) -> None:
    """Mark each item created, updated (with the changed fields) or unchanged."""
    for item in items:
        obj = existing.get(item.key)
        if obj is None:
            item.action = "created"
            continue
        item.instance = obj
        item.changed = [name for name, value in item.fields.items() if getattr(obj, name) != value]
        item.action = "updated" if item.changed else "unchanged"


def counts_of(items: list[Item]) -> dict[str, int]:
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    for item in items:
        counts[item.action] += 1
    return counts

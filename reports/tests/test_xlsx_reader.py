"""The xlsx reader under hostile input: every limit holds while the XML streams.

The hostile files are built here, small on disk thanks to compression. Time
and memory are measured in ``bench/bench_import_hostile.py``, not asserted.
"""

from __future__ import annotations

import datetime as dt
import io
import random
import zipfile
from typing import Any

import pytest

from reports.tests.conftest import add_entries, rewrite_entry, xlsx_bytes
from reports.xlsx_reader import FileRefused, human_size, read_sheet

HEADER = ["Код", "Вид", "Краткое наименование"]
HEADER_ROW = '<row r="1"><c r="A1" t="inlineStr"><is><t>Код</t></is></c></row>'.encode()


def base() -> bytes:
    return xlsx_bytes([HEADER, ["college-1", "колледж", "Колледж 1"]])


def replace_sheet_data(data: bytes, rows_xml: bytes) -> bytes:
    """Replace the sheet's rows with raw XML (and keep the rest of the sheet)."""

    def change(xml: bytes) -> bytes:
        head, rest = xml.split(b"<sheetData>", 1) if b"<sheetData>" in xml else xml.split(b"<sheetData/>", 1)
        tail = rest.split(b"</sheetData>", 1)[1] if b"</sheetData>" in rest else rest
        return head + b"<sheetData>" + rows_xml + b"</sheetData>" + tail

    return rewrite_entry(data, "xl/worksheets/sheet1.xml", change)


def with_shared_strings(data: bytes, strings_xml: bytes) -> bytes:
    """A shared strings part (openpyxl writes inline strings), with a cell using it."""
    doc = (
        b'<?xml version="1.0" encoding="UTF-8"?>'
        b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">' + strings_xml + b"</sst>"
    )
    data = replace_sheet_data(data, HEADER_ROW + b'<row r="2"><c r="A2" t="s"><v>0</v></c></row>')
    return add_entries(data, {"xl/sharedStrings.xml": doc})


def refusal(data: bytes) -> str:
    with pytest.raises(FileRefused) as exc:
        read_sheet(data)
    return exc.value.message


def xfd_rows(count: int, *, filled: bool) -> bytes:
    cell = '<c r="XFD{n}"><v>1</v></c>' if filled else '<c r="XFD{n}" s="0"/>'
    return HEADER_ROW + "".join(f'<row r="{n}">' + cell.format(n=n) + "</row>" for n in range(2, count + 2)).encode()


def random_text(length: int) -> bytes:
    """Text that compresses about 80 times: a 16 KB random block repeated."""
    rng = random.Random(7)
    block = "".join(rng.choice("abcdefghijklmnopqrstuvwxyz ") for _ in range(16 * 1024)).encode()
    return (block * (length // len(block) + 1))[:length]


def test_it_reads_values_types_dates_and_merged_cells() -> None:
    def setup(ws: Any) -> None:
        ws["D2"] = dt.datetime(2024, 10, 15)
        ws["E2"] = "=1+2"
        ws["F2"] = True
        ws.merge_cells("A3:B3")
        ws["A3"] = "x"

    sheet = read_sheet(xlsx_bytes([[*HEADER, "Дата", "Ф", "Б"], ["college-1", "колледж", 12.5]], setup=setup))
    assert sheet.header == [*HEADER, "Дата", "Ф", "Б"] and sheet.header_row == 1
    number, cells = sheet.rows[0]
    assert number == 2
    assert [(c.value, c.data_type) for c in cells] == [
        ("college-1", "s"),
        ("колледж", "s"),
        (12.5, "n"),
        (dt.datetime(2024, 10, 15), "d"),
        ("=1+2", "f"),
        (True, "b"),
    ]
    assert sheet.merged == ["A3:B3"]


def test_it_ignores_the_declared_dimension_and_formatted_empty_cells_far_right() -> None:
    rows = HEADER_ROW + b'<row r="2"><c r="A2" t="inlineStr"><is><t>x</t></is></c><c r="XFD2" s="1"/></row>'
    data = replace_sheet_data(base(), rows)
    sheet = read_sheet(data)
    assert sheet.rows == [(2, sheet.rows[0][1])] and len(sheet.rows[0][1]) == 1


def test_it_refuses_a_value_beyond_the_column_limit_at_the_first_such_cell() -> None:
    """200,000 rows with a value in column XFD: refused at row 2, not after reading them all."""
    data = replace_sheet_data(base(), xfd_rows(200_000, filled=True))
    assert len(data) < 1_500_000
    message = refusal(data)
    assert "в строке 2 есть значение в столбце XFD" in message and "не более 60 столбцов" in message


def test_it_refuses_too_many_formatted_rows_without_values(settings: Any) -> None:
    settings.REPORTS_IMPORT_MAX_ROWS = 10
    data = replace_sheet_data(base(), xfd_rows(200_001, filled=False))
    assert "больше 200000 строк (в том числе пустых" in refusal(data)


def test_it_refuses_too_many_cell_elements(settings: Any) -> None:
    settings.REPORTS_IMPORT_MAX_CELL_ELEMENTS = 1000
    rows = HEADER_ROW + b'<row r="2">' + b"".join(b'<c s="1"/>' for _ in range(1001)) + b"</row>"
    assert "больше 1000 ячеек" in refusal(replace_sheet_data(base(), rows))


def test_it_refuses_too_many_filled_cells(settings: Any) -> None:
    settings.REPORTS_IMPORT_MAX_CELLS = 50
    rows = [HEADER] + [["a", "b", "c"] for _ in range(20)]
    assert "больше 50 заполненных ячеек" in refusal(xlsx_bytes(rows))


def test_it_refuses_more_data_rows_than_the_limit(settings: Any) -> None:
    settings.REPORTS_IMPORT_MAX_ROWS = 3
    assert "больше 3 строк данных" in refusal(xlsx_bytes([HEADER] + [["a", "b", "c"]] * 4))


def test_it_refuses_a_shared_string_longer_than_an_excel_cell_while_reading_it() -> None:
    """A 1 MB text in one shared string (the 199 MB case, smaller): refused at 32,767 characters."""
    data = with_shared_strings(base(), b"<si><t>" + random_text(1_000_000) + b"</t></si>")
    assert len(data) < 60_000
    message = refusal(data)
    assert "текстовое значение № 1" in message and "длиннее 32767 знаков" in message


def test_it_refuses_too_many_shared_strings(settings: Any) -> None:
    settings.REPORTS_IMPORT_MAX_SHARED_STRINGS = 100
    data = with_shared_strings(base(), b"".join(b"<si><t>%d</t></si>" % i for i in range(101)))
    assert "больше 100 разных текстовых значений" in refusal(data)


def test_it_refuses_too_much_text_in_total(settings: Any) -> None:
    settings.REPORTS_IMPORT_MAX_TEXT_TOTAL = 10_000
    data = with_shared_strings(base(), b"".join(b"<si><t>" + b"x" * 1000 + b"</t></si>" for _ in range(11)))
    assert "больше 10000 знаков" in refusal(data)


def test_it_refuses_a_long_inline_string_and_a_long_number() -> None:
    long_inline = (
        HEADER_ROW + b'<row r="2"><c r="B2" t="inlineStr"><is><t>' + random_text(40_000) + b"</t></is></c></row>"
    )
    assert "ячейка B2" in refusal(replace_sheet_data(base(), long_inline))
    long_number = HEADER_ROW + b'<row r="2"><c r="C2"><v>' + b"9" * 40_000 + b"</v></c></row>"
    assert "ячейка C2" in refusal(replace_sheet_data(base(), long_number))


def test_it_refuses_a_string_reference_outside_the_shared_strings() -> None:
    rows = HEADER_ROW + b'<row r="2"><c r="A2" t="s"><v>99999</v></c></row>'
    assert "неверное значение в ячейке A2" in refusal(replace_sheet_data(base(), rows))


def test_it_refuses_a_bad_cell_reference() -> None:
    rows = HEADER_ROW + b'<row r="2"><c r="ZZZZ2"><v>1</v></c></row>'
    assert "неверный адрес ячейки" in refusal(replace_sheet_data(base(), rows))


@pytest.mark.parametrize(
    "part", ["xl/worksheets/sheet1.xml", "xl/sharedStrings.xml", "xl/styles.xml", "xl/workbook.xml"]
)
def test_it_names_a_dtd_as_forbidden_even_after_a_long_comment(part: str) -> None:
    comment = b"<!--" + b"x" * 10_000 + b"-->"
    dtd = b'<!DOCTYPE x [<!ENTITY e "e">]>'

    def change(xml: bytes) -> bytes:
        declaration, rest = xml.split(b"?>", 1) if xml.startswith(b"<?xml") else (b'<?xml version="1.0"', xml)
        return declaration + b"?>" + comment + dtd + rest

    data = rewrite_entry(with_shared_strings(base(), b"<si><t>x</t></si>"), part, change)
    message = refusal(data)
    assert "DTD запрещены" in message and part in message


def test_it_names_a_dtd_at_the_start_as_forbidden() -> None:
    data = rewrite_entry(base(), "xl/worksheets/sheet1.xml", lambda x: b'<!DOCTYPE x SYSTEM "http://x/">' + x)
    assert "DTD запрещены" in refusal(data)


def test_it_states_the_true_size_and_the_limit(settings: Any) -> None:
    settings.REPORTS_IMPORT_MAX_BYTES = 1024 * 1024
    message = refusal(b"PK" + b"\0" * (5 * 1024 * 1024))
    assert "5,0 МБ" in message and "не более 1 МБ" in message
    assert human_size(50 * 1024 * 1024) == "50,0 МБ" and human_size(5000) == "4,9 КБ"


def test_it_refuses_a_truncated_sheet_as_damaged() -> None:
    data = rewrite_entry(base(), "xl/worksheets/sheet1.xml", lambda x: x[: len(x) // 2])
    assert "повреждён" in refusal(data)


def test_it_refuses_a_damaged_archive_member() -> None:
    data = bytearray(base())
    archive = zipfile.ZipFile(io.BytesIO(bytes(data)))
    info = archive.getinfo("xl/worksheets/sheet1.xml")
    start = info.header_offset + 30 + len(info.filename) + len(info.extra)
    data[start + 10] ^= 0xFF
    assert "повреждён" in refusal(bytes(data))


@pytest.mark.parametrize(
    ("where", "token"),
    [
        ("xl/worksheets/sheet1.xml", b"<!--" + random_text(3_000_000) + b"-->"),
        ("xl/worksheets/sheet1.xml", b'<row r="2"><c r="A2" s="' + random_text(3_000_000) + b'"/></row>'),
        ("xl/styles.xml", b"<!--" + random_text(3_000_000) + b"-->"),
    ],
)
def test_it_refuses_a_huge_comment_or_attribute_before_holding_it(where: str, token: bytes) -> None:
    """expat buffers a whole comment or start tag: a 3 MB one is refused at 1 MB, not held."""
    data = base()
    if where == "xl/styles.xml":
        data = rewrite_entry(
            data,
            where,
            lambda x: (
                x.replace(b"<numFmts", token + b"<numFmts", 1)
                if b"<numFmts" in x
                else x.replace(b"<fonts", token + b"<fonts", 1)
            ),
        )
    else:
        data = replace_sheet_data(data, HEADER_ROW + token)
    assert len(data) < 200_000
    message = refusal(data)
    assert f"в части «{where}» слишком длинный элемент XML" in message and "длиннее 1 МБ" in message

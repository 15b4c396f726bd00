from __future__ import annotations

import datetime as dt
import io
import zipfile

import pytest
from openpyxl import load_workbook

from reports.writer import (
    MOSCOW,
    Column,
    ColumnType,
    ReportLayout,
    Row,
    RowKind,
    Signature,
    XlsxWriter,
    keep_ranges,
    word_width,
)


def _write(rows: list[Row], columns: list[Column] | None = None, **layout_kwargs: object) -> bytes:
    columns = columns or [Column("№", 6, ColumnType.CODE), Column("Текст", 30), Column("Статус", 12, ColumnType.STATUS)]
    layout = ReportLayout(
        sheet_title="Лист",
        title="Проверочный отчёт",
        columns=columns,
        order_line="Приказ от 16.12.2022 № 2714",
        generated_at=dt.datetime(2024, 5, 1, 9, 30, tzinfo=MOSCOW),
        **layout_kwargs,  # type: ignore[arg-type]
    )
    out = io.BytesIO()
    XlsxWriter(layout).write(rows, out)
    return out.getvalue()


@pytest.mark.parametrize(
    "text",
    ["=1+2", "+79101234567", "-2+3", "@SUM(A1)", "\t=cmd|' /C calc'!A0", "\r=1", '=HYPERLINK("http://x")'],
)
def test_it_writes_formula_like_text_as_quoted_text(text: str) -> None:
    data = _write([Row(["1", text, "в срок"])])
    ws = load_workbook(io.BytesIO(data)).active
    cell = ws.cell(row=7, column=2)
    # XML parsers read a raw CR as LF; what matters is that it stays text.
    assert cell.value == text.replace("\r", "\n")
    assert cell.data_type == "s"
    assert cell.quotePrefix is True
    sheet_xml = zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml")
    assert b"<f>" not in sheet_xml


def test_it_drops_nul_and_other_xml_illegal_characters() -> None:
    data = _write([Row(["1", "\x00=1+1\x07bell", None])])
    cell = load_workbook(io.BytesIO(data)).active.cell(row=7, column=2)
    assert cell.value == "=1+1bell"
    assert cell.data_type == "s"
    assert cell.quotePrefix is True


def test_it_lays_out_title_header_print_setup_and_freezes() -> None:
    data = _write([Row(["1", "а", "в срок"]), Row(["Раздел"], kind=RowKind.SECTION)], as_of=dt.date(2024, 3, 31))
    ws = load_workbook(io.BytesIO(data)).active
    assert ws["A1"].value == "Приказ от 16.12.2022 № 2714"
    assert ws["A2"].value == "Проверочный отчёт"
    assert "Дата формирования: 01.05.2024 09:30" in ws["A3"].value
    assert "по состоянию на: 31.03.2024" in ws["A3"].value
    assert [ws.cell(row=5, column=i).value for i in (1, 2, 3)] == ["№", "Текст", "Статус"]
    assert ws.freeze_panes == "C7"
    assert ws.print_title_rows == "$5:$6"
    assert ws.page_setup.orientation == "landscape"
    assert ws.page_setup.paperSize == 9  # A4
    # One page wide: fitToWidth's schema default is 1, which XlsxWriter leaves implicit.
    assert ws.page_setup.fitToWidth in (None, 1)
    assert ws.page_setup.fitToHeight == 0
    assert ws.sheet_properties.pageSetUpPr.fitToPage is True
    assert ws.column_dimensions["B"].width == 30
    merged = {str(r) for r in ws.merged_cells.ranges}
    assert {"A1:C1", "A2:C2", "A3:C3", "A8:C8"} <= merged
    assert ws["A8"].value == "Раздел" and ws["A8"].font.b


def test_it_formats_dates_numbers_and_moscow_times() -> None:
    columns = [
        Column("Дата", 12, ColumnType.DATE),
        Column("Момент", 16, ColumnType.DATETIME),
        Column("Доля", 8, ColumnType.PERCENT),
        Column("Число", 8, ColumnType.INT),
    ]
    moment = dt.datetime(2024, 1, 31, 20, 59, 59, tzinfo=dt.UTC)  # 23:59:59 in Moscow
    data = _write([Row([dt.date(2024, 2, 29), moment, 0.525, 1200])], columns=columns, freeze_columns=1)
    ws = load_workbook(io.BytesIO(data)).active
    a, b, c, d = (ws.cell(row=7, column=i) for i in range(1, 5))
    assert a.value == dt.datetime(2024, 2, 29) and a.number_format == "dd.mm.yyyy"
    assert b.value == dt.datetime(2024, 1, 31, 23, 59, 59) and b.number_format == "dd.mm.yyyy hh:mm"
    assert c.value == 0.525 and c.number_format == "0.0%"
    assert d.value == 1200 and d.number_format == "#,##0"


def test_it_adds_conditional_fills_to_status_columns() -> None:
    data = _write([Row(["1", "а", "не выполнено"])])
    ws = load_workbook(io.BytesIO(data)).active
    (cf,) = list(ws.conditional_formatting)
    formulas = [rule.formula[0] for rule in cf.rules]
    assert str(cf.sqref).startswith("C7")
    assert '"не выполнено"' in formulas and '"выполнено"' in formulas


def test_it_makes_wrapped_rows_tall_enough() -> None:
    data = _write([Row(["1", "слово " * 40, ""]), Row(["2", "коротко", ""])])
    ws = load_workbook(io.BytesIO(data)).active
    assert ws.row_dimensions[7].height and ws.row_dimensions[7].height > 30
    assert ws.row_dimensions[8].height is None


def test_a_narrow_column_widens_to_the_longest_word_of_its_header() -> None:
    columns = [Column("№ показателя", 5, ColumnType.CODE), Column("Текст", 30), Column("Отклонение", 6, ColumnType.INT)]
    ws = load_workbook(io.BytesIO(_write([Row(["1", "а", 3])], columns=columns))).active
    assert ws.column_dimensions["A"].width >= word_width("показателя") > 5
    assert ws.column_dimensions["C"].width >= word_width("Отклонение") > 6
    assert ws.column_dimensions["B"].width == 30  # a wide enough column keeps the builder's width


def test_a_group_header_widens_the_columns_under_it() -> None:
    columns = [Column("А", 6), Column("Б", 4), Column("В", 4)]
    groups = [("А", 1), ("Превышение", 2)]
    ws = load_workbook(io.BytesIO(_write([Row(["1", 1, 2])], columns=columns, header_groups=groups))).active
    assert ws.column_dimensions["B"].width + ws.column_dimensions["C"].width >= word_width("Превышение")


def test_data_words_widen_a_column_up_to_a_cap_and_hyphens_may_break() -> None:
    columns = [Column("№", 6, ColumnType.CODE), Column("Текст", 10), Column("Статус", 12, ColumnType.STATUS)]
    rows = [Row(["1", "Электромонтажник", ""]), Row(["2", "информационно-телекоммуникационной " + "щ" * 60, ""])]
    ws = load_workbook(io.BytesIO(_write(rows, columns=columns))).active
    assert ws.column_dimensions["B"].width == 30  # capped: a 60-letter word may break
    assert word_width("информационно-телекоммуникационной") == word_width("телекоммуникационной")


def test_a_rotated_header_keeps_its_column_narrow_and_its_row_tall() -> None:
    columns = [Column("№", 6, ColumnType.CODE), Column("Подтверждающих документов", 6, ColumnType.INT, rotate=True)]
    ws = load_workbook(io.BytesIO(_write([Row(["1", 3])], columns=columns))).active
    assert ws.column_dimensions["B"].width < word_width("Подтверждающих")
    assert ws["B5"].alignment.textRotation == 90
    assert ws.row_dimensions[5].height >= len("Подтверждающих") * 6


def test_a_number_range_in_a_header_does_not_break_after_its_dash() -> None:
    assert keep_ranges("обучающихся 6–11 классов") == "обучающихся 6–\u206011 классов"
    assert keep_ranges("информационно-телекоммуникационной") == "информационно-телекоммуникационной"


def test_it_signs_under_the_table_and_numbers_the_pages() -> None:
    signature = Signature(
        head="Л.Ю. Сорокина", head_position="директор департамента", executor="Иванова И.И.", phone="8(4872) 00-00-00"
    )
    ws = load_workbook(io.BytesIO(_write([Row(["1", "а", "в срок"])], signature=signature))).active
    rows = [r[0] for r in ws.iter_rows(values_only=True)]
    assert rows[-5:] == [
        None,
        "Руководитель: директор департамента ________________________ Л.Ю. Сорокина",
        "Исполнитель: Иванова И.И.",
        "Телефон: 8(4872) 00-00-00",
        "Дата: 01.05.2024",
    ]
    assert ws.oddFooter.center.text == "Страница &P из &N"
    assert ws.oddHeader.left.text == "Лист"
    assert ws.oddHeader.right.text == "Данные на 01.05.2024 09:30"
    assert ws["B7"].font.name == "Calibri" and ws["B7"].font.sz == 11

"""Numbers typed as text in real xlsx files (string cells written by openpyxl):
read with a note in the dry run when unambiguous, a row error otherwise."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from indicators.models import Actual
from reports.models import ImportJob
from reports.services import import_confirm, import_dry_run
from reports.tests.conftest import xlsx_bytes
from roadmap.models import EventReport

NOW = dt.datetime(2024, 12, 1, 9, tzinfo=dt.UTC)
ACTUAL_HEADER = ["Код показателя", "Год", "Период", "Организация", "Значение"]
REPORT_HEADER = ["Код мероприятия", "Краткий отчёт", "Участников, всего", "Студентов"]
NOTE = "Число было записано как текст: "


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return tmp_path / "media"


def text_cells(data: bytes) -> int:
    """How many cells of the first sheet are stored as text (the file is what Excel would hold)."""
    sheet = zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml").decode()
    return sheet.count('t="s"') + sheet.count('t="inlineStr"')


def test_numbers_typed_as_text_are_read_and_noted_in_the_dry_run(copp_user: Any) -> None:
    rows = [
        ACTUAL_HEADER,
        ["3", "2024", None, "copp", "1 000"],
        ["3.1", "2024", None, "copp", "16"],
        ["3", 2023, None, "copp", "1\u00a0200"],
    ]
    data = xlsx_bytes(rows)
    assert text_cells(data) >= 3 * 4  # "2024", "1 000", "16" are string cells, not numbers
    preview = import_dry_run(user=copp_user, kind="actuals", file=data, now=NOW)
    assert preview.is_clean, preview.errors
    notes = [(n.row, n.column, n.message) for n in preview.notes]
    assert notes == [
        (2, "Год", NOTE + '"2024" → 2024'),
        (2, "Значение", NOTE + '"1 000" → 1000'),
        (3, "Год", NOTE + '"2024" → 2024'),
        (3, "Значение", NOTE + '"16" → 16'),
        (4, "Значение", NOTE + '"1\u00a0200" → 1200'),
    ]
    assert preview.job.notes[1] == {"row": 2, "column": "Значение", "message": NOTE + '"1 000" → 1000'}
    import_confirm(user=copp_user, job=preview.job, now=NOW)
    values = set(Actual.objects.values_list("indicator__code", "year", "value_number"))
    assert values == {("3", 2024, 1000), ("3.1", 2024, 16), ("3", 2023, 1200)}


def test_a_figure_typed_as_text_in_an_event_report_is_read(copp_user: Any) -> None:
    from reports.tests.test_import import held_event

    event = held_event()
    data = xlsx_bytes([REPORT_HEADER, [str(event.pk), "Прошло", "1 000", "16"]])
    preview = import_dry_run(user=copp_user, kind="event_reports", file=data, now=NOW)
    assert preview.is_clean, preview.errors
    assert [n.column for n in preview.notes] == ["Код мероприятия", "Участников, всего", "Студентов"]
    import_confirm(user=copp_user, job=preview.job, now=NOW)
    report = EventReport.objects.get(event=event)
    assert (report.participants_total, report.participants_students) == (1000, 16)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("1 00", "«1 00» не удаётся прочитать как число"),
        ("12a", "а в ячейке текст «12a»"),
        ("1,000", "«1,000» можно прочитать и как тысячу, и как дробь"),
        ("2,5", "ожидается целое число, а не 2,5"),
        ("2.5", "«2.5» не удаётся прочитать как число"),
        ("-5", "число не может быть отрицательным (-5)"),
        ("\u22125", "число не может быть отрицательным (-5)"),
    ],
)
def test_ambiguous_or_wrong_numbers_as_text_are_row_errors(copp_user: Any, text: str, message: str) -> None:
    rows = [ACTUAL_HEADER, ["3", 2024, None, "copp", 5], ["3.1", 2024, None, "copp", text]]
    preview = import_dry_run(user=copp_user, kind="actuals", file=xlsx_bytes(rows), now=NOW)
    assert preview.job.status == ImportJob.Status.REFUSED
    assert [(e.row, e.column) for e in preview.errors] == [(3, "Значение")]
    assert message in preview.errors[0].message
    assert not Actual.objects.exists()


def test_a_refused_file_still_lists_what_it_read_from_text(copp_user: Any) -> None:
    rows = [ACTUAL_HEADER, ["3", "2024", None, "copp", "12a"]]
    preview = import_dry_run(user=copp_user, kind="actuals", file=xlsx_bytes(rows), now=NOW)
    assert [e.column for e in preview.errors] == ["Значение"]
    assert [n.column for n in preview.notes] == ["Год"]


def test_the_import_page_shows_the_notes(copp_user: Any) -> None:
    rows = [ACTUAL_HEADER, ["3", 2024, None, "copp", "1 000"]]
    preview = import_dry_run(user=copp_user, kind="actuals", file=xlsx_bytes(rows), now=NOW)
    client = Client()
    client.force_login(copp_user)
    page = client.get(reverse("import_detail", args=[preview.job.pk])).content.decode()
    assert "Прочитано с пояснением" in page
    assert "Число было записано как текст: &quot;1 000&quot; → 1000" in page


def test_the_command_prints_the_notes(order_plan: Any, tmp_path: Path, capsys: Any) -> None:
    from django.core.management import call_command

    path = tmp_path / "values.xlsx"
    path.write_bytes(xlsx_bytes([ACTUAL_HEADER, ["3", 2024, None, "copp", "1 000"]]))
    call_command("import_xlsx", "actuals", str(path), "--dry-run")
    out = capsys.readouterr().out
    assert 'строка 2, столбец «Значение»: Число было записано как текст: "1 000" → 1000' in out

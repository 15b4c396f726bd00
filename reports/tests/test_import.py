"""Imports: dry run, confirm, rights, and every hostile or broken file."""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import load_workbook

from indicators.models import Actual, ActualChange
from reports.models import ImportJob
from reports.services import (
    ImportRefused,
    import_confirm,
    import_dry_run,
    import_template,
)
from reports.tests.conftest import (
    add_entries,
    declare_dimension,
    rewrite_entry,
    xlsx_bytes,
)
from roadmap.models import Event, Organization

NOW = dt.datetime(2024, 12, 1, 9, tzinfo=dt.UTC)
ORG_HEADER = ["Код", "Вид", "Краткое наименование", "Полное наименование", "Муниципальное образование"]
ACTUAL_HEADER = ["Код показателя", "Год", "Период", "Организация", "Значение"]


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return tmp_path / "media"


def stored_files(media: Path) -> list[Path]:
    return [p for p in media.rglob("*") if p.is_file()]


def org_rows(n: int = 2) -> list[list[Any]]:
    return [ORG_HEADER] + [
        [f"college-{i}", "колледж", f"ГПОУ ТО «Колледж {i}»", f"государственное учреждение «Колледж {i}»", "город Тула"]
        for i in range(n)
    ]


def messages(preview: Any) -> str:
    return "\n".join(str(e) for e in preview.errors)


def refused(user: Any, data: bytes, kind: str = "organizations", now: dt.datetime | None = None) -> Any:
    before = Organization.objects.count(), Actual.objects.count()
    preview = import_dry_run(user=user, kind=kind, file=data, name="x.xlsx", now=now)
    assert not preview.is_clean
    assert preview.job.status == ImportJob.Status.REFUSED
    with pytest.raises(ImportRefused):
        import_confirm(user=user, job=preview.job, now=NOW)
    assert (Organization.objects.count(), Actual.objects.count()) == before
    return preview


# --- the happy paths --------------------------------------------------------------------


def test_it_imports_organisations_after_a_clean_dry_run(copp_user: Any) -> None:
    preview = import_dry_run(user=copp_user, kind="organizations", file=xlsx_bytes(org_rows()), name="orgs.xlsx")
    assert preview.is_clean, messages(preview)
    assert preview.counts == {"created": 2, "updated": 0, "unchanged": 0}
    assert not Organization.objects.filter(key="college-0").exists()  # a dry run writes nothing
    job = import_confirm(user=copp_user, job=preview.job, now=NOW)
    assert job.status == ImportJob.Status.CONFIRMED
    college = Organization.objects.get(key="college-1")
    assert college.kind == "college" and college.municipality.name == "город Тула"
    rows = org_rows()
    rows[1][2] = "ГПОУ ТО «Колледж 0», новое имя"
    again = import_dry_run(user=copp_user, kind="organizations", file=xlsx_bytes(rows))
    assert again.counts == {"created": 0, "updated": 1, "unchanged": 1}
    with pytest.raises(ImportRefused):  # a confirmed job cannot be replayed
        import_confirm(user=copp_user, job=job, now=NOW)


def test_it_matches_organisations_by_normalised_name_without_a_code(copp_user: Any) -> None:
    rows = [ORG_HEADER, ["", "колледж", 'гпоу то  "ТГМК им. н. демидова"', "ТГМК", ""]]
    preview = import_dry_run(user=copp_user, kind="organizations", file=xlsx_bytes(rows))
    assert preview.is_clean, messages(preview)
    assert preview.counts["updated"] == 1 and preview.counts["created"] == 0


def test_it_imports_actual_values_as_drafts_with_an_audit_trail(copp_user: Any) -> None:
    rows = [
        ACTUAL_HEADER,
        ["3", 2024, None, "copp", 120],
        ["1", 2024, "q1", "ЦОПП", "да"],
        ["3.1", 2024, None, "copp", 40],
    ]
    preview = import_dry_run(user=copp_user, kind="actuals", file=xlsx_bytes(rows))
    assert preview.is_clean, messages(preview)
    import_confirm(user=copp_user, job=preview.job, now=NOW)
    actual = Actual.objects.get(indicator__code="3", year=2024)
    assert actual.value_number == 120 and actual.status == Actual.Status.DRAFT
    assert Actual.objects.get(indicator__code="1").value_bool is True
    assert ActualChange.objects.filter(action="create").count() == 3
    rows[1][4] = 130
    preview = import_dry_run(user=copp_user, kind="actuals", file=xlsx_bytes(rows))
    assert preview.counts == {"created": 0, "updated": 1, "unchanged": 2}
    import_confirm(user=copp_user, job=preview.job, now=NOW)
    actual.refresh_from_db()
    assert actual.value_number == 130 and actual.version == 2
    assert ActualChange.objects.filter(actual=actual, action="edit", old_value=120, new_value=130).exists()


def test_a_coordinator_imports_only_for_their_own_organisation(make_user: Any, order_plan: Any) -> None:
    tgmk = Organization.objects.get(key="tgmk")
    coordinator = make_user("coordinator", organization=tgmk)
    rows = [ACTUAL_HEADER, ["3", 2024, None, "tgmk", 10], ["3", 2024, None, "copp", 10]]
    preview = refused(coordinator, xlsx_bytes(rows), "actuals")
    assert [(e.row, e.column) for e in preview.errors] == [(3, "Организация")]
    assert preview.errors[0].message == "Вы не можете вводить значения этой организации."  # as on the web and API
    with pytest.raises(PermissionDenied):  # the register of organisations is ЦОПП's
        import_dry_run(user=coordinator, kind="organizations", file=xlsx_bytes(org_rows()))


def test_confirm_checks_again_and_refuses_whole_if_the_data_changed(copp_user: Any) -> None:
    rows = [ACTUAL_HEADER, ["3.1", 2024, None, "copp", 5], ["3", 2024, None, "copp", 120]]
    first = import_dry_run(user=copp_user, kind="actuals", file=xlsx_bytes(rows[:2]))
    import_confirm(user=copp_user, job=first.job, now=NOW)
    rows[1][4] = 6
    preview = import_dry_run(user=copp_user, kind="actuals", file=xlsx_bytes(rows))
    assert preview.is_clean
    Actual.objects.filter(indicator__code="3.1").update(status=Actual.Status.APPROVED)  # approved meanwhile
    with pytest.raises(ImportRefused) as exc:
        import_confirm(user=copp_user, job=preview.job, now=NOW)
    assert "«Утверждено» изменить нельзя" in str(exc.value)
    assert not Actual.objects.filter(indicator__code="3").exists()  # nothing of the file was written
    assert Actual.objects.get(indicator__code="3.1").value_number == 5


def test_only_the_checker_confirms(copp_user: Any, make_user: Any) -> None:
    preview = import_dry_run(user=copp_user, kind="organizations", file=xlsx_bytes(org_rows()))
    with pytest.raises(PermissionDenied):
        import_confirm(user=make_user("copp"), job=preview.job, now=NOW)


def test_it_imports_events_with_their_due_moment(copp_user: Any) -> None:
    rows = [
        ["№ мероприятия дорожной карты", "Организатор", "Название", "Дата начала", "Дата окончания", "Формат"],
        [14, "tgmk", "Проба «Сварщик»", dt.datetime(2024, 10, 15), None, "очно"],
        [
            14,
            "ГПОУ ТО «ТГМК им. Н. Демидова»",
            "Проба «Повар»",
            dt.datetime(2024, 10, 16),
            dt.datetime(2024, 10, 17),
            "онлайн",
        ],
    ]
    preview = import_dry_run(user=copp_user, kind="events", file=xlsx_bytes(rows))
    assert preview.is_clean, messages(preview)
    import_confirm(user=copp_user, job=preview.job, now=NOW)
    event = Event.objects.get(title="Проба «Повар»")
    assert timezone.localtime(event.due_at).replace(tzinfo=None) == dt.datetime(2024, 10, 18, 23, 59, 59)
    assert event.format == "online" and event.history.count() == 1


def test_every_template_has_the_expected_columns_and_a_valid_example(copp_user: Any) -> None:
    for kind in ("organizations", "events", "actuals", "agreements", "programmes"):
        ws = load_workbook(io.BytesIO(import_template(kind=kind))).active
        assert (ws["A1"].value and ws["A1"].value.endswith("*")) or kind == "organizations"
    data = import_template(kind="actuals")
    preview = import_dry_run(user=copp_user, kind="actuals", file=data)
    assert preview.is_clean, messages(preview)


def test_import_xlsx_command_prints_counts_and_fails_without_changing_data(
    order_plan: Any, tmp_path: Path, capsys: Any
) -> None:
    good = tmp_path / "orgs.xlsx"
    good.write_bytes(xlsx_bytes(org_rows()))
    call_command("import_xlsx", "organizations", str(good), "--dry-run")
    assert "would be created 2, updated 0, unchanged 0" in capsys.readouterr().out
    assert not Organization.objects.filter(key="college-0").exists()
    call_command("import_xlsx", "organizations", str(good))
    assert "created 2, updated 0, unchanged 0" in capsys.readouterr().out
    bad = tmp_path / "bad.xlsx"
    rows = org_rows(3)
    rows[2][1] = "завод"
    bad.write_bytes(xlsx_bytes(rows))
    count = Organization.objects.count()
    with pytest.raises(CommandError):
        call_command("import_xlsx", "organizations", str(bad))
    assert "строка 3, столбец «Вид»: неизвестный вид «завод»" in capsys.readouterr().err
    assert Organization.objects.count() == count


# --- hostile and broken files -----------------------------------------------------------


def test_it_refuses_a_file_over_the_size_limit(copp_user: Any, settings: Any) -> None:
    settings.REPORTS_IMPORT_MAX_BYTES = 2000
    preview = refused(copp_user, xlsx_bytes(org_rows()))
    assert "слишком большой" in messages(preview)


def test_it_refuses_a_file_that_is_not_a_zip(copp_user: Any) -> None:
    preview = refused(copp_user, b"\xd0\xcf\x11\xe0 old xls or csv;text")
    assert "не является zip-архивом" in messages(preview)


def test_it_refuses_a_zip_with_too_many_entries(copp_user: Any) -> None:
    data = add_entries(xlsx_bytes(org_rows()), {f"xl/media/p{i}.bin": b"x" for i in range(400)})
    assert "слишком много частей" in messages(refused(copp_user, data))


def test_it_refuses_a_zip_bomb_by_ratio(copp_user: Any) -> None:
    data = add_entries(xlsx_bytes(org_rows()), {"xl/media/bomb.bin": b"\0" * (20 * 1024 * 1024)})
    assert "zip-бомбу" in messages(refused(copp_user, data))


def test_it_refuses_a_file_too_big_once_unpacked(copp_user: Any, settings: Any) -> None:
    settings.REPORTS_IMPORT_MAX_UNCOMPRESSED = 100_000
    data = add_entries(xlsx_bytes(org_rows()), {"xl/media/big.bin": bytes(range(256)) * 600})
    assert "после распаковки" in messages(refused(copp_user, data))


def test_it_refuses_xml_with_entities_before_parsing(copp_user: Any) -> None:
    laughs = b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>'
    data = rewrite_entry(
        xlsx_bytes(org_rows()),
        "xl/worksheets/sheet1.xml",
        lambda x: laughs + re.sub(rb"^<\?xml[^>]*\?>", b"", x).replace(b"college-0", b"&lol2;"),
    )
    assert "DTD" in messages(refused(copp_user, data))


def test_it_refuses_more_rows_than_the_limit(copp_user: Any, settings: Any) -> None:
    settings.REPORTS_IMPORT_MAX_ROWS = 5
    assert "больше 5 строк" in messages(refused(copp_user, xlsx_bytes(org_rows(6))))


def test_it_names_missing_and_unknown_columns(copp_user: Any) -> None:
    rows = org_rows()
    rows[0] = ["Код", "Вид", "Наименование", "Полное наименование", "Цвет"]
    text = messages(refused(copp_user, xlsx_bytes(rows)))
    assert "нет обязательных столбцов: «Краткое наименование»" in text
    assert "неизвестные столбцы: «Наименование» (C), «Цвет» (E)" in text


def test_it_refuses_merged_cells(copp_user: Any) -> None:
    data = xlsx_bytes(org_rows(), setup=lambda ws: ws.merge_cells("E2:E3"))
    assert "объединённые ячейки E2:E3" in messages(refused(copp_user, data))


def test_it_refuses_formulas_instead_of_values(copp_user: Any) -> None:
    rows = [ACTUAL_HEADER, ["3", 2024, None, "copp", "=100+20"]]
    preview = refused(copp_user, xlsx_bytes(rows), "actuals")
    assert [(e.row, e.column) for e in preview.errors] == [(2, "Значение")]
    assert "формула (=100+20) вместо значения" in preview.errors[0].message


def test_it_refuses_text_in_number_cells(copp_user: Any) -> None:
    rows = [
        ACTUAL_HEADER,
        ["3", "2024", None, "copp", 5],
        ["3", 2024, None, "copp", "сто"],
        ["3.1", 2024.5, None, "copp", 1],
    ]
    preview = refused(copp_user, xlsx_bytes(rows), "actuals")
    found = {(e.row, e.column): e.message for e in preview.errors}
    assert (2, "Год") not in found  # a number typed as text is read (reports/tests/test_import_text_numbers.py)
    assert "ожидается целое число, а не 2024.5" in found[(4, "Год")]
    assert "ожидается целое число или «да»/«нет», а в ячейке текст «сто»" in found[(3, "Значение")]


def test_it_refuses_negative_counts(copp_user: Any) -> None:
    rows = [ACTUAL_HEADER, ["3", 2024, None, "copp", -5]]
    preview = refused(copp_user, xlsx_bytes(rows), "actuals")
    assert "неотрицательное" in messages(preview) or "отрицательным" in messages(preview)


def test_it_refuses_dates_typed_as_text(copp_user: Any) -> None:
    rows = [
        ["№ мероприятия дорожной карты", "Организатор", "Название", "Дата начала"],
        [14, "tgmk", "Проба", "15.10.2024"],
    ]
    preview = refused(copp_user, xlsx_bytes(rows), "events")
    assert [(e.row, e.column) for e in preview.errors] == [(2, "Дата начала")]
    assert "дата записана как текст («15.10.2024»)" in preview.errors[0].message
    assert not Event.objects.exists()


def test_it_refuses_duplicate_rows(copp_user: Any) -> None:
    rows = [ACTUAL_HEADER, ["3", 2024, None, "copp", 5], ["3", 2024, "", "ЦОПП", 6]]
    preview = refused(copp_user, xlsx_bytes(rows), "actuals")
    assert [(e.row, e.message) for e in preview.errors] == [(3, "повторяет строку 2 (показатель 3, 2024, ЦОПП)")]


def test_it_ignores_empty_rows_at_the_end(copp_user: Any) -> None:
    def style_empty_rows(ws: Any) -> None:
        for row in range(4, 2000):
            ws.cell(row=row, column=1).value = None
            ws.cell(row=row, column=3).number_format = "0.00"
            ws.cell(row=row, column=2).value = "  "

    preview = import_dry_run(user=copp_user, kind="organizations", file=xlsx_bytes(org_rows(), setup=style_empty_rows))
    assert preview.is_clean, messages(preview)
    assert preview.counts["created"] == 2


def test_a_sheet_declaring_a_million_rows_reads_only_the_real_ones(copp_user: Any) -> None:
    data = declare_dimension(xlsx_bytes(org_rows()), "A1:XFD1048576")
    assert b"A1:XFD1048576" in zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml")
    with CaptureQueriesContext(connection):
        preview = import_dry_run(user=copp_user, kind="organizations", file=data)
    assert preview.is_clean, messages(preview)
    assert preview.counts["created"] == 2


def test_it_refuses_a_file_with_only_a_header_or_nothing(copp_user: Any) -> None:
    assert "нет строк с данными" in messages(refused(copp_user, xlsx_bytes([ORG_HEADER])))
    assert "Лист пустой" in messages(refused(copp_user, xlsx_bytes([])))


def test_it_refuses_a_corrupt_workbook(copp_user: Any) -> None:
    data = rewrite_entry(xlsx_bytes(org_rows()), "xl/worksheets/sheet1.xml", lambda x: x[: len(x) // 2])
    assert "повреждён" in messages(refused(copp_user, data))


def test_the_dry_run_runs_a_fixed_number_of_queries_and_confirm_writes_in_batches(copp_user: Any) -> None:
    keys = [
        (code, year, f"m{m:02d}")
        for code in ("3", "3.1", "6", "7")
        for year in (2023, 2024, 2025)
        for m in range(1, 13)
    ]

    def queries(n: int) -> tuple[int, int]:
        rows = [ACTUAL_HEADER] + [[c, y, p, "copp", i] for i, (c, y, p) in enumerate(keys[:n])]
        data = xlsx_bytes(rows)
        with CaptureQueriesContext(connection) as dry:
            preview = import_dry_run(user=copp_user, kind="actuals", file=data)
        assert preview.is_clean, messages(preview)
        with CaptureQueriesContext(connection) as confirm:
            import_confirm(user=copp_user, job=preview.job, now=NOW)
        Actual.objects.all().delete()
        return len(dry.captured_queries), len(confirm.captured_queries)

    queries(2)  # warm the per-user role cache and content types
    small, large = queries(3), queries(140)
    assert small[0] == large[0]
    # Writes go in bulk: batches of the backend's parameter limit, never a query per row.
    assert large[1] - small[1] <= 140 // 25


def test_it_files_and_corrects_event_report_figures(copp_user: Any, make_user: Any) -> None:
    from roadmap.events.services import event_create
    from roadmap.models import Activity, EventReport

    activity = Activity.objects.get(number=14)
    tgmk = Organization.objects.get(key="tgmk")
    held = event_create(user=None, activity=activity, organizer=tgmk, title="Проба", start_date=dt.date(2024, 10, 1))
    future = event_create(user=None, activity=activity, organizer=tgmk, title="Позже", start_date=dt.date(2024, 12, 20))
    header = [
        "Код мероприятия",
        "Краткий отчёт",
        "Участников, всего",
        "Обучающихся 6–11 классов",
        "Общеобразовательных организаций",
    ]
    rows = [header, [held.pk, "Прошло", 30, 40, 2], [future.pk, "Рано", 5, None, None], [999999, "x", 1, None, None]]
    preview = refused(copp_user, xlsx_bytes(rows), "event_reports", now=NOW)
    found = {(e.row, e.column): e.message for e in preview.errors}
    assert found[(2, "Обучающихся 6–11 классов")] == "Больше общего числа участников."  # the report form's message
    assert "ещё не прошло" in found[(3, "Код мероприятия")]
    assert "не найдено" in found[(4, "Код мероприятия")]
    rows = [header, [held.pk, "Прошло", 30, 20, 2]]
    preview = import_dry_run(user=copp_user, kind="event_reports", file=xlsx_bytes(rows), now=NOW)
    assert preview.is_clean, messages(preview)
    import_confirm(user=copp_user, job=preview.job, now=NOW)
    report = EventReport.objects.get(event=held)
    assert (report.participants_total, report.schools_count, report.on_time) == (30, 2, False)
    rows[1][2] = 31
    coordinator = make_user("coordinator", organization=Organization.objects.get(key="copp"))
    assert not import_dry_run(user=coordinator, kind="event_reports", file=xlsx_bytes(rows), now=NOW).is_clean
    preview = import_dry_run(user=copp_user, kind="event_reports", file=xlsx_bytes(rows), now=NOW)
    assert preview.counts == {"created": 0, "updated": 1, "unchanged": 0}
    import_confirm(user=copp_user, job=preview.job, now=NOW)
    report.refresh_from_db()
    assert report.participants_total == 31 and report.submitted_at == NOW  # the submission moment stays


def test_it_imports_agreements_and_programmes(copp_user: Any) -> None:
    from indicators.models import (
        EducationalProgramme,
        PartnerAgreement,
        ProgrammeCategory,
    )

    category = ProgrammeCategory.objects.order_by("order").first()
    agreements = [
        ["Партнёр", "Организация", "Номер", "Дата", "Действует с", "Действует по", "Предмет"],
        ["tgmk", "copp", "15/24", dt.datetime(2024, 3, 1), dt.datetime(2024, 3, 1), None, "Практика"],
        [
            "tgmk",
            "copp",
            "16/24",
            dt.datetime(2024, 3, 2),
            dt.datetime(2024, 3, 2),
            dt.datetime(2024, 1, 1),
            "Наоборот",
        ],
    ]
    preview = refused(copp_user, xlsx_bytes(agreements), "agreements")
    assert [(e.row, e.column) for e in preview.errors] == [(3, "Действует по")]
    preview = import_dry_run(user=copp_user, kind="agreements", file=xlsx_bytes(agreements[:2]))
    import_confirm(user=copp_user, job=preview.job, now=NOW)
    assert PartnerAgreement.objects.get(number="15/24").history.count() == 1
    programmes = [
        ["Наименование программы", "Категория", "Разработчик", "Дата утверждения", "Объём, часов", "Форма обучения"],
        ["Оператор станков с ЧПУ", category.name, "ЦОПП", dt.datetime(2024, 2, 1), 72, "очная"],
    ]
    preview = import_dry_run(user=copp_user, kind="programmes", file=xlsx_bytes(programmes))
    assert preview.is_clean, messages(preview)
    import_confirm(user=copp_user, job=preview.job, now=NOW)
    assert EducationalProgramme.objects.get(name="Оператор станков с ЧПУ").hours == 72


# --- the job's life: refused files are not kept, a broken confirm never stays "ready" ---


def test_a_refused_upload_is_not_kept(copp_user: Any, media: Path) -> None:
    rows = org_rows(3)
    rows[2][1] = "завод"
    preview = refused(copp_user, xlsx_bytes(rows))
    assert not preview.job.file and stored_files(media) == []
    preview = import_dry_run(user=copp_user, kind="organizations", file=xlsx_bytes(org_rows()))
    assert preview.job.file and len(stored_files(media)) == 1  # a clean file is kept until confirmed


def test_it_states_the_true_size_of_an_upload_over_the_limit_without_reading_it(copp_user: Any, media: Path) -> None:
    class Upload(io.BytesIO):
        size = 50 * 1024 * 1024
        name = "big.xlsx"

        def read(self, *args: Any) -> bytes:
            raise AssertionError("a file over the limit is not read")

    preview = import_dry_run(user=copp_user, kind="organizations", file=Upload(b"PK"))
    assert messages(preview) == "файл: Файл слишком большой: 50,0 МБ, допускается не более 10 МБ."
    assert preview.job.status == ImportJob.Status.REFUSED and stored_files(media) == []


def test_a_huge_number_is_a_row_error_in_the_dry_run(copp_user: Any) -> None:
    """1E+300 planned participants used to pass the dry run and break the confirm with a 500."""
    rows = [
        ["№ мероприятия дорожной карты", "Организатор", "Название", "Дата начала", "Планируемое число участников"],
        [14, "tgmk", "Проба", dt.datetime(2024, 10, 15), 1e300],
        [14, "tgmk", "Проба 2", dt.datetime(2024, 10, 16), 10_000_001],
        [14, "tgmk", "Проба 3", dt.datetime(2024, 10, 17), 10_000_000],
    ]
    preview = refused(copp_user, xlsx_bytes(rows), "events")
    found = {(e.row, e.column): e.message for e in preview.errors}
    assert set(found) == {(2, "Планируемое число участников"), (3, "Планируемое число участников")}
    assert (
        found[(2, "Планируемое число участников")] == "число 1e+300 больше допустимого (не более 10\u00a0000\u00a0000)"
    )
    assert "10\u00a0000\u00a0001 больше допустимого" in found[(3, "Планируемое число участников")]
    values = [ACTUAL_HEADER, ["3", 2024, None, "copp", 10**12 + 1], ["3.1", 2024, None, "copp", float("inf")]]
    text = messages(refused(copp_user, xlsx_bytes(values), "actuals"))
    assert "не более 1\u00a0000\u00a0000\u00a0000\u00a0000" in text and "строка 3" in text


def test_a_confirm_that_breaks_marks_the_job_failed_and_deletes_its_file(
    copp_user: Any, media: Path, monkeypatch: Any
) -> None:
    from reports.resources import OrganizationImport
    from reports.services import ImportFailed

    preview = import_dry_run(user=copp_user, kind="organizations", file=xlsx_bytes(org_rows()))
    assert stored_files(media)

    def explode(*args: Any, **kwargs: Any) -> None:
        Organization.objects.create(key="half-written", kind="college", short_name="x", name="x")
        raise OverflowError("Python int too large to convert to SQLite INTEGER")

    monkeypatch.setattr(OrganizationImport, "write", explode)
    with pytest.raises(ImportFailed) as exc:
        import_confirm(user=copp_user, job=preview.job, now=NOW)
    assert "ошибки на сервере (OverflowError); данные не изменены" in str(exc.value)
    job = ImportJob.objects.get(pk=preview.job.pk)
    assert job.status == ImportJob.Status.FAILED and job.errors[0]["message"].startswith("загрузка не выполнена")
    assert not job.file and stored_files(media) == []
    assert not Organization.objects.filter(key="half-written").exists()
    with pytest.raises(ImportRefused):
        import_confirm(user=copp_user, job=job, now=NOW)


def test_a_confirm_refused_for_its_data_closes_the_job(copp_user: Any, media: Path) -> None:
    rows = [ACTUAL_HEADER, ["3.1", 2024, None, "copp", 5]]
    first = import_dry_run(user=copp_user, kind="actuals", file=xlsx_bytes(rows))
    import_confirm(user=copp_user, job=first.job, now=NOW)
    rows[1][4] = 6
    preview = import_dry_run(user=copp_user, kind="actuals", file=xlsx_bytes(rows))
    Actual.objects.filter(indicator__code="3.1").update(status=Actual.Status.SUBMITTED)
    with pytest.raises(ImportRefused):
        import_confirm(user=copp_user, job=preview.job, now=NOW)
    job = ImportJob.objects.get(pk=preview.job.pk)
    assert job.status == ImportJob.Status.REFUSED and job.errors and not job.file
    assert [p.name for p in stored_files(media)] == [Path(first.job.file.name).name]


def test_a_checked_import_can_be_discarded_and_its_file_is_deleted(copp_user: Any, make_user: Any, media: Path) -> None:
    from django.test import Client
    from django.urls import reverse

    from reports.services import import_discard

    preview = import_dry_run(user=copp_user, kind="organizations", file=xlsx_bytes(org_rows()))
    with pytest.raises(PermissionDenied):
        import_discard(user=make_user("copp"), job=preview.job)
    client = Client()
    client.force_login(copp_user)
    response = client.post(reverse("import_detail", args=[preview.job.pk]), {"discard": "1"})
    assert response.status_code == 302
    job = ImportJob.objects.get(pk=preview.job.pk)
    assert job.status == ImportJob.Status.DISCARDED and not job.file and stored_files(media) == []
    with pytest.raises(ImportRefused):
        import_confirm(user=copp_user, job=job, now=NOW)
    assert not Organization.objects.filter(key="college-0").exists()


def test_wrong_columns_refuse_the_file_before_its_rows_are_read(copp_user: Any, settings: Any) -> None:
    settings.REPORTS_IMPORT_MAX_ROWS = 3  # rows past the header are never reached
    rows = [["Код", "Цвет"]] + [["a", "b"]] * 10
    text = messages(refused(copp_user, xlsx_bytes(rows)))
    assert "неизвестные столбцы: «Цвет» (B)" in text and "больше 3 строк" not in text


# --- one rule per write: the import calls the apps' bulk services ---------------------

REPORT_HEADER = ["Код мероприятия", "Краткий отчёт", "Участников, всего"]
EVENT_HEADER = ["№ мероприятия дорожной карты", "Организатор", "Название", "Дата начала", "Дата окончания"]


def held_event(title: str = "Проба", day: dt.date = dt.date(2024, 10, 1), org: str = "tgmk") -> Any:
    from roadmap.events.services import event_create
    from roadmap.models import Activity

    organizer = Organization.objects.get(key=org)
    return event_create(
        user=None, activity=Activity.objects.get(number=14), organizer=organizer, title=title, start_date=day
    )


def report_on(event: Any, copp_user: Any) -> Any:
    from roadmap.events.services import ReportData, event_report_submit

    return event_report_submit(
        user=None, event=event, data=ReportData(summary="Прошло", participants_total=30), now=NOW
    )


def test_an_excel_correction_of_a_returned_report_sends_it_again_as_the_form_does(copp_user: Any) -> None:
    from roadmap.events.services import event_report_return
    from roadmap.models import EventReport

    event = held_event()
    report = event_report_return(user=None, report=report_on(event, copp_user), reason="Уточните", now=NOW)
    assert report.status == EventReport.Status.RETURNED and report.resubmission_due_at is not None
    later = NOW + dt.timedelta(hours=3)
    preview = import_dry_run(
        user=copp_user, kind="event_reports", file=xlsx_bytes([REPORT_HEADER, [event.pk, None, 31]]), now=later
    )
    assert preview.counts == {"created": 0, "updated": 1, "unchanged": 0}, messages(preview)
    import_confirm(user=copp_user, job=preview.job, now=later)
    report.refresh_from_db()
    assert (report.status, report.participants_total, report.summary) == (EventReport.Status.SUBMITTED, 31, "Прошло")
    assert report.resubmitted_at == later and report.resubmission_due_at is None and report.version == 3
    assert report.submitted_at == NOW  # the first submission and its verdict stay frozen
    assert report.history.first().status == EventReport.Status.SUBMITTED


def test_the_chase_stops_asking_for_a_report_corrected_from_excel(copp_user: Any, make_user: Any) -> None:
    from roadmap.chase.notifications import chase_claim
    from roadmap.events.services import event_report_return
    from roadmap.models import Notification

    make_user("coordinator", organization=Organization.objects.get(key="tgmk"), email="tgmk@example.org")

    corrected, forgotten = held_event("Исправлен"), held_event("Забыт")
    for event in (corrected, forgotten):
        event_report_return(user=None, report=report_on(event, copp_user), reason="Уточните", now=NOW)
    preview = import_dry_run(
        user=copp_user, kind="event_reports", file=xlsx_bytes([REPORT_HEADER, [corrected.pk, None, 31]]), now=NOW
    )
    import_confirm(user=copp_user, job=preview.job, now=NOW)
    chase_claim(now=NOW + dt.timedelta(days=5))
    asked = set(Notification.objects.filter(kind=Notification.Kind.RESUBMIT_OVERDUE).values_list("event_id", flat=True))
    assert asked == {forgotten.pk}


def test_the_same_figures_for_a_returned_report_still_send_it_again(copp_user: Any) -> None:
    from roadmap.events.services import event_report_return
    from roadmap.models import EventReport

    event = held_event()
    event_report_return(user=None, report=report_on(event, copp_user), reason="Проверьте", now=NOW)
    preview = import_dry_run(
        user=copp_user, kind="event_reports", file=xlsx_bytes([REPORT_HEADER, [event.pk, None, 30]]), now=NOW
    )
    assert preview.counts["updated"] == 1
    import_confirm(user=copp_user, job=preview.job, now=NOW)
    assert EventReport.objects.get(event=event).status == EventReport.Status.SUBMITTED
    again = import_dry_run(
        user=copp_user, kind="event_reports", file=xlsx_bytes([REPORT_HEADER, [event.pk, None, 30]]), now=NOW
    )
    assert again.counts == {"created": 0, "updated": 0, "unchanged": 1}


def test_an_accepted_report_is_not_changed_by_a_file(copp_user: Any) -> None:
    from roadmap.events.services import event_report_accept

    event = held_event()
    event_report_accept(user=None, report=report_on(event, copp_user), now=NOW)
    preview = refused(copp_user, xlsx_bytes([REPORT_HEADER, [event.pk, None, 31]]), "event_reports", now=NOW)
    assert [(e.row, e.column, e.message) for e in preview.errors] == [
        (2, "Код мероприятия", "Отчёт в статусе «Принят»: изменить его нельзя.")
    ]


def test_another_organisations_event_is_answered_exactly_like_a_missing_one(make_user: Any, copp_user: Any) -> None:
    """No existence oracle: for B, A's past, future, cancelled and reported events are all "not found"."""
    from roadmap.events.services import event_cancel
    from roadmap.models import Event as EventModel

    past, future, reported = held_event("Прошло"), held_event("Будет", dt.date(2024, 12, 20)), held_event("С отчётом")
    report_on(reported, copp_user)
    cancelled = event_cancel(user=None, event=held_event("Отменено"), reason="нет зала", now=NOW)
    missing = EventModel.objects.order_by("-pk").first().pk + 1000
    stranger = make_user("coordinator", organization=Organization.objects.get(key="copp"))
    ids = [past.pk, future.pk, reported.pk, cancelled.pk, missing]
    preview = refused(stranger, xlsx_bytes([REPORT_HEADER] + [[pk, "x", 1] for pk in ids]), "event_reports", now=NOW)
    answers = [(e.row, e.column, e.message.replace(str(pk), "N")) for e, pk in zip(preview.errors, ids, strict=True)]
    assert answers == [(row, "Код мероприятия", "Мероприятие с кодом N не найдено.") for row in range(2, 7)]
    # The organiser's own coordinator is told what is wrong with their events.
    own = make_user("coordinator", organization=Organization.objects.get(key="tgmk"))
    preview = refused(own, xlsx_bytes([REPORT_HEADER] + [[pk, "x", 1] for pk in ids[1:4:2]]), "event_reports", now=NOW)
    assert [e.message for e in preview.errors] == [
        "Мероприятие ещё не прошло: отчёт подаётся после последнего дня.",
        "Мероприятие отменено: отчёт не нужен.",
    ]


def test_moving_a_reported_event_is_refused_by_the_import_as_by_event_update(copp_user: Any) -> None:
    from django.core.exceptions import ValidationError

    from roadmap.events.services import event_update

    reported, free = held_event("С отчётом"), held_event("Без отчёта")
    report_on(reported, copp_user)
    rows = [EVENT_HEADER] + [
        [14, "tgmk", e.title, dt.datetime(2024, 10, 1), dt.datetime(2024, 10, 2)] for e in (reported, free)
    ]
    preview = refused(copp_user, xlsx_bytes(rows), "events")
    message = (
        "По мероприятию уже подан отчёт: даты изменить нельзя — отчёт и его своевременность относятся к этим датам."
    )
    assert [(e.row, e.column, e.message) for e in preview.errors] == [(2, "Дата окончания", message)]
    with pytest.raises(ValidationError) as exc:
        event_update(user=copp_user, event=reported, end_date=dt.date(2024, 10, 2))
    assert exc.value.message_dict == {"end_date": [message]}
    preview = import_dry_run(user=copp_user, kind="events", file=xlsx_bytes([rows[0], rows[2]]))
    assert preview.counts == {"created": 0, "updated": 1, "unchanged": 0}, messages(preview)
    import_confirm(user=copp_user, job=preview.job, now=NOW)
    free.refresh_from_db()
    assert free.end_date == dt.date(2024, 10, 2) and free.version == 2
    assert timezone.localtime(free.due_at).replace(tzinfo=None) == dt.datetime(2024, 10, 3, 23, 59, 59)


def test_the_event_import_applies_the_event_form_rules(copp_user: Any) -> None:
    rows = [
        EVENT_HEADER,
        [14, "tgmk", "Наоборот", dt.datetime(2024, 10, 5), dt.datetime(2024, 10, 1)],
        [14, "tgmk", "Давно", dt.datetime(2015, 10, 5), None],
    ]
    found = {(e.row, e.column): e.message for e in refused(copp_user, xlsx_bytes(rows), "events").errors}
    assert found[(2, "Дата окончания")] == "Последний день не может быть раньше первого."
    assert found[(3, "Дата начала")] == "05.10.2015 — вне периода дорожной карты (2023–2025)"


def test_an_approved_value_changes_only_with_a_reason(copp_user: Any, ministry_user: Any) -> None:
    from indicators.services import actual_approve, actual_reopen, actual_submit

    rows = [[*ACTUAL_HEADER, "Причина изменения"], ["3", 2024, None, "copp", 120, None]]
    first = import_dry_run(user=copp_user, kind="actuals", file=xlsx_bytes(rows))
    import_confirm(user=copp_user, job=first.job, now=NOW)
    actual = Actual.objects.get(indicator__code="3", year=2024)
    actual_submit(actual=actual, user=copp_user, now=NOW)
    actual_approve(actual=actual, user=ministry_user, now=NOW)
    rows[1][4] = 130
    preview = refused(copp_user, xlsx_bytes(rows), "actuals")  # approved: only the ministry reopens it
    assert "«Утверждено» изменить нельзя" in messages(preview)
    actual_reopen(actual=actual, user=ministry_user, now=NOW, reason="Проверка")
    preview = refused(copp_user, xlsx_bytes(rows), "actuals")
    assert [(e.row, e.column, e.message) for e in preview.errors] == [
        (2, "Причина изменения", "Значение уже утверждалось: укажите причину изменения.")
    ]
    rows[1][5] = "Исправлена опечатка"
    preview = import_dry_run(user=copp_user, kind="actuals", file=xlsx_bytes(rows))
    assert preview.is_clean, messages(preview)
    import_confirm(user=copp_user, job=preview.job, now=NOW)
    change = ActualChange.objects.filter(actual=actual, action="edit").get()
    assert (change.old_value, change.new_value, change.reason) == (120, 130, "Исправлена опечатка")
    assert ActualChange.objects.get(actual=actual, action="create").reason == ""  # as actual_create
    header = load_workbook(io.BytesIO(import_template(kind="actuals"))).active[1]
    assert "Причина изменения" in [c.value for c in header]


def test_the_event_and_report_imports_run_a_fixed_number_of_queries(copp_user: Any) -> None:
    from roadmap.models import EventReport

    def queries(n: int) -> tuple[int, int, int, int]:
        Event.objects.all().delete()
        events = [
            [14, "tgmk", f"Проба {i}", dt.datetime(2024, 10, 1) + dt.timedelta(days=i % 30), None] for i in range(n)
        ]
        with CaptureQueriesContext(connection) as dry:
            preview = import_dry_run(user=copp_user, kind="events", file=xlsx_bytes([EVENT_HEADER, *events]))
        with CaptureQueriesContext(connection) as confirm:
            import_confirm(user=copp_user, job=preview.job, now=NOW)
        reports = [[pk, "Прошло", 10] for pk in Event.objects.values_list("pk", flat=True)]
        with CaptureQueriesContext(connection) as report_dry:
            preview = import_dry_run(
                user=copp_user, kind="event_reports", file=xlsx_bytes([REPORT_HEADER, *reports]), now=NOW
            )
        assert preview.is_clean, messages(preview)
        with CaptureQueriesContext(connection) as report_confirm:
            import_confirm(user=copp_user, job=preview.job, now=NOW)
        assert EventReport.objects.count() == n
        return len(dry), len(confirm), len(report_dry), len(report_confirm)

    queries(2)  # warm caches
    small, large = queries(3), queries(60)
    assert small[0] == large[0] and small[2] == large[2]
    assert large[1] - small[1] <= 4 and large[3] - small[3] <= 4


def test_checking_stops_after_too_many_errors(copp_user: Any, settings: Any) -> None:
    settings.REPORTS_IMPORT_MAX_ERRORS = 4
    rows = [ACTUAL_HEADER] + [["3", "2024 г.", None, "copp", "сто"] for _ in range(50)]
    preview = refused(copp_user, xlsx_bytes(rows), "actuals")
    assert len(preview.errors) == 5
    assert "ошибок больше 4: проверка остановлена на строке 3" in messages(preview)


def test_import_xlsx_command_states_the_true_size_and_keeps_no_file(
    order_plan: Any, tmp_path: Path, capsys: Any, settings: Any, media: Path
) -> None:
    settings.REPORTS_IMPORT_MAX_BYTES = 2000
    big = tmp_path / "big.xlsx"
    big.write_bytes(xlsx_bytes(org_rows(40)))
    size = big.stat().st_size
    with pytest.raises(CommandError):
        call_command("import_xlsx", "organizations", str(big))
    err = capsys.readouterr().err
    assert f"Файл слишком большой: {size / 1024:.1f} КБ".replace(".", ",") in err and "не более 2 КБ." in err
    assert stored_files(media) == [] and not Organization.objects.filter(key="college-0").exists()


def test_the_import_page_tells_the_true_size_of_a_big_upload(copp_user: Any, settings: Any, media: Path) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test import Client
    from django.urls import reverse

    settings.REPORTS_IMPORT_MAX_BYTES = 1024 * 1024
    client = Client()
    client.force_login(copp_user)
    upload = SimpleUploadedFile("big.xlsx", b"PK" + b"\0" * (3 * 1024 * 1024))
    response = client.post(reverse("import_start"), {"kind": "organizations", "file": upload})
    job = ImportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("import_detail", args=[job.pk])
    assert job.status == ImportJob.Status.REFUSED and not job.file and stored_files(media) == []
    page = client.get(response["Location"]).content.decode()
    assert "Файл слишком большой: 3,0 МБ, допускается не более 1 МБ." in page


def test_a_value_for_a_derived_total_is_refused_by_row(copp_user: Any) -> None:
    rows = [ACTUAL_HEADER, ["3", 2024, None, "copp", 5], ["4", 2024, None, "copp", 73]]
    preview = import_dry_run(user=copp_user, kind="actuals", file=xlsx_bytes(rows))
    assert not preview.is_clean
    assert "сумма строк 4.1, 4.2" in messages(preview)


def test_it_offers_every_report_figure_as_a_column_of_the_report_import() -> None:
    from reports.resources import EventReportImport
    from roadmap.models import REPORT_FIGURE_FIELDS

    names = [column.key for column in EventReportImport.columns]
    assert names == ["event", "summary", *REPORT_FIGURE_FIELDS]

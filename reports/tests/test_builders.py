"""Every report built for real and opened with openpyxl."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from reports.builders import build_to, builder_class
from roadmap.events.services import ReportData, event_create, event_report_submit
from roadmap.models import Activity, Municipality, Organization, Plan, Section
from roadmap.plans.deadlines import MOSCOW


def msk(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=MOSCOW)


def build(
    kind: str, plan: Any, *, year: int = 2024, as_of: dt.date | None = None, now: dt.datetime | None = None
) -> Any:
    out = io.BytesIO()
    builder = builder_class(kind)(plan=plan, year=year, as_of=as_of, now=now or msk(2024, 12, 20, 12))
    build_to(builder, out)
    return load_workbook(io.BytesIO(out.getvalue())).active


def data_rows(ws: Any) -> list[tuple[Any, ...]]:
    """Rows under the column-number row (the one reading 1, 2, 3, …)."""
    rows = list(ws.iter_rows(values_only=True))
    start = next(i for i, r in enumerate(rows) if r[0] == 1 and r[1] == 2)
    return rows[start + 1 : start + 1 + table_end(rows[start + 1 :])]


def table_end(rows: list[tuple[Any, ...]]) -> int:
    """The table ends at the empty row before the signature block."""
    return next((i for i, r in enumerate(rows) if all(v is None for v in r)), len(rows))


def signature_rows(ws: Any) -> list[str]:
    """The lines under the table (the signature block)."""
    rows = list(ws.iter_rows(values_only=True))
    start = next(i for i, r in enumerate(rows) if r[0] == 1 and r[1] == 2) + 1
    end = start + table_end(rows[start:])
    return [r[0] for r in rows[end + 1 :] if r and r[0]]


@pytest.fixture
def events(order_plan: Any) -> dict[str, Any]:
    """Three events of activity 14 in 2024, reported at different moments."""
    activity = Activity.objects.get(plan=order_plan, number=14)
    tula = Municipality.objects.get(name="город Тула")
    college = Organization.objects.get(key="tgmk")
    college.municipality = tula
    college.save()
    made: dict[str, Any] = {}
    with time_machine.travel(msk(2024, 9, 1, 10), tick=False):
        for key, day in (("early", 10), ("late", 12), ("missing", 14)):
            made[key] = event_create(
                user=None, activity=activity, organizer=college, title=f"Проба {key}", start_date=dt.date(2024, 9, day)
            )
    with time_machine.travel(msk(2024, 9, 11, 18), tick=False):
        event_report_submit(
            user=None,
            event=made["early"],
            now=msk(2024, 9, 11, 18),
            data=ReportData(summary="ok", participants_total=30, participants_pupils_6_11=20, schools_count=3),
        )
    with time_machine.travel(msk(2024, 10, 1, 9), tick=False):
        event_report_submit(
            user=None,
            event=made["late"],
            now=msk(2024, 10, 1, 9),
            data=ReportData(summary="ok", participants_total=10, participants_pupils_6_11=5, schools_count=1),
        )
    with time_machine.travel(msk(2024, 11, 1, 9), tick=False):
        made["later"] = event_create(
            user=None, activity=activity, organizer=college, title="Проба позже", start_date=dt.date(2024, 10, 20)
        )
    return made


def test_it_lays_out_the_roadmap_as_annex_1(order_plan: Any) -> None:
    ws = build("roadmap", order_plan)
    assert "№ 2714" in ws["A1"].value and "16.12.2022" in ws["A1"].value
    assert "2024 год" in ws["A2"].value
    header = [c.value for c in ws[5]]
    assert header[:6] == [
        "№",
        "Наименование мероприятия",
        "Ожидаемый результат",
        "Документ, определяющий результат",
        "Срок реализации",
        "Ответственные",
    ]
    assert header[6] == "Исполнение в 2024 году"
    rows = data_rows(ws)
    numbers = [r[0] for r in rows if isinstance(r[0], int)]
    assert numbers == list(range(1, 30))
    titles = [s.title for s in Section.objects.filter(plan=order_plan).order_by("order")]
    section_rows = [r[0] for r in rows if isinstance(r[0], str)]
    assert section_rows == titles
    merged = {str(r) for r in ws.merged_cells.ranges}
    first_section = next(i for i, r in enumerate(ws.iter_rows(values_only=True), start=1) if r[0] == titles[0])
    assert f"A{first_section}:N{first_section}" in merged
    assert "A5:A6" in merged and "G5:N5" in merged  # № over both header rows; the year group
    one = next(r for r in rows if r[0] == 1)
    activity = Activity.objects.get(plan=order_plan, number=1)
    assert one[1:6] == (
        activity.name,
        activity.expected_result,
        activity.evidence_document,
        activity.deadline_text,
        activity.responsible_text,
    )
    assert one[6] == "не запланировано"  # its only window is January–March 2023


def test_it_counts_events_per_activity_in_the_roadmap(order_plan: Any, events: Any) -> None:
    ws = build("roadmap", order_plan, now=msk(2024, 10, 25, 12))
    row = next(r for r in data_rows(ws) if r[0] == 14)
    held, on_time, late, missing = row[7:11]
    assert (held, on_time, late, missing) == (4, 1, 1, 2)
    assert "Проба missing" in row[12]
    assert row[6] == "в работе"


def test_it_builds_the_indicator_table_with_printed_codes(order_plan: Any) -> None:
    ws = build("indicators", order_plan)
    rows = data_rows(ws)
    codes = [r[0] for r in rows if r[0]]
    assert codes[:5] == ["1", "2", "3", "3.1", "4."]
    first = rows[0]
    assert first[2] == "да/нет" and first[3] == "да"  # yes/no target shown as да
    sub = next(i for i, r in enumerate(ws.iter_rows(values_only=True), start=1) if r[0] == "3.1")
    top = next(i for i, r in enumerate(ws.iter_rows(values_only=True), start=1) if r[0] == "3")
    assert ws.cell(row=sub, column=2).alignment.indent > ws.cell(row=top, column=2).alignment.indent
    four = next(r for r in rows if r[0] == "4.")
    assert not any(isinstance(v, str) and "4.1 + 4.2" in v for v in four)  # no rule text in the rows
    groups = [c.value for c in ws[5]]
    assert "2023 год" in groups and "2024 год" in groups and "2025 год, план" in groups
    assert "Нарушенные правила" not in groups


def test_the_indicator_report_lists_the_breaches_of_its_year_once_in_a_closing_section(order_plan: Any) -> None:
    rows = data_rows(build("indicators", order_plan, year=2024))
    start = next(i for i, r in enumerate(rows) if r[0] == "Проверки")
    assert all(r[0] != "Проверки" for r in rows[start + 1 :])
    checks = [r[0] for r in rows[start + 1 :]]
    # The order's own 2024 plan breaks 4 = Σ4.x (73 against 75); stated once, as a sentence.
    assert checks == ["2024, план: строка 4 = 73, а 4.1 + 4.2 + 4.3 + 4.4 + 4.5 + 4.6 + 4.7 = 75 (разница 2)"]
    assert not any("2023" in line or "2025" in line for line in checks)
    assert all(v is None for r in rows[start + 1 :] for v in r[1:])  # one merged text per line


def test_a_year_without_breaches_says_so(order_plan: Any) -> None:
    rows = data_rows(build("indicators", order_plan, year=2023))
    start = next(i for i, r in enumerate(rows) if r[0] == "Проверки")
    assert [r[0] for r in rows[start + 1 :]] == [
        "2023: правила согласованности показателей приказа выполняются (план и факт)."
    ]


def test_every_report_ends_with_the_signature_block_of_the_plan(order_plan: Any) -> None:
    for kind in ("roadmap", "indicators", "timeliness", "municipalities"):
        lines = signature_rows(build(kind, order_plan))
        assert lines == [
            "Руководитель: директор департамента образования министерства образования Тульской области "
            "________________________ Л.Ю. Сорокина",
            "Исполнитель: Алексеенко Екатерина Витальевна",
            "Телефон: 8(4872) 24-51-04 (26-23)",
            "Дата: 20.12.2024",
        ], kind


def test_an_empty_signature_leaves_lines_to_fill_by_hand(order_plan: Any) -> None:
    Plan.objects.filter(pk=order_plan.pk).update(signature_head="", signature_executor="", signature_phone="")
    order_plan.refresh_from_db()
    lines = signature_rows(build("timeliness", order_plan))
    assert lines[1:3] == ["Исполнитель: ________________________", "Телефон: ________________________"]


def test_it_registers_every_event_with_its_timeliness(order_plan: Any, events: Any) -> None:
    ws = build("timeliness", order_plan, now=msk(2024, 10, 25, 12))
    rows = data_rows(ws)
    by_title = {r[1]: r for r in rows}
    assert set(by_title) == {"Проба early", "Проба late", "Проба missing", "Проба позже"}
    early = by_title["Проба early"]
    assert early[2] == "14" or early[2] == 14
    assert early[3] == "ГПОУ ТО «ТГМК им. Н. Демидова»"
    assert early[4] == "город Тула"
    assert early[5] == dt.datetime(2024, 9, 10)
    assert early[7] == dt.datetime(2024, 9, 11, 23, 59, 59)
    assert early[9] == "в срок" and early[10] is None
    assert by_title["Проба late"][9] == "с опозданием" and by_title["Проба late"][10] == 18
    assert by_title["Проба missing"][9] == "не представлен" and by_title["Проба missing"][10] == 40
    date_cell = next(c for c in ws["F"] if c.value == dt.datetime(2024, 9, 10))
    assert date_cell.number_format == "dd.mm.yyyy"


def test_a_report_as_of_a_past_date_shows_what_was_known_then(order_plan: Any, events: Any) -> None:
    now = msk(2024, 10, 25, 12)
    today = {r[1]: r for r in data_rows(build("timeliness", order_plan, now=now))}
    then = {r[1]: r for r in data_rows(build("timeliness", order_plan, now=now, as_of=dt.date(2024, 9, 20)))}
    assert "Проба позже" in today and "Проба позже" not in then  # registered on 01.11 (after the as-of date)
    assert today["Проба late"][9] == "с опозданием"
    assert then["Проба late"][9] == "не представлен" and then["Проба late"][8] is None
    assert then["Проба late"][10] == 7
    ws = build("timeliness", order_plan, now=now, as_of=dt.date(2024, 9, 20))
    assert "по состоянию на: 20.09.2024" in ws["A3"].value
    roadmap_then = next(
        r for r in data_rows(build("roadmap", order_plan, now=now, as_of=dt.date(2024, 9, 20))) if r[0] == 14
    )
    roadmap_now = next(r for r in data_rows(build("roadmap", order_plan, now=now)) if r[0] == 14)
    assert roadmap_then[7:11] == (3, 1, 0, 2)
    assert roadmap_now[7:11] != roadmap_then[7:11]


def test_it_sums_events_participants_and_schools_per_municipality(order_plan: Any, events: Any) -> None:
    ws = build("municipalities", order_plan, now=msk(2024, 10, 25, 12))
    rows = data_rows(ws)
    tula = next(r for r in rows if r[1] == "город Тула")
    assert tula[2:8] == (4, 2, 1, 40, 25, 4)
    total = rows[-1]
    assert total[1] == "Итого" and total[2] == 4
    assert len(rows) == Municipality.objects.count() + 1


def test_build_report_command_writes_the_file_and_prints_its_path(order_plan: Any, tmp_path: Path, capsys: Any) -> None:
    out = tmp_path / "r.xlsx"
    call_command("build_report", "roadmap", "--year", "2024", "--as-of", "2024-06-30", "--out", str(out))
    assert capsys.readouterr().out.strip() == str(out.resolve())
    ws = load_workbook(out).active
    assert "по состоянию на: 30.06.2024" in ws["A3"].value
    with pytest.raises(CommandError):
        call_command("build_report", "roadmap", "--year", "2031", "--out", str(out))
    with pytest.raises(CommandError):
        call_command("build_report", "roadmap", "--year", "2024", "--as-of", "30.06.2024", "--out", str(out))


def test_the_roadmap_lists_overdue_control_points_and_judges_finished_years(order_plan: Any, events: Any) -> None:
    ws = build("roadmap", order_plan, year=2024, now=msk(2025, 2, 1, 12))
    assert [c.value for c in ws[6]][-1] == "Просроченные контрольные точки"
    rows = {r[0]: r for r in data_rows(ws) if isinstance(r[0], int)}
    windows = {
        a.number: [w for w in a.windows.all() if w.start.year <= 2024 <= w.end.year]
        for a in Activity.objects.filter(plan=order_plan).prefetch_related("windows")
    }
    # An activity other than 14 (the only one with events) whose 2024 windows all ended in 2024.
    empty = next(n for n, ws_ in windows.items() if ws_ and n != 14 and all(w.end.year == 2024 for w in ws_))
    assert rows[empty][13] == ", ".join(f"{w.end:%d.%m.%Y}" for w in sorted(windows[empty], key=lambda w: w.end))
    assert rows[empty][6] == "не выполнено"
    spanning = next(n for n, ws_ in windows.items() if ws_ and all(w.end.year == 2025 for w in ws_))
    assert rows[spanning][13] in (None, "")  # a point on 31.12.2025 has not come on 01.02.2025
    # Its reports are not all accepted, so 14's finished year is not done either.
    assert rows[14][6] == "не выполнено"

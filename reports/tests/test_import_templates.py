"""Import templates: drop-down lists from the current data, a protected header,
the user's own lists; filled by openpyxl (and saved through LibreOffice), they import.
The import page offers only the kinds the user may load."""

from __future__ import annotations

import datetime as dt
import io
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from reports.import_templates import LISTS, LISTS_SHEET, TEMPLATE_ROWS
from reports.models import ImportJob, ImportKind
from reports.resources import OrganizationIndex, resource_for
from reports.services import import_confirm, import_dry_run, import_template
from roadmap.models import Activity, Event, Municipality, Organization

NOW = dt.datetime(2024, 12, 1, 9, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return tmp_path / "media"


@pytest.fixture
def coordinator(make_user: Any, order_plan: Any) -> Any:
    return make_user("coordinator", organization=Organization.objects.get(key="tgmk"))


def workbook(kind: str, user: Any) -> Any:
    return load_workbook(io.BytesIO(import_template(kind=kind, user=user)))


def drop_downs(ws: Any) -> dict[str, Any]:
    """Validations of the data sheet by the header of their column (without the * of required ones)."""
    found = {}
    for dv in ws.data_validations.dataValidation:
        letter = re.match(r"[A-Z]+", str(dv.sqref)).group(0)  # type: ignore[union-attr]
        found[ws[f"{letter}1"].value.rstrip("*")] = dv
    return found


def listed(wb: Any, formula: str) -> list[Any]:
    """The values a validation's range refers to on the lists sheet."""
    match = re.fullmatch(r"'(.+)'!\$([A-Z]+)\$2:\$([A-Z]+)\$(\d+)", formula)
    assert match, formula
    sheet, column, _same, last = match.groups()
    return [wb[sheet][f"{column}{row}"].value for row in range(2, int(last) + 1)]


def test_the_events_template_offers_lists_from_the_current_data(copp_user: Any, order_plan: Any) -> None:
    wb = workbook("events", copp_user)
    assert wb.sheetnames == ["Данные", "Пояснения", LISTS_SHEET]
    ws = wb["Данные"]
    found = drop_downs(ws)
    assert set(found) == {"№ мероприятия дорожной карты", "Организатор", "Муниципальное образование", "Формат"}
    assert {str(dv.sqref) for dv in found.values()} == {f"{c}2:{c}{TEMPLATE_ROWS + 1}" for c in "ABFH"}
    assert all(dv.type == "list" and dv.allow_blank for dv in found.values())
    # Referenced by range: a literal list is limited to 255 characters, these are longer.
    assert all(dv.formula1.startswith(f"'{LISTS_SHEET}'!") for dv in found.values())
    numbers = listed(wb, found["№ мероприятия дорожной карты"].formula1)
    assert numbers == sorted(Activity.objects.filter(plan=order_plan).values_list("number", flat=True))
    assert len(",".join(map(str, numbers))) > 60 and len(numbers) > 25
    municipalities = listed(wb, found["Муниципальное образование"].formula1)
    assert municipalities == list(Municipality.objects.values_list("name", flat=True))
    assert len(", ".join(municipalities)) > 255
    assert listed(wb, found["Формат"].formula1) == ["очно", "онлайн", "смешанный"]
    # Whole vocabularies refuse other values; organisations and activity numbers only warn
    # (a code, or an archived plan's number, is valid too).
    assert found["Формат"].errorStyle in (None, "stop") and found["Муниципальное образование"].errorStyle in (
        None,
        "stop",
    )
    assert found["Организатор"].errorStyle == "warning" == found["№ мероприятия дорожной карты"].errorStyle
    # Every organiser offered is one the import finds, and one ЦОПП may register events for.
    index = OrganizationIndex()
    organisers = listed(wb, found["Организатор"].formula1)
    ids = {index.find(name)[0] for name in organisers}
    assert None not in ids and len(ids) == len(organisers)
    expected = Organization.objects.filter(is_active=True, is_group=False)
    assert ids == set(expected.values_list("pk", flat=True))


def test_the_lists_sheet_is_hidden_and_protected_and_the_header_is_locked(copp_user: Any) -> None:
    wb = workbook("events", copp_user)
    lists = wb[LISTS_SHEET]
    assert lists.sheet_state == "hidden" and lists.protection.sheet
    ws = wb["Данные"]
    assert ws.protection.sheet and not ws.protection.password  # no password: it guards against slips
    assert all(cell.protection.locked for cell in ws[1])
    assert not any(cell.protection.locked for cell in ws[2] if cell.value is not None)  # the example row
    # The cells not written yet take their column's format: unlocked, so rows can be filled.
    for letter in "ABCDEFGHIJ":
        assert not ws.column_dimensions[letter].protection.locked, letter
    assert ws.column_dimensions["K"].protection.locked  # no column there: typing in it is a slip
    assert ws.freeze_panes == "A2"


def test_a_coordinator_is_offered_only_their_own_organisation(coordinator: Any) -> None:
    tgmk = Organization.objects.get(key="tgmk")
    wb = workbook("events", coordinator)
    found = drop_downs(wb["Данные"])
    assert listed(wb, found["Организатор"].formula1) == [tgmk.short_name]
    assert wb["Данные"]["B2"].value == tgmk.short_name  # the example names the coordinator's organisation
    assert len(listed(wb, found["№ мероприятия дорожной карты"].formula1)) > 25  # the rest is shared
    values = drop_downs(workbook("actuals", coordinator)["Данные"])
    assert listed(workbook("actuals", coordinator), values["Организация"].formula1) == [tgmk.short_name]
    agreements = workbook("agreements", coordinator)
    found = drop_downs(agreements["Данные"])
    assert listed(agreements, found["Организация"].formula1) == [tgmk.short_name]
    assert len(listed(agreements, found["Партнёр"].formula1)) > 1  # a partner may be any organisation


@pytest.mark.parametrize("kind", [k for k in ImportKind.values if k != "event_reports"])
def test_every_template_has_its_lists_on_the_expected_columns(copp_user: Any, kind: str) -> None:
    wb = workbook(kind, copp_user)
    resource = resource_for(kind)
    headers = {c.key: c.header for c in resource.columns}
    found = drop_downs(wb["Данные"])
    assert set(found) == {headers[key] for key in LISTS[kind]}
    for dv in found.values():
        values = listed(wb, dv.formula1)
        assert values and None not in values


def test_the_event_reports_template_has_no_lists_and_still_locks_its_header(copp_user: Any) -> None:
    wb = workbook("event_reports", copp_user)
    assert wb.sheetnames == ["Данные", "Пояснения"]
    assert not wb["Данные"].data_validations.dataValidation and wb["Данные"].protection.sheet


def fill(data: bytes, rows: list[list[Any]]) -> bytes:
    """Fill a template as a user would: the example row replaced by the rows, from row 2."""
    wb = load_workbook(io.BytesIO(data))
    ws = wb["Данные"]
    for r, values in enumerate(rows, start=2):
        for c, value in enumerate(values, start=1):
            ws.cell(row=r, column=c, value=value)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def event_rows(wb: Any, n: int) -> list[list[Any]]:
    """Rows picked from the template's own lists (as chosen in the drop-downs)."""
    found = drop_downs(wb["Данные"])
    activity = listed(wb, found["№ мероприятия дорожной карты"].formula1)[13]
    organiser = listed(wb, found["Организатор"].formula1)[0]
    municipality = listed(wb, found["Муниципальное образование"].formula1)[2]
    formats = listed(wb, found["Формат"].formula1)
    return [
        [
            activity,
            organiser,
            f"Проба {i}",
            dt.datetime(2024, 10, 1 + i),
            dt.datetime(2024, 10, 1 + i),
            municipality,
            "г. Тула",
            formats[i % 3],
            "1 000" if i == 0 else 25,  # a number typed as text is read too
            None,
        ]
        for i in range(n)
    ]


@pytest.mark.parametrize("who", ["copp", "coordinator"])
def test_a_template_filled_from_its_lists_imports(copp_user: Any, coordinator: Any, who: str) -> None:
    user = copp_user if who == "copp" else coordinator
    data = import_template(kind="events", user=user)
    filled = fill(data, event_rows(load_workbook(io.BytesIO(data)), 3))
    preview = import_dry_run(user=user, kind="events", file=filled, now=NOW)
    assert preview.is_clean, preview.errors
    assert preview.counts == {"created": 3, "updated": 0, "unchanged": 0}
    assert [(n.row, n.column) for n in preview.notes] == [(2, "Планируемое число участников")]
    import_confirm(user=user, job=preview.job, now=NOW)
    assert sorted(Event.objects.values_list("planned_participants", flat=True)) == [25, 25, 1000]


LIBREOFFICE = shutil.which("soffice")


@pytest.mark.libreoffice
@pytest.mark.skipif(LIBREOFFICE is None, reason="soffice not installed (apt-get install libreoffice-calc)")
def test_a_template_filled_and_saved_through_libreoffice_imports(copp_user: Any, tmp_path: Path) -> None:
    data = import_template(kind="events", user=copp_user)
    source = tmp_path / "filled.xlsx"
    source.write_bytes(fill(data, event_rows(load_workbook(io.BytesIO(data)), 2)))
    out = tmp_path / "out"
    subprocess.run(
        [
            "soffice",
            f"-env:UserInstallation=file://{tmp_path / 'lo-profile'}",
            "--headless",
            "--convert-to",
            "xlsx:Calc MS Excel 2007 XML",
            "--outdir",
            str(out),
            str(source),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    saved = (out / "filled.xlsx").read_bytes()
    wb = load_workbook(io.BytesIO(saved))
    assert len(wb["Данные"].data_validations.dataValidation) == 4  # the drop-downs survive LibreOffice
    assert wb["Данные"].protection.sheet and wb[LISTS_SHEET].sheet_state == "hidden"
    preview = import_dry_run(user=copp_user, kind="events", file=saved, now=NOW)
    assert preview.is_clean, preview.errors
    assert preview.counts["created"] == 2


# --- the import page ----------------------------------------------------------------------


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_coordinator_is_offered_only_the_kinds_they_may_load(coordinator: Any) -> None:
    page = client_for(coordinator).get(reverse("import_start"))
    assert page.status_code == 200
    field = page.context["form"]["kind"]
    offered = [value for value, _label in field.field.choices]
    assert "organizations" not in offered
    assert offered[:2] == ["events", "event_reports"]
    assert field.value() == "events"  # pre-selected: the first kind they may load
    assert '<option value="events" selected>' in page.content.decode()
    assert [kind for kind, _label in page.context["kinds"]] == offered  # the templates listed too
    assert reverse("import_template", args=["organizations"]) not in page.content.decode()


def test_a_coordinator_posting_a_forbidden_kind_gets_a_form_error_not_a_403(coordinator: Any) -> None:
    upload = SimpleUploadedFile("orgs.xlsx", b"PK\x03\x04")
    response = client_for(coordinator).post(reverse("import_start"), {"kind": "organizations", "file": upload})
    assert response.status_code == 200
    assert response.context["form"].errors["kind"] == ["Этот вид данных вам загружать нельзя: выберите вид из списка."]
    assert not ImportJob.objects.exists()


def test_a_coordinator_cannot_download_a_template_of_a_kind_they_may_not_load(coordinator: Any) -> None:
    client = client_for(coordinator)
    assert client.get(reverse("import_template", args=["organizations"])).status_code == 404
    response = client.get(reverse("import_template", args=["events"]))
    assert response.status_code == 200
    wb = load_workbook(io.BytesIO(response.content))
    assert listed(wb, drop_downs(wb["Данные"])["Организатор"].formula1) == ["ГПОУ ТО «ТГМК им. Н. Демидова»"]


def test_copp_staff_are_offered_every_kind(copp_user: Any) -> None:
    page = client_for(copp_user).get(reverse("import_start"))
    assert [v for v, _l in page.context["form"]["kind"].field.choices] == list(ImportKind.values)
    assert page.context["form"]["kind"].value() == "organizations"


def test_ministry_staff_still_get_a_403(ministry_user: Any) -> None:
    assert client_for(ministry_user).get(reverse("import_start")).status_code == 403

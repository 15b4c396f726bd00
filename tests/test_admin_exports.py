"""Every admin that exports writes text, never formulae, into its xlsx files.

The admins are discovered from the admin site, so an exporting admin added
later is covered without touching this file. Each one exports a row whose
text fields (and those of the records it names through foreign keys) hold
what a coordinator could type: ``=cmd|' /C calc'!A0``.
"""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.contrib import admin
from django.db import models
from django.urls import reverse
from import_export.admin import ExportMixin
from openpyxl import load_workbook

from indicators.models import PartnerAgreement
from indicators.tests.factories import PartnerAgreementFactory, ProgrammeCohortFactory
from roadmap.models import Plan

PAYLOADS = ("=cmd|' /C calc'!A0", "==1+1")

EXPORTING = sorted(
    (
        (model, model_admin)
        for model, model_admin in admin.site._registry.items()
        if isinstance(model_admin, ExportMixin)
    ),
    key=lambda pair: pair[0]._meta.label,
)


def test_it_finds_the_exporting_admins() -> None:
    labels = {model._meta.label for model, _ in EXPORTING}
    assert {"roadmap.Organization", "indicators.PartnerAgreement", "indicators.Target"} <= labels


def _poison(obj: models.Model, payload: str) -> None:
    """Write the payload into every free-text field of the row (update(): no validation, as a raw write would)."""
    values = {}
    for field in obj._meta.concrete_fields:
        if isinstance(field, (models.CharField, models.TextField)) and not field.choices and not field.unique:
            values[field.attname] = payload[: field.max_length] if field.max_length else payload
    if values:
        type(obj)._default_manager.filter(pk=obj.pk).update(**values)


def _formula_cells(content: bytes, payload: str) -> tuple[list[str], int]:
    """Cells that Excel would run, and how many cells carry the payload as plain, quoted text."""
    formulas, carried = [], 0
    workbook = load_workbook(io.BytesIO(content))
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if cell.data_type == "f" or (
                    isinstance(cell.value, str) and cell.value.startswith("=") and not cell.quotePrefix
                ):
                    formulas.append(f"{sheet.title}!{cell.coordinate}: {cell.value!r}")
                if cell.value == payload and cell.data_type == "s" and cell.quotePrefix:
                    carried += 1
    return formulas, carried


def _export(client: Any, model: type[models.Model]) -> bytes:
    """Export every row and every column as xlsx through the admin's export view."""
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_export")
    form = client.get(url).context["form"]
    formats = {label: value for value, label in form.fields["format"].choices}
    data = {"resource": "0", "format": formats["xlsx"]}
    data |= {name: "on" for name, field in form.fields.items() if getattr(field, "is_selectable_field", False)}
    response = client.post(url, data)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats"), response.content[:500]
    return b"".join(response.streaming_content) if response.streaming else response.content


@pytest.mark.parametrize("payload", PAYLOADS)
@pytest.mark.parametrize(("model", "model_admin"), EXPORTING, ids=[m._meta.label for m, _ in EXPORTING])
def test_it_exports_xlsx_without_formulae(
    order_plan: Plan, client: Any, make_user: Any, model: type[models.Model], model_admin: Any, payload: str
) -> None:
    PartnerAgreementFactory(), ProgrammeCohortFactory()  # the registries are empty after loading the plan
    obj = model._default_manager.order_by("pk").first()
    assert obj is not None, f"no {model._meta.label} to export"
    _poison(obj, payload)
    for field in obj._meta.concrete_fields:
        if field.many_to_one and getattr(obj, field.attname) is not None:
            _poison(getattr(obj, field.name), payload)
    client.force_login(make_user("admin"))
    formulas, carried = _formula_cells(_export(client, model), payload)
    assert carried, "the payload did not reach the export: the test proves nothing"
    assert formulas == []


def test_it_exports_dates_as_dates_and_nothing_as_empty(client: Any, make_user: Any) -> None:
    import datetime as dt

    PartnerAgreementFactory(valid_to=None)
    client.force_login(make_user("admin"))
    sheet = load_workbook(io.BytesIO(_export(client, PartnerAgreement))).active
    header = [c.value for c in sheet[1]]
    row = {name: cell.value for name, cell in zip(header, sheet[2], strict=True)}
    assert row["date"] == dt.datetime(2023, 3, 1)
    assert row["valid_to"] is None


def test_it_keeps_dates_numbers_and_empty_cells_as_they_are() -> None:
    import datetime as dt

    import tablib

    from copp.admin_exports import SafeXLSX

    data = tablib.Dataset(headers=["date", "hours", "to", "text", "minus"])
    data.append([dt.date(2024, 3, 1), 72, None, "=1+1", "-5 дней\x01"])
    sheet = load_workbook(io.BytesIO(SafeXLSX().export_data(data))).active
    row = [(c.value, c.data_type, c.quotePrefix) for c in sheet[2]]
    assert row[0][0] == dt.datetime(2024, 3, 1)
    assert row[1][:2] == (72, "n")
    assert row[2][0] is None
    assert row[3] == ("=1+1", "s", True)
    assert row[4] == ("-5 дней", "s", True)

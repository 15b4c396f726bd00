"""Helpers of the reports tests: spreadsheets made on the fly, hostile ones too."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Callable
from typing import Any

import pytest
from openpyxl import Workbook


def xlsx_bytes(rows: list[list[Any]], *, setup: Callable[[Any], None] | None = None) -> bytes:
    wb = Workbook()
    ws = wb.active
    for row in rows:
        ws.append(row)
    if setup is not None:
        setup(ws)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def rewrite_entry(data: bytes, name: str, change: Callable[[bytes], bytes]) -> bytes:
    """Rewrite one part of an xlsx archive (for hostile files)."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            content = src.read(item.filename)
            if item.filename == name:
                content = change(content)
            dst.writestr(item.filename, content)
    return out.getvalue()


def add_entries(data: bytes, entries: dict[str, bytes]) -> bytes:
    out = io.BytesIO(data)
    with zipfile.ZipFile(out, "a", zipfile.ZIP_DEFLATED) as dst:
        for name, content in entries.items():
            dst.writestr(name, content)
    return out.getvalue()


def declare_dimension(data: bytes, ref: str) -> bytes:
    return rewrite_entry(
        data,
        "xl/worksheets/sheet1.xml",
        lambda x: re.sub(rb'<dimension ref="[^"]*"', f'<dimension ref="{ref}"'.encode(), x),
    )


@pytest.fixture
def copp_user(make_user: Any, order_plan: Any) -> Any:
    from roadmap.models import Organization

    return make_user("copp", organization=Organization.objects.get(key="copp"))


@pytest.fixture
def ministry_user(make_user: Any, order_plan: Any) -> Any:
    return make_user("ministry", email="minister@example.org")

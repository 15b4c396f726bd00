"""The four Excel reports print: LibreOffice turns each into a PDF that is A4
landscape, fitted to the width, a bounded number of pages, with every header
word whole, the signature block at the end and "Страница N из M" on each page.

Marked ``libreoffice``; skipped when ``soffice`` (Debian's
``libreoffice-calc``) or poppler's ``pdfinfo``/``pdftotext`` are missing.
Run alone: ``pytest -m libreoffice reports/tests/test_print.py``.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from openpyxl import load_workbook

from reports.builders import build_to, builder_class
from reports.writer import XlsxWriter, word_width
from roadmap.tests.event_factories import msk

TOOLS = ("soffice", "pdfinfo", "pdftotext")
MISSING = [tool for tool in TOOLS if shutil.which(tool) is None]

pytestmark = [
    pytest.mark.libreoffice,
    pytest.mark.django_db,
    pytest.mark.skipif(
        bool(MISSING),
        reason=f"{', '.join(MISSING)} not installed (apt-get install libreoffice-calc poppler-utils)",
    ),
]

NOW = msk(2024, 12, 20, 12)
KINDS = ("roadmap", "indicators", "timeliness", "municipalities")
# Pages of the demo data (generate_demo --scale small, seed 1) for 2024, with
# some room; the timeliness register grows with the events (about 27 a page).
MAX_PAGES = {"roadmap": 4, "indicators": 2, "municipalities": 2}
A4_LANDSCAPE = (841.89, 595.3)


@pytest.fixture(scope="module")
def printed(django_db_setup: Any, django_db_blocker: Any, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The four reports of the demo data for 2024: xlsx, PDF and the header words of each."""
    out = tmp_path_factory.mktemp("print")
    result: dict[str, Any] = {}
    with django_db_blocker.unblock():
        from django.db import transaction

        from roadmap.models import Event, Plan
        from roadmap.plans.loader import plan_load

        with transaction.atomic():
            plan_load()
            call_command("generate_demo", scale="small", seed=1, now=NOW.isoformat(), stdout=open("/dev/null", "w"))
            plan = Plan.objects.get(key="tula-2714-2022")
            events = Event.objects.filter(activity__plan=plan, end_date__year=2024).count()
            for kind in KINDS:
                builder = builder_class(kind)(plan=plan, year=2024, now=NOW)
                layout = builder.layout()
                path = out / f"{kind}.xlsx"
                build_to(builder, str(path))
                result[kind] = {"xlsx": path, "layout": layout, "writer": XlsxWriter(layout)}
            transaction.set_rollback(True)
    profile = out / "lo-profile"
    subprocess.run(
        [
            "soffice",
            f"-env:UserInstallation=file://{profile}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(out),
            *(str(result[k]["xlsx"]) for k in KINDS),
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    for kind in KINDS:
        pdf = out / f"{kind}.pdf"
        assert pdf.exists(), f"LibreOffice made no PDF of {kind}"
        result[kind]["pdf"] = pdf
        result[kind]["pages"] = _pages(pdf)
    result["events"] = events
    return result


def _pages(pdf: Path) -> list[tuple[float, float]]:
    info = subprocess.run(["pdfinfo", "-f", "1", "-l", "9999", str(pdf)], check=True, capture_output=True, text=True)
    sizes = re.findall(r"Page\s+\d+ size:\s+([\d.]+) x ([\d.]+)", info.stdout)
    return [(float(w), float(h)) for w, h in sizes]


def _text(pdf: Path, page: int) -> str:
    return subprocess.run(
        ["pdftotext", "-layout", "-f", str(page), "-l", str(page), str(pdf), "-"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout


def _column_width(ws: Any, index: int) -> float:
    """The width of a column: one <col> element may cover several equal columns
    (openpyxl files it under the first one's letter)."""
    for dim in ws.column_dimensions.values():
        if dim.min <= index <= dim.max:
            return dim.width
    raise AssertionError(f"column {index} has no width")


def _header_words(layout: Any) -> set[str]:
    texts = [c.header for c in layout.columns] + [text for text, _ in layout.header_groups or []]
    return {w.strip("(),.;:«»") for t in texts for w in t.split() if len(w.strip("(),.;:«»")) >= 4}


@pytest.mark.parametrize("kind", KINDS)
def test_every_page_is_a4_landscape(printed: dict[str, Any], kind: str) -> None:
    pages = printed[kind]["pages"]
    assert pages
    for width, height in pages:
        assert (round(width), round(height)) == (round(A4_LANDSCAPE[0]), round(A4_LANDSCAPE[1])), (kind, width, height)


@pytest.mark.parametrize("kind", KINDS)
def test_the_report_fits_its_pages(printed: dict[str, Any], kind: str) -> None:
    pages = len(printed[kind]["pages"])
    limit = MAX_PAGES.get(kind) or printed["events"] // 20 + 2
    assert pages <= limit, f"{kind}: {pages} pages, expected at most {limit}"


@pytest.mark.parametrize("kind", KINDS)
def test_no_header_word_is_split(printed: dict[str, Any], kind: str) -> None:
    layout = printed[kind]["layout"]
    ws = load_workbook(printed[kind]["xlsx"]).active
    for i, column in enumerate(layout.columns):
        width = _column_width(ws, i + 1)
        if not column.rotate:
            assert width >= word_width(column.header), (kind, column.header, width)
    first_page = re.sub(r"\s+", " ", _text(printed[kind]["pdf"], 1))
    broken = sorted(w for w in _header_words(layout) if w not in first_page)
    assert not broken, f"{kind}: header words broken on page 1: {broken}"


@pytest.mark.parametrize("kind", KINDS)
def test_every_page_is_numbered_and_the_last_ends_with_the_signature(printed: dict[str, Any], kind: str) -> None:
    pdf = printed[kind]["pdf"]
    total = len(printed[kind]["pages"])
    for page in range(1, total + 1):
        assert f"Страница {page} из {total}" in _text(pdf, page), (kind, page)
    last = _text(pdf, total)
    for line in (
        "Руководитель:",
        "Л.Ю. Сорокина",
        "Исполнитель: Алексеенко Екатерина Витальевна",
        "Телефон: 8(4872) 24-51-04 (26-23)",
        "Дата: 20.12.2024",
    ):
        assert line in last, (kind, line)


def test_the_indicator_report_states_its_checks_once(printed: dict[str, Any]) -> None:
    pdf = printed["indicators"]["pdf"]
    text = "".join(_text(pdf, p) for p in range(1, len(printed["indicators"]["pages"]) + 1))
    assert text.count("Проверки") == 1
    assert text.count("4.1 + 4.2 + 4.3") == len(re.findall(r"2024, (?:план|факт): строка 4 ", text)) >= 1
    assert "2023, " not in text and "2025, " not in text

#!/usr/bin/env python
"""Time and memory of refusing hostile xlsx files (issue 16: imports under a budget).

    .venv/bin/python bench/hostile_xlsx.py

Builds each hostile file in memory (small on disk thanks to compression),
then runs ``read_sheet`` on it twice: once for the wall time, once under
tracemalloc for the peak of Python allocations. The target: every file up to
the upload limit is refused within 2 s and 100 MB.
"""

from __future__ import annotations

import io
import os
import random
import secrets
import sys
import time
import tracemalloc
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "copp.settings")
os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))  # DEBUG stays off

import django

django.setup()

from reports.xlsx_reader import FileRefused, read_sheet  # noqa: E402

NS = b'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
HEADER = b'<row r="1"><c r="A1" t="inlineStr"><is><t>Code</t></is></c></row>'


def workbook(sheet_rows: Callable[[], bytes] | bytes, shared: bytes | None = None) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        z.writestr("[Content_Types].xml", b"<Types/>")
        z.writestr(
            "xl/workbook.xml",
            b"<workbook " + NS + b' xmlns:r="r"><sheets><sheet name="S" r:id="rId1"/></sheets></workbook>',
        )
        rels = b'<Relationship Id="rId1" Type="x/worksheet" Target="worksheets/sheet1.xml"/>'
        if shared is not None:
            rels += b'<Relationship Id="rId2" Type="x/sharedStrings" Target="sharedStrings.xml"/>'
            z.writestr("xl/sharedStrings.xml", b"<sst " + NS + b">" + shared + b"</sst>")
        z.writestr("xl/_rels/workbook.xml.rels", b"<Relationships>" + rels + b"</Relationships>")
        rows = sheet_rows() if callable(sheet_rows) else sheet_rows
        z.writestr(
            "xl/worksheets/sheet1.xml",
            b"<worksheet " + NS + b'><dimension ref="A1:XFD1048576"/><sheetData>' + rows + b"</sheetData></worksheet>",
        )
    return out.getvalue()


def semi_random(length: int, block: int) -> bytes:
    """Text a deflate window cannot shrink much: a random block repeated."""
    rng = random.Random(1)
    chunk = bytes(rng.choice(b"abcdefghijklmnopqrstuvwxyz ") for _ in range(block))
    return (chunk * (length // block + 1))[:length]


def xfd_rows(n: int, filled: bool) -> bytes:
    cell = '<c r="XFD{0}"><v>1</v></c>' if filled else '<c r="XFD{0}" s="1"/>'
    return HEADER + "".join(f'<row r="{i}">' + cell.format(i) + "</row>" for i in range(2, n + 2)).encode()


def many_empty_cells(n: int) -> bytes:
    # Formatted-only cells with varying styles so the part is not a zip bomb by ratio.
    rng = random.Random(2)
    per_row = 50
    rows = [HEADER]
    for r in range(2, n // per_row + 2):
        rows.append(
            f'<row r="{r}">'.encode()
            + b"".join(b'<c s="%d"/>' % rng.randrange(100000) for _ in range(per_row))
            + b"</row>"
        )
    return b"".join(rows)


CASES: list[tuple[str, Callable[[], bytes]]] = [
    ("200,000 rows, a value in column XFD each", lambda: workbook(xfd_rows(200_000, True))),
    ("200,001 rows, a formatted empty cell in XFD each", lambda: workbook(xfd_rows(200_001, False))),
    ("2,000,001 formatted empty cells (600,000 allowed)", lambda: workbook(many_empty_cells(2_000_050))),
    (
        "one 199 MB shared string",
        lambda: workbook(
            HEADER + b'<row r="2"><c r="A2" t="s"><v>0</v></c></row>',
            b"<si><t>" + semi_random(199 * 1024 * 1024, 16 * 1024) + b"</t></si>",
        ),
    ),
    (
        "the largest sheet read in full: 18,000 rows x 11 numbers",
        lambda: workbook(
            HEADER
            + "".join(
                f'<row r="{r}">' + "".join(f'<c r="{c}{r}"><v>{r}</v></c>' for c in "BCDEFGHIJKL") + "</row>"
                for r in range(2, 18_002)
            ).encode()
        ),
    ),
    (
        "one row more than the 200,000 filled cells allowed (18,183 rows x 11)",
        lambda: workbook(
            HEADER
            + "".join(
                f'<row r="{r}">' + "".join(f'<c r="{c}{r}"><v>{r}</v></c>' for c in "BCDEFGHIJKL") + "</row>"
                for r in range(2, 18_185)
            ).encode()
        ),
    ),
    (
        "a 199 MB comment in the sheet",
        lambda: workbook(HEADER + b"<!--" + semi_random(199 * 1024 * 1024, 16 * 1024) + b"-->"),
    ),
    (
        "a 199 MB attribute in the sheet",
        lambda: workbook(
            HEADER + b'<row r="2"><c r="A2" s="' + semi_random(199 * 1024 * 1024, 16 * 1024) + b'"/></row>'
        ),
    ),
    (
        "300,001 shared strings of 30 chars",
        lambda: workbook(
            HEADER, b"".join(b"<si><t>" + (b"%030d" % (i * 7919 % 10**9)) + b"</t></si>" for i in range(300_001))
        ),
    ),
]


def read_in_fresh_process(path: str) -> None:
    """Print the growth of the process's peak RSS while reading one stored file."""
    import resource

    data = Path(path).read_bytes()
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    try:
        read_sheet(data)
    except FileRefused:
        pass
    print((resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024)


def main() -> None:
    import subprocess
    import tempfile

    if sys.argv[1:2] == ["--read"]:
        read_in_fresh_process(sys.argv[2])
        return
    only = sys.argv[1:]
    for index, (name, build) in enumerate(CASES):
        if only and str(index) not in only:
            continue
        data = build()
        start, cpu = time.perf_counter(), time.process_time()
        try:
            outcome: Any = read_sheet(data)
        except FileRefused as exc:
            outcome = exc.message
        elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
        tracemalloc.start()
        try:
            read_sheet(data)
        except FileRefused:
            pass
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        with tempfile.NamedTemporaryFile(suffix=".xlsx") as fh:
            fh.write(data)
            fh.flush()
            grown = subprocess.run(
                [sys.executable, __file__, "--read", fh.name], capture_output=True, text=True, check=True
            ).stdout.strip()
        outcome = f"accepted, {len(outcome.rows)} rows" if not isinstance(outcome, str) else outcome
        print(
            f"{name}: {len(data) / 1048576:.2f} MB on disk, {elapsed:.2f} s ({cpu:.2f} s CPU), "
            f"peak {peak / 1048576:.1f} MB traced, peak RSS +{float(grown):.0f} MB in a fresh process\n    → {outcome[:140]}"
        )


if __name__ == "__main__":
    main()

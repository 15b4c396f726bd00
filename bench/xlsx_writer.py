#!/usr/bin/env python
"""The Excel writer against raw XlsxWriter (and openpyxl write-only) on the same cells.

    /work/main/.venv/bin/python bench/xlsx_writer.py              # 50,000 events, 5 runs
    /work/main/.venv/bin/python bench/xlsx_writer.py --events 20000 --runs 3

No database: the timeliness register's layout is the real builder's
(``TimelinessReport.layout()`` of a stand-in plan) and its rows are the
``Row`` tuples ``TimelinessReport.rows()`` yields, synthesised (titles of
several lengths, some wrapping, one in a thousand formula-like; aware UTC
datetimes; reports missing for a quarter of the events). Generating 50,000
events in a database for each run would time the database, not the writer;
``bench/bench_reports.py`` builds the register from the database.

Timed, in the same run, interleaved (median of ``--runs``; inputs built
beforehand, untimed):

(a) ours: ``XlsxWriter(layout).write(rows)``: title block, header, the
    whole register with its formats, row heights, formula escaping, Moscow
    time, signature, conditional fills;
(b) raw XlsxWriter ``constant_memory``: the same cells (same values, already
    naive Moscow datetimes, same per-column formats), ``ws.write(r, c, v, fmt)``
    per cell: the contract's baseline (ours must take at most 1.0x of it);
(b') raw XlsxWriter ``constant_memory``, ``write_row`` of the bare values, no
    formats (what the file costs at the very least; for information);
(c) raw openpyxl write-only ``append`` of the bare values (for information).

Memory: each of (a) and (b) runs again in a subprocess of its own at 10,000
and 50,000 events, fed by a generator (nothing of the input held), and
reports the tracemalloc peak and the process's peak RSS: flat memory means
the 50,000 figure is the 10,000 one.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

UTC = dt.UTC
STATUSES = ("в срок", "с опозданием", "не представлен", "ожидается")
TITLES = (
    "Профориентационное мероприятие № {i}",
    "Экскурсия на предприятие",
    "Встреча обучающихся 9–11 классов с работодателями региона в рамках проекта «Билет в будущее», поток {i}",
    "Мастер-класс",
    "Профессиональные пробы по компетенции «Сварочные технологии» для школьников {i}",
)
ORGS = (
    "ГПОУ ТО «ТКСиД»",
    "ЦОПП",
    "ГПОУ ТО «Тульский государственный машиностроительный колледж имени Никиты Демидова»",
)
MUNICIPALITIES = ("город Тула", "Новомосковский муниципальный округ", "Алексинский район")


def _django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "copp.settings")
    import django

    django.setup()


def layout() -> Any:
    """The timeliness register's own layout, of a stand-in plan (no database)."""
    from reports.builders.timeliness import TimelinessReport

    plan = SimpleNamespace(
        issuer="Министерство образования Тульской области",
        date=dt.date(2022, 12, 16),
        number="2714",
        title="Об утверждении дорожной карты",
        report_due_days=3,
        get_report_due_calendar_display=lambda: "Рабочих дней",
        signature_head="Л.Ю. Сорокина",
        signature_head_position="директор департамента",
        signature_executor="Иванова И.И.",
        signature_phone="8(4872) 00-00-00",
    )
    now = dt.datetime(2024, 12, 20, 9, 0, tzinfo=UTC)
    return TimelinessReport(plan=plan, year=2024, now=now).layout()  # type: ignore[arg-type]


def values(i: int) -> tuple[Any, ...]:
    """The values of event ``i`` as TimelinessReport.rows() yields them."""
    day = dt.date(2024, 1, 1) + dt.timedelta(days=i % 360)
    due = dt.datetime.combine(day + dt.timedelta(days=3), dt.time(20, 59, 59), tzinfo=UTC)
    reported = i % 4 != 0
    late = i % 5 == 0
    title = "=cmd|' /C calc'!A0" if i % 1000 == 7 else TITLES[i % len(TITLES)].format(i=i)
    return (
        i + 1,
        title,
        f"{1 + i % 9}.{1 + i % 7}",
        ORGS[i % len(ORGS)],
        MUNICIPALITIES[i % len(MUNICIPALITIES)],
        day,
        day,
        due,
        due + dt.timedelta(days=2 if late else -1) if reported else None,
        STATUSES[i % len(STATUSES)] if reported else "не представлен",
        (2 if late else None) if reported else None,
    )


def rows(n: int) -> Iterator[Any]:
    from reports.writer import Row

    for i in range(n):
        yield Row(values(i))


def _plain(value: Any) -> Any:
    from reports.writer import MOSCOW

    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        return value.astimezone(MOSCOW).replace(tzinfo=None)
    return value


def plain_rows(n: int) -> Iterator[list[Any]]:
    for i in range(n):
        yield [_plain(v) for v in values(i)]


# -- the contenders --------------------------------------------------------------


def ours(path: str, data: Any) -> int:
    from reports.writer import XlsxWriter

    return XlsxWriter(layout()).write(data, path)


def raw_xlsxwriter(path: str, data: Any) -> int:
    """Raw XlsxWriter, constant_memory: the same cells with the same per-column formats."""
    import xlsxwriter

    from reports.writer import cell_properties

    wb = xlsxwriter.Workbook(path, {"constant_memory": True, "strings_to_formulas": False})
    ws = wb.add_worksheet("raw")
    formats = [wb.add_format(cell_properties(c.type)) for c in layout().columns]
    write = ws.write
    n = 0
    for n, cells in enumerate(data, start=1):
        for c, value in enumerate(cells):
            write(n, c, value, formats[c])
    wb.close()
    return n


def raw_xlsxwriter_bare(path: str, data: Any) -> int:
    """Raw XlsxWriter, constant_memory, write_row of the bare values (no formats)."""
    import xlsxwriter

    wb = xlsxwriter.Workbook(path, {"constant_memory": True, "strings_to_formulas": False})
    ws = wb.add_worksheet("raw")
    n = 0
    for n, cells in enumerate(data, start=1):
        ws.write_row(n, 0, cells)
    wb.close()
    return n


def raw_openpyxl(path: str, data: Any) -> int:
    """Raw openpyxl write-only, append of the bare values (no styles)."""
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("raw")
    n = 0
    for cells in data:
        ws.append(cells)
        n += 1
    wb.save(path)
    return n


CONTENDERS = {
    "ours": (ours, rows),
    "raw_xlsxwriter": (raw_xlsxwriter, plain_rows),
    "raw_xlsxwriter_bare": (raw_xlsxwriter_bare, plain_rows),
    "raw_openpyxl": (raw_openpyxl, plain_rows),
}


def memory_child(name: str, n: int) -> dict[str, Any]:
    """One streamed run under tracemalloc (in a subprocess of its own)."""
    fn, source = CONTENDERS[name]
    path = os.path.join(tempfile.mkdtemp(prefix="bench-xlsx-"), f"{name}.xlsx")
    layout()  # imports and the layout are not the run's memory
    tracemalloc.start()
    written = fn(path, source(n))
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return {
        "name": name,
        "n": written,
        "tracemalloc_peak_mib": round(peak / 2**20, 2),
        "maxrss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "size_mib": round(os.path.getsize(path) / 2**20, 2),
    }


def memory(name: str, n: int) -> dict[str, Any]:
    proc = subprocess.run(
        [sys.executable, __file__, "--memory-child", name, "--events", str(n)],
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _summary(data: dict[str, list[float]]) -> dict[str, dict[str, float]]:
    return {
        k: {"median": round(statistics.median(v), 3), "min": round(min(v), 3), "max": round(max(v), 3)}
        for k, v in data.items()
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, default=50_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--small", type=int, default=10_000, help="events of the memory check's small run")
    parser.add_argument("--skip-openpyxl", action="store_true")
    parser.add_argument("--memory-child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    _django()
    if args.memory_child:
        print(json.dumps(memory_child(args.memory_child, args.events)))
        return

    n = args.events
    names = [k for k in CONTENDERS if not (args.skip_openpyxl and k == "raw_openpyxl")]
    inputs = {"ours": list(rows(n)), "plain": list(plain_rows(n))}
    tmp = tempfile.mkdtemp(prefix="bench-xlsx-")
    times: dict[str, list[float]] = {k: [] for k in names}
    cpu: dict[str, list[float]] = {k: [] for k in names}
    sizes: dict[str, float] = {}
    for name in names:  # warm-up: imports, first formats
        CONTENDERS[name][0](os.path.join(tmp, f"{name}.xlsx"), inputs["ours" if name == "ours" else "plain"][:500])
    for _ in range(args.runs):
        for name in names:  # interleaved, so a busy moment of the machine hits every contender
            path = os.path.join(tmp, f"{name}.xlsx")
            data = inputs["ours" if name == "ours" else "plain"]
            gc.collect()
            t0, c0 = time.perf_counter(), time.process_time()
            CONTENDERS[name][0](path, data)
            cpu[name].append(time.process_time() - c0)
            times[name].append(time.perf_counter() - t0)
            sizes[name] = round(os.path.getsize(path) / 2**20, 2)
    del inputs
    result: dict[str, Any] = {
        "events": n,
        "runs": args.runs,
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
            "loadavg": [round(x, 2) for x in os.getloadavg()],
        },
        "wall_s": _summary(times),
        "cpu_s": _summary(cpu),
        "file_mib": sizes,
    }
    # Ratios of medians, on CPU time (the machine's CPUs are shared: wall time
    # also counts waiting for them) and on wall time.
    for clock, data in (("cpu", cpu), ("wall", times)):
        base = statistics.median(data["raw_xlsxwriter"])
        ratios = {
            other: round(statistics.median(data[other]) / base, 3) for other in names if other != "raw_xlsxwriter"
        }
        result[f"ratio_to_raw_xlsxwriter_{clock}"] = ratios
    result["memory"] = [memory(name, k) for name in ("ours", "raw_xlsxwriter") for k in (args.small, n)]
    print(json.dumps(result, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()

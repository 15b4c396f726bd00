"""Excel reports: every report of reports/builders against raw openpyxl on the same cells.

Two figures per report:

* **builder + writer** (what a ministry user waits for) against **raw
  openpyxl write-only of the same cells**, where the baseline's cell values
  were computed beforehand (untimed): the ratio says what the report costs
  beyond putting its cells into a file, i.e. computing the figures plus the
  house layout (title block, styles, borders, dd.mm.yyyy formats, fills,
  formula escaping, row heights);
* for the timeliness register, the one report whose size grows with the
  data, the baseline also runs its own query (the same rows, one
  ``values_list``) and the register is built at 50,000 events (target: at
  most 1.5x). Memory must stay flat: the tracemalloc peak of a 50,000-event
  build is compared with a 10,000-event build.

Memory is one extra traced run per figure (tracemalloc makes a run ~5x
slower, so traced runs are never the timed ones).
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from typing import Any

from bench.common import make_row, measure

BIG, SMALL = 50_000, 10_000
BIG_YEAR, SMALL_YEAR = 2024, 2023
SUMMARY_KINDS = ("roadmap", "indicators", "municipalities")


def _top_up(plan: Any, year: int, wanted: int) -> int:
    """Make the plan have exactly ``wanted`` events ending in ``year`` (bulk)."""
    from roadmap.events.rollups import rollups_rebuild
    from roadmap.events.services import event_due_at
    from roadmap.models import Activity, Event, EventReport, Organization

    existing = Event.objects.filter(activity__plan=plan, end_date__year=year)
    have = existing.count()
    if have > wanted:
        extra = list(existing.order_by("-id").values_list("id", flat=True)[: have - wanted])
        EventReport.objects.filter(event_id__in=extra).delete()
        Event.objects.filter(id__in=extra).delete()
        rollups_rebuild()
        return wanted
    activities = list(Activity.objects.filter(plan=plan))
    organisations = list(Organization.objects.filter(is_group=False).select_related("municipality")[:200])
    due: dict[dt.date, dt.datetime] = {}
    events = []
    for i in range(wanted - have):
        day = dt.date(year, 1, 1) + dt.timedelta(days=i % 360)
        if day not in due:
            due[day] = event_due_at(plan=plan, end_date=day)
        org = organisations[i % len(organisations)]
        events.append(
            Event(
                activity=activities[i % len(activities)],
                organizer=org,
                region_id=org.region_id,
                title=f"Профориентационное мероприятие № {i}",
                start_date=day,
                end_date=day,
                due_at=due[day],
                municipality=org.municipality,
                place="=cmd|' /C calc'!A0" if i % 1000 == 0 else "",
            )
        )
    Event.objects.bulk_create(events, batch_size=2000)
    created = Event.objects.filter(activity__plan=plan, end_date__year=year, report__isnull=True).order_by("id")
    reports = []
    for n, (event_id, due_at) in enumerate(created.values_list("id", "due_at")[: (wanted * 3) // 4]):
        late = n % 5 == 0
        submitted = due_at + dt.timedelta(days=2 if late else -0.5)
        reports.append(
            EventReport(
                event_id=event_id,
                summary="Проведено",
                participants_total=20 + n % 30,
                submitted_at=submitted,
                on_time=not late,
                due_at_submission=due_at,
            )
        )
    EventReport.objects.bulk_create(reports, batch_size=2000)
    rollups_rebuild()  # bulk rows bypass the services that keep the rollups
    return Event.objects.filter(activity__plan=plan, end_date__year=year).count()


def _plain(value: Any) -> Any:
    """What raw openpyxl can store: aware datetimes become naive (Excel has no zones)."""
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        from roadmap.plans.deadlines import MOSCOW

        return value.astimezone(MOSCOW).replace(tzinfo=None)
    return value


def _raw_write(cells: list[list[Any]], path: str) -> int:
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("raw")
    for values in cells:
        ws.append(values)
    wb.save(path)
    return len(cells)


def _summary_rows(plan: Any, now: dt.datetime, tmp: str, runs: int) -> list[dict[str, Any]]:
    """The order's own tables: roadmap, indicators, municipality monitoring."""
    from reports.builders import build_to, builder_class

    out: list[dict[str, Any]] = []
    for kind in SUMMARY_KINDS:
        cls = builder_class(kind)
        ours_path, raw_path = os.path.join(tmp, f"{kind}.xlsx"), os.path.join(tmp, f"{kind}-raw.xlsx")
        cells = [[_plain(v) for v in row.values] for row in cls(plan=plan, year=BIG_YEAR, now=now).rows()]

        def ours(cls: Any = cls, path: str = ours_path) -> int:
            return build_to(cls(plan=plan, year=BIG_YEAR, now=now), path)

        baseline = measure(lambda cells=cells, path=raw_path: _raw_write(cells, path), runs=runs, count_queries=False)
        ours_m = measure(ours, runs=runs, trace_memory=True)
        title = cls(plan=plan, year=BIG_YEAR, now=now).title()
        out += [
            make_row(
                f"{kind}: raw openpyxl write-only of the same cells (baseline)",
                baseline,
                unit="ms",
                n=len(cells),
                note="cell values computed beforehand, untimed",
            ),
            make_row(
                f"{kind}: builder + shared writer, {BIG_YEAR}",
                ours_m,
                unit="ms",
                baseline=baseline,
                baseline_name="raw openpyxl write-only, same cells",
                n=len(cells),
                note=f"«{title}», {os.path.getsize(ours_path) / 1024:.0f} KiB",
            ),
        ]
    return out


def run(scale: str, runs: int) -> list[dict[str, Any]]:
    from django.utils import timezone

    from reports.builders import build_to
    from reports.builders.timeliness import TimelinessReport
    from roadmap.models import Event
    from roadmap.plans.deadlines import MOSCOW
    from roadmap.plans.selectors import current_plan

    plan = current_plan()
    now = timezone.now()
    tmp = tempfile.mkdtemp(prefix="bench-reports-")
    rows = _summary_rows(plan, now, tmp, runs)

    n_big = _top_up(plan, BIG_YEAR, BIG)
    n_small = _top_up(plan, SMALL_YEAR, SMALL)
    ours_path, raw_path = os.path.join(tmp, "ours.xlsx"), os.path.join(tmp, "raw.xlsx")

    def ours(year: int = BIG_YEAR) -> int:
        return build_to(TimelinessReport(plan=plan, year=year, now=now), ours_path)

    def raw(year: int = BIG_YEAR) -> int:
        from openpyxl import Workbook

        wb = Workbook(write_only=True)
        ws = wb.create_sheet("raw")
        events = (
            Event.objects.filter(activity__plan=plan, end_date__year=year)
            .order_by("end_date", "start_date", "id")
            .values_list(
                "title",
                "activity__number",
                "organizer__short_name",
                "municipality__name",
                "start_date",
                "end_date",
                "due_at",
                "report__submitted_at",
                "report__on_time",
            )
        )
        n = 0
        for n, r in enumerate(events.iterator(chunk_size=2000), start=1):
            submitted = r[7].astimezone(MOSCOW).replace(tzinfo=None) if r[7] else None
            ws.append(
                [
                    n,
                    r[0],
                    r[1],
                    r[2],
                    r[3],
                    r[4],
                    r[5],
                    r[6].astimezone(MOSCOW).replace(tzinfo=None),
                    submitted,
                    "в срок" if r[8] else "с опозданием" if r[8] is False else "не представлен",
                    None,
                ]
            )
        wb.save(raw_path)
        return n

    baseline = measure(raw, runs=runs, count_queries=False)
    ours_m = measure(ours, runs=runs, trace_memory=True)
    small_m = measure(lambda: ours(SMALL_YEAR), runs=1, warmup=0, count_queries=True, trace_memory=True)
    size_ours, size_raw = os.path.getsize(ours_path), os.path.getsize(raw_path)
    return [
        *rows,
        make_row(
            "timeliness register, raw openpyxl write-only with its own query (baseline)",
            baseline,
            unit="s",
            n=n_big,
            note=f"{size_raw / 2**20:.1f} MiB",
        ),
        make_row(
            "timeliness register, builder + shared writer",
            ours_m,
            unit="s",
            baseline=baseline,
            baseline_name="raw openpyxl write-only, same cells",
            n=n_big,
            target_ratio=1.5,
            note=f"{size_ours / 2**20:.1f} MiB",
        ),
        make_row(
            f"timeliness register, {n_small} events (memory check)",
            small_m,
            unit="s",
            n=n_small,
            note=f"peak {small_m.peak_mem_mb} MiB at {n_small} vs {ours_m.peak_mem_mb} MiB at {n_big}",
        ),
    ]

"""Excel reports: the timeliness register of 50,000 events against raw openpyxl.

The figure that matters is the ratio: building the register through the
builder and the shared writer (title block, styles, borders, dd.mm.yyyy
formats, conditional fills, formula escaping, row heights) against writing
the same cells with raw openpyxl write-only mode from one query of the same
rows (target: at most 1.5×). Memory must stay flat: the tracemalloc peak of
a 50,000-event build is compared with a 10,000-event build.
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from typing import Any

from bench.common import make_row, measure

BIG, SMALL = 50_000, 10_000
BIG_YEAR, SMALL_YEAR = 2024, 2023


def _top_up(plan: Any, year: int, wanted: int) -> int:
    """Make the plan have exactly ``wanted`` events ending in ``year`` (bulk)."""
    from roadmap.models import Activity, Event, EventReport, Organization
    from roadmap.services import event_due_at

    existing = Event.objects.filter(activity__plan=plan, end_date__year=year)
    have = existing.count()
    if have > wanted:
        extra = list(existing.order_by("-id").values_list("id", flat=True)[: have - wanted])
        EventReport.objects.filter(event_id__in=extra).delete()
        Event.objects.filter(id__in=extra).delete()
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
            Event(activity=activities[i % len(activities)], organizer=org, title=f"Профориентационное мероприятие № {i}",
                  start_date=day, end_date=day, due_at=due[day], municipality=org.municipality,
                  place="=cmd|' /C calc'!A0" if i % 1000 == 0 else "")
        )
    Event.objects.bulk_create(events, batch_size=2000)
    created = Event.objects.filter(activity__plan=plan, end_date__year=year, report__isnull=True).order_by("id")
    reports = []
    for n, (event_id, due_at) in enumerate(created.values_list("id", "due_at")[: (wanted * 3) // 4]):
        late = n % 5 == 0
        submitted = due_at + dt.timedelta(days=2 if late else -0.5)
        reports.append(EventReport(event_id=event_id, summary="Проведено", participants_total=20 + n % 30,
                                   submitted_at=submitted, on_time=not late, due_at_submission=due_at))
    EventReport.objects.bulk_create(reports, batch_size=2000)
    return Event.objects.filter(activity__plan=plan, end_date__year=year).count()


def run(scale: str, runs: int) -> list[dict[str, Any]]:
    from django.utils import timezone
    from openpyxl import Workbook

    from reports.builders import build_to
    from reports.builders.timeliness import TimelinessReport
    from roadmap.deadlines import MOSCOW
    from roadmap.models import Event
    from roadmap.selectors import current_plan

    plan = current_plan()
    n_big = _top_up(plan, BIG_YEAR, BIG)
    n_small = _top_up(plan, SMALL_YEAR, SMALL)
    now = timezone.now()
    tmp = tempfile.mkdtemp(prefix="bench-reports-")
    ours_path, raw_path = os.path.join(tmp, "ours.xlsx"), os.path.join(tmp, "raw.xlsx")

    def ours(year: int = BIG_YEAR) -> int:
        return build_to(TimelinessReport(plan=plan, year=year, now=now), ours_path)

    def raw(year: int = BIG_YEAR) -> int:
        wb = Workbook(write_only=True)
        ws = wb.create_sheet("raw")
        rows = (
            Event.objects.filter(activity__plan=plan, end_date__year=year)
            .order_by("end_date", "start_date", "id")
            .values_list("title", "activity__number", "organizer__short_name", "municipality__name",
                         "start_date", "end_date", "due_at", "report__submitted_at", "report__on_time")
        )
        n = 0
        for n, r in enumerate(rows.iterator(chunk_size=2000), start=1):
            submitted = r[7].astimezone(MOSCOW).replace(tzinfo=None) if r[7] else None
            ws.append([n, r[0], r[1], r[2], r[3], r[4], r[5], r[6].astimezone(MOSCOW).replace(tzinfo=None), submitted,
                       "в срок" if r[8] else "с опозданием" if r[8] is False else "не представлен", None])
        wb.save(raw_path)
        return n

    baseline = measure(raw, runs=runs, count_queries=False)
    ours_m = measure(ours, runs=runs, trace_memory=True)
    small_m = measure(lambda: ours(SMALL_YEAR), runs=1, warmup=0, count_queries=True, trace_memory=True)
    size_ours, size_raw = os.path.getsize(ours_path), os.path.getsize(raw_path)
    return [
        make_row("timeliness register, raw openpyxl write-only (baseline)", baseline, unit="s", n=n_big,
                 note=f"{size_raw / 2**20:.1f} MiB"),
        make_row("timeliness register, builder + shared writer", ours_m, unit="s", baseline=baseline,
                 baseline_name="raw openpyxl write-only, same cells", n=n_big, target_ratio=1.5,
                 note=f"{size_ours / 2**20:.1f} MiB"),
        make_row(f"timeliness register, {n_small} events (memory check)", small_m, unit="s", n=n_small,
                 note=f"peak {small_m.peak_mem_mb} MiB at {n_small} vs {ours_m.peak_mem_mb} MiB at {n_big}"),
    ]

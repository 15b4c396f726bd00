"""Excel import of 10,000 actual values: dry run + confirm against a raw bulk_create.

The import reads the file through every hostile-file check, converts and
validates each cell, resolves codes and names, checks the user's rights per
row, finds duplicates, compares with the database and, on confirm, checks
again and writes everything (values and their audit rows) in one
transaction. The baseline is a raw ``bulk_create`` of the same 10,000 values
with their ids already known (target: at most 5×). Queries are counted at
1,000 and 10,000 rows: they must not grow per row.
"""

from __future__ import annotations

import io
from typing import Any

from bench.common import demo_user, make_row, measure

N, N_SMALL = 10_000, 1_000


def _keys(plan: Any, n: int) -> list[tuple[Any, ...]]:
    from indicators.models import Actual, Indicator
    from roadmap.models import Organization

    indicators = list(
        Indicator.objects.filter(indicator_set__plan=plan, value_type=Indicator.ValueType.NUMBER).order_by("order")
    )
    names: dict[str, int] = {}
    for org in Organization.objects.filter(is_group=False).order_by("id"):
        names.setdefault(org.short_name, org.pk)
    organisations = [(name, pk) for name, pk in names.items()][:60]
    # Keys the demo data does not already hold (the baseline inserts them).
    taken = set(Actual.objects.values_list("indicator_id", "year", "period", "organization_id"))
    keys = []
    for name, pk in organisations:
        for indicator in indicators:
            for year in plan.years:
                for period in Actual.PERIODS:
                    if (indicator.pk, year, period, pk) in taken:
                        continue
                    keys.append((indicator, year, period, name, pk))
                    if len(keys) == n:
                        return keys
    raise RuntimeError(f"only {len(keys)} distinct keys available")


def _xlsx(keys: list[tuple[Any, ...]]) -> bytes:
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("Данные")
    ws.append(["Код показателя", "Год", "Период", "Организация", "Значение", "Подтверждение"])
    for i, (indicator, year, period, name, _pk) in enumerate(keys):
        ws.append([indicator.code, year, period or None, name, 10 + i % 90, "bench"])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def run(scale: str, runs: int) -> list[dict[str, Any]]:
    from django.db import transaction
    from django.utils import timezone

    from indicators.models import Actual, ActualChange
    from reports.services import import_confirm, import_dry_run
    from roadmap.plans.selectors import current_plan

    plan = current_plan()
    user = demo_user("copp")
    keys = _keys(plan, N)
    data, small = _xlsx(keys), _xlsx(keys[:N_SMALL])
    now = timezone.now()

    def clear() -> None:
        ActualChange.objects.filter(actual__evidence="bench").delete()
        Actual.objects.filter(evidence="bench").delete()

    def ours(payload: bytes = data) -> dict[str, int]:
        preview = import_dry_run(user=user, kind="actuals", file=payload, name="bench.xlsx")
        if not preview.is_clean:
            raise RuntimeError("; ".join(str(e) for e in preview.errors[:5]))
        return import_confirm(user=user, job=preview.job, now=now).counts

    def raw() -> int:
        with transaction.atomic():
            objs = Actual.objects.bulk_create(
                [
                    Actual(
                        indicator=ind,
                        year=year,
                        period=period,
                        organization_id=pk,
                        value_number=10 + i % 90,
                        evidence="bench",
                        created_at=now,
                        updated_at=now,
                    )
                    for i, (ind, year, period, _name, pk) in enumerate(keys)
                ],
                batch_size=1000,
            )
        return len(objs)

    baseline = measure(raw, runs=runs, setup=clear)
    ours_m = measure(ours, runs=runs, setup=clear)
    small_m = measure(lambda: ours(small), runs=runs, setup=clear)
    clear()
    return [
        make_row("10,000 actual values, raw bulk_create (baseline)", baseline, unit="s", n=N),
        make_row(
            "10,000 actual values, import dry run + confirm",
            ours_m,
            unit="s",
            baseline=baseline,
            baseline_name="raw bulk_create of the same rows",
            n=N,
            target_ratio=5,
            note=f"counts {ours_m.result}",
        ),
        make_row(
            "1,000 actual values, import dry run + confirm",
            small_m,
            unit="s",
            n=N_SMALL,
            note=f"queries {small_m.queries} at 1,000 vs {ours_m.queries} at 10,000 rows",
        ),
    ]

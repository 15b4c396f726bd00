"""``manage.py generate_demo --scale {small|region|national} [--seed N]``: demo data at scale."""

from __future__ import annotations

import time
from dataclasses import replace
from datetime import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection
from django.utils import timezone

from copp.demo import DEMO_PASSWORD, SCALES, DemoGenerator, demo_delete, demo_present


class Command(BaseCommand):
    help = (
        "Generate deterministic, realistic demo data on top of the loaded order: organisations, "
        "coordinators, events with reports, actuals, agreements, programmes. Uses bulk inserts."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--scale",
            choices=sorted(SCALES),
            default="small",
            help="small ≈ 2,000 events; region ≈ 30,000 (one region, three years); national ≈ 100 × region",
        )
        parser.add_argument("--seed", type=int, default=1, help="same seed, same data (default 1)")
        parser.add_argument(
            "--now",
            help="ISO-8601 moment treated as now (default: the clock); "
            "events after it are planned, reports after it not yet filed",
        )
        parser.add_argument(
            "--regions",
            type=int,
            help="override the number of regions of the scale (e.g. --scale national --regions 4 "
            "to measure a slice of the national scale)",
        )
        parser.add_argument(
            "--reset",
            action="store_true",
            help="first delete data generated earlier (demo users, demo organisations and what they registered)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        now = timezone.now()
        if options["now"]:
            try:
                now = datetime.fromisoformat(options["now"])
            except ValueError as exc:
                raise CommandError(f"--now: not an ISO-8601 moment: {options['now']!r}") from exc
            if timezone.is_naive(now):
                now = timezone.make_aware(now)
        if demo_present():
            if not options["reset"]:
                raise CommandError("demo data is already there; run again with --reset to replace it")
            self.stdout.write("deleting earlier demo data ...")
            demo_delete()
        spec = SCALES[options["scale"]]
        if options["regions"] is not None:
            if options["regions"] < 1:
                raise CommandError("--regions must be at least 1")
            spec = replace(spec, regions=options["regions"])
        started = time.perf_counter()
        try:
            generator = DemoGenerator(
                spec,
                seed=options["seed"],
                now=now,
                log=lambda msg: self.stdout.write(msg) if options["verbosity"] > 1 else None,
            )
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        counts = generator.run()
        # Fresh statistics for the query planner: after a bulk load PostgreSQL
        # still believes the tables are nearly empty until autovacuum gets to
        # them, and plans nested loops over tens of thousands of rows. On
        # PostgreSQL, outside a transaction, VACUUM too, as autovacuum would soon:
        # until the visibility map is set no index-only scan skips the table (a
        # region's first page of events through the API 42 -> 25 ms).
        vacuum = connection.vendor == "postgresql" and not connection.in_atomic_block
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE" if vacuum else "ANALYZE")
        elapsed = time.perf_counter() - started
        self.stdout.write(
            f"generated scale {options['scale']} ({spec.regions} region(s), seed {options['seed']}) "
            f"in {elapsed:.1f} s; "
            f"demo users' password: {DEMO_PASSWORD}"
        )
        self.stdout.write("counts:")
        for name, n in sorted(counts.items()):
            self.stdout.write(f"{name} {n}")

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from roadmap.events.rollups import rollups_check, rollups_rebuild


class Command(BaseCommand):
    help = (
        "Recompute the event rollups (roadmap.EventRollup) and each event's mirrors of its report "
        "(Event.report_outcome, Event.report_on_time) from the events and reports and compare: exits 0 when they are equal, otherwise prints each difference (key, stored, "
        "recomputed) and exits 1. --fix rewrites the rows that differ (and exits 0); --rebuild "
        "recomputes the whole table."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--fix", action="store_true", help="rewrite the rows that differ")
        parser.add_argument("--rebuild", action="store_true", help="throw the rollups away and recompute them all")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["rebuild"]:
            self.stdout.write(f"rebuilt {rollups_rebuild()} rollup rows")
            return
        result = rollups_check(fix=options["fix"])
        for line in result.described():
            self.stdout.write(line)
        if result.ok:
            self.stdout.write("rollups equal the records")
            return
        if options["fix"]:
            self.stdout.write(f"fixed {result.summary()}")
            return
        raise CommandError(f"{result.summary()} differ from the records (run with --fix)")

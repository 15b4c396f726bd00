from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from roadmap.plans.plan_copy import PlanCopyError, plan_copy


class Command(BaseCommand):
    help = (
        "Start a new plan from an old one: sections, activities, responsible parties and the indicator set, "
        "with empty targets and deadlines read again for the new years."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("source", metavar="SOURCE_KEY", help="key of the plan to copy")
        parser.add_argument("--key", required=True, help="key of the new plan")
        parser.add_argument("--first-year", type=int, required=True, dest="first_year")
        parser.add_argument("--last-year", type=int, required=True, dest="last_year")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            result = plan_copy(
                source_key=options["source"],
                key=options["key"],
                first_year=options["first_year"],
                last_year=options["last_year"],
            )
        except PlanCopyError as exc:
            raise CommandError(f"{exc.field}: {exc.message} Nothing was copied.") from exc
        for flagged in result.flagged_deadlines:
            self.stderr.write(f"deadline to check, an administrator must set it: {flagged}")
        self.stdout.write(f"copied {options['source']} as {result.plan.key}: {result.summary()}")

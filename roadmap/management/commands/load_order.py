from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from roadmap.plans.loader import DEFAULT_PLAN_FILE, PlanDataError, plan_load


class Command(BaseCommand):
    help = "Load the bundled order No 2714 (or another plan data file); running it again changes nothing."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", nargs="?", default=str(DEFAULT_PLAN_FILE), help="plan data file (YAML)")
        parser.add_argument("--current", action="store_true", help="make this plan the current one")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        try:
            result = plan_load(path=path, make_current=True if options["current"] else None)
        except PlanDataError as exc:
            raise CommandError("the plan data file was not loaded, nothing changed:\n" + "\n".join(exc.errors)) from exc
        for flagged in result.flagged_deadlines:
            self.stderr.write(f"deadline not recognised, an administrator must set it: {flagged}")
        for warning in result.warnings:
            self.stderr.write(f"the plan's own values break a rule (loaded as written): {warning}")
        if result.changed:
            self.stdout.write(f"loaded {path.name}: {result.summary()}")
        else:
            self.stdout.write(f"{path.name} is already loaded: nothing changed")

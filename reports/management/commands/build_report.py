"""``manage.py build_report KIND --year Y [--as-of YYYY-MM-DD] --out FILE.xlsx``."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from reports.builders import build_to, builder_class
from reports.models import REPORT_KINDS
from roadmap.plans.selectors import plan_by_key


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"--as-of: expected a date YYYY-MM-DD, got {text!r}") from None


class Command(BaseCommand):
    help = "Build one report in this process and write it to an xlsx file."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", choices=REPORT_KINDS)
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument("--as-of", dest="as_of", type=_date, default=None)
        parser.add_argument("--out", required=True)
        parser.add_argument("--plan", default=None, help="Plan key (default: the current plan).")

    def handle(self, *args: Any, **options: Any) -> None:
        plan = plan_by_key(options["plan"])
        if plan is None:
            raise CommandError("No plan is loaded: run `manage.py load_order` first.")
        year = options["year"]
        if year not in plan.years:
            raise CommandError(f"--year {year} is outside the plan's years {plan.first_year}–{plan.last_year}.")
        now = timezone.now()
        as_of = options["as_of"]
        if as_of is not None and as_of > timezone.localdate(now):
            raise CommandError("--as-of is in the future.")
        out = Path(options["out"])
        if not out.parent.exists():
            raise CommandError(f"Directory {out.parent} does not exist.")
        builder = builder_class(options["kind"])(plan=plan, year=year, as_of=as_of, now=now)
        tmp = out.with_name(out.name + ".part")
        try:
            build_to(builder, str(tmp))
            tmp.replace(out)
        finally:
            tmp.unlink(missing_ok=True)
        self.stdout.write(str(out.resolve()))

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from roadmap.events.participants import participants_purge
from roadmap.plans.deadlines import MOSCOW


class Command(BaseCommand):
    help = (
        "Anonymise the person keys of participant lists of plans that ended more than "
        "PARTICIPANT_KEYS_KEPT_YEARS ago (figures stay as they are). Safe to run twice. "
        "The last line is 'anonymised N'."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--today", help="the day to act at, YYYY-MM-DD (default: today in Moscow)")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            today = (
                dt.date.fromisoformat(options["today"])
                if options.get("today")
                else timezone.now().astimezone(MOSCOW).date()
            )
        except ValueError as exc:
            raise CommandError(f"--today: not a date YYYY-MM-DD: {options['today']!r}") from exc
        self.stdout.write(f"anonymised {participants_purge(today=today)}")

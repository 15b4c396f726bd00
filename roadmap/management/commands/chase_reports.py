from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from roadmap.chase.notifications import chase_run
from roadmap.plans.deadlines import MOSCOW


def parse_now(value: str | None) -> datetime:
    """An ISO-8601 moment; without an offset it is read as Moscow time."""
    if not value:
        return timezone.now()
    try:
        moment = datetime.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"--now: not an ISO-8601 date-time: {value!r}") from exc
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=MOSCOW)
    return moment


class Command(BaseCommand):
    help = (
        "Run one pass of the report chase in this process (no worker needed): reminders, "
        "overdue notices, escalations and the daily digest; failed sends are retried. "
        "The last line is 'sent N'."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--now", help="the moment to act at, ISO 8601 (default: the clock)")

    def handle(self, *args: Any, **options: Any) -> None:
        now = parse_now(options.get("now"))
        result = chase_run(now=now)
        self.stdout.write(f"chase at {now.astimezone(MOSCOW).isoformat()}")
        for kind, count in sorted(result.claimed.items()):
            self.stdout.write(f"  claimed {kind}: {count}")
        if result.failed:
            self.stdout.write(f"failed {result.failed} (will be retried)")
        self.stdout.write(f"sent {result.sent}")

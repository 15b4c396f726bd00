from __future__ import annotations

import signal
import threading
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.db import close_old_connections
from django.utils import timezone

from roadmap.chase.notifications import chase_run


class Command(BaseCommand):
    help = (
        "The embedded scheduler for running without Redis: a chase pass every --interval "
        "seconds, in the foreground, until stopped. With REDIS_URL use Celery beat instead."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--interval", type=int, default=300, help="seconds between passes (default 300)")
        parser.add_argument("--once", action="store_true", help="run one pass and exit")
        parser.add_argument(
            "--force", action="store_true", help="run even though REDIS_URL is set (Celery beat should do it)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.REDIS_URL and not options["force"] and not options["once"]:
            self.stdout.write("REDIS_URL is set: the chase runs on Celery beat (make worker); nothing to do.")
            return
        stop = threading.Event()
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, lambda *_: stop.set())
        interval = max(options["interval"], 1)
        self.stdout.write(f"scheduler: a chase pass every {interval} s")
        while not stop.is_set():
            now = timezone.now()
            try:
                result = chase_run(now=now)
                self.stdout.write(f"{now:%Y-%m-%d %H:%M:%S} sent {result.sent}, failed {result.failed}")
            except Exception as exc:  # noqa: BLE001 -- the loop must survive a bad pass
                self.stderr.write(f"chase pass failed: {exc!r}")
            self.stdout.flush()
            if options["once"]:
                break
            stop.wait(interval)
            # A long-lived loop must not keep a connection the database has dropped.
            close_old_connections()

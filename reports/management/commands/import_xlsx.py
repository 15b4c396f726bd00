"""``manage.py import_xlsx KIND FILE.xlsx [--dry-run]``: load a spreadsheet.

Runs as a system user (ЦОПП rights) unless ``--user`` names an account, in
which case that account's rights apply row by row.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from reports.resources import RESOURCES
from reports.services import ImportRefused, import_confirm, import_dry_run
from roadmap.models import User


def _system_user() -> User:
    user, _ = User.objects.get_or_create(
        username="import-command", defaults={"is_active": False, "first_name": "Загрузка из командной строки"}
    )
    if not user.is_superuser:
        user.is_superuser = True
        user.save(update_fields=["is_superuser"])
    vars(user).pop("_copp_roles", None)  # forget roles roadmap.accounts.roles may have cached on it
    return user


class Command(BaseCommand):
    help = "Check (and unless --dry-run, load) an xlsx file: events, actuals, organizations, agreements, programmes."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", choices=list(RESOURCES))
        parser.add_argument("file")
        parser.add_argument("--dry-run", action="store_true", help="Only check the file and show what would change.")
        parser.add_argument("--user", default=None, help="Username whose rights apply (default: full rights).")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"File not found: {path}")
        if options["user"]:
            user = User.objects.filter(username=options["user"]).first()
            if user is None:
                raise CommandError(f"No user {options['user']!r}")
        else:
            user = _system_user()
        with path.open("rb") as fh:
            preview = import_dry_run(user=user, kind=options["kind"], file=fh, name=path.name)
        for note in preview.notes:
            self.stdout.write(str(note))
        if not preview.is_clean:
            for error in preview.errors:
                self.stderr.write(str(error))
            raise CommandError(f"{len(preview.errors)} error(s); nothing was imported.")
        counts = preview.counts
        if not options["dry_run"]:
            try:
                job = import_confirm(user=user, job=preview.job, now=timezone.now())
            except ImportRefused as exc:
                for error in exc.errors:
                    self.stderr.write(str(error))
                raise CommandError(f"{len(exc.errors)} error(s); nothing was imported.") from None
            counts = job.counts
        prefix = "dry run: would be " if options["dry_run"] else ""
        self.stdout.write(
            f"{prefix}created {counts.get('created', 0)}, updated {counts.get('updated', 0)}, "
            f"unchanged {counts.get('unchanged', 0)}"
        )

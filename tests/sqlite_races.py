"""The races of tests/races.py on an SQLite database file, as a child process.

Run by tests/test_races.py with ``DATABASE_URL=sqlite:///<file>`` naming a
new file; prints the results as one JSON line.
Threads here share the file the way a server's processes and threads do,
through the project's own SQLite settings (WAL, IMMEDIATE, busy timeout).
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "copp.settings")


def main() -> None:
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    # A fresh file: tables straight from the models (a second, not the ten a
    # full migrate takes); the plan loader then writes what the races need.
    settings.MIGRATION_MODULES = {app.label: None for app in django.apps.apps.get_app_configs()}
    call_command("migrate", run_syncdb=True, verbosity=0)

    from roadmap.plans.loader import plan_load
    from tests import races

    plan_load()
    results = {
        "reports": races.web_reports(20),
        "approvals": races.web_approvals(20),
        "cancel_submit": races.cancel_against_submit(10),
    }
    print(json.dumps(results, ensure_ascii=False))


if __name__ == "__main__":
    main()

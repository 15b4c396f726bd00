"""Races with real threads: parallel web report forms, parallel approvals,
cancelling an event while its report is filed (scenarios in tests/races.py).

On PostgreSQL they run in this process (row locks decide). On SQLite they run
in a child process on a database file (tests/sqlite_races.py), because that
is how SQLite is shared in production: the point there is that IMMEDIATE
transactions and the busy timeout turn "database is locked" into waiting.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

from tests import races

ROOT = Path(__file__).resolve().parent.parent


def _assert_one_report(result: dict[str, Any], n: int) -> None:
    outcomes = result["outcomes"]
    assert outcomes.get("filed") == 1, outcomes
    assert outcomes.get("exists", 0) + outcomes.get("stale", 0) == n - 1, outcomes
    assert result["version"] == 1  # nobody overwrote the report that was filed
    assert result["history"] == ["+"]


def _assert_one_approval(result: dict[str, Any], n: int) -> None:
    outcomes = result["outcomes"]
    assert outcomes == {"approved": 1, "stale": n - 1}, outcomes
    assert result["status"] == "approved" and result["version"] == result["seen"] + 1
    assert result["approvals"] == 1


def _assert_never_both(result: dict[str, Any], rounds: int) -> None:
    outcomes = result["outcomes"]
    assert result["cancelled_and_reported"] == 0, outcomes
    assert outcomes.get("refused") == rounds, outcomes  # exactly one of each pair wins
    assert outcomes.get("cancelled", 0) + outcomes.get("reported", 0) == rounds, outcomes


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_it_files_one_report_from_twenty_parallel_web_forms(order_plan: Any) -> None:
    _assert_one_report(races.web_reports(20), 20)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_it_approves_a_value_once_under_twenty_parallel_approvals(order_plan: Any) -> None:
    _assert_one_approval(races.web_approvals(20), 20)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_it_never_leaves_a_cancelled_event_with_a_report(order_plan: Any) -> None:
    _assert_never_both(races.cancel_against_submit(20), 20)


def test_it_serialises_the_same_races_on_an_sqlite_file_without_database_locked(tmp_path: Path) -> None:
    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3":
        pytest.skip("the SQLite settings are what this test is about")
    db_file = tmp_path / "races.sqlite3"
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "CACHE_URL")}
    env |= {
        "DATABASE_URL": f"sqlite:///{db_file}",
        "DJANGO_SETTINGS_MODULE": "copp.settings",
        "DASHBOARD_REFRESH": "inline",
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        "MEDIA_ROOT": str(tmp_path / "media"),
        "LOG_LEVEL": "ERROR",
    }
    done = subprocess.run(
        [sys.executable, str(ROOT / "tests" / "sqlite_races.py")],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    _assert_one_report(result["reports"], 20)
    _assert_one_approval(result["approvals"], 20)
    _assert_never_both(result["cancel_submit"], 10)

"""copp/settings.py refuses to run with DEBUG off and no SECRET_KEY of its own.

Settings are read once per process, so each case imports them in a fresh
interpreter with its own environment.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent
# 50 characters, more than 5 different ones, not "django-insecure-": what check --deploy asks of a key.
GOOD_KEY = "k3Y-f0r-Th3-t3sts-0nly-" + "aBcDeFgHiJkLmNoPqRsTuVwXyZ0123"[:27]


def _run(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    # DJANGO_ALLOW_ASYNC_UNSAFE: set by the browser tests in this process; check --deploy flags it (async.E001).
    dropped = ("SECRET_KEY", "DEBUG", "DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE")
    base = {k: v for k, v in os.environ.items() if k not in dropped}
    return subprocess.run(
        [sys.executable, *args],
        cwd=PROJECT_DIR,
        env={**base, "DJANGO_SETTINGS_MODULE": "copp.settings", **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_it_refuses_debug_off_without_a_secret_key() -> None:
    done = _run("-c", "import copp.settings", DEBUG="0")
    assert done.returncode != 0
    assert "ImproperlyConfigured: SECRET_KEY is not set" in done.stderr


def test_it_refuses_debug_off_with_the_development_key() -> None:
    done = _run("-c", "import copp.settings", DEBUG="0", SECRET_KEY="django-insecure-development-only-key")
    assert done.returncode != 0
    assert "ImproperlyConfigured: SECRET_KEY is not set" in done.stderr


def test_it_keeps_the_development_key_with_debug_on() -> None:
    done = _run("-c", "from django.conf import settings; print(settings.SECRET_KEY)", DEBUG="1")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "django-insecure-development-only-key"


def test_it_takes_a_real_key_and_check_deploy_does_not_flag_it() -> None:
    assert len(GOOD_KEY) == 50
    done = _run("manage.py", "check", "--deploy", DEBUG="0", SECRET_KEY=GOOD_KEY)
    assert done.returncode == 0, done.stderr
    assert "security.W009" not in done.stdout + done.stderr
    assert "System check identified" in done.stdout + done.stderr  # the deploy checks did run


def test_manage_py_says_the_key_is_missing() -> None:
    done = _run("manage.py", "check", DEBUG="0")
    assert done.returncode != 0
    assert "ImproperlyConfigured: SECRET_KEY is not set" in done.stderr
    assert "Models aren't loaded yet" not in done.stderr


def test_postgresql_connections_run_without_jit_unless_asked() -> None:
    show = "from django.conf import settings as s; print([d.get('OPTIONS', {}).get('options') for d in s.DATABASES.values()])"
    pg = {
        "DEBUG": "1",
        "DATABASE_URL": "postgres://u@127.0.0.1:5432/copp",
        "DATABASE_REPLICA_URL": "postgres://u@127.0.0.1:5433/copp",
    }
    off = _run("-c", show, **pg)
    assert off.returncode == 0, off.stderr
    assert off.stdout.strip() == "['-c jit=off', '-c jit=off']"
    on = _run("-c", show, **pg, DATABASE_JIT="1")
    assert on.stdout.strip() == "[None, None]"
    sqlite = _run("-c", show, DEBUG="1", DATABASE_URL="sqlite:////tmp/x.sqlite3", DATABASE_REPLICA_URL="")
    assert sqlite.stdout.strip() == "[None]"

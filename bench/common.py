"""Shared helpers for the benchmark suite, and the protocol every bench module follows.

PROTOCOL (stable; other modules depend on it)
=============================================

``bench/run.py`` discovers every ``bench/bench_<area>.py`` and, for each one,
calls::

    def run(scale: str, runs: int) -> list[dict]

* ``scale`` is ``"small"``, ``"region"`` or ``"national"``; ``runs`` is how many
  timed repetitions each figure should use (median, min and max are reported).
* When ``run`` is called, Django is already set up (``django.setup()`` done) and
  the default database is a **throwaway clone made for this module alone**:
  migrated, with order No 2714 loaded (``load_order``), the demo users
  (``create_demo_users``: logins ``ministry``, ``copp``, ``coordinator``,
  ``admin``) and ``generate_demo --scale <scale> --seed 1``. The module may write
  to it freely (it is dropped afterwards); it runs in its own subprocess, so
  memory figures and crashes do not leak into other modules.
* A module that needs a data shape of its own (e.g. exactly 100,000 events for
  the chase) builds it itself, in bulk, before timing.
* It returns rows built with :func:`make_row` (plain dicts, JSON-serialisable)::

      {"name": "dashboard", "median": 41.2, "min": 39.0, "max": 48.3,
       "unit": "ms", "runs": 5, "queries": 12, "ratio": 3.1,
       "baseline": "trivial page", "peak_mem_mb": None, "n": 30000,
       "note": ""}

  ``ratio`` = this median / the baseline's median (None when there is none);
  ``queries`` = SQL queries of one run (the last), None when not counted;
  ``n`` = how many things were processed (events, rows...), for growth checks.
  Extra keys are allowed and kept in the JSON.
* Optional module attribute ``SCALES = ("small", "region")``: the scales the
  module supports (default: all). Skipped scales are reported, not failed.

Import helpers as ``from bench.common import measure, make_row`` (run.py puts
the project directory on ``sys.path``; ``bench`` is a package).

A module can be run alone against an already populated database::

    DATABASE_URL=... .venv/bin/python bench/run.py --only chase --no-setup
"""

from __future__ import annotations

import gc
import os
import shutil
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

BENCH_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BENCH_DIR.parent
RESULTS_DIR = BENCH_DIR / "results"
SCALES = ("small", "region", "national")
DEFAULT_SEED = 1

if str(PROJECT_DIR) not in sys.path:
    sys.path.insert(0, str(PROJECT_DIR))


# --------------------------------------------------------------------------
# Measuring
# --------------------------------------------------------------------------


@dataclass
class Measurement:
    """Timings (seconds) of several runs of one callable, plus what it cost."""

    times: list[float]
    queries: int | None = None
    queries_per_run: list[int] = field(default_factory=list)
    peak_mem_mb: float | None = None
    result: Any = None

    @property
    def median(self) -> float:
        return statistics.median(self.times)

    @property
    def min(self) -> float:
        return min(self.times)

    @property
    def max(self) -> float:
        return max(self.times)


def measure(
    fn: Callable[[], Any],
    *,
    runs: int,
    warmup: int = 1,
    count_queries: bool = True,
    trace_memory: bool = False,
    setup: Callable[[], Any] | None = None,
) -> Measurement:
    """Call ``fn`` ``warmup`` times untimed, then ``runs`` times timed.

    ``setup`` (untimed) runs before every call, e.g. to delete what the previous
    run wrote. Queries are counted per run with ``CaptureQueriesContext`` (which
    forces ``DEBUG`` cursor wrapping only while it is active). Memory is the
    tracemalloc peak of the Python heap during a run (tracing slows the run,
    so traced runs are separate from timed runs).
    """
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(warmup):
        if setup:
            setup()
        fn()

    times: list[float] = []
    queries: list[int] = []
    result: Any = None
    for _ in range(max(1, runs)):
        if setup:
            setup()
        gc.collect()
        if count_queries:
            with CaptureQueriesContext(connection) as ctx:
                t0 = time.perf_counter()
                result = fn()
                times.append(time.perf_counter() - t0)
            queries.append(len(ctx.captured_queries))
        else:
            t0 = time.perf_counter()
            result = fn()
            times.append(time.perf_counter() - t0)

    peak = None
    if trace_memory:
        peak = peak_memory_mb(fn, setup=setup)
    return Measurement(
        times=times,
        queries=queries[-1] if queries else None,
        queries_per_run=queries,
        peak_mem_mb=peak,
        result=result,
    )


def peak_memory_mb(fn: Callable[[], Any], *, setup: Callable[[], Any] | None = None) -> float:
    """Peak Python heap (tracemalloc) while ``fn`` runs once, in MiB."""
    if setup:
        setup()
    gc.collect()
    was_tracing = tracemalloc.is_tracing()
    if not was_tracing:
        tracemalloc.start()
    tracemalloc.reset_peak()
    base, _ = tracemalloc.get_traced_memory()
    try:
        fn()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        if not was_tracing:
            tracemalloc.stop()
    return round((peak - base) / 2**20, 2)


def count_queries(fn: Callable[[], Any]) -> tuple[int, Any]:
    """(number of SQL queries, return value) of one call of ``fn``."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        result = fn()
    return len(ctx.captured_queries), result


_UNITS = {"s": 1.0, "ms": 1e3, "us": 1e6}


def make_row(
    name: str,
    m: Measurement,
    *,
    unit: str = "ms",
    baseline: Measurement | None = None,
    baseline_name: str | None = None,
    n: int | None = None,
    note: str = "",
    **extra: Any,
) -> dict[str, Any]:
    """One result row of the protocol from a :class:`Measurement`."""
    k = _UNITS[unit]
    row: dict[str, Any] = {
        "name": name,
        "median": round(m.median * k, 3),
        "min": round(m.min * k, 3),
        "max": round(m.max * k, 3),
        "unit": unit,
        "runs": len(m.times),
        "queries": m.queries,
        "ratio": round(m.median / baseline.median, 2) if baseline and baseline.median else None,
        "baseline": baseline_name if baseline else None,
        "peak_mem_mb": m.peak_mem_mb,
        "n": n,
        "note": note,
    }
    if m.queries_per_run and len(set(m.queries_per_run)) > 1:
        row["queries_per_run"] = m.queries_per_run
    row.update(extra)
    return row


def value_row(
    name: str, value: float, *, unit: str, n: int | None = None, note: str = "", **extra: Any
) -> dict[str, Any]:
    """A row for a single measured value that is not a repeated timing (e.g. a count)."""
    return {
        "name": name,
        "median": value,
        "min": value,
        "max": value,
        "unit": unit,
        "runs": 1,
        "queries": None,
        "ratio": None,
        "baseline": None,
        "peak_mem_mb": None,
        "n": n,
        "note": note,
        **extra,
    }


# --------------------------------------------------------------------------
# Users and HTTP clients for page / API benchmarks
# --------------------------------------------------------------------------


def demo_user(role: str = "ministry") -> Any:
    """A user of ``role`` from the populated database (the demo user of that role).

    For ``coordinator`` prefer :func:`coordinator_user` to get one of a college
    that has events.
    """
    from roadmap.models import User

    user = User.objects.filter(username=role).first()
    if user is None:
        from roadmap.accounts.roles import GROUP_NAMES, Role

        user = User.objects.filter(groups__name=GROUP_NAMES[Role(role)]).order_by("id").first()
    if user is None:
        raise RuntimeError(f"no user with role {role!r}: was create_demo_users run?")
    return user


def coordinator_user() -> Any:
    """A coordinator of the organisation that organises the most events."""
    from django.core.exceptions import FieldError
    from django.db.models import Count

    from roadmap.accounts.roles import GROUP_NAMES, Role
    from roadmap.models import User

    qs = User.objects.filter(groups__name=GROUP_NAMES[Role.COORDINATOR], organization__isnull=False)
    try:
        qs = qs.annotate(n=Count("organization__events")).order_by("-n", "id")
    except FieldError:  # events not there yet: any coordinator
        qs = qs.order_by("id")
    user = qs.first()
    return user or demo_user("coordinator")


def client_for(user: Any) -> Any:
    """A Django test client logged in as ``user`` (no password needed)."""
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client


def get_ok(client: Any, url: str, **kwargs: Any) -> Callable[[], Any]:
    """A callable doing GET ``url`` that fails loudly unless the answer is 200."""

    def call() -> Any:
        response = client.get(url, **kwargs)
        if response.status_code != 200:
            raise RuntimeError(f"GET {url} -> {response.status_code}")
        if hasattr(response, "streaming_content"):
            for _ in response.streaming_content:
                pass
        return response

    return call


def allow_test_hosts() -> None:
    """Let the test client's ``testserver`` host through ALLOWED_HOSTS."""
    from django.conf import settings

    if "testserver" not in settings.ALLOWED_HOSTS and "*" not in settings.ALLOWED_HOSTS:
        settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]


# --------------------------------------------------------------------------
# Throwaway databases (used by run.py before Django is set up)
# --------------------------------------------------------------------------


def db_vendor(url: str | None) -> str:
    """``"sqlite"`` or ``"postgresql"`` for a DATABASE_URL (None means SQLite)."""
    if not url or url.startswith("sqlite"):
        return "sqlite"
    scheme = urlsplit(url).scheme
    if scheme in ("postgres", "postgresql", "pgsql", "psql"):
        return "postgresql"
    raise ValueError(f"unsupported database for benchmarks: {scheme}")


def database_url(base_url: str | None, name: str) -> str:
    """The URL of database ``name`` next to ``base_url`` (same server / directory)."""
    if db_vendor(base_url) == "sqlite":
        return f"sqlite:///{RESULTS_DIR / 'db' / (name + '.sqlite3')}"
    parts = urlsplit(base_url or "")
    return urlunsplit((parts.scheme, parts.netloc, "/" + name, parts.query, parts.fragment))


def _sqlite_path(url: str) -> Path:
    return Path(url.removeprefix("sqlite:///").removeprefix("sqlite://"))


def _pg_admin(url: str) -> Any:
    import psycopg

    parts = urlsplit(url)
    admin = urlunsplit((parts.scheme, parts.netloc, "/postgres", parts.query, ""))
    return psycopg.connect(admin.replace("postgres://", "postgresql://", 1), autocommit=True)


def _pg_name(url: str) -> str:
    return urlsplit(url).path.lstrip("/")


def drop_database(url: str) -> None:
    if db_vendor(url) == "sqlite":
        path = _sqlite_path(url)
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(str(path) + suffix).unlink(missing_ok=True)
        return
    with _pg_admin(url) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{_pg_name(url)}" WITH (FORCE)')


def create_database(url: str) -> None:
    """Create an empty database at ``url`` (dropping any previous one)."""
    drop_database(url)
    if db_vendor(url) == "sqlite":
        _sqlite_path(url).parent.mkdir(parents=True, exist_ok=True)
        return
    with _pg_admin(url) as conn:
        conn.execute(f'CREATE DATABASE "{_pg_name(url)}"')


def clone_database(src_url: str, dst_url: str) -> None:
    """Copy a populated database (file copy on SQLite, TEMPLATE on PostgreSQL)."""
    drop_database(dst_url)
    if db_vendor(src_url) == "sqlite":
        import sqlite3

        # The backup API folds the WAL into the copy consistently.
        src = sqlite3.connect(_sqlite_path(src_url))
        dst = sqlite3.connect(_sqlite_path(dst_url))
        with dst:
            src.backup(dst)
        src.close()
        dst.close()
        return
    with _pg_admin(src_url) as conn:
        conn.execute(f'CREATE DATABASE "{_pg_name(dst_url)}" TEMPLATE "{_pg_name(src_url)}"')


@contextmanager
def throwaway_database(base_url: str | None, name: str) -> Iterator[str]:
    """Create database ``name`` next to ``base_url``; yield its URL; drop it."""
    url = database_url(base_url, name)
    create_database(url)
    try:
        yield url
    finally:
        drop_database(url)


# The production profile (DEBUG off) over plain HTTP on loopback: no HTTPS
# redirect or secure-only cookies, static files unhashed (no collectstatic).
LOOPBACK_ENV = {
    "SECURE_SSL_REDIRECT": "0",
    "SECURE_HSTS_SECONDS": "0",
    "SECURE_PROXY_SSL_HEADER": "0",
    "SESSION_COOKIE_SECURE": "0",
    "CSRF_COOKIE_SECURE": "0",
    "STATICFILES_BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage",
}


def bench_secret_key() -> None:
    """A random SECRET_KEY for this run unless one is set: the settings refuse DEBUG off without one."""
    import secrets

    os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))


def django_setup(url: str | None = None) -> None:
    """Point Django at ``url`` (if given) and set it up; DEBUG stays off, so a
    random SECRET_KEY is set for the run (and the servers it starts) unless one is given."""
    if url:
        os.environ["DATABASE_URL"] = url
    for name, value in LOOPBACK_ENV.items():
        os.environ.setdefault(name, value)
    bench_secret_key()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "copp.settings")
    import django

    django.setup()


def machine_info() -> dict[str, Any]:
    """nproc, CPU model, RAM, versions: written into every results file."""
    import platform

    info: dict[str, Any] = {
        "nproc": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        # Other processes on the machine skew every figure: say how busy it was.
        "loadavg_1_5_15": [round(x, 2) for x in os.getloadavg()],
    }
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                info["cpu"] = line.split(":", 1)[1].strip()
                break
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                info["ram_gb"] = round(int(line.split()[1]) / 2**20, 1)
                break
    except OSError:
        pass
    return info


def which(name: str) -> str | None:
    return shutil.which(name)

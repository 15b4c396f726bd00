#!/usr/bin/env python
"""Load test driver: gunicorn on loopback + locust, then a consistency check.

Usually run through ``bench/run.py --loadtest`` (on a clone of the populated
benchmark database). Alone, against an already populated database
(``generate_demo`` done)::

    DATABASE_URL=... .venv/bin/python bench/loadtest/run.py --seconds 60

Steps: (1) pick 50 demo coordinators (distinct organisations first) and give
each an API token, pick 10 ministry users (they log in through the login
form); (2) start gunicorn on 127.0.0.1; (3) run locust headless for the given
time; (4) stop gunicorn; (5) check in the database that every report answered
201 is stored exactly once, that no other report of the run exists, and that
every event answered 201 exists. Returns protocol rows (bench/common.py).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from bench.common import LOOPBACK_ENV, PROJECT_DIR, value_row

HERE = Path(__file__).resolve().parent
VENV_BIN = Path(sys.executable).parent


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def prepare(fixture_path: str, coordinators: int, ministry: int) -> None:
    """Inside Django: tokens for coordinators, ministry logins, the run marker."""
    from bench.common import django_setup

    django_setup()
    from django.db.models import Count
    from rest_framework.authtoken.models import Token

    from copp.demo import DEMO_PASSWORD, DEMO_PREFIX
    from roadmap.accounts.roles import GROUP_NAMES, Role
    from roadmap.models import Activity, Plan, User
    from roadmap.plans.deadlines import MOSCOW

    plan = Plan.objects.filter(is_current=True).first() or Plan.objects.order_by("id").first()
    coord_qs = User.objects.filter(
        groups__name=GROUP_NAMES[Role.COORDINATOR], username__startswith=DEMO_PREFIX, organization__isnull=False
    ).order_by("id")
    chosen: list[User] = []
    seen_orgs: set[int] = set()
    for user in coord_qs:  # one per organisation first, then the second coordinators
        if user.organization_id not in seen_orgs:
            chosen.append(user)
            seen_orgs.add(user.organization_id)
    chosen += [u for u in coord_qs if u not in chosen]
    chosen = chosen[:coordinators]
    if len(chosen) < coordinators:
        raise SystemExit(f"only {len(chosen)} demo coordinators; generate_demo --scale region has 80")
    tokens = [Token.objects.get_or_create(user=u)[0].key for u in chosen]
    ministry_users = list(
        User.objects.filter(groups__name=GROUP_NAMES[Role.MINISTRY], username__startswith=DEMO_PREFIX).order_by("id")[
            :ministry
        ]
    )
    if len(ministry_users) < ministry:
        raise SystemExit(f"only {len(ministry_users)} demo ministry users")
    # Activities that take events today: any whose windows cover today, else all.
    from datetime import datetime

    today = datetime.now(MOSCOW).date()
    numbers = list(
        Activity.objects.filter(plan=plan, windows__start__lte=today, windows__end__gte=today)
        .annotate(n=Count("id"))
        .values_list("number", flat=True)
        .distinct()
    )
    numbers = numbers or list(Activity.objects.filter(plan=plan).values_list("number", flat=True))
    fixture = {
        "marker": f"LOADTEST-{uuid.uuid4().hex[:8]}",
        "today": today.isoformat(),
        "activities": numbers,
        "coordinator_users": coordinators,
        "ministry_users": ministry,
        "coordinators": [
            {"token": t, "organizer": u.organization_id, "username": u.username}
            for t, u in zip(tokens, chosen, strict=True)
        ],
        "ministry": [{"username": u.username, "password": DEMO_PASSWORD} for u in ministry_users],
    }
    Path(fixture_path).write_text(json.dumps(fixture, ensure_ascii=False))


def verify(fixture_path: str, out_path: str, result_path: str) -> None:
    """Inside Django: every 201 report stored exactly once, nothing else stored."""
    from bench.common import django_setup

    django_setup()
    from django.db.models import Count

    from roadmap.models import Event, EventReport

    fixture = json.loads(Path(fixture_path).read_text())
    out = json.loads(Path(out_path).read_text())
    submitted = out["submitted"]
    run_events = Event.objects.filter(title__startswith=fixture["marker"])
    reports = EventReport.objects.filter(event__in=run_events)
    per_event = dict(reports.values_list("event_id").annotate(n=Count("id")))
    attempted = set(out.get("attempted", submitted))
    stored = set(per_event)
    result = {
        "reports_answered_201": len(submitted),
        "reports_answered_201_distinct": len(set(submitted)),
        "reports_in_db": reports.count(),
        "reports_missing": sorted(set(submitted) - stored)[:20],
        "reports_duplicated": sorted(e for e, n in per_event.items() if n > 1)[:20],
        # stored although never sent: a real bug
        "reports_unexpected": sorted(stored - attempted)[:20],
        # sent, stored, but the answer never reached the client: the run ended
        # (locust stop) while the request was in flight; not a duplicate.
        "reports_in_flight_at_stop": sorted((stored & attempted) - set(submitted))[:20],
        "events_answered_201": len(out["events_created"]),
        "events_attempted": out.get("events_attempted", len(out["events_created"])),
        "events_in_db": run_events.count(),
        "double_submissions": out["double_submissions"],
    }
    result["exactly_once"] = (
        not result["reports_missing"]
        and not result["reports_duplicated"]
        and not result["reports_unexpected"]
        and len(submitted) == len(set(submitted))
        and result["events_answered_201"] <= result["events_in_db"] <= result["events_attempted"]
    )
    Path(result_path).write_text(json.dumps(result))


def _django(mode: str, db_url: str, *args: str) -> None:
    env = {**os.environ, "DATABASE_URL": db_url, "DEBUG": "0", **LOOPBACK_ENV}
    subprocess.run([sys.executable, str(Path(__file__).resolve()), mode, *args], check=True, cwd=PROJECT_DIR, env=env)


def _wait_until_up(url: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"gunicorn did not answer {url} within {timeout} s")


RAMP_SECONDS = 10  # users arrive over this time, as people do; 0 = all in the first second


def run_loadtest(
    db_url: str,
    *,
    seconds: int = 60,
    coordinators: int = 50,
    ministry: int = 10,
    workers: int | None = None,
    pace: str = "human",
    ramp: int = RAMP_SECONDS,
) -> list[dict[str, Any]]:
    from bench.common import bench_secret_key

    bench_secret_key()  # the servers run with DEBUG off
    workdir = Path(tempfile.mkdtemp(prefix="copp-loadtest-"))
    fixture, out, result = workdir / "fixture.json", workdir / "out.json", workdir / "result.json"
    _django(
        "--prepare", db_url, "--fixture", str(fixture), "--coordinators", str(coordinators), "--ministry", str(ministry)
    )
    port = _free_port()
    workers = workers or min(2 * (os.cpu_count() or 1) + 1, 9)
    env = {**os.environ, "DATABASE_URL": db_url, "DEBUG": "0", **LOOPBACK_ENV}
    print(
        f"  loadtest: gunicorn with {workers} workers on 127.0.0.1:{port}, {seconds} s, "
        f"{coordinators} coordinators + {ministry} ministry users arriving over {ramp} s, {pace} pace",
        flush=True,
    )
    gunicorn = subprocess.Popen(
        [
            str(VENV_BIN / "gunicorn"),
            "copp.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--timeout",
            "60",
            "--log-level",
            "warning",
        ],
        cwd=PROJECT_DIR,
        env=env,
        stdout=(workdir / "gunicorn.log").open("w"),
        stderr=subprocess.STDOUT,
    )
    try:
        _wait_until_up(f"http://127.0.0.1:{port}/login/")
        users = coordinators + ministry
        spawn_rate = users / ramp if ramp > 0 else users
        subprocess.run(
            [
                str(VENV_BIN / "locust"),
                "-f",
                str(HERE / "locustfile.py"),
                "--headless",
                "-u",
                str(users),
                "-r",
                f"{spawn_rate:g}",
                "-t",
                f"{seconds}s",
                "--stop-timeout",
                "120",
                "--host",
                f"http://127.0.0.1:{port}",
                "--csv",
                str(workdir / "locust"),
                "--only-summary",
                "--exit-code-on-error",
                "0",
            ],
            check=True,
            cwd=PROJECT_DIR,
            capture_output=True,
            text=True,
            env={**os.environ, "LOADTEST_FIXTURE": str(fixture), "LOADTEST_OUT": str(out), "LOADTEST_PACE": pace},
        )
    finally:
        gunicorn.terminate()
        try:
            gunicorn.wait(timeout=30)
        except subprocess.TimeoutExpired:
            gunicorn.kill()
    _django("--verify", db_url, "--fixture", str(fixture), "--out", str(out), "--result", str(result))
    check = json.loads(result.read_text())
    rows = _stats_rows(workdir / "locust_stats.csv", check, seconds=seconds, workers=workers)
    for row in rows:
        row["name"] = f"[{pace}] {row['name']}"
        row["pace"] = pace
        row["ramp_s"] = ramp
    print(f"  loadtest: files in {workdir}", flush=True)
    return rows


def _stats_rows(stats_csv: Path, check: dict[str, Any], *, seconds: int, workers: int) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    with stats_csv.open(encoding="utf-8") as f:
        for rec in csv.DictReader(f):
            name = rec["Name"] if rec["Type"] else "all requests"
            label = f"{rec['Type']} {name}".strip() if not name.startswith(rec["Type"]) else name
            rows.append(
                {
                    "module": "loadtest",
                    "name": f"p95 {label}",
                    "median": float(rec["95%"]),
                    "min": float(rec["Min Response Time"]),
                    "max": float(rec["Max Response Time"]),
                    "unit": "ms",
                    "runs": int(rec["Request Count"]),
                    "queries": None,
                    "ratio": None,
                    "baseline": None,
                    "peak_mem_mb": None,
                    "n": int(rec["Request Count"]),
                    "note": f"median {rec['50%']} ms, {float(rec['Requests/s']):.1f} req/s, "
                    f"{rec['Failure Count']} failures",
                    "p50": float(rec["50%"]),
                    "p99": float(rec["99%"]),
                    "rps": float(rec["Requests/s"]),
                    "failures": int(rec["Failure Count"]),
                }
            )
    total = next((r for r in rows if r["name"] == "p95 all requests"), None)
    if total:
        rows.append(
            {
                **value_row(
                    "throughput",
                    round(total["rps"], 1),
                    unit="req/s",
                    n=total["n"],
                    note=f"{seconds} s, gunicorn {workers} workers",
                ),
                "module": "loadtest",
            }
        )
        rows.append(
            {
                **value_row("errors", total["failures"], unit="requests", n=total["n"], note="must be 0"),
                "module": "loadtest",
            }
        )
    rows.append(
        {
            **value_row(
                "reports stored exactly once",
                1 if check["exactly_once"] else 0,
                unit="bool",
                n=check["reports_answered_201"],
                note=f"{check['reports_in_db']} in DB for {check['reports_answered_201']} answered 201 "
                f"(+{len(check.get('reports_in_flight_at_stop', []))} in flight at stop); "
                f"double submissions refused {check['double_submissions']['refused_409']}"
                f"/{check['double_submissions']['tried']}",
            ),
            "module": "loadtest",
            "check": check,
        }
    )
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--coordinators", type=int, default=50)
    parser.add_argument("--ministry", type=int, default=10)
    parser.add_argument("--workers", type=int)
    parser.add_argument("--pace", choices=["human", "stress"], default="human")
    parser.add_argument("--ramp", type=int, default=RAMP_SECONDS, help="seconds over which the users arrive")
    parser.add_argument("--prepare", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--verify", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--fixture", help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    parser.add_argument("--result", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.prepare:
        prepare(args.fixture, args.coordinators, args.ministry)
        return 0
    if args.verify:
        verify(args.fixture, args.out, args.result)
        return 0
    db_url = os.environ.get("DATABASE_URL") or f"sqlite:///{PROJECT_DIR / 'db.sqlite3'}"
    rows = run_loadtest(
        db_url,
        seconds=args.seconds,
        coordinators=args.coordinators,
        ministry=args.ministry,
        workers=args.workers,
        pace=args.pace,
        ramp=args.ramp,
    )
    for r in rows:
        print(f"{r['name']:<60} {r['median']:>10} {r['unit']:<8} {r.get('note', '')}")
    ok = all(r["median"] == 0 for r in rows if r["name"].endswith("] errors")) and any(
        r["name"].endswith("] reports stored exactly once") and r["median"] == 1 for r in rows
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

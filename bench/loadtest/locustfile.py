"""Load test scenario: coordinators register events and file reports while ministry staff browse.

Run by ``bench/loadtest/run.py`` (which prepares tokens and logins and starts
gunicorn); it can also be run by hand::

    LOADTEST_FIXTURE=/tmp/fixture.json LOADTEST_OUT=/tmp/out.json \\
      .venv/bin/locust -f bench/loadtest/locustfile.py --headless -u 60 -r 60 -t 60s \\
      --host http://127.0.0.1:8765

The fixture (written by run.py) holds one API token per coordinator with the
organisation they act for, ministry logins, activity numbers and a run marker.
Every 201 of a report is written to LOADTEST_OUT so run.py can check that each
submitted report is in the database exactly once. A coordinator sometimes
submits the same report twice on purpose: the second answer must be 409.
"""

from __future__ import annotations

import json
import os
import random
import re
import threading
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from locust import HttpUser, between, events, task

FIXTURE: dict[str, Any] = json.loads(Path(os.environ["LOADTEST_FIXTURE"]).read_text(encoding="utf-8"))
_lock = threading.Lock()
_coordinators = list(FIXTURE["coordinators"])
_ministry = list(FIXTURE["ministry"])
SUBMITTED: list[int] = []
ATTEMPTED: list[int] = []  # report POSTs sent, answered or not (cut off at the end of the run)
EVENTS_ATTEMPTED = {"n": 0}
EVENTS_CREATED: list[int] = []
DOUBLE_SUBMISSIONS = {"tried": 0, "refused_409": 0}
# Think time between one user's actions, in seconds. "human": a coordinator
# registers and reports an event every ~10 s (already far above real life: the
# region has ~10,000 events a year); "stress": as fast as a person can click,
# to find the saturation throughput.
PACES = {"human": ((5, 15), (5, 15)), "stress": ((0.5, 1.5), (1, 3))}
(COORD_WAIT, MINISTRY_WAIT) = PACES[os.environ.get("LOADTEST_PACE", "human")]
CSRF_RE = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def _next(pool: list[dict[str, Any]]) -> dict[str, Any]:
    with _lock:
        return pool.pop(0)


class Coordinator(HttpUser):
    """Registers an event of their own organisation and files its report, via the API."""

    fixed_count = FIXTURE["coordinator_users"]
    wait_time = between(*COORD_WAIT)

    def on_start(self) -> None:
        me = _next(_coordinators)
        self.organizer = me["organizer"]
        self.client.headers["Authorization"] = f"Token {me['token']}"
        self.rng = random.Random(me["organizer"] * 7919 + len(_coordinators))
        self.pending: list[int] = []

    @task(3)
    def register_and_report(self) -> None:
        day = date.fromisoformat(FIXTURE["today"]) - timedelta(days=self.rng.randint(0, 2))
        payload = {
            "activity": self.rng.choice(FIXTURE["activities"]),
            "organizer": self.organizer,
            "title": f"{FIXTURE['marker']} мастер-класс {self.rng.randint(1, 10**6)}",
            "start_date": day.isoformat(),
            "responsible_email": "otvetstvenny@example.org",
            "planned_participants": self.rng.randint(10, 60),
        }
        with _lock:
            EVENTS_ATTEMPTED["n"] += 1
        with self.client.post("/api/v1/events/", json=payload, name="POST /api/v1/events/", catch_response=True) as r:
            if r.status_code != 201:
                r.failure(f"{r.status_code}: {r.text[:200]}")
                return
            event_id = r.json()["id"]
        with _lock:
            EVENTS_CREATED.append(event_id)
        total = self.rng.randint(5, 60)
        report = {
            "summary": "Проведено по плану.",
            "participants_total": total,
            "participants_pupils_6_11": total // 2,
            "schools_count": self.rng.randint(1, 5),
        }
        with _lock:
            ATTEMPTED.append(event_id)
        with self.client.post(
            f"/api/v1/events/{event_id}/report/",
            json=report,
            name="POST /api/v1/events/{id}/report/",
            catch_response=True,
        ) as r:
            if r.status_code != 201:
                r.failure(f"{r.status_code}: {r.text[:200]}")
                return
        with _lock:
            SUBMITTED.append(event_id)
        if self.rng.random() < 0.1:
            # A double click / retried request: must be refused, and never stored twice.
            with self.client.post(
                f"/api/v1/events/{event_id}/report/",
                json=report,
                name="POST report again (409 expected)",
                catch_response=True,
            ) as r:
                with _lock:
                    DOUBLE_SUBMISSIONS["tried"] += 1
                if r.status_code == 409:
                    r.success()
                    with _lock:
                        DOUBLE_SUBMISSIONS["refused_409"] += 1
                else:
                    r.failure(f"expected 409, got {r.status_code}")

    @task(1)
    def my_events(self) -> None:
        self.client.get(f"/api/v1/events/?organizer={self.organizer}&limit=20", name="GET /api/v1/events/?organizer")


class Ministry(HttpUser):
    """Logs in through the login form and browses pages and the API."""

    fixed_count = FIXTURE["ministry_users"]
    wait_time = between(*MINISTRY_WAIT)

    def on_start(self) -> None:
        me = _next(_ministry)
        page = self.client.get("/login/", name="GET /login/")
        token = CSRF_RE.search(page.text)
        with self.client.post(
            "/login/",
            data={
                "username": me["username"],
                "password": me["password"],
                "csrfmiddlewaretoken": token.group(1) if token else "",
            },
            headers={"Referer": f"{self.host}/login/"},
            name="POST /login/",
            catch_response=True,
            allow_redirects=False,
        ) as r:
            if r.status_code != 302:
                r.failure(f"login failed: {r.status_code}")

    @task(3)
    def dashboard(self) -> None:
        self.client.get("/dashboard/", name="GET /dashboard/")

    @task(3)
    def event_list(self) -> None:
        self.client.get("/events/", name="GET /events/")

    @task(2)
    def overdue_api(self) -> None:
        self.client.get("/api/v1/events/?report_status=overdue&limit=50", name="GET /api/v1/events/?report_status")

    @task(1)
    def timeliness(self) -> None:
        self.client.get("/api/v1/events/timeliness/?by=organization", name="GET /api/v1/events/timeliness/")

    @task(1)
    def activities(self) -> None:
        self.client.get("/activities/", name="GET /activities/")


@events.quitting.add_listener
def _write_out(environment: Any, **_kw: Any) -> None:
    out = os.environ.get("LOADTEST_OUT")
    if out:
        with open(out, "w", encoding="utf-8") as f:
            json.dump(
                {
                    "submitted": SUBMITTED,
                    "attempted": ATTEMPTED,
                    "events_attempted": EVENTS_ATTEMPTED["n"],
                    "events_created": EVENTS_CREATED,
                    "double_submissions": DOUBLE_SUBMISSIONS,
                },
                f,
            )

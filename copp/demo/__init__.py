"""Realistic, deterministic demo data at scale (``manage.py generate_demo``).

What a region looks like: colleges, schools and employers spread over the real
municipalities (``roadmap/data/municipalities.yaml``, already loaded with the
order), coordinators per college, events through the plan's years with the
seasons of a school year, reports on time, late and missing in plausible
shares, returned and accepted reports, ЦОПП's actual values of the indicators,
partner agreements, educational programmes and their cohorts.

``national`` repeats the region a hundred times: region 1 is the real Tula
region, regions 2..100 get synthetic municipalities and their own ЦОПП and
ministry.

Everything is drawn from one ``random.Random(seed)``; nothing random depends on
database ids, so the same seed on the same plan gives the same rows on SQLite
and PostgreSQL.

Activities are never picked by number ("a plan is data"): an activity's share
of events follows its deadline windows. A window that recurs every year and is
at most ~3 months long (e.g. «Билет в будущее», "Ежегодно, сентябрь-ноябрь")
is a campaign and gets ``CAMPAIGN_WEIGHT`` years' worth of events squeezed
into it, which produces the autumn peak; one-off windows shorter than a year
(documents to write once) get a trickle.

Speed: rows are built in Python and written with ``bulk_create`` in batches,
so the number of queries grows with the number of *batches*, never with the
number of events. This deliberately bypasses the services
(``roadmap.events.services.event_create`` etc.): they write one row at a time, check
permissions and write history and notifications, which would take hours at
``national`` scale. What the services would compute is computed here with
their pure parts instead: ``roadmap.plans.deadlines.report_due_at`` for ``due_at``
and for a returned report's new deadline; ``on_time`` is ``submitted_at <=
due_at`` exactly as frozen at submission. No django-simple-history rows are
written for generated data (history starts with the first real edit).
"""

from __future__ import annotations

from copp.demo.cleanup import demo_delete, demo_present
from copp.demo.generator import DemoGenerator
from copp.demo.rules import (
    BATCH_SIZE,
    DEMO_PASSWORD,
    DEMO_PREFIX,
    SCALES,
    ScaleSpec,
    activity_weights,
    day_weight,
    split,
)

__all__ = [
    "BATCH_SIZE",
    "DEMO_PASSWORD",
    "DEMO_PREFIX",
    "SCALES",
    "DemoGenerator",
    "ScaleSpec",
    "activity_weights",
    "day_weight",
    "demo_delete",
    "demo_present",
    "split",
]

"""Participant lists of the demo's pupil events, with realistic repeats.

A region's pupils of one year are a pool a little smaller than the seats of
its listed pupil events, so the same pupils come to several профпробы: about
60–70 % of the listed participations are distinct people (the share
``people_figures`` then reports). Only the first region gets lists (a
national scale would otherwise hold tens of millions of rows).
"""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import date, timedelta

from copp.demo.names import FIRST_NAMES, SURNAMES
from copp.demo.rules import chunks
from roadmap.events.event_year import event_year
from roadmap.events.participants import person_key
from roadmap.models import EventReport, ReportParticipant

SHARE_LISTED = 0.4  # of the pupil events' reports
POOL_PER_SEAT = 0.9  # pool size per listed seat of a year


def participant_lists(reports: list[EventReport], rng: random.Random) -> int:
    """Create the lists (bulk); returns the number of listed participations."""
    listed: dict[int, list[EventReport]] = defaultdict(list)
    for report in reports:
        if report.pk and report.participants_pupils_6_11 and rng.random() < SHARE_LISTED:
            listed[event_year(report.event)].append(report)
    rows: list[ReportParticipant] = []
    for year, year_reports in sorted(listed.items()):
        seats = sum(r.participants_pupils_6_11 or 0 for r in year_reports)
        pool = [_pupil(year, i, rng) for i in range(max(10, int(seats * POOL_PER_SEAT)))]
        for report in year_reports:
            for key, grade in rng.sample(pool, min(report.participants_pupils_6_11 or 0, len(pool))):
                rows.append(ReportParticipant(report=report, person_key=key, category="pupil", grade=grade))
    for batch in chunks(rows):
        ReportParticipant.objects.bulk_create(batch)
    return len(rows)


def _pupil(year: int, index: int, rng: random.Random) -> tuple[str, int]:
    grade = rng.randint(6, 11)
    born = date(year - grade - 7, 1, 1) + timedelta(days=rng.randint(0, 364))
    key = person_key(surname=rng.choice(SURNAMES), name=f"{rng.choice(FIRST_NAMES)} {index}", birth_date=born)
    return key, grade

"""Scales, shares and the pure rules of the demo generator (no database)."""

from __future__ import annotations

import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import TypeVar

from roadmap.plans.deadlines import MOSCOW

BATCH_SIZE = 2000
DEMO_PREFIX = "demo-"
DEMO_PASSWORD = "demo12345"
CAMPAIGN_WEIGHT = 4.0
ONE_OFF_WEIGHT = 0.15

T = TypeVar("T")


@dataclass(frozen=True)
class ScaleSpec:
    """How much to generate. Per-region figures are multiplied by ``regions``."""

    regions: int
    colleges: int
    schools: int
    employers: int
    events: int
    coordinators_per_college: int = 2
    copp_staff: int = 3
    ministry_staff: int = 10


SCALES: dict[str, ScaleSpec] = {
    "small": ScaleSpec(regions=1, colleges=8, schools=60, employers=30, events=2_000),
    "region": ScaleSpec(regions=1, colleges=40, schools=400, employers=150, events=30_000),
    "national": ScaleSpec(regions=100, colleges=40, schools=400, employers=150, events=30_000),
}

# Shares of events that needed a report (past, not cancelled). Each
# organisation gets its own "discipline" around these, so some colleges are
# chronically late and the dashboards have something to show.
SHARE_ON_TIME = 0.78
SHARE_LATE = 0.15  # the rest (~7 %) is missing
SHARE_CANCELLED = 0.02
SHARE_RETURNED = 0.06


# --------------------------------------------------------------------------
# Pure helpers (no database)
# --------------------------------------------------------------------------


def day_weight(day: date) -> float:
    """Relative chance that an event takes place on ``day`` (school-year rhythm)."""
    w = 1.0
    if day.month in (7, 8):
        w *= 0.3  # summer holidays
    if day.month == 1 and day.day <= 8:
        w *= 0.05  # New Year holidays
    if day.month == 12 and day.day >= 26:
        w *= 0.5
    if day.month == 5 and day.day <= 10:
        w *= 0.5  # May holidays
    if day.weekday() == 5:
        w *= 0.25
    elif day.weekday() == 6:
        w *= 0.05
    return w


def activity_weights(windows: dict[int, list[tuple[date, date]]]) -> dict[int, float]:
    """Share of events per activity id, from the shape of its deadline windows.

    * a window of a year or longer: one unit per year it covers;
    * a window of up to ~3 months recurring in several years (a campaign):
      CAMPAIGN_WEIGHT units per quarter of a year it covers, i.e. events are
      CAMPAIGN_WEIGHT times denser than a year-round activity's of the same
      "importance" -- the autumn peak of «Билет в будущее»;
    * a longer recurring window: its share of a year;
    * a window shorter than a year that does not recur (a one-off task): a trickle.
    """
    weights: dict[int, float] = {}
    for activity_id, spans in windows.items():
        years = {s.year for s, _ in spans}
        total = 0.0
        for start, end in spans:
            length = (end - start).days + 1
            if length >= 360:
                total += length / 365
            elif len(years) > 1 and length <= 100:
                total += CAMPAIGN_WEIGHT * length / 91
            elif len(years) > 1:
                total += length / 365
            else:
                total += ONE_OFF_WEIGHT
        weights[activity_id] = total
    return weights


def split(total: int, weights: Sequence[float], rng: random.Random) -> list[int]:
    """Split ``total`` into integers proportional to ``weights`` (largest remainder, ties by rng)."""
    s = sum(weights)
    if s <= 0 or total <= 0:
        return [0] * len(weights)
    raw = [total * w / s for w in weights]
    out = [int(x) for x in raw]
    rest = total - sum(out)
    order = sorted(range(len(weights)), key=lambda i: (-(raw[i] - out[i]), rng.random()))
    for i in order[:rest]:
        out[i] += 1
    return out


def chunks(items: Sequence[T], size: int = BATCH_SIZE) -> Iterable[Sequence[T]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


TRANSLIT = dict(
    zip(
        "абвгдеёжзийклмнопрстуфхцчшщъыьэюя",
        [
            "a",
            "b",
            "v",
            "g",
            "d",
            "e",
            "e",
            "zh",
            "z",
            "i",
            "y",
            "k",
            "l",
            "m",
            "n",
            "o",
            "p",
            "r",
            "s",
            "t",
            "u",
            "f",
            "kh",
            "ts",
            "ch",
            "sh",
            "shch",
            "",
            "y",
            "",
            "e",
            "yu",
            "ya",
        ],
        strict=True,
    )
)


def latin(word: str) -> str:
    """ASCII local part of an e-mail address for a Russian surname."""
    return "".join(TRANSLIT.get(ch, ch) for ch in word.lower())


def moscow_utc(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=MOSCOW).astimezone(UTC)

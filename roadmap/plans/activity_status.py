"""The status of a roadmap activity: one rule for the dashboard, the reports and its page."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from roadmap.plans.control_points import ControlPoint


class ActivityStatus:
    NOT_PLANNED = "не запланировано"
    NOT_STARTED = "ожидается"
    IN_PROGRESS = "в работе"
    DONE = "выполнено"
    FAILED = "не выполнено"


def activity_verdict(points: Sequence[ControlPoint], *, today: dt.date) -> str | None:
    """The final verdict once every control point has passed, else None.

    Done only when every control point is proven: an event held under its
    window, the event's report accepted and, when the activity names a
    proving document, evidence attached to that report.
    """
    if not points or today <= max(p.date for p in points):
        return None
    return ActivityStatus.DONE if all(p.proven for p in points) else ActivityStatus.FAILED


def activity_status(
    *,
    windows: list[tuple[dt.date, dt.date]],
    held: int,
    missing: int,
    today: dt.date,
    points: Sequence[ControlPoint] | None = None,
) -> str:
    """The year's status of an activity from its deadline windows and events.

    When every window of the year has ended the status is a verdict: with
    ``points`` (the year's control points) done only if each is proven,
    without them done when an event was held and no report is missing.
    Failed: a window has ended with no event held. Without a window in the
    year the activity is not planned for it (events held anyway still count
    as done).
    """
    if not windows:
        return ActivityStatus.DONE if held and not missing else ActivityStatus.NOT_PLANNED
    first_start = min(start for start, _ in windows)
    last_end = max(end for _, end in windows)
    if today < first_start and not held:
        return ActivityStatus.NOT_STARTED
    if today > last_end:
        if points:
            return activity_verdict(points, today=today) or ActivityStatus.IN_PROGRESS
        if not held:
            return ActivityStatus.FAILED
        return ActivityStatus.DONE if not missing else ActivityStatus.IN_PROGRESS
    return ActivityStatus.IN_PROGRESS


# The CSS class of each status on the pages (the dashboard, an activity's page).
ACTIVITY_STATUS_CSS = {
    ActivityStatus.NOT_PLANNED: "no_data",
    ActivityStatus.NOT_STARTED: "not_started",
    ActivityStatus.IN_PROGRESS: "in_progress",
    ActivityStatus.DONE: "done",
    ActivityStatus.FAILED: "failed",
}

"""The year's status of a roadmap activity: one rule for the dashboard and the reports."""

from __future__ import annotations

import datetime as dt


class ActivityStatus:
    NOT_PLANNED = "не запланировано"
    NOT_STARTED = "ожидается"
    IN_PROGRESS = "в работе"
    DONE = "выполнено"
    FAILED = "не выполнено"


def activity_status(
    *, windows: list[tuple[dt.date, dt.date]], held: int, missing: int, today: dt.date
) -> str:
    """The year's status of an activity from its deadline windows and events.

    Done: every window of the year has ended, at least one event was held and
    no report is missing. Failed: a window has ended with no event held.
    Without a window in the year the activity is not planned for it (events
    held anyway still count as done).
    """
    if not windows:
        return ActivityStatus.DONE if held and not missing else ActivityStatus.NOT_PLANNED
    first_start = min(start for start, _ in windows)
    last_end = max(end for _, end in windows)
    if today < first_start and not held:
        return ActivityStatus.NOT_STARTED
    if today > last_end:
        if not held:
            return ActivityStatus.FAILED
        return ActivityStatus.DONE if not missing else ActivityStatus.IN_PROGRESS
    return ActivityStatus.IN_PROGRESS

"""Participant lists from a spreadsheet (import kind ``event_participants``).

One row a person; the rows of one event make its new list, which replaces
the stored one (``report_participants_set``), with the rules of the report
form and the API: the same cleaning (``clean_people``), the list may not
exceed the report's figures, only the organiser's coordinator (or staff) may
change it, and an accepted report is not changed.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from roadmap.accounts import permissions
from roadmap.events.participants import Person, _clean_one, list_errors, report_participants_set
from roadmap.events.services import BulkOutcome
from roadmap.models import Event, EventReport, Plan, User


@dataclass
class ParticipantRow:
    row: int
    event_id: int
    person: dict[str, Any]  # surname, name, birth_date or snils, category, grade


def participants_import(*, user: User | None, rows: list[ParticipantRow], plan: Plan, commit: bool) -> BulkOutcome:
    """Replace the lists of the events in the file; problems by row. A fixed number of queries per call."""
    outcome = BulkOutcome()
    ids = {r.event_id for r in rows}
    events = {e.pk: e for e in Event.objects.filter(pk__in=ids, activity__plan=plan)} if ids else {}
    query = EventReport.objects.filter(event_id__in=list(events))
    if commit:
        query = query.select_for_update()
    reports = {r.event_id: r for r in query} if events else {}
    had_list = (
        set(
            EventReport.objects.filter(event_id__in=list(reports), participants__isnull=False)
            .values_list("event_id", flat=True)
            .distinct()
        )
        if reports
        else set()
    )
    by_event: dict[int, list[tuple[int, Person]]] = defaultdict(list)
    seen: dict[tuple[int, str], int] = {}
    for r in rows:
        event = events.get(r.event_id)
        if event is None or (user is not None and not permissions.can_report_event(user, event)):
            outcome.refuse(r.row, f"Мероприятие с кодом {r.event_id} не найдено.", "event")
            continue
        report = reports.get(event.pk)
        if report is None:
            outcome.refuse(r.row, "По мероприятию ещё нет отчёта: сначала подайте отчёт с числом участников.", "event")
            continue
        if report.status == EventReport.Status.ACCEPTED:
            outcome.refuse(r.row, "Отчёт принят: список участников изменить нельзя.", "event")
            continue
        person, problems = _clean_one(r.person)
        if person is not None and (event.pk, person.person_key) in seen:
            problems = [f"тот же человек, что в строке {seen[(event.pk, person.person_key)]}"]
        if problems:
            text = "; ".join(problems)
            outcome.refuse(r.row, text[0].upper() + text[1:] + ".")
            continue
        assert person is not None
        seen[(event.pk, person.person_key)] = r.row
        by_event[event.pk].append((r.row, person))
    for event_id, listed in by_event.items():
        errors = list_errors(reports[event_id], [p for _, p in listed])
        for message in errors.get("participants", []):
            outcome.refuse(listed[0][0], message, "event")
        action = "updated" if event_id in had_list else "created"
        for row, _person in listed:
            outcome.actions[row] = (action, ["participants"] if action == "updated" else [])
    if commit and not outcome.problems:
        for event_id, listed in by_event.items():
            report_participants_set(reports[event_id], [p for _, p in listed])
    return outcome

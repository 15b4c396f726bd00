"""Starting a new plan from an old one (``plan_copy`` command and admin action).

The copy takes the old plan's sections, activities and responsible parties;
apps above the roadmap add their part through hooks (the indicators app
copies the indicator set with empty targets and names each indicator's
predecessor). Deadlines are kept as written and read again for the new years;
a phrase the grammar does not read for them is flagged on the activity, not
refused. Everything is copied in one transaction or not at all.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import validate_slug
from django.db import transaction

from roadmap.models import Activity, DeadlineWindow, Plan, Responsibility, Section
from roadmap.plans.deadlines import parse_deadline

MIN_YEAR, MAX_YEAR = 2000, 2100


class PlanCopyError(ValueError):
    """A refused copy; ``field`` names the input at fault."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


@dataclass
class PlanCopyResult:
    plan: Plan
    counts: Counter[str] = field(default_factory=Counter)
    flagged_deadlines: list[str] = field(default_factory=list)

    def summary(self) -> str:
        parts = [f"{kind}: {n}" for kind, n in sorted(self.counts.items())]
        return "; ".join(parts)


# hook(source, new_plan, activities {old activity id: new activity}, result)
CopyHook = Callable[[Plan, Plan, dict[int, Activity], PlanCopyResult], None]
_HOOKS: list[CopyHook] = []


def register_plan_copy_hook(hook: CopyHook) -> None:
    """Called by a higher app's ``AppConfig.ready`` to copy its part of a plan."""
    if hook not in _HOOKS:
        _HOOKS.append(hook)


def _check(source: Plan | None, source_key: str, key: str, first_year: object, last_year: object) -> None:
    if source is None:
        raise PlanCopyError("source", f"План «{source_key}» не найден.")
    try:
        validate_slug(key)
    except ValidationError as exc:
        raise PlanCopyError("key", f"Ключ «{key}» недопустим: только латинские буквы, цифры, «-» и «_».") from exc
    if Plan.objects.filter(key=key).exists():
        raise PlanCopyError("key", f"План с ключом «{key}» уже есть; выберите другой ключ.")
    for name, year in (("first_year", first_year), ("last_year", last_year)):
        if not isinstance(year, int) or isinstance(year, bool) or not MIN_YEAR <= year <= MAX_YEAR:
            raise PlanCopyError(name, f"Год «{year}» недопустим: нужен год от {MIN_YEAR} до {MAX_YEAR}.")
    assert isinstance(first_year, int) and isinstance(last_year, int)
    if last_year < first_year:
        raise PlanCopyError("last_year", f"Последний год ({last_year}) раньше первого ({first_year}).")


def _reread(text: str, first_year: int, last_year: int) -> tuple[bool, list[tuple[dt.date, dt.date]], str]:
    """A deadline read again for the new years: (recognised, windows, why not).

    Windows are clipped to the new plan's years; a phrase whose dates all
    fall outside them (an old plan's «январь – март 2023 г.») is flagged.
    """
    parsed = parse_deadline(text, first_year, last_year)
    if not parsed.recognized:
        return False, [], "срок не распознан"
    first_day, last_day = dt.date(first_year, 1, 1), dt.date(last_year, 12, 31)
    kept = [
        (max(w.start, first_day), min(w.end, last_day))
        for w in parsed.windows
        if w.end >= first_day and w.start <= last_day
    ]
    if parsed.windows and not kept:
        return False, [], f"даты вне {first_year}–{last_year} гг."
    return True, kept, ""


def plan_copy(*, source_key: str, key: str, first_year: int, last_year: int) -> PlanCopyResult:
    """Copy plan ``source_key`` as a new plan ``key`` for ``first_year``–``last_year``.

    The new plan is a draft for an administrator to edit: number «проект»,
    dated 1 January of its first year, not current, with the old plan's
    reporting rule and contacts. Raises :class:`PlanCopyError` naming the
    field at fault; nothing is written then.
    """
    source = Plan.objects.filter(key=source_key).first()
    _check(source, source_key, key, first_year, last_year)
    assert source is not None
    with transaction.atomic():
        new = Plan.objects.create(
            key=key,
            region=source.region,
            number="проект",
            date=dt.date(first_year, 1, 1),
            issuer=source.issuer,
            title=source.title,
            roadmap_title=source.roadmap_title,
            first_year=first_year,
            last_year=last_year,
            is_current=False,
            report_due_days=source.report_due_days,
            report_due_calendar=source.report_due_calendar,
            escalation_days=source.escalation_days,
            signed_by=source.signed_by,
            contact=source.contact,
            contact_email=source.contact_email,
        )
        result = PlanCopyResult(plan=new)
        result.counts["plan"] = 1
        sections = {}
        for section in Section.objects.filter(plan=source).order_by("order"):
            sections[section.pk] = Section.objects.create(plan=new, order=section.order, title=section.title)
        result.counts["section"] = len(sections)
        activities: dict[int, Activity] = {}
        windows: list[DeadlineWindow] = []
        for old in Activity.objects.filter(plan=source).order_by("number"):
            recognized, kept, reason = _reread(old.deadline_text, first_year, last_year)
            activity = Activity.objects.create(
                plan=new,
                section=sections[old.section_id],
                number=old.number,
                name=old.name,
                expected_result=old.expected_result,
                evidence_document=old.evidence_document,
                deadline_text=old.deadline_text,
                deadline_recognized=recognized,
                responsible_text=old.responsible_text,
                note=old.note,
            )
            activities[old.pk] = activity
            windows += [DeadlineWindow(activity=activity, start=start, end=end) for start, end in kept]
            if not recognized:
                result.flagged_deadlines.append(f"№ {activity.number}: «{activity.deadline_text}» — {reason}")
        DeadlineWindow.objects.bulk_create(windows)
        result.counts["activity"] = len(activities)
        result.counts["deadline window"] = len(windows)
        responsibilities = [
            Responsibility(
                activity=activities[r.activity_id],
                organization_id=r.organization_id,
                by_agreement=r.by_agreement,
                order=r.order,
            )
            for r in Responsibility.objects.filter(activity__plan=source)
        ]
        Responsibility.objects.bulk_create(responsibilities)
        result.counts["responsibility"] = len(responsibilities)
        for hook in _HOOKS:
            hook(source, new, activities, result)
    return result

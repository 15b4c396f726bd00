"""Writes of the registries: partner agreements, educational programmes, cohorts.

Every door that writes a registry record — the API, the admin, the
spreadsheet imports — calls these services, which own:

* the permission (``indicators.permissions.can_edit_registry_record``: the
  holder of an agreement, the developer of a programme or of a cohort's
  programme; a record moved to another holder needs the right for both);
* validation: the business rules below plus the model's own field checks
  (``full_clean``); the single-record services also check uniqueness and
  foreign keys against the database;
* history (django-simple-history, with the acting user) and ``created_by``;
* a protected delete: a record others still point to (a programme with
  cohorts) is refused with the reason, never a server error.

They raise ``django.core.exceptions.PermissionDenied``,
``django.core.exceptions.ValidationError`` (messages by field) and
``roadmap.errors.Conflict`` (HTTP 409: a protected delete, a duplicate
written concurrently, a record deleted meanwhile).

The bulk services (``agreements_import``, ``programmes_import``) apply the
same rules to a batch without a query per row: the caller (the import) has
resolved the foreign keys and the existing records in a fixed number of
queries; the rules that need no database run per row; the write is one bulk
insert and one bulk update (each with its history rows) per 500 records.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import ProtectedError
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from indicators.models import EducationalProgramme, PartnerAgreement, ProgrammeCategory, ProgrammeCohort
from indicators.permissions import can_edit_registry_record
from roadmap.errors import Conflict
from roadmap.events.limits import MAX_PARTICIPANTS
from roadmap.models import Activity, Organization

# Sanity bounds of what people type: outside them a value is a typo (or an
# attack on a 32-bit column), never a real programme or date.
MAX_PROGRAMME_HOURS = 20_000
EARLIEST_DATE = dt.date(1990, 1, 1)
LATEST_DATE = dt.date(2100, 12, 31)
BATCH_SIZE = 500

Errors = dict[str, list[str]]


class ProtectedRecord(Conflict):
    """The record is still referred to by others and cannot be deleted (HTTP 409)."""


class RowsInvalid(ValidationError):
    """Some rows of a bulk write break the rules; ``rows`` maps each row's label to its errors by field."""

    def __init__(self, rows: dict[int, Errors]) -> None:
        self.rows = rows
        super().__init__(
            [
                f"{label}: {field}: {'; '.join(messages)}"
                for label, errors in rows.items()
                for field, messages in errors.items()
            ]
        )


@dataclass
class RegistryRow:
    """One record of a bulk write: field values (names or attnames) and the record they change (None: a new one)."""

    values: dict[str, Any]
    record: models.Model | None = None
    label: int = 0  # how errors name the row (the spreadsheet's row number)


@dataclass
class BulkResult:
    created: list[Any] = field(default_factory=list)
    updated: list[Any] = field(default_factory=list)


# --- the rules -------------------------------------------------------------------------


def _add(errors: Errors, name: str, message: str) -> None:
    errors.setdefault(name, []).append(message)


def _check_date(errors: Errors, name: str, value: Any) -> None:
    if isinstance(value, dt.date) and not EARLIEST_DATE <= value <= LATEST_DATE:
        _add(
            errors,
            name,
            _("Date %(date)s is outside the allowed range (%(first)s–%(last)s).")
            % {"date": f"{value:%d.%m.%Y}", "first": f"{EARLIEST_DATE:%d.%m.%Y}", "last": f"{LATEST_DATE:%d.%m.%Y}"},
        )


def _agreement_rules(agreement: PartnerAgreement) -> Errors:
    errors: Errors = {}
    for name in ("date", "valid_from", "valid_to"):
        _check_date(errors, name, getattr(agreement, name))
    if agreement.valid_from and agreement.valid_to and agreement.valid_to < agreement.valid_from:
        _add(errors, "valid_to", _("The agreement cannot end before it starts."))
    return errors


def _programme_rules(programme: EducationalProgramme) -> Errors:
    errors: Errors = {}
    _check_date(errors, "approved_on", programme.approved_on)
    hours = programme.hours
    if isinstance(hours, int) and not 0 < hours <= MAX_PROGRAMME_HOURS:
        _add(
            errors,
            "hours",
            _("Programme length must be from 1 to %(max)s hours, not %(hours)s.")
            % {"max": MAX_PROGRAMME_HOURS, "hours": hours},
        )
    return errors


def _cohort_rules(cohort: ProgrammeCohort) -> Errors:
    errors: Errors = {}
    year = cohort.year
    if isinstance(year, int) and not EARLIEST_DATE.year <= year <= LATEST_DATE.year:
        _add(
            errors,
            "year",
            _("Year of completion must be from %(first)s to %(last)s, not %(year)s.")
            % {"first": EARLIEST_DATE.year, "last": LATEST_DATE.year, "year": year},
        )
    completed = cohort.completed
    if isinstance(completed, int) and completed > MAX_PARTICIPANTS:
        _add(
            errors,
            "completed",
            _("People completed must be at most %(max)s, not %(value)s.")
            % {"max": MAX_PARTICIPANTS, "value": completed},
        )
    return errors


@dataclass(frozen=True)
class _Kind:
    model: type[models.Model]
    fields: frozenset[str]  # what a door may set
    holder: Callable[[Any], int | None]  # the organisation whose right decides
    rules: Callable[[Any], Errors]


def _cohort_holder(cohort: ProgrammeCohort) -> int | None:
    if cohort.programme_id is None:
        return None
    return EducationalProgramme.objects.filter(pk=cohort.programme_id).values_list("developer_id", flat=True).first()


AGREEMENT = _Kind(
    PartnerAgreement,
    frozenset({"partner", "organization", "activity", "number", "date", "valid_from", "valid_to", "subject"}),
    lambda a: a.organization_id,
    _agreement_rules,
)
PROGRAMME = _Kind(
    EducationalProgramme,
    frozenset({"name", "category", "developer", "approved_on", "hours", "form"}),
    lambda p: p.developer_id,
    _programme_rules,
)
COHORT = _Kind(
    ProgrammeCohort,
    frozenset({"programme", "year", "group", "completed"}),
    _cohort_holder,
    _cohort_rules,
)
_KINDS = {kind.model: kind for kind in (AGREEMENT, PROGRAMME, COHORT)}


def _foreign_keys(kind: _Kind) -> list[str]:
    return [f.name for f in kind.model._meta.concrete_fields if f.many_to_one]


def _errors(kind: _Kind, record: Any, *, deep: bool) -> Errors:
    """The rules, then the model's field checks; ``deep`` adds those that query (uniqueness, foreign keys)."""
    errors = kind.rules(record)
    try:
        record.full_clean(
            exclude=None if deep else _foreign_keys(kind),
            validate_unique=deep and not errors,
            validate_constraints=deep and not errors,
        )
    except ValidationError as exc:
        for name, messages in exc.message_dict.items():
            for message in messages:
                if message not in errors.get(name, []):
                    _add(errors, name, message)
    return errors


def writable_fields(record: Any) -> frozenset[str]:
    """The fields a door may set on a registry record (the rest: history, author, timestamps)."""
    return _KINDS[type(record)].fields


def registry_errors(record: PartnerAgreement | EducationalProgramme | ProgrammeCohort) -> Errors:
    """What is wrong with a record about to be written, by field, without a query.

    For a dry run (the imports) and for forms (the admin); the services run it too.
    ``__all__`` holds the errors of the whole record.
    """
    return _errors(_KINDS[type(record)], record, deep=False)


def _check(kind: _Kind, user: Any, holder_id: int | None) -> None:
    if not can_edit_registry_record(user, holder_id):
        raise PermissionDenied(_("You may not register records for this organisation."))


def _actor(user: Any) -> Any:
    return user if getattr(user, "pk", None) else None


def _validated(kind: _Kind, record: Any) -> None:
    errors = _errors(kind, record, deep=True)
    if errors:
        raise ValidationError(errors)


def _save(record: Any, user: Any) -> None:
    record._history_user = _actor(user)
    try:
        with transaction.atomic():
            record.save()
    except IntegrityError as exc:  # a concurrent write of the same key won
        raise Conflict(_("This record already exists (someone else has just saved it).")) from exc


def _set(kind: _Kind, record: Any, values: Mapping[str, Any]) -> None:
    for name, value in values.items():
        plain = name.removesuffix("_id")
        if plain not in kind.fields:
            raise TypeError(f"{kind.model.__name__} has no writable field {name!r}")
        setattr(record, name, value)


def _create(kind: _Kind, *, user: Any, values: Mapping[str, Any]) -> Any:
    record = kind.model(created_by=_actor(user))
    _set(kind, record, values)
    _check(kind, user, kind.holder(record))
    _validated(kind, record)
    _save(record, user)
    return record


def _update(kind: _Kind, *, user: Any, record: Any, changes: Mapping[str, Any]) -> Any:
    """Apply changes to the stored record (not to the caller's copy, which a form may have changed already)."""
    with transaction.atomic():
        current = kind.model._default_manager.select_for_update().filter(pk=record.pk).first()
        if current is None:
            raise Conflict(_("The record has already been deleted."))
        _check(kind, user, kind.holder(current))
        _set(kind, current, changes)
        _check(kind, user, kind.holder(current))
        _validated(kind, current)
        _save(current, user)
    return current


def _delete(kind: _Kind, *, user: Any, record: Any) -> None:
    _check(kind, user, kind.holder(record))
    record._history_user = _actor(user)
    try:
        with transaction.atomic():
            record.delete()
    except ProtectedError as exc:
        blockers = list(exc.protected_objects)
        what = blockers[0]._meta.verbose_name_plural if blockers else ""
        raise ProtectedRecord(
            _("Record “%(record)s” cannot be deleted: %(what)s refer to it (%(count)s). Delete them first.")
            % {"record": record, "what": what, "count": len(blockers)}
        ) from exc


def _bulk(kind: _Kind, *, user: Any, rows: Sequence[RegistryRow]) -> BulkResult:
    """Create and update many records with the rules of the single services, in a fixed number of queries."""
    actor = _actor(user)
    result = BulkResult()
    problems: dict[int, Errors] = {}
    changed: set[str] = set()
    for index, row in enumerate(rows):
        record = row.record if row.record is not None else kind.model(created_by=actor)
        if row.record is not None:
            _check(kind, user, kind.holder(record))
        _set(kind, record, row.values)
        _check(kind, user, kind.holder(record))
        errors = _errors(kind, record, deep=False)
        if errors:
            problems[row.label or index + 1] = errors
        elif row.record is None:
            result.created.append(record)
        else:
            result.updated.append(record)
            changed |= {kind.model._meta.get_field(name).name for name in row.values}
    if problems:
        raise RowsInvalid(problems)
    with transaction.atomic():
        if result.created:
            bulk_create_with_history(result.created, kind.model, batch_size=BATCH_SIZE, default_user=actor)
        if result.updated:
            bulk_update_with_history(
                result.updated, kind.model, sorted(changed), batch_size=BATCH_SIZE, default_user=actor
            )
    return result


# --- partner agreements ---------------------------------------------------------------------


def agreement_create(
    *,
    user: Any,
    partner: Organization,
    organization: Organization,
    number: str,
    date: dt.date,
    valid_from: dt.date,
    subject: str,
    valid_to: dt.date | None = None,
    activity: Activity | None = None,
) -> PartnerAgreement:
    """Register an agreement of ``organization`` (the holder, whose right decides) with ``partner``."""
    values = {
        "partner": partner,
        "organization": organization,
        "number": number,
        "date": date,
        "valid_from": valid_from,
        "valid_to": valid_to,
        "subject": subject,
        "activity": activity,
    }
    return _create(AGREEMENT, user=user, values=values)


def agreement_update(*, user: Any, agreement: PartnerAgreement, **changes: Any) -> PartnerAgreement:
    return _update(AGREEMENT, user=user, record=agreement, changes=changes)


def agreement_delete(*, user: Any, agreement: PartnerAgreement) -> None:
    _delete(AGREEMENT, user=user, record=agreement)


def agreements_import(*, user: Any, rows: Sequence[RegistryRow]) -> BulkResult:
    """Create and update agreements from a spreadsheet (rows resolved by the import)."""
    return _bulk(AGREEMENT, user=user, rows=rows)


# --- educational programmes -------------------------------------------------------------------


def programme_create(
    *,
    user: Any,
    name: str,
    category: ProgrammeCategory,
    developer: Organization,
    approved_on: dt.date,
    hours: int,
    form: str = EducationalProgramme.Form.FULL_TIME,
) -> EducationalProgramme:
    """Register a programme of ``developer`` (whose right decides)."""
    values = {
        "name": name,
        "category": category,
        "developer": developer,
        "approved_on": approved_on,
        "hours": hours,
        "form": form,
    }
    return _create(PROGRAMME, user=user, values=values)


def programme_update(*, user: Any, programme: EducationalProgramme, **changes: Any) -> EducationalProgramme:
    return _update(PROGRAMME, user=user, record=programme, changes=changes)


def programme_delete(*, user: Any, programme: EducationalProgramme) -> None:
    """Delete a programme; one with cohorts is refused (ProtectedRecord) until they are deleted."""
    _delete(PROGRAMME, user=user, record=programme)


def programmes_import(*, user: Any, rows: Sequence[RegistryRow]) -> BulkResult:
    """Create and update programmes from a spreadsheet (rows resolved by the import)."""
    return _bulk(PROGRAMME, user=user, rows=rows)


# --- cohorts ---------------------------------------------------------------------------------


def cohort_create(
    *, user: Any, programme: EducationalProgramme, year: int, completed: int, group: str = ""
) -> ProgrammeCohort:
    """Register a cohort that completed ``programme`` in ``year``; the programme's developer decides who may."""
    values = {"programme": programme, "year": year, "completed": completed, "group": group}
    return _create(COHORT, user=user, values=values)


def cohort_update(*, user: Any, cohort: ProgrammeCohort, **changes: Any) -> ProgrammeCohort:
    return _update(COHORT, user=user, record=cohort, changes=changes)


def cohort_delete(*, user: Any, cohort: ProgrammeCohort) -> None:
    _delete(COHORT, user=user, record=cohort)

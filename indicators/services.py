"""Writes of the indicators app: actual values, their approval and audit trail.

Every write checks the user's right through ``indicators.permissions`` (so
the API, the HTML views, the admin and the imports cannot differ), changes
the row with a conditional UPDATE on its ``version`` and status (a stale form
or a double click changes nothing), and appends one ``ActualChange`` row.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils.translation import gettext as _

from indicators import permissions
from indicators.models import Actual, ActualChange, Indicator
from roadmap.errors import Conflict, Refusal, StaleVersion
from roadmap.events.limits import MAX_INDICATOR_VALUE
from roadmap.events.services import BulkOutcome
from roadmap.models import Organization

Status = Actual.Status


class InvalidInput(Refusal):
    """Bad input (HTTP 400)."""


# --- validation -----------------------------------------------------------------


def refuse_derived_total(indicator: Indicator) -> None:
    """A total the order defines as a sum of rows (4 = Σ4.x, 2 = 3 + 5 + 6) is derived, never typed."""
    from indicators.selectors import active_source

    source = active_source(indicator)
    if source is not None and source.is_sum:
        raise InvalidInput(
            _(
                "Indicator %(code)s is the sum of rows %(rows)s and is not entered by hand; enter the values of those rows."
            )
            % {"code": indicator.code, "rows": ", ".join(source.row_codes)},
            field="indicator",
        )


def clean_value(indicator: Indicator, value: Any) -> tuple[int | None, bool | None]:
    """Return (value_number, value_bool) for an indicator or raise InvalidInput."""
    refuse_derived_total(indicator)
    if indicator.is_boolean:
        if not isinstance(value, bool):
            raise InvalidInput(
                _("Indicator %(code)s takes yes/no (true or false), not “%(value)s”.")
                % {"code": indicator.code, "value": value},
                field="value",
            )
        return None, value
    if isinstance(value, bool) or value is None:
        raise InvalidInput(
            _("Indicator %(code)s takes a non-negative whole number, not “%(value)s”.")
            % {"code": indicator.code, "value": value},
            field="value",
        )
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        value = int(value.strip())
    if not isinstance(value, int):
        raise InvalidInput(
            _("Indicator %(code)s takes a non-negative whole number, not “%(value)s”.")
            % {"code": indicator.code, "value": value},
            field="value",
        )
    if value < 0:
        raise InvalidInput(_("The value cannot be negative (%(value)s).") % {"value": value}, field="value")
    if value > MAX_INDICATOR_VALUE:
        # Beyond any real figure of one region, and beyond a 64-bit column soon after.
        # (A Russian msgid: no .po/.mo change for one message.)
        raise InvalidInput(
            _("The value cannot be greater than %(max)s.") % {"max": f"{MAX_INDICATOR_VALUE:,}".replace(",", "\u00a0")},
            field="value",
        )
    return value, None


def clean_year(indicator: Indicator, year: object) -> int:
    plan = indicator.indicator_set.plan
    if isinstance(year, bool) or not isinstance(year, int) or not plan.first_year <= year <= plan.last_year:
        raise InvalidInput(
            _("The year must be one of the plan's years %(first)s–%(last)s, not “%(year)s”.")
            % {"first": plan.first_year, "last": plan.last_year, "year": year},
            field="year",
        )
    return year


def clean_period(period: object) -> str:
    period = "" if period is None else str(period).strip().lower()
    if period not in Actual.PERIODS:
        raise InvalidInput(
            _("Unknown period “%(period)s”: leave it empty for the whole year, q1–q4 or m01–m12.") % {"period": period},
            field="period",
        )
    return period


def _value_json(actual: Actual) -> int | bool | None:
    return actual.value


def _log(
    actual: Actual,
    *,
    action: str,
    user: Any,
    now: dt.datetime,
    old_value: Any,
    old_status: str,
    reason: str = "",
) -> ActualChange:
    return ActualChange.objects.create(
        actual=actual,
        action=action,
        at=now,
        user=user if getattr(user, "pk", None) else None,
        old_value=old_value,
        new_value=_value_json(actual),
        old_status=old_status,
        new_status=actual.status,
        reason=reason,
    )


# --- writes -----------------------------------------------------------------------


def actual_create(
    *,
    indicator: Indicator,
    year: int,
    organization: Organization,
    value: Any,
    user: Any,
    now: dt.datetime,
    period: str = "",
    evidence: str = "",
) -> Actual:
    """Record a draft value of an organisation for a year (or a part of it)."""
    if not permissions.can_enter_actual(user, organization.pk):
        raise PermissionDenied(_("You may not enter values for this organisation."))
    year = clean_year(indicator, year)
    period = clean_period(period)
    value_number, value_bool = clean_value(indicator, value)
    duplicate = Actual.objects.filter(indicator=indicator, year=year, period=period, organization=organization).first()
    if duplicate is not None:
        raise Conflict(
            _("A value of this organisation for this indicator and period already exists (id %(id)s); edit it instead.")
            % {"id": duplicate.pk}
        )
    try:
        with transaction.atomic():
            actual = Actual.objects.create(
                indicator=indicator,
                year=year,
                period=period,
                organization=organization,
                value_number=value_number,
                value_bool=value_bool,
                evidence=evidence or "",
                created_at=now,
                updated_at=now,
                created_by=user if getattr(user, "pk", None) else None,
            )
            _log(actual, action=ActualChange.Action.CREATE, user=user, now=now, old_value=None, old_status="")
    except IntegrityError as exc:  # a concurrent create of the same key won
        raise Conflict(_("A value of this organisation for this indicator and period already exists.")) from exc
    return actual


def _transition(
    actual: Actual,
    *,
    allowed_from: tuple[str, ...],
    changes: dict[str, Any],
    version: int | None,
    action: str,
    user: Any,
    now: dt.datetime,
    reason: str = "",
    refusal: str,
) -> Actual:
    """Move a value under its row lock; refuse stale or invalid moves.

    The row is locked before it is read, so of two concurrent moves the second
    reads what the first committed and is refused as stale (not with a
    misleading status message decided on a read taken before the first one
    committed).
    """
    with transaction.atomic():
        current = Actual.objects.select_for_update().filter(pk=actual.pk).first()
        if current is None:
            raise Conflict(_("The value no longer exists."))
        if version is not None and current.version != version:
            raise StaleVersion(
                _(
                    "The value was changed by someone else since you opened it (version %(yours)s, now "
                    "%(theirs)s). Reload it and apply your change again."
                )
                % {"yours": version, "theirs": current.version},
                field="version",
            )
        if current.status not in allowed_from:
            raise Conflict(refusal % {"status": current.get_status_display()})
        old_value, old_status = _value_json(current), current.status
        Actual.objects.filter(pk=actual.pk).update(**changes, updated_at=now, version=F("version") + 1)
        actual.refresh_from_db()
        _log(actual, action=action, user=user, now=now, old_value=old_value, old_status=old_status, reason=reason)
    return actual


def _reason_required() -> str:
    return _("This value was approved before: give a reason for the change.")


def _edit_refusal() -> str:
    return _("A value that is “%(status)s” cannot be edited; only drafts and returned values can.")


def actual_update(
    *,
    actual: Actual,
    value: Any,
    user: Any,
    now: dt.datetime,
    version: int | None,
    evidence: str | None = None,
    reason: str = "",
    confirm_breaches: bool = False,
) -> Actual:
    """Change a draft or returned value.

    A value approved before needs a reason, and a new value that would break
    one of the order's rules once approved again is refused, naming the rule,
    unless the breach is confirmed (``confirm_breaches``).
    """
    if not permissions.can_enter_actual(user, actual.organization_id):
        raise PermissionDenied(_("You may not edit values of this organisation."))
    if version is None:
        raise InvalidInput(_("The version of the value you edit is required."), field="version")
    value_number, value_bool = clean_value(actual.indicator, value)
    reason = (reason or "").strip()
    if actual.was_approved and not reason:
        raise InvalidInput(_reason_required(), field="reason")
    if actual.was_approved and not confirm_breaches:
        refusal = edit_breach_refusal(actual, value_number)
        if refusal:
            raise InvalidInput(refusal, field="value")
    changes: dict[str, Any] = {"value_number": value_number, "value_bool": value_bool}
    if evidence is not None:
        changes["evidence"] = evidence
    return _transition(
        actual,
        allowed_from=(Status.DRAFT, Status.RETURNED),
        changes=changes,
        version=version,
        action=ActualChange.Action.EDIT,
        user=user,
        now=now,
        reason=reason,
        refusal=_edit_refusal(),
    )


def edit_breach_refusal(actual: Actual, value_number: int | None) -> str:
    """Why an edit of a value approved before is held back: the rules it would
    break once approved again, as sentences (empty when it breaks none)."""
    from indicators.checks import actual_edit_breaches

    checks = actual_edit_breaches(actual, value_number)
    if not checks:
        return ""
    return _(
        "Once the value is approved, a rule of the order will be broken: %(s)s. Check the value, or confirm saving "
        "and give a reason."
    ) % {"s": "; ".join(c.sentence for c in checks)}


def actual_submit(*, actual: Actual, user: Any, now: dt.datetime, version: int | None = None) -> Actual:
    if not permissions.can_enter_actual(user, actual.organization_id):
        raise PermissionDenied(_("You may not submit values of this organisation."))
    if actual.indicator.is_boolean and actual.value_bool and not actual.evidence.strip():
        raise InvalidInput(_("A “yes” needs the evidence that proves it."), field="evidence")
    return _transition(
        actual,
        allowed_from=(Status.DRAFT, Status.RETURNED),
        changes={"status": Status.SUBMITTED, "return_reason": ""},
        version=version,
        action=ActualChange.Action.SUBMIT,
        user=user,
        now=now,
        refusal=_("A value that is “%(status)s” cannot be submitted."),
    )


def actual_approve(*, actual: Actual, user: Any, now: dt.datetime, version: int | None = None) -> Actual:
    """Approve a submitted value: it counts from now on and is locked."""
    if not permissions.can_review_actuals(user, actual.organization):
        raise PermissionDenied(_("Only COPP and ministry staff approve values."))
    return _transition(
        actual,
        allowed_from=(Status.SUBMITTED,),
        changes={
            "status": Status.APPROVED,
            "was_approved": True,
            "approved_at": now,
            "approved_by": user if getattr(user, "pk", None) else None,
        },
        version=version,
        action=ActualChange.Action.APPROVE,
        user=user,
        now=now,
        refusal=_("Only a submitted value can be approved; this one is “%(status)s”."),
    )


def _required_reason(reason: str | None) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput(_("Give a reason."), field="reason")
    return reason


def actual_return(*, actual: Actual, user: Any, now: dt.datetime, reason: str, version: int | None = None) -> Actual:
    """Send a submitted value back to its organisation with a reason."""
    if not permissions.can_review_actuals(user, actual.organization):
        raise PermissionDenied(_("Only COPP and ministry staff return values."))
    reason = _required_reason(reason)
    return _transition(
        actual,
        allowed_from=(Status.SUBMITTED,),
        changes={"status": Status.RETURNED, "return_reason": reason},
        version=version,
        action=ActualChange.Action.RETURN,
        user=user,
        now=now,
        reason=reason,
        refusal=_("Only a submitted value can be returned; this one is “%(status)s”."),
    )


def actual_reopen(*, actual: Actual, user: Any, now: dt.datetime, reason: str, version: int | None = None) -> Actual:
    """Unlock an approved value (ministry only): it stops counting and goes back to its organisation."""
    if not permissions.can_reopen_actual(user, actual.organization):
        raise PermissionDenied(_("Only the ministry reopens approved values."))
    reason = _required_reason(reason)
    return _transition(
        actual,
        allowed_from=(Status.APPROVED,),
        changes={"status": Status.RETURNED, "return_reason": reason, "approved_at": None, "approved_by": None},
        version=version,
        action=ActualChange.Action.REOPEN,
        user=user,
        now=now,
        reason=reason,
        refusal=_("Only an approved value can be reopened; this one is “%(status)s”."),
    )


@dataclass
class BulkResult:
    approved: list[int] = field(default_factory=list)
    refused: dict[int, str] = field(default_factory=dict)


def actuals_bulk_approve(*, actual_ids: list[int], user: Any, now: dt.datetime) -> BulkResult:
    """Approve many submitted values; each one that cannot be approved is reported, the others are."""
    if not permissions.can_review_actuals(user):
        raise PermissionDenied(_("Only COPP and ministry staff approve values."))
    result = BulkResult()
    # Values the user may not see are "no such value", as on every other door.
    found = {
        a.pk: a
        for a in permissions.visible_actuals(user, Actual.objects.filter(pk__in=actual_ids)).select_related(
            "indicator", "organization"
        )
    }
    for actual_id in dict.fromkeys(actual_ids):
        actual = found.get(actual_id)
        if actual is None:
            result.refused[actual_id] = _("No such value.")
            continue
        try:
            actual_approve(actual=actual, user=user, now=now)
        except Refusal as exc:
            result.refused[actual_id] = exc.message
        else:
            result.approved.append(actual_id)
    return result


# --- bulk writes (spreadsheet imports) ------------------------------------------


@dataclass
class ActualRow:
    """One value of a file: its key, the value as typed, and why it changes."""

    row: int
    indicator: Indicator  # with indicator_set.plan loaded
    year: Any
    period: Any
    organization_id: int
    value: Any
    evidence: str = ""
    reason: str = ""


def actuals_import(*, user: Any, rows: list[ActualRow], now: dt.datetime, commit: bool) -> BulkOutcome:
    """Create or edit many values with ``actual_create``/``actual_update``'s rules.

    The same right (``can_enter_actual``), the same cleaning (year, period,
    value), only drafts and returned values change, a value approved before
    changes only with a reason (the «Причина изменения» column), and every
    create or edit appends its ``ActualChange`` with that reason. A fixed
    number of queries whatever the number of rows.
    """
    outcome = BulkOutcome()
    allowed: dict[int, bool] = {}
    cleaned: list[tuple[ActualRow, int, str, int | None, bool | None]] = []
    for r in rows:
        if r.organization_id not in allowed:
            allowed[r.organization_id] = permissions.can_enter_actual(user, r.organization_id)
        if not allowed[r.organization_id]:
            outcome.refuse(r.row, _("You may not enter values for this organisation."), "organization")
            continue
        try:
            year = clean_year(r.indicator, r.year)
            period = clean_period(r.period)
            number, flag = clean_value(r.indicator, r.value)
        except InvalidInput as exc:
            outcome.refuse(r.row, exc.message, exc.field or "")
            continue
        cleaned.append((r, year, period, number, flag))
    existing: dict[tuple[int, int, str, int], Actual] = {}
    if cleaned:
        found = Actual.objects.filter(
            indicator_id__in={c[0].indicator.pk for c in cleaned},
            year__in={c[1] for c in cleaned},
            organization_id__in={c[0].organization_id for c in cleaned},
        )
        if commit:
            found = found.select_for_update()
        existing = {(a.indicator_id, a.year, a.period, a.organization_id): a for a in found}
    actor = user if getattr(user, "pk", None) else None
    new: list[Actual] = []
    edited: list[tuple[Actual, Any, str]] = []
    for r, year, period, number, flag in cleaned:
        evidence = r.evidence or ""
        actual = existing.get((r.indicator.pk, year, period, r.organization_id))
        if actual is None:
            new.append(
                Actual(
                    indicator=r.indicator,
                    year=year,
                    period=period,
                    organization_id=r.organization_id,
                    value_number=number,
                    value_bool=flag,
                    evidence=evidence,
                    status=Status.DRAFT,
                    created_at=now,
                    updated_at=now,
                    created_by=actor,
                )
            )
            outcome.actions[r.row] = ("created", [])
            continue
        changes = {"value_number": number, "value_bool": flag, "evidence": evidence}
        names = [n for n, v in changes.items() if getattr(actual, n) != v]
        if not names:
            outcome.actions[r.row] = ("unchanged", [])
            continue
        if actual.status not in (Status.DRAFT, Status.RETURNED):
            outcome.refuse(r.row, _edit_refusal() % {"status": actual.get_status_display()}, "value")
            continue
        reason = (r.reason or "").strip()
        if actual.was_approved and not reason:
            outcome.refuse(r.row, _reason_required(), "reason")
            continue
        # A file cannot confirm a breach: such an edit is made on the value's page.
        refusal = edit_breach_refusal(actual, number) if actual.was_approved else ""
        if refusal:
            outcome.refuse(
                r.row,
                refusal + " " + _("Such a change is not accepted from a file: make it on the value's page."),
                "value",
            )
            continue
        old_value = _value_json(actual)
        for name in names:
            setattr(actual, name, changes[name])
        actual.version += 1
        actual.updated_at = now
        edited.append((actual, old_value, reason))
        outcome.actions[r.row] = ("updated", names)
    if commit and not outcome.problems:
        Actual.objects.bulk_create(new, batch_size=1000)
        if new and new[0].pk is None:  # backends without RETURNING ids
            keys = {(a.indicator_id, a.year, a.period, a.organization_id) for a in new}
            stored = Actual.objects.filter(
                indicator_id__in={k[0] for k in keys},
                year__in={k[1] for k in keys},
                organization_id__in={k[3] for k in keys},
            )
            new = [a for a in stored if (a.indicator_id, a.year, a.period, a.organization_id) in keys]
        log = [
            ActualChange(
                actual=a,
                action=ActualChange.Action.CREATE,
                at=now,
                user=actor,
                old_value=None,
                new_value=_value_json(a),
                old_status="",
                new_status=a.status,
            )
            for a in new
        ]
        if edited:
            Actual.objects.bulk_update(
                [a for a, _, _ in edited],
                ["value_number", "value_bool", "evidence", "version", "updated_at"],
                batch_size=1000,
            )
            log += [
                ActualChange(
                    actual=a,
                    action=ActualChange.Action.EDIT,
                    at=now,
                    user=actor,
                    old_value=old,
                    new_value=_value_json(a),
                    old_status=a.status,
                    new_status=a.status,
                    reason=reason,
                )
                for a, old, reason in edited
            ]
        ActualChange.objects.bulk_create(log, batch_size=1000)
    return outcome

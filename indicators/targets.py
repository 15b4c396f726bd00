"""Writes of targets: the planned value of an indicator for a year of its plan.

Targets come with the plan's data file (``load_order``, history reason
"load_order") and are corrected by administrators in the admin, which calls
these services: they own the permission (the model permission the admin
grants), the rules (the value's type follows the indicator, numbers are
bounded, the year is one of the plan's) and the history — who, when, and the
reason, which a correction must give.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from indicators.models import Indicator, Target
from roadmap.events.limits import MAX_INDICATOR_VALUE

Errors = dict[str, list[str]]
REASON_MAX_LENGTH = 100  # simple_history's history_change_reason


def target_errors(*, indicator: Indicator, year: Any, value_number: Any, value_bool: Any) -> Errors:
    """What is wrong with a target's values, by field (no query beyond the indicator's plan)."""
    errors: Errors = {}
    plan = indicator.indicator_set.plan
    if not isinstance(year, int) or not plan.first_year <= year <= plan.last_year:
        errors["year"] = [
            _("The year must be one of the plan's years (%(first)s–%(last)s).")
            % {"first": plan.first_year, "last": plan.last_year}
        ]
    if indicator.is_boolean:
        if value_bool is None or value_number is not None:
            errors["value_bool"] = [
                _("Indicator %(code)s is yes/no: give only the planned “yes” or “no”.") % {"code": indicator.code}
            ]
    elif value_bool is not None or value_number is None:
        errors["value_number"] = [
            _("Indicator %(code)s is a number: give only the planned value.") % {"code": indicator.code}
        ]
    elif not 0 <= value_number <= MAX_INDICATOR_VALUE:
        errors["value_number"] = [_("The planned value must be from 0 to %(max)s.") % {"max": MAX_INDICATOR_VALUE}]
    return errors


def target_breach_errors(*, indicator: Indicator, year: Any, value_number: Any, confirm_breaches: bool) -> Errors:
    """The rules the new target would break, as sentences, unless the breach is confirmed.

    The order itself breaks a rule (2024: row 4 = 73, rows 4.1–4.7 add up to
    75); an administrator may keep or enter such a value, but only knowingly:
    the form shows the sentences and asks to confirm (``confirm_breaches``),
    and the reason goes to the target's history.
    """
    from indicators.checks import target_breaches

    if indicator.is_boolean or not isinstance(year, int) or not isinstance(value_number, int):
        return {}
    checks = target_breaches(indicator=indicator, year=year, value_number=value_number)
    if not checks or confirm_breaches:
        return {}
    return {
        "confirm_breaches": [
            _("This value breaks a rule of the order: %(sentence)s.") % {"sentence": c.sentence} for c in checks
        ]
        + [_("Check the value, or confirm saving despite the broken rule and give a reason.")]
    }


def target_set(
    *,
    user: Any,
    indicator: Indicator,
    year: int,
    value_number: int | None,
    value_bool: bool | None,
    reason: str,
    confirm_breaches: bool = False,
) -> Target:
    """Create or correct the target of an indicator for a year.

    Every change needs a reason (it is kept in the target's history); a value
    that would break one of the plan's rules is refused unless the breach is
    confirmed.
    """
    if not user.has_perm("indicators.change_target"):
        raise PermissionDenied(_("Planned values are changed by administrators."))
    errors = target_errors(indicator=indicator, year=year, value_number=value_number, value_bool=value_bool)
    if not errors:
        errors |= target_breach_errors(
            indicator=indicator, year=year, value_number=value_number, confirm_breaches=confirm_breaches
        )
    reason = (reason or "").strip()
    with transaction.atomic():
        target = Target.objects.select_for_update().filter(indicator=indicator, year=year).first()
        if not reason:
            errors["reason"] = [_("Give a reason for changing the planned value.")]
        elif len(reason) > REASON_MAX_LENGTH:
            errors["reason"] = [_("The reason must be at most %(n)s characters.") % {"n": REASON_MAX_LENGTH}]
        if errors:
            raise ValidationError(errors)
        if target is None:
            target = Target(indicator=indicator, year=year)
        target.value_number, target.value_bool = value_number, value_bool
        target._history_user = user
        target._change_reason = reason
        target.save()
    return target


def target_delete(*, user: Any, target: Target, reason: str = "") -> None:
    if not user.has_perm("indicators.delete_target"):
        raise PermissionDenied(_("Planned values are deleted by administrators."))
    target._history_user = user
    target._change_reason = (reason or "").strip() or "admin"
    target.delete()

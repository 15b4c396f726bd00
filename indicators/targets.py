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
            _("Год должен быть одним из годов плана (%(first)s–%(last)s).") % {"first": plan.first_year, "last": plan.last_year}
        ]
    if indicator.is_boolean:
        if value_bool is None or value_number is not None:
            errors["value_bool"] = [_("Показатель %(code)s — «да/нет»: укажите только плановое «да» или «нет».") % {"code": indicator.code}]
    elif value_bool is not None or value_number is None:
        errors["value_number"] = [_("Показатель %(code)s — число: укажите только плановое значение.") % {"code": indicator.code}]
    elif not 0 <= value_number <= MAX_INDICATOR_VALUE:
        errors["value_number"] = [_("Плановое значение — от 0 до %(max)s.") % {"max": MAX_INDICATOR_VALUE}]
    return errors


def target_breach_errors(
    *, indicator: Indicator, year: Any, value_number: Any, confirm_breaches: bool
) -> Errors:
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
            _("С этим значением нарушается правило приказа: %(sentence)s.") % {"sentence": c.sentence} for c in checks
        ]
        + [_("Проверьте значение или подтвердите сохранение с нарушением и укажите причину.")]
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
        raise PermissionDenied(_("Плановые значения меняют администраторы."))
    errors = target_errors(indicator=indicator, year=year, value_number=value_number, value_bool=value_bool)
    if not errors:
        errors |= target_breach_errors(
            indicator=indicator, year=year, value_number=value_number, confirm_breaches=confirm_breaches
        )
    reason = (reason or "").strip()
    with transaction.atomic():
        target = Target.objects.select_for_update().filter(indicator=indicator, year=year).first()
        if not reason:
            errors["reason"] = [_("Укажите причину изменения планового значения.")]
        elif len(reason) > REASON_MAX_LENGTH:
            errors["reason"] = [_("Причина — не длиннее %(n)s знаков.") % {"n": REASON_MAX_LENGTH}]
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
        raise PermissionDenied(_("Плановые значения удаляют администраторы."))
    target._history_user = user
    target._change_reason = (reason or "").strip() or "admin"
    target.delete()

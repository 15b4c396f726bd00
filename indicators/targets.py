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
from roadmap.limits import MAX_INDICATOR_VALUE

Errors = dict[str, list[str]]


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


def target_set(
    *, user: Any, indicator: Indicator, year: int, value_number: int | None, value_bool: bool | None, reason: str
) -> Target:
    """Create or correct the target of an indicator for a year; a correction needs a reason."""
    if not user.has_perm("indicators.change_target"):
        raise PermissionDenied(_("Плановые значения меняют администраторы."))
    errors = target_errors(indicator=indicator, year=year, value_number=value_number, value_bool=value_bool)
    reason = (reason or "").strip()
    with transaction.atomic():
        target = Target.objects.select_for_update().filter(indicator=indicator, year=year).first()
        if target is not None and not reason:
            errors["reason"] = [_("Укажите причину изменения планового значения.")]
        if errors:
            raise ValidationError(errors)
        if target is None:
            target = Target(indicator=indicator, year=year)
        target.value_number, target.value_bool = value_number, value_bool
        target._history_user = user
        target._change_reason = reason or "admin"
        target.save()
    return target


def target_delete(*, user: Any, target: Target, reason: str = "") -> None:
    if not user.has_perm("indicators.delete_target"):
        raise PermissionDenied(_("Плановые значения удаляют администраторы."))
    target._history_user = user
    target._change_reason = (reason or "").strip() or "admin"
    target.delete()

"""Target indicators of a plan and their planned values (targets)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from roadmap.models import Plan


class IndicatorSet(models.Model):
    plan = models.OneToOneField(Plan, on_delete=models.CASCADE, related_name="indicator_set")
    title = models.TextField(_("title"))

    class Meta:
        verbose_name = _("indicator set")
        verbose_name_plural = _("indicator sets")

    def __str__(self) -> str:
        return self.title


class Indicator(models.Model):
    class ValueType(models.TextChoices):
        NUMBER = "number", _("Number")
        BOOLEAN = "boolean", _("Yes / no")

    class Aggregation(models.TextChoices):
        FLOW = "flow", _("Flow: summed over the year")
        STOCK = "stock", _("Stock: value at the end of the year")
        BOOLEAN = "boolean", _("Yes / no")

    indicator_set = models.ForeignKey(IndicatorSet, on_delete=models.CASCADE, related_name="indicators")
    code = models.CharField(_("code"), max_length=20, help_text=_("As printed, without a trailing dot: 3.1"))
    printed_code = models.CharField(_("code as printed"), max_length=20, blank=True)
    parent = models.ForeignKey(
        "self", verbose_name=_("parent"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    name = models.TextField(_("name"))
    unit = models.CharField(_("unit (as printed)"), max_length=50)
    value_type = models.CharField(_("value type"), max_length=10, choices=ValueType.choices)
    aggregation = models.CharField(
        _("how it adds up"), max_length=10, choices=Aggregation.choices, default=Aggregation.FLOW
    )
    order = models.PositiveSmallIntegerField(_("display order"))
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["indicator_set", "order"]
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        constraints = [
            models.UniqueConstraint(fields=["indicator_set", "code"], name="indicator_code_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.code}. {self.name}"

    @property
    def is_boolean(self) -> bool:
        return self.value_type == self.ValueType.BOOLEAN


class Target(models.Model):
    """The planned value of an indicator for one year (number or yes/no)."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="targets")
    year = models.PositiveSmallIntegerField(_("year"))
    value_number = models.DecimalField(_("planned value"), max_digits=14, decimal_places=2, null=True, blank=True)
    value_bool = models.BooleanField(_("planned yes / no"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["indicator", "year"]
        verbose_name = _("target")
        verbose_name_plural = _("targets")
        constraints = [
            models.UniqueConstraint(fields=["indicator", "year"], name="target_year_unique"),
            models.CheckConstraint(
                condition=models.Q(value_number__isnull=True) | models.Q(value_number__gte=0),
                name="target_non_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.indicator.code} / {self.year}: {self.display_value}"

    @property
    def value(self) -> int | float | bool | None:
        if self.value_bool is not None:
            return self.value_bool
        if self.value_number is None:
            return None
        number = self.value_number
        return int(number) if number == number.to_integral_value() else float(number)

    @property
    def display_value(self) -> str:
        value = self.value
        if isinstance(value, bool):
            return "да" if value else "нет"
        return "" if value is None else str(value)

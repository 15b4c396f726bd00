"""Target indicators of a plan and their planned values (targets)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from roadmap.models import Plan


class IndicatorSet(models.Model):
    plan = models.OneToOneField(Plan, on_delete=models.CASCADE, related_name="indicator_set", verbose_name=_("plan"))
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

    indicator_set = models.ForeignKey(
        IndicatorSet, on_delete=models.CASCADE, related_name="indicators", verbose_name=_("indicator set")
    )
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
    predecessor = models.ForeignKey(
        "self",
        verbose_name=_("predecessor in an earlier plan"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="successors",
        help_text=_("The same indicator in an earlier plan: its actuals are shown beside this plan's targets."),
    )

    class Meta:
        ordering = ["indicator_set", "order"]
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        constraints = [
            models.UniqueConstraint(fields=["indicator_set", "code"], name="indicator_code_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.code}. {self.name}"

    def clean(self) -> None:
        if self.predecessor_id and self.indicator_set_id:
            if self.predecessor is not None and self.predecessor.indicator_set_id == self.indicator_set_id:
                raise ValidationError({"predecessor": _("The predecessor must belong to another plan.")})

    @property
    def is_boolean(self) -> bool:
        return self.value_type == self.ValueType.BOOLEAN


class Target(models.Model):
    """The planned value of an indicator for one year (number or yes/no)."""

    indicator = models.ForeignKey(
        Indicator, on_delete=models.CASCADE, related_name="targets", verbose_name=_("indicator")
    )
    year = models.PositiveSmallIntegerField(_("year"))
    value_number = models.PositiveBigIntegerField(_("planned value"), null=True, blank=True)
    value_bool = models.BooleanField(_("planned yes / no"), null=True, blank=True)
    history = HistoricalRecords()
    # Who changed it and why: set before save() or delete(), read by simple_history.
    _history_user: Any
    _change_reason: str

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
    def value(self) -> int | bool | None:
        if self.value_bool is not None:
            return self.value_bool
        return self.value_number

    @property
    def display_value(self) -> str:
        value = self.value
        if isinstance(value, bool):
            return "да" if value else "нет"
        return "" if value is None else str(value)


# --- configuration loaded with the plan ---------------------------------------


class IndicatorSeason(models.Model):
    """When during the year an indicator's value is expected to accrue.

    Twelve monthly weights (January first); the expected share of the target
    at a moment is the sum of the weights of the months before it plus the
    elapsed part of the current month, divided by the total. An indicator
    without a season accrues linearly over the year.
    """

    indicator = models.OneToOneField(
        Indicator, on_delete=models.CASCADE, related_name="season", verbose_name=_("indicator")
    )
    monthly_weights = models.JSONField(_("monthly weights (January to December)"))
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("season of an indicator")
        verbose_name_plural = _("seasons of indicators")

    def __str__(self) -> str:
        return f"{self.indicator.code}: {self.monthly_weights}"

    def clean(self) -> None:
        weights = self.monthly_weights
        if not (
            isinstance(weights, list)
            and len(weights) == 12
            and all(isinstance(w, (int, float)) and not isinstance(w, bool) and w >= 0 for w in weights)
            and sum(weights) > 0
        ):
            raise ValidationError(
                {"monthly_weights": _("Twelve non-negative numbers, January to December, not all zero.")}
            )


class ValidationRule(models.Model):
    """A relation between indicator rows that values must obey (DHIS2-style).

    Each side is a sum of indicator codes ("4.1 + 4.2"); the operator compares
    the two sums. ``missing`` says what to do when a value of a side is
    missing: skip the check when any value is missing, skip it only when all
    values of a side are missing (the others count as 0), or never skip
    (missing values count as 0).
    """

    class Operator(models.TextChoices):
        EQUAL = "=", "="
        LESS_OR_EQUAL = "<=", "≤"
        GREATER_OR_EQUAL = ">=", "≥"

    class Importance(models.TextChoices):
        HIGH = "high", _("High")
        MEDIUM = "medium", _("Medium")
        LOW = "low", _("Low")

    class Missing(models.TextChoices):
        SKIP_IF_ANY = "skip_if_any_missing", _("Skip when any value is missing")
        SKIP_IF_ALL = "skip_if_all_missing", _("Skip when all values of a side are missing")
        NEVER_SKIP = "never_skip", _("Never skip (missing counts as 0)")

    indicator_set = models.ForeignKey(
        IndicatorSet, on_delete=models.CASCADE, related_name="rules", verbose_name=_("indicator set")
    )
    key = models.SlugField(_("key"), max_length=64)
    name = models.TextField(_("description"))
    left = models.CharField(_("left side"), max_length=500, help_text=_("Indicator codes joined with +: 4.1 + 4.2"))
    operator = models.CharField(_("operator"), max_length=2, choices=Operator.choices)
    right = models.CharField(_("right side"), max_length=500, help_text=_("Indicator codes joined with +: 4.1 + 4.2"))
    importance = models.CharField(_("importance"), max_length=10, choices=Importance.choices, default=Importance.MEDIUM)
    missing = models.CharField(
        _("when values are missing"), max_length=30, choices=Missing.choices, default=Missing.SKIP_IF_ANY
    )
    is_active = models.BooleanField(_("active"), default=True)
    order = models.PositiveSmallIntegerField(_("display order"), default=0)

    class Meta:
        ordering = ["indicator_set", "order", "key"]
        verbose_name = _("validation rule")
        verbose_name_plural = _("validation rules")
        constraints = [models.UniqueConstraint(fields=["indicator_set", "key"], name="rule_key_unique")]

    def __str__(self) -> str:
        return self.expression

    @property
    def expression(self) -> str:
        return f"{self.left} {self.operator} {self.right}"

    @staticmethod
    def parse_side(text: str) -> list[str]:
        """The codes of one side: '4.1 + 4.2' -> ['4.1', '4.2']."""
        return [part.strip() for part in text.split("+")]

    @property
    def left_codes(self) -> list[str]:
        return self.parse_side(self.left)

    @property
    def right_codes(self) -> list[str]:
        return self.parse_side(self.right)


class ProgrammeCategory(models.Model):
    """A category of educational programmes, as broken down by the plan's rows."""

    indicator_set = models.ForeignKey(
        IndicatorSet, on_delete=models.CASCADE, related_name="programme_categories", verbose_name=_("indicator set")
    )
    key = models.SlugField(_("key"), max_length=64)
    name = models.TextField(_("name"))
    order = models.PositiveSmallIntegerField(_("display order"), default=0)

    class Meta:
        ordering = ["indicator_set", "order"]
        verbose_name = _("programme category")
        verbose_name_plural = _("programme categories")
        constraints = [models.UniqueConstraint(fields=["indicator_set", "key"], name="programme_category_key_unique")]

    def __str__(self) -> str:
        return self.name


class IndicatorSource(models.Model):
    """Which records an indicator's derived figure comes from (configuration).

    ``sum_of``: the figure is the sum of other rows' figures (``rows``: codes
    joined with +), as the order defines a total; typed values of such a
    total are refused and ignored. ``scope``: whose records count (ЦОПП;
    ЦОПП and the colleges; everyone) for the record kinds.
    """

    class Kind(models.TextChoices):
        EVENT_REPORTS = "event_reports", _("Accepted event reports")
        PARTNER_AGREEMENTS = "partner_agreements", _("Partner agreements valid at the end of the year")
        PROGRAMMES = "programmes", _("Educational programmes approved in the year")
        COHORTS = "cohorts", _("People who completed programmes in the year")
        SUM_OF = "sum_of", _("Sum of other rows")

    class Scope(models.TextChoices):
        COPP = "copp", _("COPP only")
        COPP_AND_COLLEGES = "copp_and_colleges", _("COPP and the colleges")
        EVERYONE = "everyone", _("Everyone")

    class EventField(models.TextChoices):
        PARTICIPANTS_TOTAL = "participants_total", _("Participants, total")
        PUPILS_6_11 = "participants_pupils_6_11", _("Pupils of grades 6–11")
        STUDENTS = "participants_students", _("Students")
        ADULTS = "participants_adults", _("Adults")
        FIFTY_PLUS = "participants_50_plus", _("Aged 50 and over")
        SCHOOLS = "schools_count", _("Schools")

    indicator = models.OneToOneField(
        Indicator, on_delete=models.CASCADE, related_name="source", verbose_name=_("indicator")
    )
    kind = models.CharField(_("source"), max_length=30, choices=Kind.choices)
    event_field = models.CharField(
        _("figure of the event report"), max_length=40, choices=EventField.choices, blank=True
    )
    activities = models.ManyToManyField(
        "roadmap.Activity",
        verbose_name=_("activities"),
        blank=True,
        help_text=_(
            "Event reports: events of these activities. Agreements: only agreements under these activities (empty: all)."
        ),
    )
    categories = models.ManyToManyField(
        ProgrammeCategory,
        verbose_name=_("programme categories"),
        blank=True,
        help_text=_("Programmes and cohorts: only these categories (empty: all)."),
    )
    rows = models.CharField(
        _("rows added up"),
        max_length=500,
        blank=True,
        help_text=_("Sum of other rows: indicator codes joined with +: 4.1 + 4.2"),
    )
    scope = models.CharField(
        _("whose records count"),
        max_length=20,
        choices=Scope.choices,
        default=Scope.EVERYONE,
        help_text=_("Organiser of the event, holder of the agreement, developer of the programme."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("source of an indicator")
        verbose_name_plural = _("sources of indicators")

    def __str__(self) -> str:
        return f"{self.indicator.code} ← {self.get_kind_display()}"

    @property
    def row_codes(self) -> list[str]:
        """The codes a ``sum_of`` source adds up: '4.1 + 4.2' -> ['4.1', '4.2']."""
        return [part.strip() for part in self.rows.split("+") if part.strip()]

    @property
    def is_sum(self) -> bool:
        return self.kind == self.Kind.SUM_OF

    def clean(self) -> None:
        if self.kind == self.Kind.SUM_OF:
            if not self.row_codes:
                raise ValidationError({"rows": _("A sum names the rows it adds up: 4.1 + 4.2")})
            if self.indicator_id and self.indicator.code in self.row_codes:
                raise ValidationError({"rows": _("A row cannot be a part of itself.")})
            if self.indicator_id:
                known = set(
                    Indicator.objects.filter(
                        indicator_set_id=self.indicator.indicator_set_id, value_type=Indicator.ValueType.NUMBER
                    ).values_list("code", flat=True)
                )
                unknown = [c for c in self.row_codes if c not in known]
                if unknown:
                    raise ValidationError(
                        {"rows": _("Unknown or yes/no indicator codes: %(codes)s") % {"codes": ", ".join(unknown)}}
                    )
        elif self.rows.strip():
            raise ValidationError({"rows": _("Only a sum of other rows names rows.")})


# --- registries ---------------------------------------------------------------


class PartnerAgreement(models.Model):
    """An agreement on cooperation between ЦОПП (or a college) and a partner."""

    partner = models.ForeignKey(
        "roadmap.Organization", on_delete=models.PROTECT, related_name="partner_agreements", verbose_name=_("partner")
    )
    organization = models.ForeignKey(
        "roadmap.Organization",
        on_delete=models.PROTECT,
        related_name="held_agreements",
        verbose_name=_("holder (COPP or college)"),
    )
    activity = models.ForeignKey(
        "roadmap.Activity",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="agreements",
        verbose_name=_("roadmap activity"),
    )
    number = models.CharField(_("number"), max_length=100)
    date = models.DateField(_("date"))
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"), null=True, blank=True, help_text=_("Empty: open-ended."))
    subject = models.TextField(_("subject"))
    created_at = models.DateTimeField(_("registered at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("registered by"),
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["-date", "number"]
        verbose_name = _("partner agreement")
        verbose_name_plural = _("partner agreements")
        constraints = [
            models.UniqueConstraint(fields=["organization", "number", "date"], name="agreement_number_unique"),
            models.CheckConstraint(
                condition=models.Q(valid_to__isnull=True) | models.Q(valid_to__gte=models.F("valid_from")),
                name="agreement_dates_ordered",
            ),
        ]
        indexes = [models.Index(fields=["valid_from", "valid_to"])]

    def __str__(self) -> str:
        return f"№ {self.number} от {self.date:%d.%m.%Y} ({self.partner})"


class EducationalProgramme(models.Model):
    class Form(models.TextChoices):
        FULL_TIME = "full_time", _("Full-time")
        MIXED = "mixed", _("Part-time")
        EXTRAMURAL = "extramural", _("Extramural")
        DISTANCE = "distance", _("Distance learning")

    name = models.TextField(_("name"))
    category = models.ForeignKey(
        ProgrammeCategory, on_delete=models.PROTECT, related_name="programmes", verbose_name=_("category")
    )
    developer = models.ForeignKey(
        "roadmap.Organization", on_delete=models.PROTECT, related_name="programmes", verbose_name=_("developer")
    )
    approved_on = models.DateField(_("approval date"))
    hours = models.PositiveIntegerField(_("hours"))
    form = models.CharField(_("form of study"), max_length=20, choices=Form.choices, default=Form.FULL_TIME)
    created_at = models.DateTimeField(_("registered at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("registered by"),
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["-approved_on", "name"]
        verbose_name = _("educational programme")
        verbose_name_plural = _("educational programmes")
        constraints = [
            models.UniqueConstraint(fields=["developer", "name", "approved_on"], name="programme_unique"),
            models.CheckConstraint(condition=models.Q(hours__gt=0), name="programme_hours_positive"),
        ]
        indexes = [models.Index(fields=["approved_on"])]

    def __str__(self) -> str:
        return self.name


class ProgrammeCohort(models.Model):
    """A group that completed a programme in a year."""

    programme = models.ForeignKey(
        EducationalProgramme, on_delete=models.PROTECT, related_name="cohorts", verbose_name=_("programme")
    )
    year = models.PositiveSmallIntegerField(_("year"))
    group = models.CharField(_("group"), max_length=100, blank=True, help_text=_("Tells apart groups of one year."))
    completed = models.PositiveIntegerField(_("people completed"))
    created_at = models.DateTimeField(_("registered at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("registered by"),
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["-year", "programme", "group"]
        verbose_name = _("cohort")
        verbose_name_plural = _("cohorts")
        constraints = [models.UniqueConstraint(fields=["programme", "year", "group"], name="cohort_unique")]

    def __str__(self) -> str:
        return f"{self.programme} / {self.year} {self.group}".strip()


# --- actual values ------------------------------------------------------------


class Actual(models.Model):
    """A value of an indicator reported by one organisation for a year or a part of it.

    ``period`` is empty for the whole year, ``q1``–``q4`` for a quarter or
    ``m01``–``m12`` for a month. Only approved values count; ``version`` grows
    with every write so a stale form is refused (optimistic locking).
    """

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        APPROVED = "approved", _("Approved")
        RETURNED = "returned", _("Returned")

    PERIODS = ["", "q1", "q2", "q3", "q4", *[f"m{m:02d}" for m in range(1, 13)]]

    indicator = models.ForeignKey(
        Indicator, on_delete=models.PROTECT, related_name="actuals", verbose_name=_("indicator")
    )
    year = models.PositiveSmallIntegerField(_("year"))
    period = models.CharField(_("period"), max_length=3, blank=True, default="")
    organization = models.ForeignKey(
        "roadmap.Organization", on_delete=models.PROTECT, related_name="actuals", verbose_name=_("organisation")
    )
    value_number = models.PositiveBigIntegerField(_("value"), null=True, blank=True)
    value_bool = models.BooleanField(_("yes / no"), null=True, blank=True)
    evidence = models.TextField(_("evidence"), blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT, db_index=True)
    return_reason = models.TextField(_("reason for return"), blank=True)
    was_approved = models.BooleanField(_("approved before"), default=False)
    version = models.PositiveIntegerField(_("version"), default=1)
    created_at = models.DateTimeField(_("created at"))
    updated_at = models.DateTimeField(_("updated at"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("approved by"),
    )

    class Meta:
        ordering = ["indicator", "year", "period", "organization"]
        verbose_name = _("actual value")
        verbose_name_plural = _("actual values")
        constraints = [
            models.UniqueConstraint(fields=["indicator", "year", "period", "organization"], name="actual_unique"),
            models.CheckConstraint(
                condition=models.Q(value_number__isnull=True) | models.Q(value_bool__isnull=True),
                name="actual_one_value",
            ),
        ]
        indexes = [models.Index(fields=["status", "year"])]

    def __str__(self) -> str:
        period = f" {self.period}" if self.period else ""
        return f"{self.indicator.code} / {self.year}{period} / {self.organization}: {self.display_value}"

    @property
    def value(self) -> int | bool | None:
        return self.value_bool if self.value_bool is not None else self.value_number

    @property
    def display_value(self) -> str:
        value = self.value
        if isinstance(value, bool):
            return "да" if value else "нет"
        return "" if value is None else str(value)


class ActualChange(models.Model):
    """One entry of an actual value's audit trail: who, when, old and new value, why."""

    class Action(models.TextChoices):
        CREATE = "create", _("Created")
        EDIT = "edit", _("Edited")
        SUBMIT = "submit", _("Submitted")
        APPROVE = "approve", _("Approved")
        RETURN = "return", _("Returned")
        REOPEN = "reopen", _("Reopened")

    actual = models.ForeignKey(Actual, on_delete=models.CASCADE, related_name="changes", verbose_name=_("actual value"))
    action = models.CharField(_("action"), max_length=10, choices=Action.choices)
    at = models.DateTimeField(_("when"), db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("who"),
    )
    old_value = models.JSONField(_("old value"), null=True, blank=True)
    new_value = models.JSONField(_("new value"), null=True, blank=True)
    old_status = models.CharField(_("old status"), max_length=10, blank=True)
    new_status = models.CharField(_("new status"), max_length=10)
    reason = models.TextField(_("reason"), blank=True)

    class Meta:
        ordering = ["actual", "at", "id"]
        verbose_name = _("change of an actual value")
        verbose_name_plural = _("changes of actual values")

    def __str__(self) -> str:
        return f"{self.at:%d.%m.%Y %H:%M} {self.get_action_display()}: {self.old_value} → {self.new_value}"

"""Plans (roadmaps), their sections and activities, organisations and users.

A plan is data: everything specific to order No 2714 lives in the bundled
data file (``roadmap/data/``), never in code.
"""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class Municipality(models.Model):
    """A municipality (муниципальное образование) of the region."""

    class Kind(models.TextChoices):
        CITY_OKRUG = "city_okrug", _("Urban okrug")
        DISTRICT = "district", _("Municipal district")

    name = models.CharField(_("name"), max_length=200, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    region = models.CharField(_("region"), max_length=200, default="Тульская область")
    order = models.PositiveIntegerField(_("display order"), default=0)

    class Meta:
        ordering = ["order", "name"]
        verbose_name = _("municipality")
        verbose_name_plural = _("municipalities")

    def __str__(self) -> str:
        return self.name


class Organization(models.Model):
    """A party of the roadmap: the ministry, ЦОПП, a college, a school, a partner."""

    class Kind(models.TextChoices):
        MINISTRY = "ministry", _("Ministry")
        COPP = "copp", _("Center for advanced professional training (ЦОПП)")
        COLLEGE = "college", _("College (ГПОУ ТО)")
        SCHOOL = "school", _("School")
        EMPLOYER = "employer", _("Employer / partner")
        OTHER = "other", _("Other")

    key = models.SlugField(
        _("key"),
        max_length=64,
        unique=True,
        null=True,
        blank=True,
        help_text=_("Stable identifier used by plan data files."),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, db_index=True)
    short_name = models.CharField(_("short name"), max_length=255)
    name = models.CharField(_("full name"), max_length=500)
    is_group = models.BooleanField(
        _("group of organisations"),
        default=False,
        help_text=_("A collective party such as all colleges of the region."),
    )
    group = models.ForeignKey(
        "self",
        verbose_name=_("member of group"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="members",
        limit_choices_to={"is_group": True},
    )
    municipality = models.ForeignKey(
        Municipality,
        verbose_name=_("municipality"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="organizations",
    )
    inn = models.CharField(_("INN"), max_length=12, blank=True)
    address = models.CharField(_("address"), max_length=500, blank=True)
    phone = models.CharField(_("phone"), max_length=100, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    website = models.URLField(_("website"), blank=True)
    head_name = models.CharField(_("head"), max_length=255, blank=True)
    head_email = models.EmailField(_("head's e-mail"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["short_name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        indexes = [models.Index(fields=["kind", "short_name"])]

    def __str__(self) -> str:
        return self.short_name


class User(AbstractUser):
    """A person using the tracker; coordinators are bound to one organisation."""

    organization = models.ForeignKey(
        Organization,
        verbose_name=_("organisation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
    )
    patronymic = models.CharField(_("patronymic"), max_length=150, blank=True)
    phone = models.CharField(_("phone"), max_length=100, blank=True)

    class Meta(AbstractUser.Meta):
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def get_full_name(self) -> str:
        return " ".join(p for p in (self.last_name, self.first_name, self.patronymic) if p)


class Plan(models.Model):
    """An approved plan document: a roadmap with its target indicators."""

    class DueCalendar(models.TextChoices):
        CALENDAR = "calendar", _("Calendar days")
        WORKING = "working", _("Working days (production calendar of Russia)")

    key = models.SlugField(_("key"), max_length=64, unique=True)
    number = models.CharField(_("order number"), max_length=50)
    date = models.DateField(_("order date"))
    issuer = models.CharField(_("issuer"), max_length=500)
    title = models.TextField(_("title"))
    roadmap_title = models.TextField(_("roadmap title"), blank=True)
    first_year = models.PositiveSmallIntegerField(_("first year"))
    last_year = models.PositiveSmallIntegerField(_("last year"))
    is_current = models.BooleanField(
        _("current plan"), default=False, help_text=_("The plan shown by default.")
    )
    report_due_days = models.PositiveSmallIntegerField(
        _("report due within (days)"),
        default=1,
        help_text=_("An event report is due this many days after the event's last day."),
    )
    report_due_calendar = models.CharField(
        _("days are counted as"),
        max_length=20,
        choices=DueCalendar.choices,
        default=DueCalendar.CALENDAR,
    )
    escalation_days = models.PositiveSmallIntegerField(
        _("escalate after (days overdue)"), default=3
    )
    signed_by = models.CharField(_("signed by"), max_length=255, blank=True)
    contact = models.TextField(_("ministry contact"), blank=True)
    contact_email = models.EmailField(_("ministry contact e-mail"), blank=True)
    source_text = models.TextField(_("text of the order"), blank=True)

    class Meta:
        ordering = ["-first_year", "number"]
        verbose_name = _("plan")
        verbose_name_plural = _("plans")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(last_year__gte=models.F("first_year")),
                name="plan_years_ordered",
            ),
            models.UniqueConstraint(
                fields=["is_current"],
                condition=models.Q(is_current=True),
                name="plan_one_current",
            ),
        ]

    def __str__(self) -> str:
        return f"№ {self.number} от {self.date:%d.%m.%Y} ({self.first_year}–{self.last_year})"

    @property
    def years(self) -> range:
        return range(self.first_year, self.last_year + 1)


class Section(models.Model):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="sections")
    order = models.PositiveSmallIntegerField(_("order"))
    title = models.CharField(_("title"), max_length=500)

    class Meta:
        ordering = ["plan", "order"]
        verbose_name = _("section")
        verbose_name_plural = _("sections")
        constraints = [
            models.UniqueConstraint(fields=["plan", "order"], name="section_order_unique"),
        ]

    def __str__(self) -> str:
        return self.title


class Activity(models.Model):
    """One numbered row of the roadmap, exactly as the order prints it."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="activities")
    section = models.ForeignKey(Section, on_delete=models.PROTECT, related_name="activities")
    number = models.PositiveSmallIntegerField(_("number"))
    name = models.TextField(_("activity"))
    expected_result = models.TextField(_("expected result"), blank=True)
    evidence_document = models.TextField(_("document proving the result"), blank=True)
    deadline_text = models.CharField(_("deadline (as written)"), max_length=255)
    deadline_recognized = models.BooleanField(
        _("deadline recognised"),
        default=True,
        help_text=_("False when the deadline phrase was not understood; an administrator must look."),
    )
    responsible_text = models.TextField(_("responsible (as written)"), blank=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["plan", "number"]
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="activity_number_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.name}"


class DeadlineWindow(models.Model):
    """A date window parsed from an activity's deadline text."""

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="windows")
    start = models.DateField(_("start"))
    end = models.DateField(_("end"))

    class Meta:
        ordering = ["activity", "start"]
        verbose_name = _("deadline window")
        verbose_name_plural = _("deadline windows")
        constraints = [
            models.CheckConstraint(condition=models.Q(end__gte=models.F("start")), name="window_ordered"),
        ]

    def __str__(self) -> str:
        return f"{self.start:%d.%m.%Y} – {self.end:%d.%m.%Y}"


class Responsibility(models.Model):
    """An organisation responsible for an activity, possibly by agreement."""

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="responsibilities")
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="responsibilities", verbose_name=_("organisation")
    )
    by_agreement = models.BooleanField(_("by agreement (по согласованию)"), default=False)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["activity", "order"]
        verbose_name = _("responsible organisation")
        verbose_name_plural = _("responsible organisations")
        constraints = [
            models.UniqueConstraint(fields=["activity", "organization"], name="responsibility_unique"),
        ]

    def __str__(self) -> str:
        suffix = " (по согласованию)" if self.by_agreement else ""
        return f"{self.organization}{suffix}"

"""Plans (roadmaps), their sections and activities, organisations and users.

A plan is data: everything specific to order No 2714 lives in the bundled
data file (``roadmap/data/``), never in code.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any, ClassVar, TypeVar

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models, router
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from copp.text import search_key

_S = TypeVar("_S", bound="SearchTextModel")


class SearchTextQuerySet(models.QuerySet[_S]):
    """Keeps ``search_text`` current on the bulk writes ``save()`` does not see."""

    def bulk_create(self, objs: Iterable[_S], *args: Any, **kwargs: Any) -> list[_S]:
        objs = list(objs)
        for obj in objs:
            obj.search_text = obj.search_key()
        return super().bulk_create(objs, *args, **kwargs)

    def bulk_update(self, objs: Iterable[_S], fields: Iterable[str], *args: Any, **kwargs: Any) -> int:
        objs, fields = list(objs), list(fields)
        if set(fields) & set(self.model.SEARCH_SOURCES):
            for obj in objs:
                obj.search_text = obj.search_key()
            fields.append("search_text")
        return super().bulk_update(objs, fields, *args, **kwargs)

    def update(self, **kwargs: Any) -> int:
        if not set(kwargs) & set(self.model.SEARCH_SOURCES):
            return super().update(**kwargs)
        # The rows are taken first: the update may change what the filter matches.
        # Read where the update writes (never a read replica: it may lag behind).
        db = getattr(self, "_db", None) or router.db_for_write(self.model)
        pks = list(self.using(db).values_list("pk", flat=True))
        count = super().update(**kwargs)
        changed = list(self.model._default_manager.using(db).filter(pk__in=pks))
        for obj in changed:
            obj.search_text = obj.search_key()
        self.model._default_manager.db_manager(db).bulk_update(changed, ["search_text"], batch_size=500)
        return count


class SearchTextModel(models.Model):
    """A model whose rows are searched as you type (``copp.choices``): ``search_text``
    holds ``search_key`` of the ``SEARCH_SOURCES`` fields, kept current by ``save()``
    and by ``SearchTextQuerySet``'s bulk writes."""

    SEARCH_SOURCES: ClassVar[tuple[str, ...]] = ()

    search_text = models.TextField(_("search key"), default="", editable=False)

    objects = SearchTextQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.search_text = self.search_key()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and set(update_fields) & set(self.SEARCH_SOURCES):
            kwargs["update_fields"] = {*update_fields, "search_text"}
        super().save(*args, **kwargs)

    def search_key(self) -> str:
        return search_key(" ".join(str(getattr(self, name) or "") for name in self.SEARCH_SOURCES))


def counted_region_id(region_id: int | None, *, using: str | None = None) -> int | None:
    """The region an organisation's rows count in: its own, else the default region
    (``settings.COPP_DEFAULT_REGION``, None when there is none)."""
    if region_id is not None:
        return region_id
    found: int | None = (
        Region.objects.db_manager(using).filter(key=settings.COPP_DEFAULT_REGION).values_list("pk", flat=True).first()
    )
    return found


class Region(models.Model):
    """A region (субъект Российской Федерации): its ministry, ЦОПП, organisations,
    municipalities and plans belong to it. Regional staff see their own region
    (``roadmap.accounts.permissions``); the federal level sees every region."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    key = models.SlugField(_("key"), max_length=64, unique=True, help_text=_("Stable identifier used by data files."))
    order = models.PositiveIntegerField(_("display order"), default=0)

    class Meta:
        ordering = ["order", "name"]
        verbose_name = _("region")
        verbose_name_plural = _("regions")

    def __str__(self) -> str:
        return self.name


class Municipality(SearchTextModel):
    """A municipality (муниципальное образование) of a region."""

    SEARCH_SOURCES = ("name",)

    class Kind(models.TextChoices):
        CITY_OKRUG = "city_okrug", _("Urban okrug")
        DISTRICT = "district", _("Municipal district")

    name = models.CharField(_("name"), max_length=200, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    region = models.ForeignKey(
        Region,
        verbose_name=_("region"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="municipalities",
    )
    order = models.PositiveIntegerField(_("display order"), default=0)

    class Meta:
        ordering = ["order", "name"]
        verbose_name = _("municipality")
        verbose_name_plural = _("municipalities")

    def __str__(self) -> str:
        return self.name


class Organization(SearchTextModel):
    """A party of the roadmap: the ministry, ЦОПП, a college, a school, a partner."""

    SEARCH_SOURCES = ("short_name", "name", "inn")

    class Kind(models.TextChoices):
        MINISTRY = "ministry", _("Ministry")
        COPP = "copp", _("Center for advanced professional training (COPP)")
        COLLEGE = "college", _("College (state vocational college of the Tula region)")
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
    region = models.ForeignKey(
        Region,
        verbose_name=_("region"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="organizations",
        help_text=_("Regional staff see the organisations of their own region."),
    )
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

    def save(self, *args: Any, **kwargs: Any) -> None:
        """Save; a change of region moves the organisation's events and their rollups with it
        (``Event.region``, ``EventRollup.region``)."""
        using = kwargs.get("using") or router.db_for_write(Organization, instance=self)
        stored = Organization.objects.using(using).filter(pk=self.pk)  # where it is written, never a replica
        old = self.region_id if self._state.adding else stored.values_list("region_id", flat=True).first()
        super().save(*args, **kwargs)
        if old != self.region_id:
            counted = counted_region_id(self.region_id, using=using)
            Event.objects.using(using).filter(organizer_id=self.pk).update(region_id=counted)
            EventRollup.objects.using(using).filter(organization_id=self.pk).update(region_id=counted)
            # Both regions' events changed: what is kept of them is recomputed (EventWrite).
            was = counted_region_id(old, using=using)
            EventWrite.objects.using(using).bulk_create(
                [EventWrite(region_id=r) for r in sorted({was, counted}, key=str)]
            )


def validate_notice_kinds(value: object) -> None:
    """A list of ``Notification.Kind`` values (the notices a user gets in the inbox only)."""
    known = set(Notification.Kind.values)
    if not isinstance(value, list) or not all(isinstance(k, str) and k in known for k in value):
        raise ValidationError(_("Choose notice kinds from the list."), code="invalid_choice")


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
    # Kinds switched *off*, so that a kind added later reaches everyone by e-mail until they opt out.
    email_notices_off = models.JSONField(
        _("notices not sent by e-mail"),
        default=list,
        blank=True,
        validators=[validate_notice_kinds],
        help_text=_("These notices still reach the user's inbox; only the e-mail is not sent."),
    )

    class Meta(AbstractUser.Meta):  # type: ignore[name-defined]  # the stubs leave out AbstractUser.Meta
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
    region = models.ForeignKey(
        Region,
        verbose_name=_("region"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="plans",
    )
    number = models.CharField(_("order number"), max_length=50)
    date = models.DateField(_("order date"))
    issuer = models.CharField(_("issuer"), max_length=500)
    title = models.TextField(_("title"))
    roadmap_title = models.TextField(_("roadmap title"), blank=True)
    first_year = models.PositiveSmallIntegerField(_("first year"))
    last_year = models.PositiveSmallIntegerField(_("last year"))
    is_current = models.BooleanField(_("current plan"), default=False, help_text=_("The plan shown by default."))
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
    escalation_days = models.PositiveSmallIntegerField(_("escalate after (days overdue)"), default=3)
    signed_by = models.CharField(_("signed by"), max_length=255, blank=True)
    contact = models.TextField(_("ministry contact"), blank=True)
    contact_email = models.EmailField(_("ministry contact e-mail"), blank=True)
    # The signature block printed under every Excel report (reports/writer.py).
    signature_head = models.CharField(_("head (signs the reports)"), max_length=255, blank=True)
    signature_head_position = models.CharField(_("head's position"), max_length=500, blank=True)
    signature_executor = models.CharField(_("executor (prepared the reports)"), max_length=255, blank=True)
    signature_phone = models.CharField(_("executor's phone"), max_length=100, blank=True)
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
            # One current plan per region (a plan of no region counts as a region of its own).
            models.UniqueConstraint(
                fields=["region"],
                condition=models.Q(is_current=True, region__isnull=False),
                name="plan_one_current_per_region",
            ),
            models.UniqueConstraint(
                fields=["is_current"],
                condition=models.Q(is_current=True, region__isnull=True),
                name="plan_one_current_without_region",
            ),
        ]

    def __str__(self) -> str:
        return f"№ {self.number} от {self.date:%d.%m.%Y} ({self.first_year}–{self.last_year})"

    @property
    def years(self) -> range:
        return range(self.first_year, self.last_year + 1)

    @property
    def period(self) -> tuple[datetime.date, datetime.date]:
        """The days the plan's events may fall on: its years, and from the order's
        own date when it is signed before the first year (order No 2714 of
        16.12.2022 sets deadlines in December 2022)."""
        first_day = datetime.date(self.first_year, 1, 1)
        if self.date and self.date < first_day:
            first_day = self.date
        return first_day, datetime.date(self.last_year, 12, 31)


class Section(models.Model):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="sections", verbose_name=_("plan"))
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


class Activity(SearchTextModel):
    """One numbered row of the roadmap, exactly as the order prints it."""

    SEARCH_SOURCES = ("name",)

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="activities", verbose_name=_("plan"))
    section = models.ForeignKey(Section, on_delete=models.PROTECT, related_name="activities", verbose_name=_("section"))
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

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="windows", verbose_name=_("activity"))
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

    activity = models.ForeignKey(
        Activity, on_delete=models.CASCADE, related_name="responsibilities", verbose_name=_("activity")
    )
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="responsibilities", verbose_name=_("organisation")
    )
    by_agreement = models.BooleanField(_("by agreement"), default=False)
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


# ---------------------------------------------------------------------------
# Events, event reports, evidence and notifications (point 3.2 of the order)
# ---------------------------------------------------------------------------


# The event's columns that mirror its report (kept by ``roadmap.events.rollups``,
# never by a save of the event, and not part of its history).
REPORT_MIRRORS = ("report_outcome", "report_on_time")


class Event(models.Model):
    """A concrete occurrence under a roadmap activity, organised by one organisation.

    ``due_at`` is the moment the report about the event is due. It is computed
    once by ``roadmap.plans.deadlines.report_due_at`` from the plan's reporting rule
    (see ``roadmap.events.services.event_create`` / ``event_update``) and stored with an
    index, so "which reports are late" is one indexed query.
    """

    class Format(models.TextChoices):
        IN_PERSON = "in_person", _("In person")
        ONLINE = "online", _("Online")
        MIXED = "mixed", _("Mixed")

    activity = models.ForeignKey(Activity, verbose_name=_("activity"), on_delete=models.PROTECT, related_name="events")
    organizer = models.ForeignKey(
        Organization, verbose_name=_("organiser"), on_delete=models.PROTECT, related_name="events"
    )
    title = models.CharField(_("title"), max_length=500)
    start_date = models.DateField(_("first day"))
    end_date = models.DateField(_("last day"), db_index=True)
    start_time = models.TimeField(_("start time"), null=True, blank=True)
    end_time = models.TimeField(_("end time"), null=True, blank=True)
    place = models.CharField(_("place"), max_length=500, blank=True)
    municipality = models.ForeignKey(
        Municipality,
        verbose_name=_("municipality"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="events",
    )
    format = models.CharField(_("format"), max_length=20, choices=Format.choices, default=Format.IN_PERSON)
    audience = models.CharField(_("audience"), max_length=500, blank=True)
    planned_participants = models.PositiveIntegerField(_("planned participants"), null=True, blank=True)
    coordinator = models.ForeignKey(
        "roadmap.User",
        verbose_name=_("responsible coordinator"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="coordinated_events",
    )
    responsible_email = models.EmailField(
        _("responsible person's e-mail"),
        blank=True,
        help_text=_("The person responsible for the report; reminders go to this address too."),
    )
    due_at = models.DateTimeField(_("report due at"), db_index=True)
    # The region the event counts in: its organiser's, else the default region
    # (``counted_region_id``), copied on every save of the event and of the
    # organisation (``Organization.save``), so a region's lists filter and sort
    # on the event's own indexes instead of joining the organiser first.
    region = models.ForeignKey(
        Region,
        verbose_name=_("region"),
        null=True,
        blank=True,
        editable=False,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,  # the indexes below lead with it
    )
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    cancel_reason = models.TextField(_("reason for cancellation"), blank=True)
    # What the event's report says, mirrored from it ("" while there is none;
    # ``roadmap.events.status.report_outcome``): kept by ``rollups_kept`` in the
    # transaction of every write of the report, never by a save of the event, and
    # checked by ``rollups_check``. A region's "overdue" or "on time" list then
    # reads one index instead of probing the reports once per event.
    report_outcome = models.CharField(_("report outcome"), max_length=10, blank=True, default="", editable=False)
    # And whether the report was filed on time (None while there is none): decided
    # at its first submission and kept whatever becomes of the report, it is what
    # the «в срок» / «с опозданием» lists go by. Mirrored and checked as above.
    report_on_time = models.BooleanField(_("report filed on time"), null=True, editable=False)
    created_by = models.ForeignKey(
        "roadmap.User",
        verbose_name=_("registered by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    version = models.PositiveIntegerField(_("version"), default=1)

    # The mirror is not an edit of the event: a report filed between two edits
    # would read as the second editor's change.
    history = HistoricalRecords(excluded_fields=list(REPORT_MIRRORS))

    class Meta:
        ordering = ["-end_date", "-id"]
        verbose_name = _("event")
        verbose_name_plural = _("events")
        indexes = [
            models.Index(fields=["organizer", "end_date"]),
            models.Index(fields=["activity", "end_date"]),
            # The chase looks for open events by due moment; cancelled ones never matter.
            models.Index(fields=["due_at"], name="event_open_due_idx", condition=models.Q(cancelled_at__isnull=True)),
            # A region's lists: newest first, and its open events by due moment.
            models.Index(fields=["region", "end_date", "id"], name="event_region_end_idx"),
            models.Index(
                fields=["region", "due_at"],
                name="event_region_open_due_idx",
                condition=models.Q(cancelled_at__isnull=True),
            ),
            # A region's events by report status: "overdue" is (region, "", due_at <= cut).
            models.Index(
                fields=["region", "report_outcome", "due_at"],
                name="event_region_outcome_idx",
                condition=models.Q(cancelled_at__isnull=True),
            ),
            # ... and by the report's timeliness: "filed late in 2024" is a range of it.
            models.Index(
                fields=["region", "report_on_time", "end_date"],
                name="event_region_on_time_idx",
                condition=models.Q(cancelled_at__isnull=True),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_date__gte=models.F("start_date")), name="event_dates_ordered"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.start_date:%d.%m.%Y})"

    def save(self, *args: Any, **kwargs: Any) -> None:
        """Save; a full save copies the region it counts in (``region``; a save of chosen
        fields writes only those, and the organiser of an event never changes).

        A full save of a stored event writes every field but its mirrors of the
        report (``REPORT_MIRRORS``), which the instance may hold from before its
        report was filed.
        """
        if kwargs.get("update_fields") is None:
            if self.organizer_id is not None:
                self.region_id = counted_region_id(self.organizer.region_id, using=kwargs.get("using"))
            if not self._state.adding and not kwargs.get("force_insert"):
                deferred = self.get_deferred_fields()  # Django saves only the loaded ones
                kwargs["update_fields"] = [f for f in _EVENT_SAVED_FIELDS if f not in deferred]
        super().save(*args, **kwargs)


# What a full save of a stored event writes (``Event.save``).
_EVENT_SAVED_FIELDS = [
    f.attname for f in Event._meta.concrete_fields if not f.primary_key and f.name not in REPORT_MIRRORS
]


# The figures of a report, in the order forms, imports and exports show them;
# what indicators may sum (indicators.loader) and what reports read (reports.selectors).
REPORT_FIGURE_FIELDS = (
    "participants_total",
    "participants_pupils_6_11",
    "participants_students",
    "participants_adults",
    "participants_50_plus",
    "schools_count",
)


class EventReport(models.Model):
    """What happened at an event, filed by a coordinator of the organiser.

    ``on_time`` and ``due_at_submission`` are decided at the first submission
    and never rewritten, whatever happens to the event afterwards.
    """

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("Submitted")
        ACCEPTED = "accepted", _("Accepted")
        RETURNED = "returned", _("Returned")

    event = models.OneToOneField(Event, verbose_name=_("event"), on_delete=models.CASCADE, related_name="report")
    summary = models.TextField(_("summary"))
    participants_total = models.PositiveIntegerField(_("participants, total"))
    participants_pupils_6_11 = models.PositiveIntegerField(_("pupils of grades 6–11"), null=True, blank=True)
    participants_students = models.PositiveIntegerField(_("students"), null=True, blank=True)
    participants_adults = models.PositiveIntegerField(_("adults"), null=True, blank=True)
    participants_50_plus = models.PositiveIntegerField(_("people aged 50+"), null=True, blank=True)
    schools_count = models.PositiveIntegerField(_("schools taking part"), null=True, blank=True)
    partners = models.TextField(_("partners involved"), blank=True)
    links = models.TextField(_("links"), blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.SUBMITTED, db_index=True
    )
    submitted_at = models.DateTimeField(_("submitted at"), db_index=True)
    submitted_by = models.ForeignKey(
        "roadmap.User", verbose_name=_("submitted by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    on_time = models.BooleanField(_("submitted on time"))
    due_at_submission = models.DateTimeField(_("due at (when submitted)"))
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        "roadmap.User",
        verbose_name=_("accepted by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    returned_at = models.DateTimeField(_("returned at"), null=True, blank=True)
    returned_by = models.ForeignKey(
        "roadmap.User",
        verbose_name=_("returned by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    return_reason = models.TextField(_("reason for return"), blank=True)
    return_count = models.PositiveSmallIntegerField(_("times returned"), default=0)
    resubmission_due_at = models.DateTimeField(_("corrected report due at"), null=True, blank=True, db_index=True)
    resubmitted_at = models.DateTimeField(_("last corrected at"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    version = models.PositiveIntegerField(_("version"), default=1)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-submitted_at"]
        verbose_name = _("event report")
        verbose_name_plural = _("event reports")

    def __str__(self) -> str:
        return f"{self.event}: {self.get_status_display()}"


def _evidence_path(instance: EvidenceFile, filename: str) -> str:
    return f"evidence/{instance.report.event_id}/{filename}"


class EvidenceFile(models.Model):
    """A photo, protocol or order proving an event took place."""

    class Kind(models.TextChoices):
        PHOTO = "photo", _("Photo")
        PROTOCOL = "protocol", _("Protocol")
        ORDER = "order", _("Order")
        OTHER = "other", _("Other")

    report = models.ForeignKey(EventReport, verbose_name=_("report"), on_delete=models.CASCADE, related_name="evidence")
    file = models.FileField(_("file"), upload_to=_evidence_path, max_length=500)
    original_name = models.CharField(_("file name"), max_length=255)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.OTHER)
    size = models.PositiveBigIntegerField(_("size, bytes"))
    content_type = models.CharField(_("content type"), max_length=100)
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    uploaded_by = models.ForeignKey(
        "roadmap.User", verbose_name=_("uploaded by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )

    # Who attached and who deleted which file, and when (the event page's history).
    history = HistoricalRecords()

    class Meta:
        ordering = ["report", "uploaded_at", "id"]
        verbose_name = _("evidence file")
        verbose_name_plural = _("evidence files")

    def __str__(self) -> str:
        return self.original_name


class Notification(models.Model):
    """One message of one kind to one recipient about one event (or one day).

    A row is inserted *before* anything is sent; the unique constraints make
    the insert the claim, so a second chase pass, a concurrent beat tick or a
    re-delivered task cannot send the same notice twice. ``recipient`` is the
    lower-cased e-mail address, or ``user:<id>`` for an account without one.
    Rows with a ``user`` are that user's in-app inbox.
    """

    class Kind(models.TextChoices):
        # The first reminder, on the event's last day: the report is due within the
        # plan's rule (N days, roadmap.plans.deadlines), not "tomorrow"; the stored value is historical.
        DUE_WITHIN_RULE = "due_tomorrow", _("Report due soon (event's last day)")
        DUE_SOON = "due_soon", _("Report due in a few hours")
        OVERDUE = "overdue", _("Report overdue")
        ESCALATION = "escalation", _("Report overdue: escalation")
        RETURNED = "returned", _("Report returned")
        RESUBMIT_OVERDUE = "resubmit_overdue", _("Corrected report overdue")
        DIGEST = "digest", _("Daily digest")

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting to be sent")
        SENDING = "sending", _("Being sent")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed, will be retried")
        GAVE_UP = "gave_up", _("Failed, retries exhausted")
        # The user switched this kind of notice off by e-mail (profile): it is in their inbox only.
        INBOX_ONLY = "inbox_only", _("Inbox only: the user turned these e-mails off")

    event = models.ForeignKey(
        Event,
        verbose_name=_("event"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    cycle = models.PositiveSmallIntegerField(
        _("cycle"), default=0, help_text=_("Which return of the report this notice is about (0: the first report).")
    )
    digest_date = models.DateField(_("digest day"), null=True, blank=True)
    recipient = models.CharField(_("recipient"), max_length=254)
    email = models.EmailField(_("e-mail"), blank=True)
    user = models.ForeignKey(
        "roadmap.User",
        verbose_name=_("user"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    subject = models.CharField(_("subject"), max_length=255)
    body = models.TextField(_("text"))
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PENDING, db_index=True)
    claim_token = models.CharField(_("claim token"), max_length=40, blank=True, db_index=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    next_attempt_at = models.DateTimeField(_("next attempt at"), null=True, blank=True)
    sending_since = models.DateTimeField(
        _("sending started"),
        null=True,
        blank=True,
        help_text=_("When the last attempt took the notification for sending; a long send means “in doubt”."),
    )
    created_at = models.DateTimeField(_("created at"))
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        constraints = [
            models.UniqueConstraint(
                fields=["event", "kind", "cycle", "recipient"],
                condition=models.Q(event__isnull=False),
                name="notification_once_per_event",
            ),
            models.UniqueConstraint(
                fields=["kind", "digest_date", "recipient"],
                condition=models.Q(event__isnull=True),
                name="notification_once_per_day",
            ),
        ]
        indexes = [
            models.Index(fields=["event", "kind", "cycle"]),
            models.Index(fields=["user", "read_at"]),
            models.Index(fields=["status", "next_attempt_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} → {self.recipient}"


class ReportParticipant(models.Model):
    """One person on an event report's participant list, without the person.

    Only a keyed hash of the identifying fields is kept (``person_key``,
    HMAC-SHA256 with ``PARTICIPANT_HASH_KEY``), so the same pupil at three
    профпробы is one person in the indicators, and no name, birth date or
    СНИЛС is stored. ``anonymised``: the key was replaced by one whose secret
    was thrown away (``participants_purge``), so it still tells people of the
    same plan apart but can no longer be matched to anyone.
    """

    class Category(models.TextChoices):
        PUPIL = "pupil", _("pupil of grades 6–11")
        STUDENT = "student", _("student")
        ADULT = "adult", _("adult")
        SENIOR = "senior", _("adult aged 50+")

    report = models.ForeignKey(
        EventReport, verbose_name=_("event report"), on_delete=models.CASCADE, related_name="participants"
    )
    category = models.CharField(_("category"), max_length=10, choices=Category.choices)
    grade = models.PositiveSmallIntegerField(_("grade"), null=True, blank=True)
    person_key = models.CharField(_("person key"), max_length=64, db_index=True)
    anonymised = models.BooleanField(_("anonymised"), default=False)

    class Meta:
        verbose_name = _("listed participant")
        verbose_name_plural = _("listed participants")
        constraints = [
            models.UniqueConstraint(fields=["report", "person_key"], name="participant_once_per_report"),
        ]

    def __str__(self) -> str:
        return f"{self.get_category_display()} {self.person_key[:8]}"


class EventWrite(models.Model):
    """A write to events or reports: one row per (plan, region) the written events
    are of and count in, added in the write's transaction (``roadmap.events.rollups``).

    The newest id of a plan's rows stamps what is computed of that plan's events
    (its indicator figures, an activity's control points), and of a region's rows
    what is computed of the events counting in that region (its timeliness, its
    dashboard): kept figures (``copp.memo``) of one plan or region stay valid while
    another's events change (at national scale another region writes every few
    seconds), where the newest history row of every event moved with any write.
    A rebuild after a bulk load adds a row per plan and per region (the other
    column empty). Rows are only added; the nightly rollups check deletes all but
    each plan's and each region's newest (``event_writes_prune``).
    """

    id = models.BigAutoField(primary_key=True)
    plan = models.ForeignKey(
        Plan,
        verbose_name=_("plan"),
        null=True,
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,  # leads the (plan, id) index
    )
    region = models.ForeignKey(
        Region,
        verbose_name=_("region"),
        null=True,
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,  # leads the (region, id) index
    )

    class Meta:
        verbose_name = _("write to events")
        verbose_name_plural = _("writes to events")
        indexes = [
            models.Index(fields=["plan", "id"], name="event_write_plan_idx"),
            models.Index(fields=["region", "id"], name="event_write_region_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.plan_id}/{self.region_id}#{self.pk}"


class EventRollup(models.Model):
    """Counters of the events of one key, kept current by ``roadmap.events.services``
    in the same transaction as each write (``roadmap.events.rollups``).

    The key is (plan, organiser, activity, municipality, last day, due moment):
    the last day is the day timeliness and the event year go by
    (``roadmap.events.event_year``), and the stored due moment is part of the
    key so that "missing" versus "not yet due" at any moment is a comparison
    with the key, never a walk over events (an event whose due moment is
    recomputed moves to another key). ``region`` is the region the key's
    events count in (``Event.region``: the organiser's, else the default
    region), so a region's rows are read by its index instead of through the
    organisations; it follows from the organiser, so it is not part of the key,
    and it moves with the organisation (``Organization.save``).

    ``municipality_key`` is the municipality's id, or 0 for none: NULLs are
    never equal in a unique key, so the nullable foreign key cannot be in it.
    ``latest`` is the newest moment any counted fact carries (a cancellation,
    a submission, an acceptance): the counters answer for moments from it on.
    It only grows, so after a deletion it may be later than the records need,
    which only sends a read to the direct computation.
    """

    plan = models.ForeignKey(Plan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="+")
    organization = models.ForeignKey(
        Organization, verbose_name=_("organiser"), on_delete=models.CASCADE, related_name="+"
    )
    activity = models.ForeignKey(Activity, verbose_name=_("activity"), on_delete=models.CASCADE, related_name="+")
    municipality = models.ForeignKey(
        Municipality,
        verbose_name=_("municipality"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    municipality_key = models.PositiveIntegerField(_("municipality id (0: none)"))
    region = models.ForeignKey(
        Region,
        verbose_name=_("region"),
        null=True,
        blank=True,
        editable=False,
        db_index=False,  # leads the (region, day) index
        on_delete=models.CASCADE,
        related_name="+",
    )
    day = models.DateField(_("last day"))
    due_at = models.DateTimeField(_("report due at"))
    held = models.IntegerField(_("events held (not cancelled)"), default=0)
    cancelled = models.IntegerField(_("events cancelled"), default=0)
    on_time = models.IntegerField(_("reports on time"), default=0)
    late = models.IntegerField(_("reports late"), default=0)
    accepted = models.IntegerField(_("reports accepted"), default=0)
    returned = models.IntegerField(_("reports returned"), default=0)
    participants = models.BigIntegerField(_("participants in reports"), default=0)
    participants_accepted = models.BigIntegerField(_("participants in accepted reports"), default=0)
    latest = models.DateTimeField(_("newest counted moment"))

    class Meta:
        verbose_name = _("event rollup")
        verbose_name_plural = _("event rollups")
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "organization", "activity", "municipality_key", "day", "due_at"],
                name="event_rollup_key",
            ),
        ]
        indexes = [
            models.Index(fields=["plan", "day"], name="event_rollup_plan_day"),
            models.Index(fields=["organization", "day"], name="event_rollup_org_day"),
            models.Index(fields=["region", "day"], name="event_rollup_region_day"),
        ]

    def __str__(self) -> str:
        return f"{self.organization_id}/{self.activity_id}/{self.day:%d.%m.%Y}"

"""The one place that answers "may this user do this?" for the roadmap app."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypeVar, cast

from django.conf import settings
from django.db.models import Model, Q, QuerySet, Subquery

from roadmap.accounts.roles import Role, has_role, sees_every_region
from roadmap.models import (
    Event,
    EventReport,
    EvidenceFile,
    Municipality,
    Notification,
    Organization,
    Region,
    counted_region_id,
)

M = TypeVar("M", bound=Model)


# ---------------------------------------------------------------------------
# The scope: which organisations' data a user sees. The one rule; everything
# below (and indicators.permissions, the pages, the API, the admin, exports)
# reads through it.
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class OrganizationScope:
    """Whose data a user sees: every organisation (``everything``), those of one
    region (``region``: regional ministry and ЦОПП staff), one organisation
    (``organization_id``: a coordinator), or nothing."""

    everything: bool = False
    region: bool = False
    region_id: int | None = None  # with ``region``
    unassigned: bool = False  # with ``region``: organisations of no region too (the default region's)
    organization_id: int | None = None

    @property
    def key(self) -> str:
        """A text naming the scope (the dashboard keeps one snapshot per scope)."""
        if self.everything:
            return "all"
        if self.region:
            return f"r{self.region_id or 0}{'+' if self.unassigned else ''}"
        return f"o{self.organization_id or 0}"

    @classmethod
    def from_key(cls, key: str) -> OrganizationScope:
        """The scope ``key`` names (``"all"`` and anything unknown: everything is not assumed — nothing)."""
        if key == "all":
            return cls(everything=True)
        if key.startswith("r"):
            number = key[1:].removesuffix("+")
            return cls(region=True, region_id=int(number) or None, unassigned=key.endswith("+"))
        if key.startswith("o") and key[1:].isdigit() and int(key[1:]):
            return cls(organization_id=int(key[1:]))
        return cls()

    def events(self, query: QuerySet[Event] | None = None) -> QuerySet[Event]:
        """``query`` (every event) limited to the scope's organisers."""
        return self.through_events(Event.objects.all() if query is None else query, "")

    def through_events(self, query: QuerySet[M], prefix: str) -> QuerySet[M]:
        """``query`` limited to rows of the scope's events (``prefix``: the lookup path
        to the event, e.g. ``"event__"``; ``""`` for events themselves)."""
        condition = self.event_q(prefix)
        if condition is None:
            return query
        if not (self.region or self.organization_id is not None):
            return query.none()
        return query.filter(condition)

    def event_q(self, prefix: str = "", *, owner: str = "organizer_id") -> Q | None:
        """The filter on events (reached through ``prefix``) in the scope; None means
        no filter. A region is filtered on the region the event counts in
        (``Event.region``: its organiser's, else the default region, so the default
        region's staff need no "or of no region"), which leads the event's indexes.
        ``owner`` names the organiser's field: the event rollups, which carry the
        same region, call it ``organization_id``."""
        if self.region:
            if self.region_id is None:  # no region exists at all: the events of no region
                return Q(**{f"{prefix}region__isnull": True})
            return Q(**{f"{prefix}region_id": self.region_id})
        return self.q(f"{prefix}{owner}")

    def holds_region(self, region_id: int | None) -> bool:
        """Whether an organisation of ``region_id`` is in a region scope."""
        return region_id == self.region_id if region_id is not None else self.unassigned

    def q(self, owner: str) -> Q | None:
        """The filter on rows whose ``owner`` (a lookup path to an organisation
        id, e.g. ``"organizer_id"``; ``"pk"`` for organisations themselves) is
        in the scope; None means no filter. Regions are filtered in SQL by
        the organisation's region, never with a set of ids."""
        if self.everything:
            return None
        if self.region:
            base = "" if owner in ("pk", "id") else f"{owner.removesuffix('_id')}__"
            return region_q(base + "region", self.region_id, unassigned=self.unassigned) & ~Q(
                **{f"{owner}__isnull": True}
            )
        if self.organization_id is not None:
            return Q(**{owner: self.organization_id})
        return Q(pk__in=[])


NOTHING = OrganizationScope()


def region_q(field: str, region_id: int | None, *, unassigned: bool) -> Q:
    """``field`` (a lookup path to a region) is ``region_id`` (or empty, with ``unassigned``)."""
    empty = Q(**{f"{field}__isnull": True})
    if region_id is None:
        return empty
    one = Q(**{f"{field}_id": region_id})
    return one | empty if unassigned else one


def _user_regions(user: Any) -> tuple[int | None, bool]:
    """(the user's region, whether it is the default region): their organisation's
    region, else the default region (``settings.COPP_DEFAULT_REGION``). One query,
    cached on the user for the request."""
    cached = getattr(user, "_copp_region", None)
    if cached is None:
        default = Region.objects.filter(key=settings.COPP_DEFAULT_REGION).values("pk")[:1]
        row: tuple[int | None, int | None] | None = None
        if getattr(user, "organization_id", None):
            row = (
                Organization.objects.filter(pk=user.organization_id)
                .annotate(default=Subquery(default))
                .values_list("region_id", "default")
                .first()
            )
        if row is None or row[0] is None:
            default_id = counted_region_id(None)
            row = (default_id, default_id)
        cached = (row[0], row[0] == row[1])
        user._copp_region = cached
    return cast("tuple[int | None, bool]", cached)


def user_region_id(user: Any) -> int | None:
    """The region of a user (``_user_regions``); None for anonymous users or when no region exists."""
    if not getattr(user, "is_authenticated", False):
        return None
    return _user_regions(user)[0]


def organization_scope(user: Any) -> OrganizationScope:
    """Administrators and the federal level see every organisation; a regional
    ministry's and ЦОПП's staff those of their organisation's region (staff bound
    to no region: of the default region, ``settings.COPP_DEFAULT_REGION``; the
    default region's staff also see organisations of no region); a coordinator
    their own."""
    if not getattr(user, "is_authenticated", False):
        return NOTHING
    if sees_every_region(user):
        return OrganizationScope(everything=True)
    if has_role(user, Role.MINISTRY, Role.COPP):
        region_id, is_default = _user_regions(user)
        return OrganizationScope(region=True, region_id=region_id, unassigned=is_default)
    organization_id = getattr(user, "organization_id", None)
    return OrganizationScope(organization_id=organization_id) if organization_id else NOTHING


def sees_all_organizations(user: Any) -> bool:
    """Whether nothing is hidden from the user (administrators, the federal level)."""
    return organization_scope(user).everything


def sees_many_organizations(user: Any) -> bool:
    """Whether the user sees more than their own organisation (a region or every region)."""
    scope = organization_scope(user)
    return scope.everything or scope.region


def visible_organizations(user: Any, query: QuerySet[Organization] | None = None) -> QuerySet[Organization]:
    """Organisations whose data the user may see (choices in forms and filters read this)."""
    return scoped_to_organizations(user, Organization.objects.all() if query is None else query, "pk")


def in_users_region(user: Any, query: QuerySet[M], region_field: str = "region_id") -> QuerySet[M]:
    """Reference rows (organisations, municipalities) of the user's region: the
    choices offered in forms and filters, the register in the API. Every region
    for administrators and the federal level; nothing for anonymous users."""
    if not getattr(user, "is_authenticated", False):
        return query.none()
    if sees_every_region(user):
        return query
    region_id, is_default = _user_regions(user)
    return query.filter(region_q(region_field.removesuffix("_id"), region_id, unassigned=is_default))


def scoped_to_user_region(user: Any, query: QuerySet[M], person: str) -> QuerySet[M]:
    """``query`` limited to rows whose ``person`` (a lookup path to a user, e.g.
    ``"requested_by"``) is of the viewer's region, for regional staff; every row
    for administrators and the federal level; nothing otherwise. A person's
    region is their organisation's, else the default region (as in
    ``organization_scope``)."""
    scope = organization_scope(user)
    if scope.everything:
        return query
    if not scope.region:
        return query.none()
    organisation = f"{person}__organization"
    theirs = region_q(f"{organisation}__region", scope.region_id, unassigned=False) if scope.region_id else Q()
    if scope.unassigned:
        default = Q(**{f"{organisation}__isnull": True}) | Q(**{f"{organisation}__region__isnull": True})
        return query.filter(theirs | default if scope.region_id else default)
    return query.filter(theirs)


def region_municipalities(user: Any) -> QuerySet[Municipality]:
    """Municipalities offered to the user (their region's)."""
    return in_users_region(user, Municipality.objects.all())


def can_see_organization(user: Any, organization: int | Organization | None) -> bool:
    """Whether the user may see an organisation's own data (given by id: at most
    one query; given as an object: none beyond the user's own region)."""
    if organization is None:
        return False
    scope = organization_scope(user)
    if scope.everything:
        return True
    if scope.region:
        if isinstance(organization, Organization):
            return scope.holds_region(organization.region_id)
        # Each organisation's region is read once per user object (an import checks a row at a time).
        known: dict[int, int | None] = user.__dict__.setdefault("_copp_org_regions", {})
        if organization not in known:
            found = list(Organization.objects.filter(pk=organization).values_list("region_id", flat=True))
            if not found:
                return False
            known[organization] = found[0]
        return scope.holds_region(known[organization])
    organization_id = organization.pk if isinstance(organization, Organization) else organization
    return scope.organization_id == organization_id


def scoped_to_organizations(user: Any, query: QuerySet[M], owner: str) -> QuerySet[M]:
    """``query`` limited to rows whose ``owner`` (a lookup path to an organisation
    id) the user may see: the one rule behind every ``visible_*`` selector.

    Anonymous users and users bound to no organisation see nothing; regional
    ministry and ЦОПП staff see their region; administrators and the federal
    level see everything.
    """
    scope = organization_scope(user)
    condition = scope.q(owner)
    if condition is None:
        return query
    if not (scope.region or scope.organization_id is not None):
        return query.none()
    return query.filter(condition)


def can_act_for_organization(user: Any, organization_id: int | None) -> bool:
    """Whether a user may register and report on behalf of an organisation.

    ЦОПП staff act for the organisations of their region, administrators for
    any; a coordinator only for the organisation they are bound to. Ministry
    staff read, they do not file on behalf of colleges; the federal level
    only reads.
    """
    if not getattr(user, "is_authenticated", False) or organization_id is None:
        return False
    if has_role(user, Role.ADMIN):
        return True
    if has_role(user, Role.COPP) and can_see_organization(user, organization_id):
        return True
    return has_role(user, Role.COORDINATOR) and user.organization_id == organization_id


# ---------------------------------------------------------------------------
# Scoped querysets: every list, detail, export and download reads through these.
# Another organisation's object is simply not in them, so it answers 404.
# ---------------------------------------------------------------------------


def visible_events(user: Any, query: QuerySet[Event] | None = None) -> QuerySet[Event]:
    """Events (cancelled ones too) of the organisations the user may see."""
    return organization_scope(user).events(query)


def visible_event_reports(user: Any, query: QuerySet[EventReport] | None = None) -> QuerySet[EventReport]:
    base = EventReport.objects.all() if query is None else query
    return organization_scope(user).through_events(base, "event__")


def visible_evidence(user: Any, query: QuerySet[EvidenceFile] | None = None) -> QuerySet[EvidenceFile]:
    base = EvidenceFile.objects.all() if query is None else query
    return organization_scope(user).through_events(base, "report__event__")


def visible_notifications(user: Any, query: QuerySet[Notification] | None = None) -> QuerySet[Notification]:
    """A user's own in-app notices only, whatever the role (administrators read
    the others in the admin)."""
    base = Notification.objects.all() if query is None else query
    if not getattr(user, "is_authenticated", False):
        return base.none()
    return base.filter(user_id=user.pk)


# ---------------------------------------------------------------------------
# Events, reports and notifications
# ---------------------------------------------------------------------------


def can_register_event(user: Any, organization_id: int | None) -> bool:
    """Coordinators register events of their own organisation; ministry and
    ЦОПП staff events of any organisation of their region, administrators of
    any organisation."""
    if not getattr(user, "is_authenticated", False) or organization_id is None:
        return False
    if has_role(user, Role.ADMIN):
        return True
    if has_role(user, Role.MINISTRY, Role.COPP) and can_see_organization(user, organization_id):
        return True
    return has_role(user, Role.COORDINATOR) and user.organization_id == organization_id


def event_organizer_choices(user: Any) -> QuerySet[Organization]:
    """Organisations the user may register events for (``can_register_event``):
    every active one of their region for ministry and ЦОПП staff, every active
    one for administrators, a coordinator's own, none for anyone else."""
    if not getattr(user, "is_authenticated", False):
        return Organization.objects.none()
    if has_role(user, Role.MINISTRY, Role.COPP, Role.ADMIN):
        active = Organization.objects.filter(is_active=True, is_group=False).order_by("short_name")
        return active if has_role(user, Role.ADMIN) else visible_organizations(user, active)
    if has_role(user, Role.COORDINATOR) and user.organization_id:
        return Organization.objects.filter(pk=user.organization_id)
    return Organization.objects.none()


def can_change_event(user: Any, event: Any) -> bool:
    """Moving, editing and cancelling follow the same rule as registering."""
    return can_register_event(user, event.organizer_id)


def can_report_event(user: Any, event: Any) -> bool:
    """A report is filed by a coordinator of the organiser (or by ЦОПП staff
    and administrators acting for it)."""
    return can_act_for_organization(user, event.organizer_id)


def can_delete_evidence(user: Any, report: Any) -> bool:
    """Evidence of a report is deleted by whoever may file and correct the
    report (a coordinator of the organiser, ЦОПП staff, administrators); the
    service also refuses once the report is accepted."""
    return can_report_event(user, report.event)


def can_review_report(user: Any, report: Any) -> bool:
    """ЦОПП and ministry staff accept or return reports of their region,
    administrators any report."""
    if has_role(user, Role.ADMIN):
        return True
    return has_role(user, Role.MINISTRY, Role.COPP) and can_see_organization(user, report.event.organizer_id)


def _register_event_permissions() -> None:
    from roadmap.accounts.roles import register_role_permissions

    viewing = ["roadmap.view_event", "roadmap.view_eventreport", "roadmap.view_evidencefile"]
    register_role_permissions(Role.FEDERAL, viewing)
    register_role_permissions(
        Role.MINISTRY, [*viewing, "roadmap.add_event", "roadmap.change_event", "roadmap.change_eventreport"]
    )
    register_role_permissions(
        Role.COPP,
        [
            *viewing,
            "roadmap.add_event",
            "roadmap.change_event",
            "roadmap.add_eventreport",
            "roadmap.change_eventreport",
            "roadmap.add_evidencefile",
            "roadmap.delete_evidencefile",
        ],
    )
    register_role_permissions(
        Role.COORDINATOR,
        [
            *viewing,
            "roadmap.add_event",
            "roadmap.change_event",
            "roadmap.add_eventreport",
            "roadmap.change_eventreport",
            "roadmap.add_evidencefile",
            "roadmap.delete_evidencefile",
        ],
    )


_register_event_permissions()

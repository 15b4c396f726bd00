"""The one place that answers "may this user do this?" for the roadmap app."""

from __future__ import annotations

from typing import Any, TypeVar

from django.db.models import Model, Q, QuerySet

from roadmap.accounts.roles import Role, has_role, sees_everything
from roadmap.models import Event, EventReport, EvidenceFile, Notification, Organization

M = TypeVar("M", bound=Model)


def can_act_for_organization(user: Any, organization_id: int | None) -> bool:
    """Whether a user may register and report on behalf of an organisation.

    ЦОПП staff and administrators act for any organisation; a coordinator
    only for the organisation they are bound to. Ministry staff read, they do
    not file on behalf of colleges.
    """
    if not getattr(user, "is_authenticated", False) or organization_id is None:
        return False
    if has_role(user, Role.COPP, Role.ADMIN):
        return True
    return has_role(user, Role.COORDINATOR) and user.organization_id == organization_id


def visible_organization_ids(user: Any) -> set[int] | None:
    """Organisation ids whose own data the user may see; None means all."""
    if not getattr(user, "is_authenticated", False):
        return set()
    if sees_everything(user):
        return None
    organization_id = getattr(user, "organization_id", None)
    return {organization_id} if organization_id else set()


def scoped_to_organizations(user: Any, query: QuerySet[M], owner: str) -> QuerySet[M]:
    """``query`` limited to rows whose ``owner`` (a lookup path to an organisation
    id) the user may see: the one rule behind every ``visible_*`` selector.

    Anonymous users and users bound to no organisation see nothing; ministry,
    ЦОПП staff and administrators see everything.
    """
    visible = visible_organization_ids(user)
    if visible is None:
        return query
    if not visible:
        return query.none()
    return query.filter(Q(**{f"{owner}__in": visible}))


# ---------------------------------------------------------------------------
# Scoped querysets: every list, detail, export and download reads through these.
# Another organisation's object is simply not in them, so it answers 404.
# ---------------------------------------------------------------------------


def visible_events(user: Any, query: QuerySet[Event] | None = None) -> QuerySet[Event]:
    """Events (cancelled ones too) of the organisations the user may see."""
    return scoped_to_organizations(user, Event.objects.all() if query is None else query, "organizer_id")


def visible_event_reports(user: Any, query: QuerySet[EventReport] | None = None) -> QuerySet[EventReport]:
    base = EventReport.objects.all() if query is None else query
    return scoped_to_organizations(user, base, "event__organizer_id")


def visible_evidence(user: Any, query: QuerySet[EvidenceFile] | None = None) -> QuerySet[EvidenceFile]:
    base = EvidenceFile.objects.all() if query is None else query
    return scoped_to_organizations(user, base, "report__event__organizer_id")


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
    """Coordinators register events of their own organisation; ministry,
    ЦОПП staff and administrators register events of any organisation."""
    if not getattr(user, "is_authenticated", False) or organization_id is None:
        return False
    if has_role(user, Role.MINISTRY, Role.COPP, Role.ADMIN):
        return True
    return has_role(user, Role.COORDINATOR) and user.organization_id == organization_id


def event_organizer_choices(user: Any) -> QuerySet[Organization]:
    """Organisations the user may register events for (``can_register_event``):
    every active one for ministry, ЦОПП staff and administrators, a
    coordinator's own, none for anyone else."""
    if not getattr(user, "is_authenticated", False):
        return Organization.objects.none()
    if has_role(user, Role.MINISTRY, Role.COPP, Role.ADMIN):
        return Organization.objects.filter(is_active=True, is_group=False).order_by("short_name")
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
    """ЦОПП and ministry staff (and administrators) accept or return reports."""
    return has_role(user, Role.MINISTRY, Role.COPP, Role.ADMIN)


def _register_event_permissions() -> None:
    from roadmap.accounts.roles import register_role_permissions

    viewing = ["roadmap.view_event", "roadmap.view_eventreport", "roadmap.view_evidencefile"]
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

"""The one place that answers "may this user do this?" for the roadmap app."""

from __future__ import annotations

from typing import Any

from roadmap.roles import Role, has_role, sees_everything


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
    if sees_everything(user):
        return None
    return {user.organization_id} if user.organization_id else set()


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


def can_change_event(user: Any, event: Any) -> bool:
    """Moving, editing and cancelling follow the same rule as registering."""
    return can_register_event(user, event.organizer_id)


def can_report_event(user: Any, event: Any) -> bool:
    """A report is filed by a coordinator of the organiser (or by ЦОПП staff
    and administrators acting for it)."""
    return can_act_for_organization(user, event.organizer_id)


def can_review_report(user: Any, report: Any) -> bool:
    """ЦОПП and ministry staff (and administrators) accept or return reports."""
    return has_role(user, Role.MINISTRY, Role.COPP, Role.ADMIN)


def can_view_event(user: Any, event: Any) -> bool:
    visible = visible_organization_ids(user)
    return getattr(user, "is_authenticated", False) and (visible is None or event.organizer_id in visible)


def _register_event_permissions() -> None:
    from roadmap.roles import register_role_permissions

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

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

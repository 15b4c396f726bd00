"""Roles of the tracker, mapped onto Django groups.

Groups carry model permissions (what kind of thing a role may touch); the
object-level question "may this user act for this organisation?" is answered
by each app's ``permissions`` module using :func:`user_roles`.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any


class Role(StrEnum):
    MINISTRY = "ministry"
    COPP = "copp"
    COORDINATOR = "coordinator"
    ADMIN = "admin"
    FEDERAL = "federal"


GROUP_NAMES: dict[Role, str] = {
    Role.MINISTRY: "Сотрудники министерства",
    Role.COPP: "Сотрудники ЦОПП",
    Role.COORDINATOR: "Координаторы организаций",
    Role.ADMIN: "Администраторы",
    Role.FEDERAL: "Федеральный уровень",
}
ROLE_BY_GROUP = {name: role for role, name in GROUP_NAMES.items()}

# Model permissions per role: "app.action_model". Views and the API check
# these; object-level limits come on top of them.
_VIEW_ALL = [
    "roadmap.view_plan",
    "roadmap.view_section",
    "roadmap.view_activity",
    "roadmap.view_deadlinewindow",
    "roadmap.view_responsibility",
    "roadmap.view_organization",
    "roadmap.view_municipality",
    "indicators.view_indicatorset",
    "indicators.view_indicator",
    "indicators.view_target",
]
ROLE_PERMISSIONS: dict[Role, list[str]] = {
    Role.MINISTRY: [*_VIEW_ALL, "indicators.change_target"],
    Role.COPP: [*_VIEW_ALL],
    Role.COORDINATOR: [*_VIEW_ALL],
    Role.ADMIN: [],  # administrators are superusers or get every permission
    Role.FEDERAL: [*_VIEW_ALL, "roadmap.view_region"],  # every region, read only
}


def user_roles(user: Any) -> frozenset[Role]:
    """The roles of a user, cached on the user object for the request."""
    if not getattr(user, "is_authenticated", False):
        return frozenset()
    cached = getattr(user, "_copp_roles", None)
    if cached is None:
        names = user.groups.values_list("name", flat=True)
        roles = {ROLE_BY_GROUP[n] for n in names if n in ROLE_BY_GROUP}
        if user.is_superuser:
            roles.add(Role.ADMIN)
        cached = frozenset(roles)
        user._copp_roles = cached
    return cached


def has_role(user: Any, *roles: Role) -> bool:
    return bool(user_roles(user) & set(roles))


def sees_everything(user: Any) -> bool:
    """Ministry, ЦОПП staff, the federal level and administrators see the
    regional picture: every organisation *they may see* (regional staff: of
    their own region, ``roadmap.accounts.permissions.organization_scope``), not
    only their own. Which organisations that is, is never decided here."""
    return has_role(user, Role.MINISTRY, Role.COPP, Role.ADMIN, Role.FEDERAL)


def sees_every_region(user: Any) -> bool:
    """Administrators and the federal level see every region's organisations."""
    return has_role(user, Role.ADMIN, Role.FEDERAL)


def is_read_only(user: Any) -> bool:
    """The federal level reads and compares; it files, reviews and edits nothing
    (unless the same person also holds a regional role)."""
    return has_role(user, Role.FEDERAL) and not has_role(user, Role.MINISTRY, Role.COPP, Role.ADMIN, Role.COORDINATOR)


def ensure_role_groups() -> None:
    """Create the role groups and grant their permissions (idempotent)."""
    from django.contrib.auth.models import Group, Permission

    all_perms = {
        f"{p.content_type.app_label}.{p.codename}": p for p in Permission.objects.select_related("content_type")
    }
    for role, name in GROUP_NAMES.items():
        group, _ = Group.objects.get_or_create(name=name)
        wanted = [all_perms[c] for c in ROLE_PERMISSIONS[role] + extra_permissions(role) if c in all_perms]
        if role is Role.ADMIN:
            wanted = list(all_perms.values())
        group.permissions.add(*wanted)


_EXTRA: dict[Role, list[str]] = {}


def register_role_permissions(role: Role, codenames: list[str]) -> None:
    """Let other apps add the permissions their models need per role."""
    _EXTRA.setdefault(role, []).extend(codenames)


def extra_permissions(role: Role) -> list[str]:
    return _EXTRA.get(role, [])

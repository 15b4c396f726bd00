"""The one place that answers "may this user do this?" for indicators.

Used by the API, the admin, the HTML views and the imports alike.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from indicators.models import Actual, EducationalProgramme, PartnerAgreement, ProgrammeCohort
from roadmap.accounts.permissions import (
    can_act_for_organization,
    can_see_organization,
    scoped_to_organizations,
    visible_organizations,
)
from roadmap.accounts.roles import Role, has_role, register_role_permissions
from roadmap.models import Organization

# Model permissions per role (granted by ``roadmap.accounts.roles.ensure_role_groups``).
_VIEW = [
    "indicators.view_actual",
    "indicators.view_actualchange",
    "indicators.view_validationrule",
    "indicators.view_indicatorsource",
    "indicators.view_indicatorseason",
    "indicators.view_programmecategory",
    "indicators.view_partneragreement",
    "indicators.view_educationalprogramme",
    "indicators.view_programmecohort",
]
_REGISTRIES = [
    f"indicators.{action}_{model}"
    for model in ("partneragreement", "educationalprogramme", "programmecohort")
    for action in ("add", "change", "delete")
]


def register_permissions() -> None:
    """Called once from the app config."""
    register_role_permissions(Role.MINISTRY, [*_VIEW, "indicators.change_actual"])
    register_role_permissions(Role.FEDERAL, _VIEW)
    register_role_permissions(Role.COPP, [*_VIEW, "indicators.add_actual", "indicators.change_actual", *_REGISTRIES])
    register_role_permissions(
        Role.COORDINATOR, [*_VIEW, "indicators.add_actual", "indicators.change_actual", *_REGISTRIES]
    )


def can_enter_actual(user: Any, organization_id: int | None) -> bool:
    """Enter, edit and submit values for an organisation.

    ЦОПП staff and administrators for any organisation, a coordinator for
    their own; ministry staff review, they do not file.
    """
    return can_act_for_organization(user, organization_id)


def actual_organization_choices(user: Any) -> QuerySet[Organization]:
    """Organisations the user may enter values for (``can_enter_actual``): every
    active one of their region for ЦОПП staff, every active one for
    administrators, a coordinator's own, none for anyone else (ministry staff
    review)."""
    if not getattr(user, "is_authenticated", False):
        return Organization.objects.none()
    if has_role(user, Role.COPP, Role.ADMIN):
        active = Organization.objects.filter(is_active=True, is_group=False).order_by("short_name")
        return active if has_role(user, Role.ADMIN) else visible_organizations(user, active)
    if has_role(user, Role.COORDINATOR) and user.organization_id:
        return Organization.objects.filter(pk=user.organization_id)
    return Organization.objects.none()


def can_view_actual(user: Any, organization_id: int) -> bool:
    return can_see_organization(user, organization_id)


def can_review_actuals(user: Any, organization: int | Organization | None = None) -> bool:
    """Approve or return submitted values: ЦОПП and ministry staff, of
    ``organization`` (when given) only if it is of their region."""
    if has_role(user, Role.ADMIN):
        return True
    return has_role(user, Role.COPP, Role.MINISTRY) and (
        organization is None or can_see_organization(user, organization)
    )


def can_reopen_actual(user: Any, organization: int | Organization | None = None) -> bool:
    """Reopen an approved (locked) value: the ministry only (of its region)."""
    if has_role(user, Role.ADMIN):
        return True
    return has_role(user, Role.MINISTRY) and (organization is None or can_see_organization(user, organization))


def can_edit_registry_record(user: Any, organization_id: int | None) -> bool:
    """Register agreements, programmes and cohorts of an organisation.

    The holder of an agreement, the developer of a programme: ЦОПП staff and
    administrators for any organisation, a coordinator for their own.
    """
    return can_act_for_organization(user, organization_id)


# --- scoped querysets: every list, detail, records view and export reads through these ---


def visible_actuals(user: Any, query: QuerySet[Actual] | None = None) -> QuerySet[Actual]:
    """Values of the organisations the user may see (drafts included: the owner edits them)."""
    return scoped_to_organizations(user, Actual.objects.all() if query is None else query, "organization_id")


def visible_agreements(user: Any, query: QuerySet[PartnerAgreement] | None = None) -> QuerySet[PartnerAgreement]:
    """Agreements held by the organisations the user may see."""
    base = PartnerAgreement.objects.all() if query is None else query
    return scoped_to_organizations(user, base, "organization_id")


def visible_programmes(
    user: Any, query: QuerySet[EducationalProgramme] | None = None
) -> QuerySet[EducationalProgramme]:
    """Programmes developed by the organisations the user may see."""
    base = EducationalProgramme.objects.all() if query is None else query
    return scoped_to_organizations(user, base, "developer_id")


def visible_cohorts(user: Any, query: QuerySet[ProgrammeCohort] | None = None) -> QuerySet[ProgrammeCohort]:
    """Cohorts of the programmes the user may see."""
    base = ProgrammeCohort.objects.all() if query is None else query
    return scoped_to_organizations(user, base, "programme__developer_id")

"""The one place that answers "may this user do this?" for reports and imports."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from reports.models import ImportJob, ImportKind, ReportFile, ReportKind
from roadmap.accounts.permissions import scoped_to_user_region
from roadmap.accounts.roles import Role, has_role, sees_everything


def can_compare_regions(user: Any) -> bool:
    """The federal comparison of regions: the federal level and administrators."""
    return getattr(user, "is_authenticated", False) and has_role(user, Role.FEDERAL, Role.ADMIN)


def can_request_report(user: Any) -> bool:
    """Reports cover every organisation: ministry, ЦОПП and administrators."""
    return getattr(user, "is_authenticated", False) and sees_everything(user)


def visible_report_files(user: Any, query: QuerySet[ReportFile] | None = None) -> QuerySet[ReportFile]:
    """Report files cover every organisation: only those who may request them see them.

    A list exported from a page holds what its requester may see, so it is
    theirs alone, whoever else may build reports.
    """
    query = ReportFile.objects.all() if query is None else query
    if not getattr(user, "is_authenticated", False):
        return query.none()
    own_export = Q(kind=ReportKind.LIST_EXPORT, requested_by=user)
    if can_request_report(user):
        # Reports requested in the user's region (every region for the federal level and administrators).
        regional = scoped_to_user_region(user, query.exclude(kind=ReportKind.LIST_EXPORT), "requested_by")
        return query.filter(Q(pk__in=regional.values("pk")) | own_export)
    return query.filter(own_export)


def can_import(user: Any) -> bool:
    """Coordinators import for their own organisation (checked per row); ЦОПП and admins for any."""
    return getattr(user, "is_authenticated", False) and has_role(user, Role.COPP, Role.ADMIN, Role.COORDINATOR)


def importable_kinds(user: Any) -> list[str]:
    """The kinds of import the user may load, in the order of ``ImportKind``.

    Each kind says who may use it (``ImportResource.may_import``): a
    coordinator loads events, reports, values and registries of their own
    organisation, not the register of organisations.
    """
    if not can_import(user):
        return []
    from reports.resources import RESOURCES

    return [kind for kind in ImportKind.values if kind in RESOURCES and RESOURCES[kind].may_import(user)]


def visible_import_jobs(user: Any, query: QuerySet[ImportJob] | None = None) -> QuerySet[ImportJob]:
    """A user's own import jobs; ЦОПП staff see those of everyone of their region
    (and their own), administrators everyone's."""
    query = ImportJob.objects.select_related("user") if query is None else query
    if has_role(user, Role.ADMIN):
        return query
    if has_role(user, Role.COPP):
        return scoped_to_user_region(user, query, "user") | query.filter(user=user)
    if not getattr(user, "is_authenticated", False):
        return query.none()
    return query.filter(user=user)


def can_confirm_import(user: Any, job: ImportJob) -> bool:
    """Only the person who checked the file confirms it (rights were checked for them)."""
    return getattr(user, "pk", None) is not None and job.user_id == user.pk

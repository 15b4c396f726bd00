"""The one place that answers "may this user do this?" for reports and imports."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from reports.models import ImportJob, ImportKind, ReportFile, ReportKind
from roadmap.accounts.roles import Role, has_role, sees_everything


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
        return query.filter(~Q(kind=ReportKind.LIST_EXPORT) | own_export)
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
    """A user's own import jobs; ЦОПП staff and administrators see everyone's."""
    query = ImportJob.objects.select_related("user") if query is None else query
    if has_role(user, Role.ADMIN, Role.COPP):
        return query
    if not getattr(user, "is_authenticated", False):
        return query.none()
    return query.filter(user=user)


def can_confirm_import(user: Any, job: ImportJob) -> bool:
    """Only the person who checked the file confirms it (rights were checked for them)."""
    return getattr(user, "pk", None) is not None and job.user_id == user.pk

"""Admin classes of domain records that are written only through their services.

Events, event reports and actual values have rules the admin's generic form
cannot keep (deadlines, versions, review steps, evidence checks, audit), so
their admin pages only show them, with their history, and point to the door
that changes them: the web pages and the API (and the Excel imports).

Saving is refused here too, not only hidden: django-simple-history's
"revert" form saves through ``save_model`` after checking only the right to
*view*, so a read-only page is not enough on its own.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse


class ServiceOnlyAdminMixin:
    """No add, change or delete through the admin; actions that call services may still be offered."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        raise PermissionDenied

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        raise PermissionDenied

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        raise PermissionDenied

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        raise PermissionDenied

    def history_form_view(
        self, request: HttpRequest, object_id: str, version_id: str, extra_context: Any = None
    ) -> HttpResponse:
        """Old versions can be looked at, not restored (a restore would bypass the services)."""
        if request.method == "POST":
            raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)  # type: ignore[misc]


class ScopedByOrganizationAdminMixin:
    """Staff who do not see everything (a coordinator given admin access) see only their organisation's rows.

    ``visible`` is the model's scoped queryset (``roadmap.accounts.permissions.visible_*``,
    ``indicators.permissions.visible_*``), the same one the pages and the API
    read through; the changelist, the change pages and the exports all start
    from ``get_queryset``.
    """

    visible: Callable[[Any, QuerySet[Any]], QuerySet[Any]]
    organization_path = "organization"

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        query = super().get_queryset(request)  # type: ignore[misc]
        return type(self).visible(request.user, query)

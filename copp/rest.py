"""Project-wide REST plumbing: the exception handler, JSON 404s, the schema.

Referenced from ``REST_FRAMEWORK`` in settings, so every viewset of every
app gets the same answers to bad input without importing anything from here.
"""

from __future__ import annotations

from typing import Any, Literal

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import ProtectedError, RestrictedError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from drf_spectacular.openapi import AutoSchema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from roadmap.errors import Conflict


def _delete_refused(exc: ProtectedError | RestrictedError) -> Response:
    blockers = getattr(exc, "protected_objects", None) or getattr(exc, "restricted_objects", None) or ()
    names = sorted({str(obj._meta.verbose_name_plural) for obj in blockers})
    reason = _("Cannot delete: other data refers to this record")
    if names:
        reason += f" ({', '.join(names)})"
    return Response({"detail": reason + "."}, status=status.HTTP_409_CONFLICT)


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF's handler, plus the Django exceptions a service may let through.

    A delete refused by ``on_delete=PROTECT``/``RESTRICT`` is a conflict with
    the current state (409 with the reason), not a server error; services
    should check first and explain better, this is the safety net. A Django
    ``ValidationError`` from a service is bad input (400, messages by field).
    A service's ``Conflict`` (``roadmap.errors``: a stale version, a step not
    allowed now) is 409 with the reason, and the field when it names one.
    """
    if isinstance(exc, Conflict):
        body = {"detail": exc.message}
        if exc.field:
            body["field"] = exc.field
        return Response(body, status=status.HTTP_409_CONFLICT)
    if isinstance(exc, (ProtectedError, RestrictedError)):
        return _delete_refused(exc)
    if isinstance(exc, DjangoValidationError):
        errors = exc.message_dict if hasattr(exc, "error_dict") else {"detail": exc.messages}
        return Response(errors, status=status.HTTP_400_BAD_REQUEST)
    return drf_exception_handler(exc, context)


def api_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """404 of a URL no pattern matches (e.g. ``/api/v1/events/abc/``): JSON under
    /api/, as the API's own 404s are; the site's HTML page elsewhere."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": _("Not found.")}, status=404)
    from django.views.defaults import page_not_found

    return page_not_found(request, exception)


_ERROR_BODY = {
    "type": "object",
    "properties": {"detail": {"type": "string"}},
    "additionalProperties": {},
}
_ERRORS = {
    "400": "Bad input: messages by field, or `detail`.",
    "401": "Not signed in.",
    "403": "The user may not do this.",
    "404": "No such object, or not visible to the user.",
    "409": "Conflicts with the current state: a stale `version`, a step not allowed now, a protected delete.",
}
_WRITES = {"POST", "PUT", "PATCH", "DELETE"}


class ErrorDocumentingAutoSchema(AutoSchema):
    """drf-spectacular's schema, with the error answers every operation may give.

    Every operation may answer 400 (bad query or body), 401, 403 and 404 (an
    object out of sight, an unknown plan); writes may also answer 409.
    Declared once here so the published schema matches what the API does.
    """

    def _get_response_bodies(self, direction: Literal["request", "response"] = "response") -> dict[str, Any]:
        responses = super()._get_response_bodies(direction)
        if direction != "response":
            return responses
        for code, description in _ERRORS.items():
            if code == "409" and self.method not in _WRITES:
                continue
            responses.setdefault(
                code, {"description": description, "content": {"application/json": {"schema": _ERROR_BODY}}}
            )
        return responses

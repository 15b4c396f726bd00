"""Answers for failures of the embedded database that a user can simply retry."""

from __future__ import annotations

from collections.abc import Callable

from django.db import OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _

BUSY_RETRY_AFTER_SECONDS = 5


class DatabaseBusyMiddleware:
    """SQLite's "database is locked" after the busy timeout becomes a 503, not a 500.

    Writes start their transaction at once (``transaction_mode="IMMEDIATE"``)
    and wait up to the busy timeout for the write lock, so this is only
    reached when another writer held the file longer than that (a very large
    import). Nothing was written by the refused request; the user may retry.
    PostgreSQL never raises this message, so the middleware is inert there.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, OperationalError) or "database is locked" not in str(exception):
            return None
        message = _("The server is busy with another write. Nothing was saved: repeat the action in a few seconds.")
        if request.path.startswith("/api/"):
            response: HttpResponse = JsonResponse({"detail": message}, status=503)
        else:
            response = HttpResponse(message, status=503, content_type="text/plain; charset=utf-8")
        response["Retry-After"] = str(BUSY_RETRY_AFTER_SECONDS)
        return response

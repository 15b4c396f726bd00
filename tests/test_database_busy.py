"""A write lock held past SQLite's busy timeout reaches the user as a 503 they can retry."""

from __future__ import annotations

import json

from django.db import OperationalError
from django.http import HttpResponse
from django.test import RequestFactory

from copp.middleware import DatabaseBusyMiddleware


def _middleware() -> DatabaseBusyMiddleware:
    return DatabaseBusyMiddleware(lambda request: HttpResponse("ok"))


def test_it_answers_503_with_retry_after_when_the_database_stays_locked() -> None:
    request = RequestFactory().post("/events/1/report/")
    response = _middleware().process_exception(request, OperationalError("database is locked"))
    assert response is not None and response.status_code == 503
    assert response["Retry-After"] == "5"
    assert "Ничего не сохранено" in response.content.decode()


def test_it_answers_the_api_in_json() -> None:
    request = RequestFactory().post("/api/v1/events/")
    response = _middleware().process_exception(request, OperationalError("database is locked"))
    assert response is not None and response.status_code == 503
    assert "повторите" in json.loads(response.content)["detail"]


def test_it_leaves_other_database_errors_to_the_ordinary_handling() -> None:
    request = RequestFactory().get("/dashboard/")
    assert _middleware().process_exception(request, OperationalError("no such table: x")) is None
    assert _middleware().process_exception(request, ValueError("database is locked")) is None

"""Fixtures shared by every app's tests."""

from __future__ import annotations

from typing import Any

import pytest


@pytest.fixture
def order_plan(db: Any) -> Any:
    """Order No 2714 loaded from the bundled data file."""
    from roadmap.models import Plan
    from roadmap.plans.loader import plan_load

    plan_load()
    return Plan.objects.get(key="tula-2714-2022")


@pytest.fixture
def api_client() -> Any:
    from rest_framework.test import APIClient

    return APIClient()


@pytest.fixture
def make_user(db: Any) -> Any:
    """Build a user with a role: make_user("coordinator", organization=org)."""
    from roadmap.tests.factories import UserFactory

    def make(role: str, **kwargs: Any) -> Any:
        return UserFactory(role=role, **kwargs)

    return make


def pytest_collection_modifyitems(config: Any, items: list[Any]) -> None:
    """Tests marked ``postgres`` (row locks, real concurrency) skip on SQLite."""
    from django.conf import settings

    if settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        return
    marker = pytest.mark.skip(reason="needs PostgreSQL (DATABASE_URL=postgres://...)")
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(marker)

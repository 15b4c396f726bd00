"""roadmap.accounts.permissions: who may do what, answered once for views, the API and the admin."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser

from roadmap.accounts.permissions import event_organizer_choices
from roadmap.tests.factories import OrganizationFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("role", ["ministry", "copp", "admin"])
def test_it_offers_every_active_organisation_to_staff_registering_events(role: str) -> None:
    own, other = OrganizationFactory(), OrganizationFactory()
    OrganizationFactory(is_active=False)
    OrganizationFactory(is_group=True)
    user = UserFactory(role=role, organization=own)
    assert set(event_organizer_choices(user)) == {own, other}


def test_it_offers_a_coordinator_only_their_own_organisation() -> None:
    own = OrganizationFactory()
    OrganizationFactory()
    assert list(event_organizer_choices(UserFactory(role="coordinator", organization=own))) == [own]


@pytest.mark.parametrize("user", ["anonymous", "no role", "coordinator without organisation"])
def test_it_offers_nobody_else_any_organisation(user: str) -> None:
    own = OrganizationFactory()
    who: Any = {
        "anonymous": lambda: AnonymousUser(),
        "no role": lambda: UserFactory(organization=own),
        "coordinator without organisation": lambda: UserFactory(role="coordinator"),
    }[user]()
    assert not event_organizer_choices(who).exists()

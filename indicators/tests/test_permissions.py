"""Role permissions of the indicators app, the registries' API and the admin."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser, Group
from django.core.cache import cache
from django.urls import reverse

from indicators.models import EducationalProgramme, IndicatorSource, PartnerAgreement, ProgrammeCategory
from indicators.tests.factories import (
    EducationalProgrammeFactory,
    PartnerFactory,
    approved_actual,
)
from roadmap.accounts.roles import GROUP_NAMES, Role, ensure_role_groups
from roadmap.tests.factories import OrganizationFactory, UserFactory

pytestmark = pytest.mark.django_db


def perms(role: Role) -> set[str]:
    ensure_role_groups()
    group = Group.objects.get(name=GROUP_NAMES[role])
    return {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.select_related("content_type")}


def test_it_grants_each_role_its_model_permissions() -> None:
    assert {"indicators.add_actual", "indicators.add_partneragreement"} <= perms(Role.COORDINATOR)
    assert {"indicators.add_actual", "indicators.change_programmecohort"} <= perms(Role.COPP)
    ministry = perms(Role.MINISTRY)
    assert {"indicators.view_actual", "indicators.change_actual", "indicators.view_actualchange"} <= ministry
    assert "indicators.add_partneragreement" not in ministry
    assert "indicators.change_validationrule" not in perms(Role.COPP)


def agreement_body(holder: Any) -> dict[str, Any]:
    return {
        "partner": PartnerFactory().pk,
        "organization": holder.pk,
        "number": "15/С",
        "date": "2024-02-01",
        "valid_from": "2024-02-01",
        "valid_to": "2026-12-31",
        "subject": "О сотрудничестве",
    }


@pytest.mark.parametrize(
    ("role", "own", "status"),
    [("coordinator", True, 201), ("coordinator", False, 403), ("copp", False, 201), ("ministry", False, 403)],
)
def test_it_lets_those_acting_for_the_holder_register_agreements(
    api_client: Any, make_user: Any, role: str, own: bool, status: int
) -> None:
    college = OrganizationFactory()
    user = make_user(role, organization=college if own else OrganizationFactory())
    api_client.force_authenticate(user)
    response = api_client.post("/api/v1/partner-agreements/", agreement_body(college), format="json")
    assert response.status_code == status, response.json()
    assert PartnerAgreement.objects.exists() is (status == 201)


def test_it_refuses_an_agreement_ending_before_it_starts(api_client: Any, make_user: Any) -> None:
    college = OrganizationFactory()
    api_client.force_authenticate(make_user("copp"))
    body = agreement_body(college) | {"valid_to": "2023-01-01"}
    response = api_client.post("/api/v1/partner-agreements/", body, format="json")
    assert (response.status_code, list(response.json())) == (400, ["valid_to"])


def test_it_registers_programmes_and_cohorts_for_the_developer(
    order_plan: Any, api_client: Any, make_user: Any
) -> None:
    college = OrganizationFactory()
    api_client.force_authenticate(make_user("coordinator", organization=college))
    category = ProgrammeCategory.objects.get(key="industry")
    response = api_client.post(
        "/api/v1/programmes/",
        {"name": "Сварщик", "category": category.pk, "developer": college.pk, "approved_on": "2024-04-01", "hours": 0},
        format="json",
    )
    assert (response.status_code, list(response.json())) == (400, ["hours"])
    response = api_client.post(
        "/api/v1/programmes/",
        {
            "name": "Сварщик",
            "category": category.pk,
            "developer": college.pk,
            "approved_on": "2024-04-01",
            "hours": 144,
        },
        format="json",
    )
    assert response.status_code == 201
    programme = EducationalProgramme.objects.get()
    assert programme.created_by is not None
    response = api_client.post(
        "/api/v1/programme-cohorts/", {"programme": programme.pk, "year": 2024, "completed": 12}, format="json"
    )
    assert response.status_code == 201
    foreign = EducationalProgrammeFactory(category=category)
    response = api_client.post(
        "/api/v1/programme-cohorts/", {"programme": foreign.pk, "year": 2024, "completed": 12}, format="json"
    )
    # Another organisation's programme is not found, like an unknown id (no 403 telling it exists).
    assert (response.status_code, list(response.json())) == (400, ["programme"])
    # the order counts ЦОПП's programmes only (scope copp): the college's cohort is outside it
    assert api_client.get("/api/v1/indicators/5.4/progress/?year=2024").json()["actual"] is None
    IndicatorSource.objects.filter(indicator__code="5.4").update(scope="copp_and_colleges")
    cache.clear()  # a bulk update leaves no history row: the figures memo's minute is cut short here
    assert api_client.get("/api/v1/indicators/5.4/progress/?year=2024").json()["actual"] == 12


@pytest.mark.parametrize(
    "name",
    [
        "actual",
        "validationrule",
        "indicatorsource",
        "programmecategory",
        "partneragreement",
        "educationalprogramme",
        "programmecohort",
    ],
)
def test_the_admin_lists_and_opens_each_model(order_plan: Any, client: Any, make_user: Any, name: str) -> None:
    college = OrganizationFactory()
    from indicators.models import Indicator

    actual = approved_actual(Indicator.objects.get(code="3"), college, 5)
    EducationalProgrammeFactory(developer=college)
    client.force_login(make_user("admin"))
    assert client.get(reverse(f"admin:indicators_{name}_changelist")).status_code == 200
    assert client.get(reverse(f"admin:indicators_{name}_add")).status_code in (200, 403)
    if name == "actual":
        assert client.get(reverse("admin:indicators_actual_change", args=[actual.pk])).status_code == 200


def test_the_admin_bulk_approves_through_the_service(order_plan: Any, client: Any, make_user: Any) -> None:
    from indicators import services
    from indicators.models import Actual, Indicator
    from indicators.tests.factories import NOW

    college = OrganizationFactory()
    copp = make_user("copp")
    actual = services.actual_submit(
        actual=services.actual_create(
            indicator=Indicator.objects.get(code="3"), year=2024, organization=college, value=5, user=copp, now=NOW
        ),
        user=copp,
        now=NOW,
    )
    admin = make_user("admin")
    client.force_login(admin)
    response = client.post(
        reverse("admin:indicators_actual_changelist"),
        {"action": "approve_selected", "_selected_action": [actual.pk]},
    )
    assert response.status_code == 302
    actual.refresh_from_db()
    assert (actual.status, actual.approved_by) == (Actual.Status.APPROVED, admin)


@pytest.mark.parametrize("role", ["copp", "admin"])
def test_it_offers_every_active_organisation_to_staff_entering_values(role: str, db: Any) -> None:
    from indicators.permissions import actual_organization_choices

    own, other = OrganizationFactory(), OrganizationFactory()
    OrganizationFactory(is_active=False)
    user = UserFactory(role=role, organization=own)
    assert set(actual_organization_choices(user)) == {own, other}


def test_it_offers_a_coordinator_only_their_own_organisation_for_values(db: Any) -> None:
    from indicators.permissions import actual_organization_choices

    own = OrganizationFactory()
    OrganizationFactory()
    assert list(actual_organization_choices(UserFactory(role="coordinator", organization=own))) == [own]


@pytest.mark.parametrize("role", ["ministry", None])
def test_it_offers_reviewers_and_users_without_a_role_no_organisation_for_values(role: str | None, db: Any) -> None:
    from indicators.permissions import actual_organization_choices

    user = UserFactory(role=role, organization=OrganizationFactory())
    assert not actual_organization_choices(user).exists()
    assert not actual_organization_choices(AnonymousUser()).exists()

"""The registries' API writes through indicators.registries: same rules, 409 for a protected delete."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from indicators.models import EducationalProgramme, PartnerAgreement
from indicators.tests.factories import EducationalProgrammeFactory, PartnerAgreementFactory, ProgrammeCohortFactory
from roadmap.tests.factories import OrganizationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def college() -> Any:
    return OrganizationFactory()


@pytest.fixture
def as_coordinator(api_client: Any, make_user: Any, college: Any) -> Any:
    api_client.force_authenticate(make_user("coordinator", organization=college))
    return api_client


def test_it_answers_409_with_the_reason_for_a_programme_with_cohorts(
    order_plan: Any, as_coordinator: Any, college: Any
) -> None:
    programme = EducationalProgrammeFactory(developer=college)
    ProgrammeCohortFactory(programme=programme)
    response = as_coordinator.delete(f"/api/v1/programmes/{programme.pk}/")
    assert response.status_code == 409
    assert list(response.json()) == ["detail"] and "нельзя удалить" in response.json()["detail"]
    assert EducationalProgramme.objects.filter(pk=programme.pk).exists()
    bare = EducationalProgrammeFactory(developer=college)
    assert as_coordinator.delete(f"/api/v1/programmes/{bare.pk}/").status_code == 204


def test_it_checks_the_dates_of_an_edited_agreement(as_coordinator: Any, college: Any) -> None:
    agreement = PartnerAgreementFactory(organization=college)
    response = as_coordinator.patch(
        f"/api/v1/partner-agreements/{agreement.pk}/", {"valid_to": "2020-01-01"}, format="json"
    )
    assert (response.status_code, list(response.json())) == (400, ["valid_to"])
    response = as_coordinator.patch(
        f"/api/v1/partner-agreements/{agreement.pk}/", {"subject": "Практика"}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["subject"] == "Практика" and response.json()["organization"] == college.pk
    agreement.refresh_from_db()
    assert agreement.history.first().history_user.organization == college


def test_it_keeps_an_agreement_with_its_holder(as_coordinator: Any, college: Any) -> None:
    agreement = PartnerAgreementFactory(organization=college)
    response = as_coordinator.patch(
        f"/api/v1/partner-agreements/{agreement.pk}/", {"organization": OrganizationFactory().pk}, format="json"
    )
    assert response.status_code == 403
    assert PartnerAgreement.objects.get(pk=agreement.pk).organization == college
    assert as_coordinator.delete(f"/api/v1/partner-agreements/{agreement.pk}/").status_code == 204


@pytest.mark.parametrize("path", ["partner-agreements", "programmes", "programme-cohorts"])
def test_every_listed_record_is_its_detail_answer(order_plan: Any, api_client: Any, make_user: Any, path: str) -> None:
    """The lists read values() rows (``copp.value_rows``), the detail the serializer over
    model instances: the same answer, nulls, dates and related names included."""
    college = OrganizationFactory()
    PartnerAgreementFactory(organization=college, valid_to=dt.date(2025, 12, 31), activity=None)
    PartnerAgreementFactory(organization=college)
    for programme in (EducationalProgrammeFactory(developer=college), EducationalProgrammeFactory(developer=college)):
        ProgrammeCohortFactory(programme=programme)
    api_client.force_authenticate(make_user("ministry"))
    rows, url = [], f"/api/v1/{path}/?limit=1"
    while url:  # through the cursors too
        page = api_client.get(url).json()
        rows += page["results"]
        url = page["next"]
    assert len(rows) >= 2
    for row in rows:
        assert row == api_client.get(f"/api/v1/{path}/{row['id']}/").json()

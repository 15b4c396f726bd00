"""Registry services: one write path for agreements, programmes and cohorts (API, admin, imports)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from indicators import registries
from indicators.models import EducationalProgramme, PartnerAgreement, ProgrammeCategory, ProgrammeCohort
from indicators.tests.factories import (
    EducationalProgrammeFactory,
    PartnerAgreementFactory,
    PartnerFactory,
    ProgrammeCohortFactory,
)
from roadmap.events.limits import MAX_PARTICIPANTS
from roadmap.tests.factories import OrganizationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def college() -> Any:
    return OrganizationFactory()


@pytest.fixture
def coordinator(make_user: Any, college: Any) -> Any:
    return make_user("coordinator", organization=college)


def agreement_values(holder: Any, **extra: Any) -> dict[str, Any]:
    return {
        "partner": PartnerFactory(),
        "organization": holder,
        "number": "15/С",
        "date": dt.date(2024, 2, 1),
        "valid_from": dt.date(2024, 2, 1),
        "valid_to": dt.date(2026, 12, 31),
        "subject": "О сотрудничестве",
    } | extra


# --- single records --------------------------------------------------------------------------


def test_it_registers_an_agreement_for_the_holder_with_history(coordinator: Any, college: Any) -> None:
    agreement = registries.agreement_create(user=coordinator, **agreement_values(college))
    assert agreement.created_by == coordinator
    assert agreement.history.get().history_user == coordinator
    with pytest.raises(PermissionDenied):
        registries.agreement_create(user=coordinator, **agreement_values(OrganizationFactory()))


def test_it_refuses_an_agreement_ending_before_it_starts(coordinator: Any, college: Any) -> None:
    with pytest.raises(ValidationError) as refused:
        registries.agreement_create(user=coordinator, **agreement_values(college, valid_to=dt.date(2023, 1, 1)))
    assert list(refused.value.message_dict) == ["valid_to"]
    assert not PartnerAgreement.objects.exists()


def test_it_refuses_a_date_from_another_millennium(coordinator: Any, college: Any) -> None:
    with pytest.raises(ValidationError) as refused:
        registries.agreement_create(user=coordinator, **agreement_values(college, date=dt.date(540, 1, 7)))
    assert list(refused.value.message_dict) == ["date"]


def test_it_refuses_a_duplicate_by_field_or_record(coordinator: Any, college: Any) -> None:
    values = agreement_values(college)
    registries.agreement_create(user=coordinator, **values)
    with pytest.raises(ValidationError):
        registries.agreement_create(user=coordinator, **values | {"partner": PartnerFactory()})
    assert PartnerAgreement.objects.count() == 1


def test_it_checks_the_stored_holder_and_the_new_one_on_update(coordinator: Any, college: Any) -> None:
    own = PartnerAgreementFactory(organization=college)
    foreign = PartnerAgreementFactory()
    with pytest.raises(PermissionDenied):  # moving one's own agreement to another holder
        registries.agreement_update(user=coordinator, agreement=own, organization=foreign.organization)
    foreign.organization = college  # a door that changed its copy before calling (an admin form)
    with pytest.raises(PermissionDenied):
        registries.agreement_update(user=coordinator, agreement=foreign, subject="Чужое")
    updated = registries.agreement_update(user=coordinator, agreement=own, subject="Новый предмет")
    assert updated.subject == "Новый предмет"
    assert updated.history.first().history_user == coordinator
    assert PartnerAgreement.objects.get(pk=foreign.pk).subject != "Чужое"


def test_it_refuses_a_programme_of_no_hours_or_of_a_million(order_plan: Any, coordinator: Any, college: Any) -> None:
    category = ProgrammeCategory.objects.get(key="industry")
    for hours in (0, 1_000_000):
        with pytest.raises(ValidationError) as refused:
            registries.programme_create(
                user=coordinator,
                name="Сварщик",
                category=category,
                developer=college,
                approved_on=dt.date(2024, 4, 1),
                hours=hours,
            )
        assert list(refused.value.message_dict) == ["hours"]
    programme = registries.programme_create(
        user=coordinator,
        name="Сварщик",
        category=category,
        developer=college,
        approved_on=dt.date(2024, 4, 1),
        hours=144,
    )
    assert programme.created_by == coordinator


def test_it_lets_only_the_developer_register_cohorts(order_plan: Any, coordinator: Any, college: Any) -> None:
    own = EducationalProgrammeFactory(developer=college)
    foreign = EducationalProgrammeFactory()
    cohort = registries.cohort_create(user=coordinator, programme=own, year=2024, completed=12)
    assert cohort.history.get().history_user == coordinator
    with pytest.raises(PermissionDenied):
        registries.cohort_create(user=coordinator, programme=foreign, year=2024, completed=12)
    with pytest.raises(PermissionDenied):  # nor move one's cohort onto another developer's programme
        registries.cohort_update(user=coordinator, cohort=cohort, programme=foreign)
    with pytest.raises(ValidationError) as refused:
        registries.cohort_update(user=coordinator, cohort=cohort, completed=MAX_PARTICIPANTS + 1)
    assert list(refused.value.message_dict) == ["completed"]


def test_it_refuses_to_delete_a_programme_with_cohorts_with_the_reason(
    order_plan: Any, coordinator: Any, college: Any
) -> None:
    programme = EducationalProgrammeFactory(developer=college)
    cohort = ProgrammeCohortFactory(programme=programme)
    with pytest.raises(registries.ProtectedRecord) as refused:
        registries.programme_delete(user=coordinator, programme=programme)
    assert "нельзя удалить" in refused.value.message and "выпуски (1)" in refused.value.message
    assert EducationalProgramme.objects.filter(pk=programme.pk).exists()
    registries.cohort_delete(user=coordinator, cohort=cohort)
    programme_id = programme.pk
    registries.programme_delete(user=coordinator, programme=programme)
    assert not EducationalProgramme.objects.filter(pk=programme_id).exists()
    deleted = EducationalProgramme.history.filter(id=programme_id).first()
    assert (deleted.history_type, deleted.history_user) == ("-", coordinator)


def test_it_lets_no_one_else_delete(order_plan: Any, coordinator: Any, make_user: Any) -> None:
    cohort = ProgrammeCohortFactory()
    for user in (coordinator, make_user("ministry")):
        with pytest.raises(PermissionDenied):
            registries.cohort_delete(user=user, cohort=cohort)
    assert ProgrammeCohort.objects.filter(pk=cohort.pk).exists()


# --- bulk (imports) --------------------------------------------------------------------------


def import_rows(holder: Any, partner: Any, n: int, *, start: int = 0) -> list[registries.RegistryRow]:
    return [
        registries.RegistryRow(
            values={
                "organization_id": holder.pk,
                "partner_id": partner.pk,
                "number": f"{i}/24",
                "date": dt.date(2024, 3, 1),
                "valid_from": dt.date(2024, 3, 1),
                "valid_to": None,
                "subject": "Практика",
                "activity_id": None,
            },
            label=i + 2,
        )
        for i in range(start, start + n)
    ]


@pytest.mark.parametrize("n", [3, 30])
def test_it_imports_agreements_in_a_fixed_number_of_queries(coordinator: Any, college: Any, n: int) -> None:
    partner = PartnerFactory()
    existing = [PartnerAgreementFactory(organization=college, partner=partner, number=f"old-{i}") for i in range(n)]
    coordinator.groups.all()  # the roles are read once per user, not per row
    rows = import_rows(college, partner, n) + [
        registries.RegistryRow(values={"subject": "Изменено"}, record=agreement) for agreement in existing
    ]
    with CaptureQueriesContext(connection) as queries:
        result = registries.agreements_import(user=coordinator, rows=rows)
    assert (len(result.created), len(result.updated)) == (n, n)
    # roles, then per kind of write: the rows and their history (savepoint queries aside)
    assert len([q for q in queries.captured_queries if "SAVEPOINT" not in q["sql"]]) <= 6
    assert PartnerAgreement.objects.filter(subject="Изменено").count() == n
    created = PartnerAgreement.objects.get(number="1/24")
    assert (created.created_by, created.history.get().history_user) == (coordinator, coordinator)
    assert PartnerAgreement.history.filter(history_type="~").count() == n


def test_it_imports_nothing_when_a_row_breaks_a_rule(coordinator: Any, college: Any) -> None:
    partner = PartnerFactory()
    rows = import_rows(college, partner, 3)
    rows[1].values["valid_to"] = dt.date(2020, 1, 1)
    with pytest.raises(registries.RowsInvalid) as refused:
        registries.agreements_import(user=coordinator, rows=rows)
    assert list(refused.value.rows) == [3]
    assert list(refused.value.rows[3]) == ["valid_to"]
    assert not PartnerAgreement.objects.exists()
    with pytest.raises(PermissionDenied):
        registries.agreements_import(user=coordinator, rows=import_rows(OrganizationFactory(), partner, 1))
    assert not PartnerAgreement.objects.exists()


def test_it_tells_a_dry_run_what_is_wrong_without_a_query(order_plan: Any, college: Any) -> None:
    programme = EducationalProgramme(
        name="x" * 10, category_id=1, developer_id=college.pk, approved_on=dt.date(2024, 1, 1), hours=0, form="nonsense"
    )
    with CaptureQueriesContext(connection) as queries:
        errors = registries.registry_errors(programme)
    assert set(errors) == {"hours", "form"}
    assert queries.captured_queries == []

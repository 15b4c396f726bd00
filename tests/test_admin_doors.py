"""The admin is a door like the others: domain records change only through their services.

* Events, event reports, evidence and actual values are read-only in the
  admin, including django-simple-history's "revert" form (which saves after
  checking only the right to view).
* django-import-export imports only reference data; a new admin that
  imports anything else fails here.
* Registries and targets are written by the admin through their services.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib import admin
from django.urls import reverse
from import_export.admin import ImportMixin

from indicators.models import Actual, EducationalProgramme, Indicator, PartnerAgreement, Target
from indicators.tests.factories import (
    EducationalProgrammeFactory,
    PartnerAgreementFactory,
    PartnerFactory,
    ProgrammeCohortFactory,
    approved_actual,
)
from roadmap.models import Event, EventReport, EvidenceFile
from roadmap.tests.event_factories import EventReportFactory
from roadmap.tests.factories import OrganizationFactory

pytestmark = pytest.mark.django_db

# Reference data whose rules are plain validation: the only admin imports.
REFERENCE_IMPORTS = {"roadmap.Organization"}
SERVICE_ONLY = (Event, EventReport, Actual)


@pytest.fixture
def superuser(client: Any, make_user: Any) -> Any:
    user = make_user("admin")
    client.force_login(user)
    return user


def test_it_imports_only_reference_data_in_the_admin() -> None:
    importing = {m._meta.label for m, a in admin.site._registry.items() if isinstance(a, ImportMixin)}
    assert importing <= REFERENCE_IMPORTS


def complete_form(page: Any) -> dict[str, Any]:
    """The data the admin form on a page would post as it stands (every field filled in)."""
    form = page.context["adminform"].form
    data = {}
    for name, field in form.fields.items():
        value = form[name].value()
        if value is None:
            continue
        data[name] = value if not isinstance(value, (list, tuple)) else list(value)
        if hasattr(field, "widget") and field.widget.__class__.__name__ == "SplitDateTimeWidget":
            data.pop(name)
            data[f"{name}_0"], data[f"{name}_1"] = [*str(value).split(" "), ""][:2]
    return data


@pytest.mark.parametrize("model", SERVICE_ONLY, ids=lambda m: m._meta.label)
def test_it_offers_no_add_change_or_delete_of_domain_records(rf: Any, superuser: Any, model: Any) -> None:
    request = rf.get("/")
    request.user = superuser
    model_admin = admin.site._registry[model]
    assert model_admin.has_view_permission(request)
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request)
    assert not model_admin.has_delete_permission(request)
    for inline in model_admin.get_inline_instances(request):
        assert not (
            inline.has_add_permission(request, None)
            or inline.has_change_permission(request)
            or inline.has_delete_permission(request)
        )


def test_it_refuses_changes_to_an_event_on_every_admin_form(client: Any, superuser: Any) -> None:
    report = EventReportFactory()
    event = report.event
    before = (event.title, event.version, report.participants_total, EvidenceFile.objects.count())
    page = client.get(reverse("admin:roadmap_event_change", args=[event.pk]))
    assert page.status_code == 200 and reverse("event_detail", args=[event.pk]) in page.content.decode()
    body = {
        "title": "Изменено в админке",
        "activity": event.activity_id,
        "organizer": event.organizer_id,
        "start_date": "2026-03-11",
        "end_date": "2026-03-11",
    }
    assert client.post(reverse("admin:roadmap_event_change", args=[event.pk]), body).status_code == 403
    for url, change in (
        (f"/admin/roadmap/event/{event.pk}/history/{event.history.first().history_id}/", {"title": "Изменено"}),
        (
            f"/admin/roadmap/eventreport/{report.pk}/history/{report.history.first().history_id}/",
            {"participants_total": 99999},
        ),
    ):
        page = client.get(url)
        assert page.status_code == 200  # old versions can be looked at
        assert client.post(url, complete_form(page) | change).status_code == 403
    assert (
        client.post(reverse("admin:roadmap_eventreport_delete", args=[report.pk]), {"post": "yes"}).status_code == 403
    )
    event.refresh_from_db()
    report.refresh_from_db()
    assert (event.title, event.version, report.participants_total, EvidenceFile.objects.count()) == before


def test_it_refuses_edits_of_actual_values_but_approves_through_the_service(
    order_plan: Any, client: Any, superuser: Any
) -> None:
    actual = approved_actual(Indicator.objects.get(code="3"), OrganizationFactory(), 5)
    response = client.post(reverse("admin:indicators_actual_change", args=[actual.pk]), {"value_number": 50})
    assert response.status_code == 403
    actual.refresh_from_db()
    assert actual.value == 5


# --- registries: through indicators.registries -------------------------------------------------


def agreement_form(holder: Any, **extra: Any) -> dict[str, Any]:
    return {
        "partner": PartnerFactory().pk,
        "organization": holder.pk,
        "number": "7/А",
        "date": "2024-02-01",
        "valid_from": "2024-02-01",
        "valid_to": "",
        "subject": "Практика",
    } | extra


def test_it_registers_an_agreement_in_the_admin_through_the_service(client: Any, superuser: Any) -> None:
    holder = OrganizationFactory()
    url = reverse("admin:indicators_partneragreement_add")
    refused = client.post(url, agreement_form(holder, valid_to="2020-01-01"))
    assert refused.status_code == 200 and "раньше" in refused.content.decode()
    refused = client.post(url, agreement_form(holder, date="1000-01-01"))
    assert refused.status_code == 200 and "вне допустимого диапазона" in refused.content.decode()
    assert not PartnerAgreement.objects.exists()
    assert client.post(url, agreement_form(holder)).status_code == 302
    agreement = PartnerAgreement.objects.get()
    assert agreement.created_by == superuser and agreement.history.get().history_user == superuser
    change = reverse("admin:indicators_partneragreement_change", args=[agreement.pk])
    assert (
        client.post(
            change, agreement_form(holder, subject="Стажировки") | {"partner": agreement.partner_id}
        ).status_code
        == 302
    )
    agreement.refresh_from_db()
    assert agreement.subject == "Стажировки"
    old = agreement.history.last()
    revert = client.post(
        f"{change.removesuffix('change/')}history/{old.history_id}/",
        agreement_form(holder) | {"partner": agreement.partner_id},
    )
    assert revert.status_code == 302
    agreement.refresh_from_db()
    assert agreement.subject == "Практика" and agreement.history.first().history_user == superuser


def test_it_keeps_a_programme_with_cohorts_in_the_admin(order_plan: Any, client: Any, superuser: Any) -> None:
    programme = EducationalProgrammeFactory()
    ProgrammeCohortFactory(programme=programme)
    bare = EducationalProgrammeFactory()
    response = client.post(
        reverse("admin:indicators_educationalprogramme_changelist"),
        {"action": "delete_selected", "_selected_action": [programme.pk, bare.pk], "post": "yes"},
    )
    assert response.status_code == 200  # Django's own page: protected objects, nothing deleted
    assert EducationalProgramme.objects.filter(pk__in=[programme.pk, bare.pk]).count() == 2
    response = client.post(reverse("admin:indicators_educationalprogramme_delete", args=[bare.pk]), {"post": "yes"})
    assert response.status_code == 302
    assert not EducationalProgramme.objects.filter(pk=bare.pk).exists()
    assert EducationalProgramme.history.filter(id=bare.pk, history_type="-").get().history_user == superuser


def test_it_registers_records_only_for_the_holder_a_staff_coordinator_acts_for(client: Any, make_user: Any) -> None:
    college = OrganizationFactory()
    coordinator = make_user("coordinator", organization=college, is_staff=True)
    client.force_login(coordinator)
    foreign = PartnerAgreementFactory()
    url = reverse("admin:indicators_partneragreement_change", args=[foreign.pk])
    response = client.post(url, agreement_form(college) | {"partner": foreign.partner_id})
    assert (response.status_code, response["Location"]) == (302, "/admin/")  # another's record is not found
    assert PartnerAgreement.objects.get(pk=foreign.pk).organization == foreign.organization
    own = PartnerAgreementFactory(organization=college)
    url = reverse("admin:indicators_partneragreement_change", args=[own.pk])
    other = OrganizationFactory()
    assert client.post(url, agreement_form(other) | {"partner": own.partner_id}).status_code == 403
    assert PartnerAgreement.objects.get(pk=own.pk).organization == college


# --- targets: through indicators.targets, with the reason -------------------------------------


def test_it_corrects_a_target_with_a_reason_and_keeps_it_in_history(
    order_plan: Any, client: Any, superuser: Any
) -> None:
    target = Target.objects.get(indicator__code="8", year=2025)
    url = reverse("admin:indicators_target_change", args=[target.pk])
    body = {"value_number": "66", "value_bool": "unknown"}
    for refused in (body, body | {"value_number": str(10**13), "reason": "опечатка"}):
        response = client.post(url, refused)
        assert response.status_code == 200, "refused with the form's errors"
    target.refresh_from_db()
    assert target.value == 65
    assert client.post(url, body | {"reason": "приказ № 5 от 01.02.2025"}).status_code == 302
    target.refresh_from_db()
    last = target.history.first()
    assert (target.value, last.history_user, last.history_change_reason) == (66, superuser, "приказ № 5 от 01.02.2025")
    boolean = Target.objects.filter(indicator__value_type="boolean").first()
    response = client.post(
        reverse("admin:indicators_target_change", args=[boolean.pk]),
        {"value_number": "3", "value_bool": "true", "reason": "x"},
    )
    assert response.status_code == 200
    assert Target.objects.get(pk=boolean.pk).value_number is None


def test_it_shows_a_staff_coordinator_only_their_organisations_rows(
    order_plan: Any, client: Any, make_user: Any
) -> None:
    college = OrganizationFactory()
    client.force_login(make_user("coordinator", organization=college, is_staff=True))
    own, foreign = PartnerAgreementFactory(organization=college), PartnerAgreementFactory()
    page = client.get(reverse("admin:indicators_partneragreement_changelist")).content.decode()
    assert own.number in page and foreign.number not in page
    assert client.get(reverse("admin:indicators_partneragreement_change", args=[foreign.pk])).status_code == 302
    own_report, foreign_report = EventReportFactory(event__organizer=college), EventReportFactory()
    page = client.get(reverse("admin:roadmap_event_changelist")).content.decode()
    assert own_report.event.title in page and foreign_report.event.title not in page
    actual = approved_actual(Indicator.objects.get(code="3"), OrganizationFactory(), 5)
    assert client.get(reverse("admin:indicators_actual_change", args=[actual.pk])).status_code == 302

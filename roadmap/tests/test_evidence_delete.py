"""Deleting an evidence file: the event page's button, the API's DELETE, and nothing through the admin."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib import admin
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import RequestFactory

from roadmap.accounts.roles import Role
from roadmap.events import services
from roadmap.events.admin import EvidenceInline
from roadmap.models import EventReport, EvidenceFile
from roadmap.tests.event_factories import EventFactory, EventReportFactory
from roadmap.tests.factories import OrganizationFactory, UserFactory
from roadmap.tests.test_evidence import image


@pytest.fixture
def report(db: Any, settings: Any, tmp_path: Any) -> EventReport:
    settings.MEDIA_ROOT = str(tmp_path)
    return EventReportFactory(event=EventFactory())


@pytest.fixture
def evidence(report: EventReport) -> EvidenceFile:
    upload = SimpleUploadedFile("фото.png", image("PNG"), "image/png")
    return services.evidence_add(user=None, report=report, upload=upload, kind="photo")


@pytest.fixture
def coordinator(report: EventReport) -> Any:
    return UserFactory(role=Role.COORDINATOR, organization=report.event.organizer)


def stored(evidence: EvidenceFile) -> bool:
    return evidence.file.storage.exists(evidence.file.name)


def accept(report: EventReport) -> None:
    EventReport.objects.filter(pk=report.pk).update(status=EventReport.Status.ACCEPTED)


# --- the event page --------------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.COORDINATOR, Role.COPP])
def test_it_deletes_a_file_from_the_event_page_and_keeps_the_deletion_in_the_history(
    role: Role, report: EventReport, evidence: EvidenceFile, client: Any, django_capture_on_commit_callbacks: Any
) -> None:
    user = UserFactory(role=role, organization=report.event.organizer)
    client.force_login(user)
    page = client.get(f"/events/{report.event_id}/").content.decode()
    assert f'action="/evidence/{evidence.pk}/delete/"' in page and "data-confirm=" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/evidence/{evidence.pk}/delete/")
    assert response.status_code == 302 and response["Location"] == f"/events/{report.event_id}/"
    assert not EvidenceFile.objects.filter(pk=evidence.pk).exists()
    assert not stored(evidence)
    deleted = EvidenceFile.history.get(id=evidence.pk, history_type="-")
    assert (deleted.history_user, deleted.original_name) == (user, "фото.png")
    page = client.get(f"/events/{report.event_id}/").content.decode()
    assert "фото.png" in page  # in the history, no longer in the list
    assert f'action="/evidence/{evidence.pk}/delete/"' not in page


def test_it_refuses_to_delete_a_file_of_an_accepted_report(
    report: EventReport, evidence: EvidenceFile, coordinator: Any, client: Any, django_capture_on_commit_callbacks: Any
) -> None:
    accept(report)
    client.force_login(coordinator)
    assert f"/evidence/{evidence.pk}/delete/" not in client.get(f"/events/{report.event_id}/").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/evidence/{evidence.pk}/delete/", follow=True)
    assert "Отчёт уже принят: файлы к нему не удаляются." in response.content.decode()
    assert EvidenceFile.objects.filter(pk=evidence.pk).exists() and stored(evidence)
    assert not EvidenceFile.history.filter(id=evidence.pk, history_type="-").exists()


def test_another_organisation_does_not_find_the_file_and_a_reader_may_not_delete_it(
    report: EventReport, evidence: EvidenceFile, client: Any
) -> None:
    client.force_login(UserFactory(role=Role.COORDINATOR, organization=OrganizationFactory()))
    assert client.post(f"/evidence/{evidence.pk}/delete/").status_code == 404
    ministry = UserFactory(role=Role.MINISTRY)
    client.force_login(ministry)
    assert f"/evidence/{evidence.pk}/delete/" not in client.get(f"/events/{report.event_id}/").content.decode()
    assert client.post(f"/evidence/{evidence.pk}/delete/").status_code == 403
    assert EvidenceFile.objects.filter(pk=evidence.pk).exists() and stored(evidence)


def test_it_deletes_only_by_post(evidence: EvidenceFile, coordinator: Any, client: Any) -> None:
    client.force_login(coordinator)
    assert client.get(f"/evidence/{evidence.pk}/delete/").status_code == 405
    assert EvidenceFile.objects.filter(pk=evidence.pk).exists()


def test_a_second_delete_of_the_same_file_is_told_it_is_gone(
    report: EventReport, evidence: EvidenceFile, coordinator: Any
) -> None:
    services.evidence_delete(user=coordinator, evidence=evidence)
    with pytest.raises(services.Conflict):
        services.evidence_delete(user=coordinator, evidence=evidence)


def test_a_rolled_back_deletion_keeps_the_stored_file(
    evidence: EvidenceFile, coordinator: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError), transaction.atomic():
        services.evidence_delete(user=coordinator, evidence=evidence)
        raise RuntimeError("a later step failed")
    assert EvidenceFile.objects.filter(pk=evidence.pk).exists() and stored(evidence)


# --- the API -----------------------------------------------------------------------------------


def test_the_api_deletes_while_the_report_is_open_and_answers_409_once_accepted(
    report: EventReport, coordinator: Any, api_client: Any, django_capture_on_commit_callbacks: Any
) -> None:
    first, second = (
        services.evidence_add(user=None, report=report, upload=SimpleUploadedFile(n, image("PNG"), "image/png"))
        for n in ("a.png", "b.png")
    )
    api_client.force_authenticate(coordinator)
    url = f"/api/v1/events/{report.event_id}/report/evidence/{{}}/"
    with django_capture_on_commit_callbacks(execute=True):
        assert api_client.delete(url.format(first.pk)).status_code == 204
    assert not EvidenceFile.objects.filter(pk=first.pk).exists() and not stored(first)
    assert api_client.delete(url.format(first.pk)).status_code == 404
    accept(report)
    refused = api_client.delete(url.format(second.pk))
    assert refused.status_code == 409
    assert refused.json() == {"detail": "Отчёт уже принят: файлы к нему не удаляются."}
    assert EvidenceFile.objects.filter(pk=second.pk).exists() and stored(second)


def test_the_api_hides_another_organisations_file_and_refuses_readers(
    report: EventReport, evidence: EvidenceFile, api_client: Any
) -> None:
    url = f"/api/v1/events/{report.event_id}/report/evidence/{evidence.pk}/"
    api_client.force_authenticate(UserFactory(role=Role.COORDINATOR, organization=OrganizationFactory()))
    assert api_client.delete(url).status_code == 404
    api_client.force_authenticate(UserFactory(role=Role.MINISTRY))
    assert api_client.delete(url).status_code == 403
    other = EventReportFactory(event=EventFactory(organizer=report.event.organizer))
    api_client.force_authenticate(UserFactory(role=Role.COORDINATOR, organization=report.event.organizer))
    assert api_client.delete(f"/api/v1/events/{other.event_id}/report/evidence/{evidence.pk}/").status_code == 404
    assert EvidenceFile.objects.filter(pk=evidence.pk).exists()


# --- the admin ---------------------------------------------------------------------------------


def test_the_admin_offers_no_door_to_delete_evidence(evidence: EvidenceFile) -> None:
    assert EvidenceFile not in admin.site._registry
    request = RequestFactory().get("/admin/")
    request.user = UserFactory(role=Role.ADMIN)
    inline = EvidenceInline(EventReport, admin.site)
    assert not inline.has_delete_permission(request, evidence.report)

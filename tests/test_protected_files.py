"""Uploaded files are served only through views that check permissions (copp.files).

Every FileField links to ``/files/<name>``; the view finds the record that
owns the name among those the user may see (evidence, built reports, import
files) and answers 404 otherwise. Behind nginx it answers with
``X-Accel-Redirect``; always with ``nosniff``. The evidence preview shows only
images and PDFs sniffed from the bytes, sandboxed.
"""

from __future__ import annotations

import io
from typing import Any
from urllib.parse import unquote

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from copp.files import content_disposition, serve_file
from reports.models import ImportJob, ReportFile
from roadmap.accounts.roles import Role
from roadmap.events import services
from roadmap.models import EventReport, EvidenceFile
from roadmap.tests.event_factories import EventFactory, EventReportFactory
from roadmap.tests.factories import OrganizationFactory, PlanFactory, UserFactory


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 6), "red").save(out, "PNG")
    return out.getvalue()


def body(response: Any) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = str(tmp_path)
    settings.MEDIA_ACCEL_REDIRECT = ""


@pytest.fixture
def report(db: Any) -> EventReport:
    return EventReportFactory(event=EventFactory())


@pytest.fixture
def evidence(report: EventReport) -> EvidenceFile:
    upload = SimpleUploadedFile("фото отчёта.png", png(), "image/png")
    return services.evidence_add(user=None, report=report, upload=upload, kind="photo")


@pytest.fixture
def report_file(db: Any) -> ReportFile:
    copp = UserFactory(role=Role.COPP)
    row = ReportFile(kind="roadmap", plan=PlanFactory(), year=2024, status=ReportFile.Status.DONE, requested_by=copp)
    row.file.save("roadmap.xlsx", ContentFile(b"PK\x03\x04 report"), save=False)
    row.save()
    return row


@pytest.fixture
def import_job(db: Any) -> ImportJob:
    owner = UserFactory(role=Role.COORDINATOR, organization=OrganizationFactory())
    job = ImportJob(kind="events", user=owner, original_name="мероприятия.xlsx", status="ready", payload=[], counts={})
    job.file.save("events.xlsx", ContentFile(b"PK\x03\x04 import"), save=False)
    job.save()
    return job


def client_for(user: Any | None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


# --- /files/<name> for each owner and role ------------------------------------------------------


def test_file_urls_lead_to_the_checked_view_not_to_media(
    evidence: EvidenceFile, report_file: ReportFile, import_job: ImportJob
) -> None:
    for field in (evidence.file, report_file.file, import_job.file):
        assert field.url.startswith("/files/") and "/media/" not in field.url


@pytest.mark.parametrize(
    ("role", "same_org", "status"),
    [
        (Role.COORDINATOR, True, 200),
        (Role.COORDINATOR, False, 404),
        (Role.COPP, False, 200),
        (Role.MINISTRY, False, 200),
        (Role.ADMIN, False, 200),
    ],
)
def test_evidence_is_served_to_those_who_see_the_event(
    role: Role, same_org: bool, status: int, evidence: EvidenceFile, report: EventReport
) -> None:
    organization = report.event.organizer if same_org else OrganizationFactory()
    response = client_for(UserFactory(role=role, organization=organization)).get(evidence.file.url)
    assert response.status_code == status
    assert response["X-Content-Type-Options"] == "nosniff"
    if status == 200:
        assert body(response) == png()
        assert response["Content-Disposition"].startswith("attachment;")
        assert "filename*=UTF-8''%D1%84%D0%BE%D1%82%D0%BE%20" in response["Content-Disposition"]
        assert response["Content-Type"] == "application/octet-stream"


def test_anonymous_visitors_are_sent_to_sign_in(
    evidence: EvidenceFile, report_file: ReportFile, import_job: ImportJob
) -> None:
    for field in (evidence.file, report_file.file, import_job.file):
        response = Client().get(field.url)
        assert response.status_code == 302 and response["Location"].startswith("/login/")


@pytest.mark.parametrize(
    ("role", "status"), [(Role.COORDINATOR, 404), (Role.COPP, 200), (Role.MINISTRY, 200), (Role.ADMIN, 200)]
)
def test_built_reports_are_served_to_those_who_may_request_them(
    role: Role, status: int, report_file: ReportFile
) -> None:
    user = UserFactory(role=role, organization=OrganizationFactory())
    response = client_for(user).get(report_file.file.url)
    assert response.status_code == status
    if status == 200:
        assert body(response) == b"PK\x03\x04 report"
        assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        assert response["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize(("who", "status"), [("owner", 200), ("other", 404), ("copp", 200), ("admin", 200)])
def test_import_files_are_served_to_their_owner_and_the_copp(who: str, status: int, import_job: ImportJob) -> None:
    users = {
        "owner": import_job.user,
        "other": UserFactory(role=Role.COORDINATOR, organization=OrganizationFactory()),
        "copp": UserFactory(role=Role.COPP),
        "admin": UserFactory(role=Role.ADMIN),
    }
    response = client_for(users[who]).get(import_job.file.url)
    assert response.status_code == status
    if status == 200:
        assert body(response) == b"PK\x03\x04 import"
        assert "мероприятия.xlsx" in unquote(response["Content-Disposition"])


@pytest.mark.parametrize(
    "path", ["/files/evidence/0/nothing.png", "/files/elsewhere/x.png", "/files/evidence/../reports/roadmap.xlsx"]
)
def test_names_nobody_owns_are_not_found(path: str, evidence: EvidenceFile) -> None:
    assert client_for(UserFactory(role=Role.ADMIN)).get(path).status_code == 404


# --- nginx: X-Accel-Redirect ---------------------------------------------------------------------


def test_behind_nginx_the_view_answers_with_x_accel_redirect(
    settings: Any, evidence: EvidenceFile, report: EventReport
) -> None:
    settings.MEDIA_ACCEL_REDIRECT = "/protected-media/"
    coordinator = UserFactory(role=Role.COORDINATOR, organization=report.event.organizer)
    for url in (evidence.file.url, f"/evidence/{evidence.pk}/"):
        response = client_for(coordinator).get(url)
        assert response.status_code == 200 and response.content == b""
        assert response["X-Accel-Redirect"].isascii()  # the Cyrillic name is percent-encoded; nginx decodes it
        assert unquote(response["X-Accel-Redirect"]) == "/protected-media/" + evidence.file.name
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Content-Disposition"].startswith("attachment;")
    intruder = UserFactory(role=Role.COORDINATOR, organization=OrganizationFactory())
    response = client_for(intruder).get(evidence.file.url)
    assert response.status_code == 404 and "X-Accel-Redirect" not in response


def test_the_report_download_goes_through_the_same_helper(settings: Any, report_file: ReportFile) -> None:
    settings.MEDIA_ACCEL_REDIRECT = "/protected-media"
    response = client_for(UserFactory(role=Role.COPP)).get(f"/reports/{report_file.pk}/download/")
    assert response["X-Accel-Redirect"] == f"/protected-media/{report_file.file.name}"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_the_disposition_names_the_file_in_ascii_and_in_utf8() -> None:
    assert content_disposition('акт "1".pdf') == (
        "attachment; filename=\"___ _1_.pdf\"; filename*=UTF-8''%D0%B0%D0%BA%D1%82%20%221%22.pdf"
    )
    assert content_disposition("a.png", inline=True).startswith("inline;")


# --- preview -------------------------------------------------------------------------------------


def test_the_preview_shows_an_image_inline_sandboxed(evidence: EvidenceFile, report: EventReport) -> None:
    coordinator = UserFactory(role=Role.COORDINATOR, organization=report.event.organizer)
    response = client_for(coordinator).get(f"/evidence/{evidence.pk}/preview/")
    assert response.status_code == 200 and body(response) == png()
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"].startswith("inline;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"].startswith("sandbox")
    intruder = UserFactory(role=Role.COORDINATOR, organization=OrganizationFactory())
    assert client_for(intruder).get(f"/evidence/{evidence.pk}/preview/").status_code == 404


def test_an_html_file_disguised_as_png_is_never_shown_inline(report: EventReport) -> None:
    # Stored by some other door than the service (which refuses it): the preview still sniffs the bytes.
    html = b"<!doctype html><html><script>alert(document.cookie)</script></html>"
    disguised = EvidenceFile(report=report, original_name="photo.png", size=len(html), content_type="image/png")
    disguised.file.save("photo.png", ContentFile(html), save=False)
    disguised.save()
    coordinator = UserFactory(role=Role.COORDINATOR, organization=report.event.organizer)
    response = client_for(coordinator).get(f"/evidence/{disguised.pk}/preview/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"


def test_the_preview_of_an_office_document_is_a_download(report: EventReport) -> None:
    from roadmap.tests.test_evidence import docx

    upload = SimpleUploadedFile("акт.docx", docx(), "application/octet-stream")
    evidence = services.evidence_add(user=None, report=report, upload=upload, kind="protocol")
    response = serve_file(evidence.file, filename=evidence.original_name, inline=True)
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "Content-Security-Policy" not in response


def test_the_pdf_preview_is_inline(report: EventReport) -> None:
    from roadmap.tests.test_evidence import pdf

    upload = SimpleUploadedFile("протокол.pdf", pdf(), "application/pdf")
    evidence = services.evidence_add(user=None, report=report, upload=upload, kind="protocol")
    response = serve_file(evidence.file, filename=evidence.original_name, inline=True)
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("inline;")
    assert response["X-Content-Type-Options"] == "nosniff"
    # Chromium does not start its PDF viewer in a sandboxed document: no sandbox for a PDF.
    assert "Content-Security-Policy" not in response


# --- the admin ------------------------------------------------------------------------------------


def test_the_admin_links_evidence_at_files_and_the_link_answers(evidence: EvidenceFile, report: EventReport) -> None:
    admin = client_for(UserFactory(role=Role.ADMIN))
    page = admin.get(f"/admin/roadmap/eventreport/{report.pk}/change/").content.decode()
    assert f'href="{evidence.file.url}"' in page and "/media/" not in page
    assert admin.get(evidence.file.url).status_code == 200


def test_the_admin_links_report_and_import_files_at_files(report_file: ReportFile, import_job: ImportJob) -> None:
    admin = client_for(UserFactory(role=Role.ADMIN))
    for url, field in (
        ("/admin/reports/reportfile/", report_file.file),
        (f"/admin/reports/reportfile/{report_file.pk}/change/", report_file.file),
        (f"/admin/reports/importjob/{import_job.pk}/change/", import_job.file),
    ):
        page = admin.get(url).content.decode()
        assert f'href="{field.url}"' in page, url
        assert admin.get(field.url).status_code == 200

"""Several files per upload, each row with its document type: all of them or none."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from roadmap.accounts.roles import Role
from roadmap.errors import Conflict
from roadmap.events import services
from roadmap.events.services import EvidenceUpload
from roadmap.models import EventReport, EvidenceFile
from roadmap.tests.event_factories import EventFactory, EventReportFactory
from roadmap.tests.factories import OrganizationFactory, UserFactory
from roadmap.tests.test_evidence import docx, image, pdf


@pytest.fixture
def report(db: Any, settings: Any, tmp_path: Any) -> EventReport:
    settings.MEDIA_ROOT = str(tmp_path)
    return EventReportFactory(event=EventFactory())


@pytest.fixture
def coordinator(report: EventReport) -> Any:
    return UserFactory(role=Role.COORDINATOR, organization=report.event.organizer)


def photo(name: str = "фото.jpg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, image("JPEG"), "image/jpeg")


def stored_files(tmp_path: Any) -> list[str]:
    return sorted(p.name for p in tmp_path.rglob("*") if p.is_file())


# --- the service ------------------------------------------------------------------------------


def test_it_attaches_every_file_with_its_own_type(report: EventReport, coordinator: Any) -> None:
    added = services.evidence_add_many(
        user=coordinator,
        report=report,
        uploads=[
            EvidenceUpload(photo("1.jpg"), "photo"),
            EvidenceUpload(photo("2.jpg"), "photo"),
            EvidenceUpload(SimpleUploadedFile("протокол.pdf", pdf()), "protocol"),
            EvidenceUpload(SimpleUploadedFile("приказ.docx", docx()), "order"),
        ],
    )
    assert [(e.original_name, e.kind) for e in added] == [
        ("1.jpg", "photo"),
        ("2.jpg", "photo"),
        ("протокол.pdf", "protocol"),
        ("приказ.docx", "order"),
    ]
    assert report.evidence.count() == 4
    assert EvidenceFile.history.filter(report_id=report.pk, history_type="+", history_user=coordinator).count() == 4


def test_one_refused_file_attaches_none_and_names_each_refused_file(
    report: EventReport, coordinator: Any, tmp_path: Any
) -> None:
    with pytest.raises(ValidationError) as refused:
        services.evidence_add_many(
            user=coordinator,
            report=report,
            uploads=[
                EvidenceUpload(photo("good.jpg"), "photo"),
                EvidenceUpload(SimpleUploadedFile("virus.exe", b"MZ" + b"\0" * 100), "other"),
                EvidenceUpload(SimpleUploadedFile("empty.pdf", b""), "protocol"),
            ],
        )
    messages = refused.value.messages
    assert len(messages) == 2
    assert "virus.exe" in messages[0] and "Допустимы фотографии" in messages[0]
    assert "empty.pdf" in messages[1] and "Файл пуст." in messages[1]
    assert report.evidence.count() == 0
    assert stored_files(tmp_path) == []


def test_a_failure_while_storing_removes_the_files_already_written(
    report: EventReport, coordinator: Any, tmp_path: Any, monkeypatch: Any
) -> None:
    calls = {"n": 0}
    save = EvidenceFile.save

    def failing_second_save(self: EvidenceFile, *args: Any, **kwargs: Any) -> None:
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("database went away")
        save(self, *args, **kwargs)

    monkeypatch.setattr(EvidenceFile, "save", failing_second_save)
    with pytest.raises(RuntimeError):
        services.evidence_add_many(
            user=coordinator,
            report=report,
            uploads=[EvidenceUpload(photo("1.jpg"), "photo"), EvidenceUpload(photo("2.jpg"), "photo")],
        )
    assert EvidenceFile.objects.filter(report=report).count() == 0
    assert stored_files(tmp_path) == []


def test_nothing_is_attached_to_an_accepted_report(report: EventReport, coordinator: Any) -> None:
    EventReport.objects.filter(pk=report.pk).update(status=EventReport.Status.ACCEPTED)
    report.refresh_from_db()
    with pytest.raises(Conflict):
        services.evidence_add_many(user=coordinator, report=report, uploads=[EvidenceUpload(photo(), "photo")])
    assert report.evidence.count() == 0


def test_too_many_files_at_once_are_refused(settings: Any, report: EventReport, coordinator: Any) -> None:
    from roadmap.events.limits import MAX_EVIDENCE_FILES

    uploads = [EvidenceUpload(photo(f"{i}.jpg"), "photo") for i in range(MAX_EVIDENCE_FILES + 1)]
    with pytest.raises(ValidationError):
        services.evidence_add_many(user=coordinator, report=report, uploads=uploads)
    assert report.evidence.count() == 0


def test_another_organisation_may_not_attach(report: EventReport) -> None:
    from django.core.exceptions import PermissionDenied

    intruder = UserFactory(role=Role.COORDINATOR, organization=OrganizationFactory())
    with pytest.raises(PermissionDenied):
        services.evidence_add_many(user=intruder, report=report, uploads=[EvidenceUpload(photo(), "photo")])


# --- the event page's form ------------------------------------------------------------------------


def test_the_event_page_offers_a_row_per_document_type(report: EventReport, coordinator: Any, client: Any) -> None:
    client.force_login(coordinator)
    page = client.get(f"/events/{report.event_id}/").content.decode()
    for name in ("kind", "kind_1", "kind_2", "kind_3"):
        assert f'name="{name}"' in page
    for name in ("files", "files_1", "files_2", "files_3"):
        assert f'name="{name}"' in page
    assert page.count("multiple") >= 4


def test_the_event_page_uploads_rows_of_different_types(report: EventReport, coordinator: Any, client: Any) -> None:
    client.force_login(coordinator)
    response = client.post(
        f"/events/{report.event_id}/evidence/",
        {
            "kind": "photo",
            "files": [photo("a.jpg"), photo("b.jpg")],
            "kind_1": "protocol",
            "files_1": [SimpleUploadedFile("протокол.pdf", pdf())],
            "kind_2": "order",
            "kind_3": "other",
        },
        follow=True,
    )
    kinds = sorted(report.evidence.values_list("original_name", "kind"))
    assert kinds == [("a.jpg", "photo"), ("b.jpg", "photo"), ("протокол.pdf", "protocol")]
    page = response.content.decode()
    assert "3 файла прикреплено" in page
    # Images get a thumbnail and a preview link; the PDF a preview link.
    for evidence in report.evidence.all():
        assert f'href="/evidence/{evidence.pk}/preview/"' in page
        assert (f'src="/evidence/{evidence.pk}/preview/"' in page) == (evidence.content_type == "image/jpeg")


def test_the_event_page_attaches_nothing_when_one_file_is_refused(
    report: EventReport, coordinator: Any, client: Any
) -> None:
    client.force_login(coordinator)
    response = client.post(
        f"/events/{report.event_id}/evidence/",
        {
            "kind": "photo",
            "files": [photo("a.jpg")],
            "kind_1": "protocol",
            "files_1": [SimpleUploadedFile("page.pdf", b"<html><script>alert(1)</script></html>")],
        },
        follow=True,
    )
    page = response.content.decode()
    assert report.evidence.count() == 0
    assert "Ни один файл не прикреплён." in page
    assert "Файл «page.pdf» не принят" in page


def test_the_event_page_asks_for_files(report: EventReport, coordinator: Any, client: Any) -> None:
    client.force_login(coordinator)
    response = client.post(f"/events/{report.event_id}/evidence/", {"kind": "photo"}, follow=True)
    assert "Выберите файлы для загрузки." in response.content.decode()


def test_the_report_form_takes_rows_too_and_keeps_the_report_when_a_file_is_refused(
    db: Any, settings: Any, tmp_path: Any, client: Any
) -> None:
    settings.MEDIA_ROOT = str(tmp_path)
    event = EventFactory()
    coordinator = UserFactory(role=Role.COORDINATOR, organization=event.organizer)
    client.force_login(coordinator)
    page = client.get(f"/events/{event.pk}/report/").content.decode()
    assert 'name="files_3"' in page
    response = client.post(
        f"/events/{event.pk}/report/",
        {
            "summary": "Прошло",
            "participants_total": "5",
            "kind": "photo",
            "files": [photo("a.jpg")],
            "kind_2": "order",
            "files_2": [SimpleUploadedFile("bad.docx", docx(content_types=False))],
        },
        follow=True,
    )
    report = EventReport.objects.get(event=event)
    assert report.evidence.count() == 0
    assert "bad.docx" in response.content.decode()

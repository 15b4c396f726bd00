"""Evidence files are checked whole: images decode, PDFs carry nothing active, no HTML tails."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image
from pypdf import PdfWriter
from pypdf.actions import JavaScript
from pypdf.generic import DictionaryObject, NameObject, TextStringObject

from roadmap.events import services
from roadmap.events.evidence import evidence_refusal
from roadmap.tests.event_factories import EventFactory, EventReportFactory
from roadmap.tests.factories import UserFactory

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def image(fmt: str, size: tuple[int, int] = (64, 48), mode: str = "RGB") -> bytes:
    out = io.BytesIO()
    Image.new(mode, size, "white" if mode != "1" else 1).save(out, fmt)
    return out.getvalue()


def pdf(change=None) -> bytes:  # type: ignore[no-untyped-def]
    writer = PdfWriter()
    writer.add_blank_page(200, 200)
    if change is not None:
        change(writer)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def docx(*, content_types: bool = True) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        if content_types:
            archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
        archive.writestr("_rels/.rels", "<Relationships/>")
    return out.getvalue()


# --- what passes -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "mime"),
    [
        (image("JPEG"), "image/jpeg"),
        (image("PNG"), "image/png"),
        (image("WEBP"), "image/webp"),
        (pdf(), "application/pdf"),
        (docx(), DOCX),
    ],
    ids=["jpeg", "png", "webp", "pdf", "docx"],
)
def test_it_accepts_whole_well_formed_files(data: bytes, mime: str) -> None:
    assert evidence_refusal(data, mime) is None


def test_it_accepts_a_pdf_with_an_ordinary_link() -> None:
    def link(writer: PdfWriter) -> None:
        from pypdf.annotations import Link

        writer.add_annotation(0, Link(rect=(10, 10, 50, 50), url="https://copp71.ru"))

    assert evidence_refusal(pdf(link), "application/pdf") is None


# --- images ------------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP"])
def test_it_refuses_an_image_that_does_not_decode_to_the_end(fmt: str) -> None:
    # Varied pixels, so that the cut falls inside the compressed picture, not in padding.
    noisy = Image.frombytes("RGB", (300, 200), bytes(range(256)) * (300 * 200 * 3 // 256) + bytes(300 * 200 * 3 % 256))
    out = io.BytesIO()
    noisy.save(out, fmt)
    whole = out.getvalue()
    cut = whole[: len(whole) * 2 // 3]
    mime = f"image/{fmt.lower()}"
    reason = evidence_refusal(cut, mime)
    assert reason is not None and "повреждено" in reason


def _noisy(size: tuple[int, int]) -> Image.Image:
    count = size[0] * size[1] * 3
    return Image.frombytes("RGB", size, (bytes(range(256)) * (count // 256 + 1))[:count])


def test_it_accepts_a_jpeg_with_a_second_picture_and_checks_both() -> None:
    """Cameras and iPhones (HDR gain maps) write MPO: a JPEG followed by more JPEGs."""
    out = io.BytesIO()
    _noisy((120, 90)).save(out, "MPO", save_all=True, append_images=[_noisy((60, 45))])
    mpo = out.getvalue()
    assert mpo[:3] == b"\xff\xd8\xff"
    assert evidence_refusal(mpo, "image/jpeg") is None
    second = mpo.rfind(b"\xff\xd8\xff")
    broken = mpo[: second + (len(mpo) - second) // 2]  # the second picture cut short
    assert "повреждено" in (evidence_refusal(broken, "image/jpeg") or "")


def test_it_decodes_every_frame_of_an_animation_within_the_budget(settings) -> None:  # type: ignore[no-untyped-def]
    out = io.BytesIO()
    frames = [_noisy((100, 100)).rotate(90 * n) for n in range(3)]  # identical frames would be merged
    frames[0].save(out, "WEBP", save_all=True, append_images=frames[1:], lossless=True)
    assert evidence_refusal(out.getvalue(), "image/webp") is None
    settings.EVIDENCE_MAX_IMAGE_PIXELS = 25_000  # fewer than three frames of 10,000
    assert "слишком большое" in (evidence_refusal(out.getvalue(), "image/webp") or "")


def test_it_refuses_a_header_with_nothing_behind_it() -> None:
    reason = evidence_refusal(b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "image/png")
    assert reason is not None and "повреждено" in reason


def test_it_refuses_an_image_whose_header_lies_about_its_format() -> None:
    reason = evidence_refusal(image("PNG"), "image/jpeg")
    assert reason is not None


def test_it_refuses_a_decompression_bomb_before_decoding(settings) -> None:  # type: ignore[no-untyped-def]
    bomb = image("PNG", (8000, 8000), "1")  # 64 million pixels in a few kilobytes
    assert len(bomb) < 100_000
    reason = evidence_refusal(bomb, "image/png")
    assert reason is not None and "слишком большое" in reason and "8000×8000" in reason
    settings.EVIDENCE_MAX_IMAGE_PIXELS = 100 * 100
    assert evidence_refusal(image("PNG", (100, 100)), "image/png") is None
    assert "слишком большое" in (evidence_refusal(image("PNG", (101, 100)), "image/png") or "")


def test_it_accepts_a_phone_photo_in_heic_and_refuses_a_damaged_one() -> None:
    photo = image("HEIF", (64, 48))
    assert evidence_refusal(photo, "image/heic") is None
    reason = evidence_refusal(b"\x00\x00\x00\x18ftypheic" + b"\x00" * 64, "image/heic")
    assert reason is not None and "повреждено" in reason
    reason = evidence_refusal(photo[: len(photo) // 2], "image/heic")
    assert reason is not None and "повреждено" in reason


# --- PDF ---------------------------------------------------------------------------------------------


def _open_action_js(writer: PdfWriter) -> None:
    writer.root_object[NameObject("/OpenAction")] = DictionaryObject(
        {NameObject("/S"): NameObject("/JavaScript"), NameObject("/JS"): TextStringObject("app.alert(1)")}
    )


def _names_js(writer: PdfWriter) -> None:
    writer.add_open_action(JavaScript("this.print();"))


def _page_aa(writer: PdfWriter) -> None:
    writer.pages[0][NameObject("/AA")] = DictionaryObject(
        {NameObject("/O"): DictionaryObject({NameObject("/S"): NameObject("/URI")})}
    )


def _launch(writer: PdfWriter) -> None:
    writer.root_object[NameObject("/OpenAction")] = DictionaryObject(
        {NameObject("/S"): NameObject("/Launch"), NameObject("/F"): TextStringObject("calc.exe")}
    )


def _attachment(writer: PdfWriter) -> None:
    writer.add_attachment("smeta.xlsx", b"not really a spreadsheet")


@pytest.mark.parametrize(
    ("change", "words"),
    [
        (_open_action_js, "JavaScript"),
        (_names_js, "JavaScript"),
        (_page_aa, "/AA"),
        (_launch, "запуска программы"),
        (_attachment, "вложенные файлы"),
    ],
    ids=["open-action-js", "names-tree-js", "page-aa", "launch", "embedded-file"],
)
def test_it_refuses_a_pdf_with_active_content(change, words: str) -> None:  # type: ignore[no-untyped-def]
    reason = evidence_refusal(pdf(change), "application/pdf")
    assert reason is not None and words in reason


def test_it_refuses_a_pdf_it_cannot_parse() -> None:
    broken = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n"
    assert evidence_refusal(broken, "application/pdf") == "PDF повреждён: его не удалось прочитать."


def test_it_refuses_a_pdf_locked_with_a_password() -> None:
    def lock(writer: PdfWriter) -> None:
        writer.encrypt(user_password="secret", owner_password="owner")

    reason = evidence_refusal(pdf(lock), "application/pdf")
    assert reason is not None and "паролем" in reason


# --- HTML after the end ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "mime"),
    [
        (image("JPEG"), "image/jpeg"),
        (image("PNG"), "image/png"),
        (image("WEBP"), "image/webp"),
        (pdf(), "application/pdf"),
        (docx(), DOCX),
    ],
    ids=["jpeg", "png", "webp", "pdf", "docx"],
)
@pytest.mark.parametrize(
    "html",
    [b"<html><body>x</body></html>", b"\n<SCRIPT>alert(1)</SCRIPT>", b"<svg onload=alert(1)>", b"<!DOCTYPE html>"],
)
def test_it_refuses_html_after_the_end_of_the_format(data: bytes, mime: str, html: bytes) -> None:
    reason = evidence_refusal(data + html, mime)
    assert reason is not None and "HTML" in reason


def test_it_finds_html_far_behind_the_end_marker() -> None:
    """Padding past the tail window does not hide markup written after the end marker."""
    reason = evidence_refusal(image("PNG") + b"\x00" * 200_000 + b"<script>alert(1)</script>", "image/png")
    assert reason == "После конца файла дописан HTML-код (<script>): такие файлы не принимаются."


def test_it_finds_html_in_the_tail_of_a_format_without_an_end_marker() -> None:
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 4096 + b"<iframe src=//evil>"
    reason = evidence_refusal(ole, "application/msword")
    assert reason is not None and "В конце файла" in reason and "<iframe>" in reason


def test_it_refuses_a_damaged_office_document() -> None:
    assert evidence_refusal(docx(content_types=False), DOCX) == "Документ повреждён: в нём нет обязательных частей."


# --- through the service -----------------------------------------------------------------------


@pytest.fixture
def report(db, settings, tmp_path):  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = str(tmp_path)
    return EventReportFactory(event=EventFactory())


def test_the_service_stores_a_whole_file_and_refuses_a_polyglot_with_its_reason(report) -> None:  # type: ignore[no-untyped-def]
    evidence = services.evidence_add(
        user=None, report=report, upload=SimpleUploadedFile("фото.jpg", image("JPEG"), "image/jpeg"), kind="photo"
    )
    assert evidence.content_type == "image/jpeg"
    with evidence.file.open("rb") as fh:
        assert fh.read() == image("JPEG")
    polyglot = image("JPEG") + b"<html><script>fetch('/api/v1/')</script></html>"
    with pytest.raises(ValidationError) as refused:
        services.evidence_add(user=None, report=report, upload=SimpleUploadedFile("фото2.jpg", polyglot, "image/jpeg"))
    assert refused.value.message_dict == {
        "file": ["После конца файла дописан HTML-код (<html>): такие файлы не принимаются."]
    }
    with pytest.raises(ValidationError) as refused:
        services.evidence_add(
            user=None, report=report, upload=SimpleUploadedFile("akt.pdf", pdf(_attachment), "application/pdf")
        )
    assert "вложенные файлы" in refused.value.message_dict["file"][0]
    assert report.evidence.count() == 1


def test_the_web_form_shows_the_reason(report, client) -> None:  # type: ignore[no-untyped-def]
    from roadmap.accounts.roles import Role

    coordinator = UserFactory(role=Role.COORDINATOR, organization=report.event.organizer)
    client.force_login(coordinator)
    response = client.post(
        f"/events/{report.event_id}/evidence/",
        {"kind": "photo", "files": SimpleUploadedFile("x.png", image("PNG") + b"<svg onload=alert(1)>", "image/png")},
        follow=True,
    )
    assert "HTML-код (&lt;svg&gt;)" in response.content.decode()
    assert report.evidence.count() == 0

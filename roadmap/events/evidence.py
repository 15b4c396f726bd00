"""What a file attached to a report must be: the whole of it, not its first bytes.

``evidence_refusal(data, mime)`` returns a Russian sentence naming why the
file is refused, or ``None``. It runs after the type has been sniffed from
the first bytes (``filetype``) and looks at everything else:

* images must decode to the last pixel (Pillow ``verify()`` then ``load()``),
  within a pixel budget so a small file cannot unpack into gigabytes;
* PDFs must parse (pypdf) and carry no JavaScript, automatic actions,
  program launches or embedded files anywhere reachable from the catalogue
  (open action, names tree, pages, annotations, form fields, outlines);
* office documents in ZIP containers must open as such;
* nothing may carry HTML after the format's own end marker or in its last
  64 KB: such a polyglot is a valid photo to us and a web page to a browser
  that sniffs it.

Pure functions over bytes, no database: the service reads the upload once
(its size is capped before) and calls this.
"""

from __future__ import annotations

import io
import re
import warnings
import zipfile
from collections.abc import Iterator

from django.conf import settings
from PIL import Image
from pillow_heif import register_heif_opener
from pypdf import PdfReader
from pypdf.errors import PyPdfError
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject

# An HTML tag opening: "<" + a name a browser acts on + a delimiter. The
# delimiter keeps random compressed bytes (photos, video after a JPEG) from
# matching by chance; real markup always has one.
HTML_MARKER = re.compile(rb"<(!doctype|html|head|body|script|svg|iframe|object|embed)[\s>/]", re.IGNORECASE)
TAIL_BYTES = 64 * 1024

# What Pillow must recognise for each sniffed type. "MPO" is a JPEG with more
# pictures after the first (cameras' previews, iPhones' HDR gain maps).
IMAGE_FORMATS = {
    "image/jpeg": ("JPEG", "MPO"),
    "image/png": ("PNG",),
    "image/webp": ("WEBP",),
    # Phones' photos (iPhone's default): decoded by pillow-heif's Pillow plugin.
    "image/heic": ("HEIF",),
}
register_heif_opener()
ZIP_TYPES = {
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "[Content_Types].xml",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "[Content_Types].xml",
    "application/vnd.oasis.opendocument.text": "mimetype",
    "application/vnd.oasis.opendocument.spreadsheet": "mimetype",
}
# A PDF walk that reaches more objects than this is refused rather than walked on.
PDF_MAX_OBJECTS = 1_000_000


def max_image_pixels() -> int:
    return int(getattr(settings, "EVIDENCE_MAX_IMAGE_PIXELS", 50_000_000))


def evidence_refusal(data: bytes, mime: str) -> str | None:
    """Why ``data`` (sniffed as ``mime``) is not accepted as evidence; ``None`` if it is."""
    reason = _trailing_html(data, mime)
    if reason:
        return reason
    if mime in IMAGE_FORMATS:
        return _image_refusal(data, IMAGE_FORMATS[mime])
    if mime == "application/pdf":
        return _pdf_refusal(data)
    if mime in ZIP_TYPES:
        return _zip_refusal(data, ZIP_TYPES[mime])
    return None


# --- trailing HTML ------------------------------------------------------------------


def format_end(data: bytes, mime: str) -> int | None:
    """Offset just past the format's own end marker, if the format has one and it is found."""
    if mime == "image/png":
        pos = 8
        while pos + 12 <= len(data):
            length = int.from_bytes(data[pos : pos + 4], "big")
            if data[pos + 4 : pos + 8] == b"IEND":
                return pos + 12 + length
            pos += 12 + length
        return None
    if mime == "image/jpeg":
        pos = data.rfind(b"\xff\xd9")
        return pos + 2 if pos >= 0 else None
    if mime == "image/webp" and data[:4] == b"RIFF":
        size = int.from_bytes(data[4:8], "little")
        return 8 + size + (size & 1)
    if mime == "application/pdf":
        pos = data.rfind(b"%%EOF")
        return pos + 5 if pos >= 0 else None
    if mime in ZIP_TYPES:
        pos = data.rfind(b"PK\x05\x06")
        if pos < 0 or pos + 22 > len(data):
            return None
        return pos + 22 + int.from_bytes(data[pos + 20 : pos + 22], "little")
    return None


def _trailing_html(data: bytes, mime: str) -> str | None:
    end = format_end(data, mime)
    if end is not None and end < len(data):
        found = HTML_MARKER.search(data, end)
        if found:
            tag = found.group(1).decode("ascii").lower()
            return f"После конца файла дописан HTML-код (<{tag}>): такие файлы не принимаются."
    found = HTML_MARKER.search(data, max(len(data) - TAIL_BYTES, 0))
    if found:
        tag = found.group(1).decode("ascii").lower()
        return f"В конце файла найден HTML-код (<{tag}>): такие файлы не принимаются."
    return None


# --- images -------------------------------------------------------------------------


def _image_refusal(data: bytes, formats: tuple[str, ...]) -> str | None:
    """Decode every picture of the image to its last byte, within the pixel budget.

    JPEG pictures decode in draft mode (DCT scaling: 1/8 per side in memory,
    every byte still decoded), so they may declare four times the budget;
    other formats decode in full, all frames together within the budget.
    """
    limit = max_image_pixels()
    damaged = f"Изображение повреждено: его не удалось прочитать целиком ({formats[0]})."
    try:
        with warnings.catch_warnings():
            # Our own budget below decides; Pillow's hard limit (an error) still applies.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                if image.format not in formats:
                    return f"Файл не является изображением {formats[0]}, хотя так начинается."
                jpeg = image.format in ("JPEG", "MPO")
                count = getattr(image, "n_frames", 1)
                image.verify()
            budget = limit * 4 if jpeg else limit
            decoded = 0
            for frame in _frames(data, count, jpeg=jpeg):
                width, height = frame.size
                decoded += width * height
                if decoded > budget:
                    return (
                        f"Изображение слишком большое: {width}×{height} точек "
                        f"(не больше {budget / 1_000_000:g} млн точек). Уменьшите его и загрузите снова."
                    )
                if jpeg:
                    frame.draft("RGB", (max(width // 8, 1), max(height // 8, 1)))
                frame.load()
    except Image.DecompressionBombError:
        return "Изображение слишком большое, чтобы его проверить. Уменьшите его и загрузите снова."
    except Exception:  # noqa: BLE001 -- Pillow raises many types for broken data; each means "damaged"
        return damaged
    return None


def _frames(data: bytes, count: int, *, jpeg: bool) -> Iterator[Image.Image]:
    """The image positioned on each of its frames in turn.

    Each JPEG picture gets a fresh reader: draft mode set on one picture
    breaks reading the next one after a seek.
    """
    if jpeg:
        for index in range(count):
            with Image.open(io.BytesIO(data)) as image:
                image.seek(index)
                yield image
        return
    with Image.open(io.BytesIO(data)) as image:
        for index in range(count):
            image.seek(index)
            yield image


# --- PDF ------------------------------------------------------------------------------


def _pdf_refusal(data: bytes) -> str | None:
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted and not reader.decrypt(""):
            return "PDF защищён паролем, поэтому его нельзя проверить. Снимите защиту и загрузите снова."
        root = reader.trailer["/Root"].get_object()
        if not isinstance(root, DictionaryObject):
            return "PDF повреждён: в нём нет каталога документа."
        return _pdf_active_content(root)
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, IndexError, RecursionError, OSError):
        return "PDF повреждён: его не удалось прочитать."


PDF_REASONS = {
    "js": "PDF содержит JavaScript (сценарии): такие файлы не принимаются. "
    "Сохраните документ заново без сценариев (например, через «Печать» → «Сохранить как PDF»).",
    "aa": "PDF содержит действия, запускающиеся сами при открытии или просмотре (/AA): такие файлы не принимаются. "
    "Сохраните документ заново через «Печать» → «Сохранить как PDF».",
    "launch": "PDF содержит команду запуска программы: такие файлы не принимаются.",
    "embedded": "PDF содержит вложенные файлы: такие файлы не принимаются. Приложите каждый документ отдельно.",
}


def _pdf_active_content(root: DictionaryObject) -> str | None:
    """Walk everything reachable from the catalogue; name the first active part found."""
    stack: list[object] = [root]
    seen: set[tuple[int, int]] = set()
    visited = 0
    while stack:
        node = stack.pop()
        if isinstance(node, IndirectObject):
            key = (node.idnum, node.generation)
            if key in seen:
                continue
            seen.add(key)
            node = node.get_object()
        visited += 1
        if visited > PDF_MAX_OBJECTS:
            return "PDF слишком сложен для проверки: такие файлы не принимаются."
        if isinstance(node, DictionaryObject):  # streams too: their dictionaries, never their data
            kind = _pdf_dictionary_kind(node)
            if kind:
                return PDF_REASONS[kind]
            stack.extend(value for name, value in node.items() if name != "/Parent")
        elif isinstance(node, ArrayObject):
            stack.extend(node)
    return None


def _pdf_dictionary_kind(node: DictionaryObject) -> str | None:
    action = node.get("/S")
    if "/JS" in node or "/JavaScript" in node or action == NameObject("/JavaScript"):
        return "js"
    if "/AA" in node:
        return "aa"
    if action == NameObject("/Launch"):
        return "launch"
    if (
        "/EmbeddedFiles" in node
        or "/EF" in node
        or node.get("/Type") == NameObject("/EmbeddedFile")
        or node.get("/Subtype") == NameObject("/FileAttachment")
    ):
        return "embedded"
    return None


# --- office documents in ZIP containers ----------------------------------------------------


def _zip_refusal(data: bytes, required: str) -> str | None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, ValueError, OSError):
        return "Документ повреждён: его не удалось открыть."
    if required not in names:
        return "Документ повреждён: в нём нет обязательных частей."
    return None

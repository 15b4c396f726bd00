"""Uploaded files, served only after a permission check.

Every ``FileField`` of the apps stores into :class:`ProtectedStorage`, whose
``url`` is ``/files/<name>`` rather than ``/media/<name>``: the admin's
"Currently: …" link and anything else that prints ``.url`` lead to
:func:`protected_file`, never to a web server serving ``MEDIA_ROOT`` as is.

Each app says which records own the files under its folders
(:func:`register_file_owner`, from its ``AppConfig.ready``) with a function
that finds the record *among those the user may see*; the view answers 404
when there is none, so another organisation's file looks like no file.

:func:`serve_file` is the one place that writes the response: behind nginx
(``MEDIA_ACCEL_REDIRECT`` set) an empty response whose ``X-Accel-Redirect``
header lets nginx send the file from an ``internal`` location; otherwise the
file itself. Either way ``X-Content-Type-Options: nosniff``.

Part of copp's shared kit: imports no app.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import filetype
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.files.storage import FileSystemStorage
from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase

FILES_URL = "/files/"
ATTACHMENT_TYPE = "application/octet-stream"
# The only types a browser is allowed to render from an uploaded file: the
# bytes must have been sniffed as one of these. Anything else (HTML, SVG,
# XML, text, office documents) is downloaded, never displayed.
INLINE_TYPES = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp", "application/pdf"})
# An image preview is a document of its own: no scripts, no forms, no
# same-origin access, even if a browser were tricked into rendering it as a page.
PREVIEW_CSP = "sandbox; default-src 'none'; img-src 'self'; style-src 'unsafe-inline'"
# A PDF is drawn by the browser's own viewer, which Chromium refuses to start in
# a sandboxed document ("blocked by Chrome"); its scripts run inside the viewer,
# never with the app's origin, so a PDF is sent inline with nosniff only.
UNSANDBOXED_TYPES = frozenset({"application/pdf"})


class ProtectedStorage(FileSystemStorage):
    """``MEDIA_ROOT`` on disk, linked through the permission-checked ``/files/`` view."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("base_url", FILES_URL)
        super().__init__(**kwargs)


@dataclass(frozen=True)
class OwnedFile:
    """A stored file the user may read, as its owning record describes it."""

    file: FieldFile
    filename: str
    content_type: str | None = None


# Folder (the first part of the stored name) -> finder(user, name).
FileFinder = Callable[[Any, str], OwnedFile | None]
_OWNERS: dict[str, FileFinder] = {}


def register_file_owner(folder: str, finder: FileFinder) -> None:
    """Files stored under ``folder/`` are found (or not) for a user by ``finder``."""
    _OWNERS[folder.strip("/")] = finder


def owned_file(user: Any, name: str) -> OwnedFile | None:
    """The record-described file at ``name`` if ``user`` may read it."""
    folder = name.split("/", 1)[0]
    finder = _OWNERS.get(folder)
    if finder is None or ".." in name.split("/"):
        return None
    return finder(user, name)


def sniffed_type(fieldfile: FieldFile) -> str:
    """The type the file's first bytes say it is ("" when unknown)."""
    with fieldfile.open("rb") as handle:
        head = handle.read(8192)
    guess = filetype.guess(head)
    return guess.mime if guess else ""


def content_disposition(filename: str, *, inline: bool = False) -> str:
    """``attachment; filename="…"; filename*=UTF-8''…`` (RFC 6266 / RFC 5987).

    The plain ``filename`` is an ASCII fallback (non-ASCII letters, quotes and
    control characters replaced); ``filename*`` carries the real name.
    """
    disposition = "inline" if inline else "attachment"
    fallback = "".join(c if 32 <= ord(c) < 127 and c not in '"\\' else "_" for c in filename) or "file"
    return f"{disposition}; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


def serve_file(
    fieldfile: FieldFile, *, filename: str, inline: bool = False, content_type: str | None = None
) -> HttpResponseBase:
    """The response that sends a stored file the caller has already allowed.

    ``inline`` is honoured only for a type in ``INLINE_TYPES`` sniffed from the
    file's own bytes (the name and the recorded type are not trusted), and
    then an image carries a sandboxing CSP (a PDF cannot: see ``UNSANDBOXED_TYPES``). Everything else is an
    attachment of type ``application/octet-stream`` unless the caller names
    its type (a report it built itself).
    """
    if not fieldfile:
        raise Http404
    if inline:
        sniffed = sniffed_type(fieldfile)
        inline = sniffed in INLINE_TYPES
        content_type = sniffed if inline else ATTACHMENT_TYPE
    content_type = content_type or ATTACHMENT_TYPE
    prefix = getattr(settings, "MEDIA_ACCEL_REDIRECT", "")
    response: HttpResponseBase
    if prefix:
        response = HttpResponse(content_type=content_type)
        response["X-Accel-Redirect"] = quote(prefix.rstrip("/") + "/" + str(fieldfile.name).lstrip("/"))
    else:
        response = FileResponse(fieldfile.open("rb"), content_type=content_type)
        if fieldfile.size is not None:
            response["Content-Length"] = str(fieldfile.size)
    response["Content-Disposition"] = content_disposition(filename, inline=inline)
    response["X-Content-Type-Options"] = "nosniff"
    if inline and content_type not in UNSANDBOXED_TYPES:
        response["Content-Security-Policy"] = PREVIEW_CSP
    return response


@login_required
def protected_file(request: HttpRequest, name: str) -> HttpResponseBase:
    """``/files/<name>``: the file if its owning record is visible to the user, else 404."""
    found = owned_file(request.user, name)
    if found is None:
        raise Http404
    return serve_file(found.file, filename=found.filename, content_type=found.content_type)

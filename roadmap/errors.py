"""Refusals every app's services raise; the lowest layer, so indicators and reports share them.

* ``Refusal`` -- a write a service refused, nothing changed: ``message`` says
  why, ``field`` names the input at fault when there is one;
* ``Conflict`` -- the write collides with the current state (HTTP 409: a
  second report, a step not allowed now, a protected delete);
* ``StaleVersion`` -- a kind of conflict: someone else saved the row since
  the caller read it.

The web pages show ``message``; the API answers 409 with ``detail`` (and
``field``) through ``copp.rest.exception_handler``.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy

# One wording for every stale form, web and API, roadmap and indicators alike.
STALE_VERSION_MESSAGE = gettext_lazy(
    "Not saved: changed by another user since you opened the form. Reload the page and make your changes again."
)


class Refusal(Exception):
    """A refused write; ``field`` names the input at fault when there is one."""

    def __init__(self, message: str = "", *, field: str | None = None) -> None:
        self.message = str(message)
        self.field = field
        super().__init__(self.message)


class Conflict(Refusal):
    """The write collides with the current state (HTTP 409); nothing was changed."""


class StaleVersion(Conflict):
    """Someone else saved the row since the caller read it (HTTP 409); nothing was changed."""

    def __init__(self, message: str | None = None, *, field: str | None = None) -> None:
        super().__init__(message or str(STALE_VERSION_MESSAGE), field=field)

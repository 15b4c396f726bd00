"""The signed-in user of a request, typed: for views behind ``login_required`` or DRF's ``IsAuthenticated``."""

from __future__ import annotations

from typing import TYPE_CHECKING

from roadmap.models import User

if TYPE_CHECKING:
    from django.http import HttpRequest
    from rest_framework.request import Request


def signed_in_user(request: HttpRequest | Request) -> User:
    """``request.user`` as a :class:`User`; the view's guard has already turned anonymous visitors away."""
    user = request.user
    assert isinstance(user, User), "signed_in_user() is for views that require a signed-in user"
    return user

"""Writes of a user's own account: the profile page (name, contacts, which notices come by e-mail)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils.translation import gettext as _

from roadmap.models import Notification, User

# Digits, spaces (also non-breaking), "+", brackets, hyphens and dashes, dots,
# commas, slashes: «+7 (4872) 24-51-04», «8 4872 24.51.04, 8 910 000-00-00».
_PHONE_CHARS = re.compile(r"^[\d\s\u00a0+()\-\u2010-\u2015.,/]*$")
# An extension or internal number, as people write it: «доб. 26», «вн. 26», «ext. 26».
_PHONE_WORDS = re.compile(r"\b(?:доб|добавочный|вн|ext)\b\.?", re.IGNORECASE)
_PHONE_MIN_DIGITS = 5
_PHONE_MAX_DIGITS = 30


@dataclass(frozen=True)
class ProfileData:
    first_name: str
    last_name: str
    patronymic: str = ""
    email: str = ""
    phone: str = ""
    # The notice kinds the user wants by e-mail; the others reach the inbox only.
    email_notices: frozenset[str] = field(default_factory=lambda: frozenset(Notification.Kind.values))


def phone_problem(phone: str) -> str | None:
    """Why ``phone`` is not a phone number people can dial, or None when it is (or is empty).

    Not a format check -- numbers are written in many ways -- but no letters
    other than an extension word, and between 5 and 30 digits.
    """
    if not phone:
        return None
    if not _PHONE_CHARS.match(_PHONE_WORDS.sub(" ", phone)):
        return _("Use digits, spaces, “+”, brackets and hyphens; an extension as “ext. 26”.")
    digits = sum(c.isdigit() for c in phone)
    if not _PHONE_MIN_DIGITS <= digits <= _PHONE_MAX_DIGITS:
        return _("A phone number has from %(min)d to %(max)d digits.") % {
            "min": _PHONE_MIN_DIGITS,
            "max": _PHONE_MAX_DIGITS,
        }
    return None


def email_taken(*, email: str, user: User) -> bool:
    """Whether another account already has ``email`` (letter case aside).

    The password reset letter goes to every account of an address, and the
    chase matches addresses to accounts, so two accounts must not share one.
    """
    return User.objects.exclude(pk=user.pk).filter(email__iexact=email).exists()


def user_profile_update(*, user: User, data: ProfileData) -> User:
    """Save a user's own name, contacts and e-mail choices; ValidationError by field otherwise.

    The e-mail is checked against other accounts only when it changes: an
    address shared before this rule existed does not lock its owners out of
    their own profile.
    """
    first_name, last_name = data.first_name.strip(), data.last_name.strip()
    email, phone = data.email.strip(), " ".join(data.phone.split())
    errors: dict[str, list[str]] = {}
    if not first_name:
        errors["first_name"] = [_("This field is required.")]
    if not last_name:
        errors["last_name"] = [_("This field is required.")]
    if email:
        try:
            validate_email(email)
        except ValidationError as exc:
            errors["email"] = exc.messages
    unknown = set(data.email_notices) - set(Notification.Kind.values)
    if unknown:
        errors["email_notices"] = [_("Choose notice kinds from the list.")]
    if problem := phone_problem(phone):
        errors["phone"] = [problem]
    values = {"first_name": first_name, "last_name": last_name, "patronymic": data.patronymic.strip()}
    for name, value in {**values, "email": email, "phone": phone}.items():
        limit = getattr(User._meta.get_field(name), "max_length", None)
        if limit is not None and len(value) > limit and name not in errors:
            errors[name] = [_("At most %(limit)d characters.") % {"limit": limit}]
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        changed = email.lower() != (locked.email or "").strip().lower()
        if email and changed and "email" not in errors and email_taken(email=email, user=locked):
            errors["email"] = [_("Another account already uses this e-mail address.")]
        if errors:
            raise ValidationError(errors)
        user.first_name, user.last_name, user.patronymic = first_name, last_name, values["patronymic"]
        user.email, user.phone = email, phone
        user.email_notices_off = off_kinds(wanted=data.email_notices)
        user.save(update_fields=["first_name", "last_name", "patronymic", "email", "phone", "email_notices_off"])
    return user


def off_kinds(*, wanted: Iterable[str]) -> list[str]:
    """The stored form of the choice: the kinds *not* wanted by e-mail, in the kinds' order."""
    chosen = set(wanted)
    return [kind for kind in Notification.Kind.values if kind not in chosen]

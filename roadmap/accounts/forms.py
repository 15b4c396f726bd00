"""The profile page's form: input only; the rules are in ``roadmap.accounts.services``."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from copp.forms import BootstrapMixin
from roadmap.accounts.services import ProfileData, phone_problem
from roadmap.models import Notification, User


class ProfileForm(BootstrapMixin, forms.Form):
    """A plain form, not a ModelForm: an invalid post must not touch ``request.user``
    (the menu shows its name on the page that lists the errors)."""

    last_name = forms.CharField(label=_("Last name"), max_length=150)
    first_name = forms.CharField(label=_("First name"), max_length=150)
    patronymic = forms.CharField(label=_("Patronymic"), max_length=150, required=False)
    email = forms.EmailField(
        label=_("E-mail"),
        max_length=254,
        required=False,
        help_text=_("Notices and the password reset link are sent here."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    phone = forms.CharField(
        label=_("Phone"),
        max_length=100,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel", "placeholder": "+7 (4872) 00-00-00"}),
    )
    email_notices = forms.MultipleChoiceField(
        label=_("Send by e-mail"),
        choices=Notification.Kind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Every notice reaches your inbox in the application; unticked ones are not sent by e-mail."),
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        off = set(user.email_notices_off or [])
        kwargs.setdefault(
            "initial",
            {
                "last_name": user.last_name,
                "first_name": user.first_name,
                "patronymic": user.patronymic,
                "email": user.email,
                "phone": user.phone,
                "email_notices": [kind for kind in Notification.Kind.values if kind not in off],
            },
        )
        super().__init__(*args, **kwargs)

    def clean_phone(self) -> str:
        # The service's rule, run here too so one post lists every mistake at once.
        phone: str = self.cleaned_data["phone"]
        if problem := phone_problem(phone):
            raise forms.ValidationError(problem)
        return phone

    def profile_data(self) -> ProfileData:
        data = self.cleaned_data
        return ProfileData(
            first_name=data["first_name"],
            last_name=data["last_name"],
            patronymic=data["patronymic"],
            email=data["email"],
            phone=data["phone"],
            email_notices=frozenset(data["email_notices"]),
        )

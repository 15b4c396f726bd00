"""Password reset by e-mail and password change: Django's views with the project's templates
and SITE_URL links."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import forms as auth_forms
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import PasswordResetForm
from django.contrib.messages.views import SuccessMessageMixin
from django.http import HttpResponse
from django.urls import path, reverse_lazy
from django.utils.translation import gettext_lazy as _

from copp.forms import BootstrapMixin


class PasswordResetView(auth_views.PasswordResetView):
    """Sends the link to the address of an active account; says the same whether or not one exists."""

    email_template_name = "registration/password_reset_email.txt"
    subject_template_name = "registration/password_reset_subject.txt"
    success_url = reverse_lazy("password_reset_done")

    def form_valid(self, form: PasswordResetForm) -> HttpResponse:
        # The link in the letter names the address users open, not whatever host the request came to.
        self.extra_email_context = {"site_url": str(settings.SITE_URL).rstrip("/")}
        return super().form_valid(form)


class PasswordChangeForm(BootstrapMixin, auth_forms.PasswordChangeForm):
    pass


class PasswordChangeView(SuccessMessageMixin, auth_views.PasswordChangeView):  # type: ignore[type-arg]
    """The signed-in user's own password (Django's view: it keeps the session signed in).

    Its own template name: the admin's password change page renders
    ``registration/password_change_form.html``, which must stay the admin's.
    """

    form_class = PasswordChangeForm
    template_name = "registration/profile_password.html"
    success_url = reverse_lazy("profile")
    success_message = _("Password changed.")


urlpatterns = [
    path("profile/password/", PasswordChangeView.as_view(), name="password_change"),
    path("password-reset/", PasswordResetView.as_view(), name="password_reset"),
    path("password-reset/sent/", auth_views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path(
        "password-reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(success_url=reverse_lazy("password_reset_complete")),
        name="password_reset_confirm",
    ),
    path("password-reset/done/", auth_views.PasswordResetCompleteView.as_view(), name="password_reset_complete"),
]

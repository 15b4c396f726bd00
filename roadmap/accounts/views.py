"""The profile page: a signed-in user's own name, contacts and e-mail choices."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from copp.forms import apply_errors
from roadmap.accounts.forms import ProfileForm
from roadmap.accounts.services import user_profile_update
from roadmap.accounts.signed_in import signed_in_user


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    form = ProfileForm(request.POST if request.method == "POST" else None, user=user)
    if form.is_valid():
        try:
            user_profile_update(user=user, data=form.profile_data())
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Profile saved."))
            return redirect("profile")
    return render(request, "roadmap/profile.html", {"form": form})

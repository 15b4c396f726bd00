"""The inbox page: a user's in-app notices, marked read."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from copp.web import paginate
from roadmap.accounts.signed_in import signed_in_user
from roadmap.chase.notifications import notifications_mark_read
from roadmap.events import selectors as event_selectors


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        ids = [int(i) for i in request.POST.getlist("ids") if i.isdigit()] or None
        notifications_mark_read(user=signed_in_user(request), now=timezone.now(), ids=ids)
        return redirect("inbox")
    unread_only = request.GET.get("unread") == "1"
    page = paginate(request, event_selectors.inbox(request.user, unread_only=unread_only))
    return render(request, "roadmap/inbox.html", {"page": page, "unread_only": unread_only})

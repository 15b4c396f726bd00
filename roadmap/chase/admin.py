"""Admin of the notifications: failed and in-doubt notices, sent again (imported by roadmap/admin.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from roadmap.chase.notifications import notification_resend, notifications_in_doubt
from roadmap.models import Notification

# ModelAdmin is generic for mypy only: it cannot be subscripted at run time.
if TYPE_CHECKING:
    _NotificationModelAdmin = admin.ModelAdmin[Notification]
else:
    _NotificationModelAdmin = admin.ModelAdmin


class InDoubtFilter(admin.SimpleListFilter):
    """Notices a worker died while sending: the message may or may not have left."""

    title = _("sending in doubt")
    parameter_name = "in_doubt"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        count = notifications_in_doubt(now=timezone.now()).count()
        return [("yes", _("In doubt (%(n)s)") % {"n": count})]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Notification]) -> QuerySet[Notification]:
        if self.value() == "yes":
            return queryset.filter(id__in=notifications_in_doubt(now=timezone.now()).values("id"))
        return queryset


@admin.register(Notification)
class NotificationAdmin(_NotificationModelAdmin):
    """Failed and in-doubt notices are visible here and can be sent again."""

    list_display = (
        "created_at",
        "kind",
        "recipient",
        "status",
        "attempts",
        "next_attempt_at",
        "sending_since",
        "sent_at",
        "event",
    )
    list_filter = (InDoubtFilter, "status", "kind")
    search_fields = ("recipient", "subject", "last_error")
    date_hierarchy = "created_at"
    raw_id_fields = ("event", "user")
    readonly_fields = tuple(f.name for f in Notification._meta.fields)
    actions = ("resend",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def changelist_view(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> Any:
        if request.method == "GET":
            count = notifications_in_doubt(now=timezone.now()).count()
            if count:
                self.message_user(
                    request,
                    ngettext(
                        "%(n)s notice in doubt: its sending was interrupted (the worker stopped), the message "
                        "may or may not have left. Check and send again with the action “Send again”.",
                        "%(n)s notices in doubt: their sending was interrupted (the worker stopped), the messages "
                        "may or may not have left. Check and send again with the action “Send again”.",
                        count,
                    )
                    % {"n": count},
                    messages.WARNING,
                )
        return super().changelist_view(request, extra_context)

    @admin.action(description=_("Send again (failed, given up or stuck notices)"))
    def resend(self, request: HttpRequest, queryset: QuerySet[Notification]) -> None:
        count = notification_resend(notification_ids=queryset.values_list("id", flat=True), now=timezone.now())
        self.message_user(request, _("Queued to be sent again: %(n)s.") % {"n": count}, messages.SUCCESS)

"""REST API of the notification inbox: the current user's notices, marked read one by one or all."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from roadmap.accounts.signed_in import signed_in_user
from roadmap.chase.notifications import notifications_mark_read
from roadmap.events import selectors as event_selectors
from roadmap.models import Notification


class UnreadSerializer(serializers.Serializer[Any]):
    unread = serializers.IntegerField(min_value=0)


class NotificationSerializer(serializers.ModelSerializer[Notification]):
    class Meta:
        model = Notification
        fields = (
            "id",
            "kind",
            "event",
            "subject",
            "body",
            "created_at",
            "read_at",
        )


class NotificationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet[Notification]):
    """The current user's in-app inbox; ``?unread=1`` for unread only."""

    serializer_class = NotificationSerializer
    lookup_value_regex = r"[0-9]+"

    def get_queryset(self) -> QuerySet[Notification]:
        return event_selectors.inbox(self.request.user, unread_only=self.request.query_params.get("unread") == "1")

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        response = super().list(request, *args, **kwargs)
        if isinstance(response.data, dict):
            response.data["unread"] = event_selectors.unread_count(request.user)
        return response

    @extend_schema(request=None, responses=UnreadSerializer)
    @action(detail=True, methods=["post"])
    def read(self, request: Request, pk: Any = None) -> Response:
        notification = self.get_object()
        notifications_mark_read(user=signed_in_user(request), now=timezone.now(), ids=[notification.pk])
        return Response({"unread": event_selectors.unread_count(request.user)})

    @extend_schema(request=None, responses=UnreadSerializer)
    @action(detail=False, methods=["post"], url_path="read-all")
    def read_all(self, request: Request) -> Response:
        notifications_mark_read(user=signed_in_user(request), now=timezone.now())
        return Response({"unread": 0})

    @extend_schema(responses=UnreadSerializer)
    @action(detail=False, methods=["get"], url_path="unread-count", pagination_class=None)
    def unread_count(self, request: Request) -> Response:
        return Response({"unread": event_selectors.unread_count(request.user)})

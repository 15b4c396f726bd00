"""Read-only REST API of the roadmap app."""

from __future__ import annotations

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import serializers, viewsets
from rest_framework.routers import SimpleRouter

from copp.web import requested_plan
from roadmap.accounts.permissions import in_users_region
from roadmap.models import Activity, DeadlineWindow, Organization, Responsibility
from roadmap.plans.selectors import activities_of

PLAN_PARAMETER = OpenApiParameter(
    "plan",
    str,
    description="Plan key (e.g. tula-2714-2022). Without it, the current plan; an unknown key answers 404.",
)


class WindowSerializer(serializers.ModelSerializer):
    class Meta:
        model = DeadlineWindow
        fields = ["start", "end"]


class ResponsibleSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="organization.short_name")

    class Meta:
        model = Responsibility
        fields = ["name", "by_agreement"]


class ActivitySerializer(serializers.ModelSerializer):
    section = serializers.CharField(source="section.title")
    windows = WindowSerializer(many=True)
    responsible = ResponsibleSerializer(source="responsibilities", many=True)

    class Meta:
        model = Activity
        fields = [
            "number",
            "section",
            "name",
            "expected_result",
            "evidence_document",
            "deadline_text",
            "deadline_recognized",
            "windows",
            "responsible",
        ]


@extend_schema_view(
    list=extend_schema(parameters=[PLAN_PARAMETER]), retrieve=extend_schema(parameters=[PLAN_PARAMETER])
)
class ActivityViewSet(viewsets.ReadOnlyModelViewSet):
    """Activities of the current plan (or ``?plan=<key>``), ordered by number."""

    serializer_class = ActivitySerializer
    lookup_field = "number"
    lookup_value_regex = r"[0-9]+"
    pagination_class = None

    def get_queryset(self) -> QuerySet[Activity]:
        return activities_of(requested_plan(self.request.query_params.get("plan")))


class OrganizationSerializer(serializers.ModelSerializer):
    municipality = serializers.CharField(source="municipality.name", default=None, allow_null=True)

    class Meta:
        model = Organization
        fields = ["id", "short_name", "name", "kind", "municipality"]


class OrganizationViewSet(viewsets.ReadOnlyModelViewSet):
    """Organisations are reference data: every signed-in user reads those of their region
    (administrators and the federal level: of every region)."""

    serializer_class = OrganizationSerializer
    lookup_value_regex = r"[0-9]+"

    def get_queryset(self) -> QuerySet[Organization]:
        base = Organization.objects.select_related("municipality").order_by("short_name", "id")
        return in_users_region(self.request.user, base)


router = SimpleRouter()
router.register("activities", ActivityViewSet, basename="activity")
router.register("organizations", OrganizationViewSet, basename="organization")

# Events and reports live in roadmap/events/api.py, the inbox in roadmap/chase/api.py.
from roadmap.chase.api import NotificationViewSet  # noqa: E402
from roadmap.events.api import EventViewSet  # noqa: E402

router.register("events", EventViewSet, basename="event")
router.register("notifications", NotificationViewSet, basename="notification")

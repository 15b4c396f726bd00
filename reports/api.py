"""/api/v1/regions/: the regions and the federal comparison (the federal level and administrators)."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import permissions as drf_permissions
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from reports import permissions, regions
from reports.views import comparison_year
from roadmap.events.selectors import TimelinessRow
from roadmap.models import Region


class ComparesRegions(drf_permissions.BasePermission):
    message = "Только для федерального уровня и администраторов."

    def has_permission(self, request: Request, view: Any) -> bool:
        return permissions.can_compare_regions(request.user)


class RegionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Region
        fields = ["id", "key", "name", "order"]


class EventsFiguresSerializer(serializers.Serializer):
    held = serializers.IntegerField()
    due = serializers.IntegerField()
    on_time = serializers.IntegerField()
    late = serializers.IntegerField()
    missing = serializers.IntegerField()
    not_yet_due = serializers.IntegerField()
    on_time_pct = serializers.FloatField(allow_null=True)


class RegionLineSerializer(serializers.Serializer):
    region = RegionSerializer()
    plan = serializers.CharField(allow_null=True, help_text="The key of the region's plan of the year.")
    events = EventsFiguresSerializer()
    indicators = serializers.IntegerField(help_text="Indicators of the plan with a target in the year.")
    achieved = serializers.IntegerField(help_text="Of them, achieved.")
    achieved_pct = serializers.FloatField(allow_null=True)


class ComparisonSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    moment = serializers.DateTimeField(help_text="The moment the figures were computed for.")
    fresh = serializers.BooleanField(
        help_text="False: the figures predate the latest writes (or are over a minute old) and are being "
        "recomputed; ask again shortly."
    )
    regions = RegionLineSerializer(many=True)
    total = EventsFiguresSerializer()


def _events(row: TimelinessRow) -> dict[str, Any]:
    return {name: getattr(row, name) for name in (*regions.COUNTED[:6], "on_time_pct")}


class RegionViewSet(viewsets.ReadOnlyModelViewSet):
    """Regions (the federal level and administrators only)."""

    serializer_class = RegionSerializer
    permission_classes = [ComparesRegions]
    pagination_class = None
    lookup_value_regex = r"[0-9]+"

    def get_queryset(self) -> Any:
        return Region.objects.order_by("order", "name")

    @extend_schema(
        parameters=[OpenApiParameter("year", int, description="A year of the plans (default: this year).")],
        responses=ComparisonSerializer,
    )
    @action(detail=False, methods=["get"])
    def comparison(self, request: Request) -> Response:
        """Per region for a year: events held, reports due, on time, late, missing, and the share of
        the region's plan's indicators achieved. Served from a snapshot recomputed in the background
        after writes (``moment``, ``fresh``); a fixed number of queries however many regions."""
        day = timezone.localdate()
        years = regions.comparison_years(day)
        try:
            year = comparison_year(request.query_params.get("year"), years, day.year)
        except ValueError:
            raise ValidationError({"year": [f"Один из годов планов: {', '.join(map(str, years))}."]}) from None
        snapshot, fresh = regions.comparison_snapshot(year=year, now=timezone.now())
        found = snapshot.comparison
        data = {
            "year": found.year,
            "moment": found.moment,
            "fresh": fresh,
            "regions": [
                {
                    "region": line.region,
                    "plan": line.plan.key if line.plan else None,
                    "events": _events(line.events),
                    "indicators": line.indicators,
                    "achieved": line.achieved,
                    "achieved_pct": line.achieved_pct,
                }
                for line in found.lines
            ],
            "total": _events(found.total),
        }
        return Response(ComparisonSerializer(data).data)


router = SimpleRouter()
router.register("regions", RegionViewSet, basename="region")

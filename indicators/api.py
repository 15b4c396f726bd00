"""REST API of the indicators app."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers, viewsets
from rest_framework.routers import SimpleRouter

from indicators.models import Indicator
from indicators.selectors import indicators_of
from roadmap.selectors import plan_by_key


class IndicatorSerializer(serializers.ModelSerializer):
    parent = serializers.CharField(source="parent.code", default=None)
    targets = serializers.SerializerMethodField()

    class Meta:
        model = Indicator
        fields = ["code", "printed_code", "parent", "name", "unit", "value_type", "aggregation", "note", "targets"]

    @extend_schema_field(OpenApiTypes.OBJECT)
    def get_targets(self, indicator: Indicator) -> dict[str, Any]:
        return {str(t.year): t.value for t in indicator.targets.all()}


class IndicatorViewSet(viewsets.ReadOnlyModelViewSet):
    """Indicators of the current plan (or ``?plan=<key>``) in the order's order."""

    serializer_class = IndicatorSerializer
    lookup_field = "code"
    lookup_value_regex = r"[0-9]+(\.[0-9]+)*"
    pagination_class = None

    def get_queryset(self) -> QuerySet[Indicator]:
        return indicators_of(plan_by_key(self.request.query_params.get("plan")))


router = SimpleRouter()
router.register("indicators", IndicatorViewSet, basename="indicator")

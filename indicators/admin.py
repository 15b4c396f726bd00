from __future__ import annotations

from django.contrib import admin
from import_export.admin import ImportExportModelAdmin
from simple_history.admin import SimpleHistoryAdmin

from indicators.models import Indicator, IndicatorSet, Target
from indicators.resources import IndicatorResource, TargetResource


@admin.register(IndicatorSet)
class IndicatorSetAdmin(admin.ModelAdmin):
    list_display = ["title", "plan"]


class TargetInline(admin.TabularInline):
    model = Target
    extra = 0
    fields = ["year", "value_number", "value_bool"]


@admin.register(Indicator)
class IndicatorAdmin(ImportExportModelAdmin):
    resource_classes = [IndicatorResource]
    list_display = ["code", "name", "unit", "value_type", "aggregation", "parent"]
    list_display_links = ["code", "name"]
    list_filter = ["indicator_set", "value_type", "aggregation"]
    search_fields = ["code", "name"]
    list_select_related = ["parent"]
    ordering = ["indicator_set", "order"]
    inlines = [TargetInline]


@admin.register(Target)
class TargetAdmin(ImportExportModelAdmin, SimpleHistoryAdmin):
    resource_classes = [TargetResource]
    list_display = ["indicator", "year", "value_number", "value_bool"]
    list_filter = ["year", "indicator__indicator_set"]
    search_fields = ["indicator__code", "indicator__name"]
    list_select_related = ["indicator"]

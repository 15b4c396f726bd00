"""django-import-export resources of the indicators app."""

from __future__ import annotations

from import_export import fields, resources, widgets

from indicators.models import Indicator, IndicatorSet, Target


class IndicatorResource(resources.ModelResource):
    indicator_set = fields.Field(
        attribute="indicator_set", column_name="plan", widget=widgets.ForeignKeyWidget(IndicatorSet, field="plan__key")
    )
    parent = fields.Field(attribute="parent", column_name="parent", widget=widgets.ForeignKeyWidget(Indicator, field="code"))

    class Meta:
        model = Indicator
        import_id_fields = ["indicator_set", "code"]
        fields = ["indicator_set", "code", "printed_code", "parent", "name", "unit", "value_type", "aggregation", "order", "note"]
        skip_unchanged = True
        report_skipped = True


class TargetResource(resources.ModelResource):
    indicator = fields.Field(attribute="indicator", column_name="indicator", widget=widgets.ForeignKeyWidget(Indicator, field="code"))

    class Meta:
        model = Target
        import_id_fields = ["indicator", "year"]
        fields = ["indicator", "year", "value_number", "value_bool"]
        skip_unchanged = True
        report_skipped = True

"""django-import-export resources of the indicators app."""

from __future__ import annotations

from import_export import fields, resources, widgets

from indicators.models import (
    EducationalProgramme,
    Indicator,
    IndicatorSet,
    PartnerAgreement,
    ProgrammeCategory,
    ProgrammeCohort,
    Target,
)
from roadmap.models import Organization


class IndicatorResource(resources.ModelResource):
    indicator_set = fields.Field(
        attribute="indicator_set", column_name="plan", widget=widgets.ForeignKeyWidget(IndicatorSet, field="plan__key")
    )
    parent = fields.Field(
        attribute="parent", column_name="parent", widget=widgets.ForeignKeyWidget(Indicator, field="code")
    )

    class Meta:
        model = Indicator
        import_id_fields = ["indicator_set", "code"]
        fields = [
            "indicator_set",
            "code",
            "printed_code",
            "parent",
            "name",
            "unit",
            "value_type",
            "aggregation",
            "order",
            "note",
        ]
        skip_unchanged = True
        report_skipped = True


class TargetResource(resources.ModelResource):
    indicator = fields.Field(
        attribute="indicator", column_name="indicator", widget=widgets.ForeignKeyWidget(Indicator, field="code")
    )

    class Meta:
        model = Target
        import_id_fields = ["indicator", "year"]
        fields = ["indicator", "year", "value_number", "value_bool"]
        skip_unchanged = True
        report_skipped = True


class _OrganizationWidget(widgets.ForeignKeyWidget):
    """An organisation by its short name, as spreadsheets name them."""

    def __init__(self) -> None:
        super().__init__(Organization, field="short_name")


class PartnerAgreementResource(resources.ModelResource):
    partner = fields.Field(attribute="partner", column_name="partner", widget=_OrganizationWidget())
    organization = fields.Field(attribute="organization", column_name="organization", widget=_OrganizationWidget())

    class Meta:
        model = PartnerAgreement
        import_id_fields = ["organization", "number", "date"]
        fields = ["partner", "organization", "number", "date", "valid_from", "valid_to", "subject"]
        skip_unchanged = True
        report_skipped = True


class EducationalProgrammeResource(resources.ModelResource):
    category = fields.Field(
        attribute="category", column_name="category", widget=widgets.ForeignKeyWidget(ProgrammeCategory, field="key")
    )
    developer = fields.Field(attribute="developer", column_name="developer", widget=_OrganizationWidget())

    class Meta:
        model = EducationalProgramme
        import_id_fields = ["developer", "name", "approved_on"]
        fields = ["name", "category", "developer", "approved_on", "hours", "form"]
        skip_unchanged = True
        report_skipped = True


class ProgrammeCohortResource(resources.ModelResource):
    programme = fields.Field(
        attribute="programme",
        column_name="programme",
        widget=widgets.ForeignKeyWidget(EducationalProgramme, field="name"),
    )

    class Meta:
        model = ProgrammeCohort
        import_id_fields = ["programme", "year", "group"]
        fields = ["programme", "year", "group", "completed"]
        skip_unchanged = True
        report_skipped = True

"""django-import-export resources of the roadmap app."""

from __future__ import annotations

from import_export import fields, resources, widgets

from roadmap.models import Activity, Municipality, Organization, Plan, Section


class OrganizationResource(resources.ModelResource):
    municipality = fields.Field(
        attribute="municipality",
        column_name="municipality",
        widget=widgets.ForeignKeyWidget(Municipality, field="name"),
    )

    class Meta:
        model = Organization
        import_id_fields = ["key"]
        clean_model_instances = True  # the model's validation (choices, e-mail, lengths) on every row
        fields = [
            "key",
            "kind",
            "short_name",
            "name",
            "is_group",
            "municipality",
            "inn",
            "address",
            "phone",
            "email",
            "website",
            "head_name",
            "head_email",
            "is_active",
        ]
        skip_unchanged = True
        report_skipped = True


class ActivityResource(resources.ModelResource):
    plan = fields.Field(attribute="plan", column_name="plan", widget=widgets.ForeignKeyWidget(Plan, field="key"))
    section = fields.Field(
        attribute="section", column_name="section", widget=widgets.ForeignKeyWidget(Section, field="title")
    )

    class Meta:
        model = Activity
        import_id_fields = ["plan", "number"]
        fields = [
            "plan",
            "number",
            "section",
            "name",
            "expected_result",
            "evidence_document",
            "deadline_text",
            "responsible_text",
            "note",
        ]
        skip_unchanged = True
        report_skipped = True

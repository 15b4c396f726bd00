from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IndicatorsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "indicators"
    verbose_name = _("Target indicators")

    def ready(self) -> None:
        from copp.choices import ChoiceKind, register_choice_kind
        from indicators.lists import actual_list_organizations_or_none
        from indicators.loader import indicators_load, validate_indicator_config
        from indicators.permissions import actual_organization_choices, register_permissions
        from indicators.plan_copy import copy_indicator_set
        from roadmap.events.choices import organization_detail
        from roadmap.plans.plan_copy import register_plan_copy_hook
        from roadmap.plans.sections import register_section_loader

        register_permissions()
        register_plan_copy_hook(copy_indicator_set)
        # The plan file's ``indicators`` section is ours: the roadmap loader calls it by the registry.
        register_section_loader("indicators", validate=validate_indicator_config, load=indicators_load, order=10)

        # Organisations are searched as you type (copp.choices), from the forms' own querysets.
        register_choice_kind(
            "actual-organization", ChoiceKind(queryset=actual_organization_choices, detail=organization_detail)
        )
        register_choice_kind(
            "actual-list-organization",
            ChoiceKind(queryset=actual_list_organizations_or_none, detail=organization_detail),
        )

from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IndicatorsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "indicators"
    verbose_name = _("Target indicators")

    def ready(self) -> None:
        from indicators.loader import indicators_load, validate_indicator_config
        from indicators.permissions import register_permissions
        from indicators.plan_copy import copy_indicator_set
        from roadmap.plans.plan_copy import register_plan_copy_hook
        from roadmap.plans.sections import register_section_loader

        register_permissions()
        register_plan_copy_hook(copy_indicator_set)
        # The plan file's ``indicators`` section is ours: the roadmap loader calls it by the registry.
        register_section_loader("indicators", validate=validate_indicator_config, load=indicators_load, order=10)

from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IndicatorsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "indicators"
    verbose_name = _("Target indicators")

    def ready(self) -> None:
        from indicators.permissions import register_permissions
        from indicators.plan_copy import copy_indicator_set
        from roadmap.plan_copy import register_plan_copy_hook

        register_permissions()
        register_plan_copy_hook(copy_indicator_set)

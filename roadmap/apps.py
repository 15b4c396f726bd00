from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RoadmapConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "roadmap"
    verbose_name = _("Roadmap")

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        import roadmap.accounts.permissions  # noqa: F401  (registers event permissions per role)
        from roadmap.accounts.signals import create_role_groups

        # After every migrate (all apps), so other apps' permissions exist.
        post_migrate.connect(create_role_groups, dispatch_uid="roadmap.create_role_groups")

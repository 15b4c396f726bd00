from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RoadmapConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "roadmap"
    verbose_name = _("Roadmap")

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        import roadmap.accounts.permissions  # registers event permissions per role
        import roadmap.checks  # noqa: F401  (registers the system checks)
        from copp.files import register_file_owner
        from roadmap.accounts.signals import create_role_groups
        from roadmap.chase.notifications import notify_report_returned
        from roadmap.events.choices import register_choice_kinds
        from roadmap.events.selectors import evidence_file_of
        from roadmap.events.services import plan_written_recompute, register_report_returned
        from roadmap.plans.sections import register_plan_written

        # The sub-packages point one way (plans < events < chase); the wiring is here:
        # a plan reload recomputes open events' due moments, a returned report is told at once.
        register_plan_written(plan_written_recompute)
        register_report_returned(notify_report_returned)

        # Uploaded files are served by copp.files after asking the app that owns them.
        register_file_owner("evidence", evidence_file_of)

        # Municipalities, organisations and activities are searched as you type (copp.choices).
        register_choice_kinds()

        # After every migrate (all apps), so other apps' permissions exist.
        post_migrate.connect(create_role_groups, dispatch_uid="roadmap.create_role_groups")

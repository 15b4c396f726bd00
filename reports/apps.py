from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "reports"
    verbose_name = _("Reports")

    def ready(self) -> None:
        from copp.files import register_file_owner
        from reports.selectors import import_file_of, report_file_of
        from roadmap.accounts.roles import Role, register_role_permissions

        # Built reports and uploaded import files are served by copp.files after these checks.
        register_file_owner("reports", report_file_of)
        register_file_owner("imports", import_file_of)

        # Ministry and ЦОПП staff request and download reports; ЦОПП staff
        # and coordinators import (object-level limits: reports.permissions).
        register_role_permissions(Role.MINISTRY, ["reports.view_reportfile", "reports.add_reportfile"])
        register_role_permissions(Role.FEDERAL, ["reports.view_reportfile", "reports.add_reportfile"])
        register_role_permissions(
            Role.COPP,
            ["reports.view_reportfile", "reports.add_reportfile", "reports.view_importjob", "reports.add_importjob"],
        )
        register_role_permissions(Role.COORDINATOR, ["reports.view_importjob", "reports.add_importjob"])

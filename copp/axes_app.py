"""django-axes as installed here: the same app under a Russian heading in the admin.

Its own AppConfig has no verbose name, so the admin titles its section «Axes».
"""

from __future__ import annotations

from axes.apps import AppConfig as AxesAppConfig
from django.utils.translation import gettext_lazy as _


class AxesConfig(AxesAppConfig):
    verbose_name = _("Sign-in attempts")

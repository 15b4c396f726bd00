from __future__ import annotations

from django.apps import AppConfig


class CoppConfig(AppConfig):
    """The project package as an app: no models; the shared template tags (``{% load ui %}``),
    the shared web helpers and the ``generate_demo`` command."""

    name = "copp"
    verbose_name = "ЦОПП"

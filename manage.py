#!/usr/bin/env python
from __future__ import annotations

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "copp.settings")
    # The command line of a checkout is a development tool: without DEBUG in the
    # environment it runs with DEBUG on (and the development key). A server
    # (gunicorn, Celery) keeps DEBUG off unless told, and production commands
    # read DEBUG=0 with the real key from the environment file (docs/deploy.md).
    os.environ.setdefault("DEBUG", "1")
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line

    # Django's command line swallows a settings error and then fails with an
    # unrelated "Models aren't loaded yet": say what is wrong instead.
    try:
        from django.conf import settings

        settings.INSTALLED_APPS  # noqa: B018 (imports the settings module)
    except ImproperlyConfigured as exc:
        sys.exit(f"ImproperlyConfigured: {exc}")

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()

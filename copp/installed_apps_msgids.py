"""Texts of installed apps that their own Russian catalogues leave in English.

django-simple-history, django-celery-beat and django-axes show these in the
admin; their catalogues lack them (or translate a few poorly, e.g.
django-celery-beat's «Crontab»). Listed here with ``gettext_noop`` so
makemessages keeps them in ``locale/ru``, where our Russian takes precedence
(``LOCALE_PATHS``). Nothing imports this module; drop a line when the app
translates it itself. The deliberate retranslations are listed in
``tests/test_catalogue.py`` (``DELIBERATE_RETRANSLATIONS``).
"""

from __future__ import annotations

from django.utils.translation import gettext_noop

SIMPLE_HISTORY = [
    gettext_noop("View history: %s"),
    gettext_noop("View %(verbose_name)s"),
    gettext_noop("Revert %(verbose_name)s"),
    gettext_noop("Changed"),
    gettext_noop("Deleted"),
]

CELERY_BEAT = [
    gettext_noop("crontab"),
    gettext_noop("crontabs"),
    gettext_noop("Crontab Schedule"),
    gettext_noop("Schedule"),
    gettext_noop("Arguments"),
    gettext_noop("Execution Options"),
    gettext_noop("Periodic Tasks Using This Schedule"),
    gettext_noop("Expires timedelta with seconds"),
    gettext_noop("Timedelta with seconds which the schedule will no longer trigger the task to run"),
    gettext_noop("Only one can be set, in expires and expire_seconds"),
    gettext_noop("Astronomical dawn"),
    gettext_noop("Civil dawn"),
    gettext_noop("Nautical dawn"),
    gettext_noop("Astronomical dusk"),
    gettext_noop("Civil dusk"),
    gettext_noop("Nautical dusk"),
    gettext_noop("Solar noon"),
    gettext_noop("Sunrise"),
    gettext_noop("Sunset"),
    gettext_noop('Cron Months (1-12) Of The Year to Run. Use "*" for "all". (Example: "1,12")'),
    gettext_noop('Cron Days Of The Week to Run. Use "*" for "all", Sunday is 0 or 7, Monday is 1. (Example: "0,5")'),
]

AXES = [
    gettext_noop("Locked Out"),
    gettext_noop("Attempt Remaining"),
    gettext_noop("Not set"),
    gettext_noop("Access Attempt"),
    gettext_noop("Expires At"),
    gettext_noop("The time when access attempt expires and is no longer valid."),
    gettext_noop("access attempt expiration"),
    gettext_noop("access attempt expirations"),
    gettext_noop("Session key hash (sha256)"),
    gettext_noop("Clean up expired attempts"),
    gettext_noop("Cleaned up {count} expired access attempts."),
    gettext_noop("User Agent"),
]

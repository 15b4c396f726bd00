"""Settings of the test suite (pytest.ini): ``copp.settings`` in its production profile, over plain HTTP.

The suite runs with DEBUG off, as production does, so it brings its own
SECRET_KEY, and turns off what needs HTTPS or ``collectstatic`` (the HTTPS
redirect, secure-only cookies, HSTS, hashed static files). They are environment
variables, so the servers and commands the tests start in subprocesses get them
too; a value already in the environment is kept. The participant hash key stays
the development one, which the system check flags.
"""

from __future__ import annotations

import os

for name, value in {
    "SECRET_KEY": "tests-only-secret-key-never-used-by-a-server-0123456789",
    "PARTICIPANT_HASH_KEY": "development-only-participant-hash-key",
    "SECURE_SSL_REDIRECT": "0",
    "SECURE_HSTS_SECONDS": "0",
    "SECURE_PROXY_SSL_HEADER": "0",
    "SESSION_COOKIE_SECURE": "0",
    "CSRF_COOKIE_SECURE": "0",
    "STATICFILES_BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage",
}.items():
    os.environ.setdefault(name, value)

from copp.settings import *  # noqa: E402,F403
from copp.settings import DATABASES  # noqa: E402

# A "replica" alias that mirrors the test database, so tests/test_replica.py can
# watch the reads that would go to a replica (``databases=["default", "replica"]``).
# The router stays off unless a test turns it on: every other test reads and
# writes default, with or without DATABASE_REPLICA_URL in the environment.
DATABASES["replica"] = {
    **DATABASES["default"],
    "OPTIONS": dict(DATABASES["default"].get("OPTIONS", {})),
    "TEST": {"MIRROR": "default"},
}
DATABASE_ROUTERS = []

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
import tempfile
from urllib.parse import urlsplit, urlunsplit

# Under pytest-xdist each worker process gets its own uploads folder and, when a
# broker is configured, its own Redis database: a Celery worker started by one
# test process must never take the tasks queued by another one (whose test
# database it cannot see). Subprocesses inherit these through the environment.
_XDIST_WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")
if _XDIST_WORKER:
    _index = int(_XDIST_WORKER.removeprefix("gw") or 0)
    os.environ.setdefault("MEDIA_ROOT", os.path.join(tempfile.gettempdir(), f"copp-test-media-{_XDIST_WORKER}"))
    _redis = urlsplit(os.environ.get("REDIS_URL", ""))
    if _redis.scheme.startswith("redis") and not os.environ.get("COPP_TEST_REDIS_SPLIT"):
        _db = int(_redis.path.strip("/") or 0)
        os.environ["REDIS_URL"] = urlunsplit(_redis._replace(path=f"/{(_db - _index) % 16}"))
        os.environ["COPP_TEST_REDIS_SPLIT"] = "1"  # a subprocess keeps its parent's database

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
